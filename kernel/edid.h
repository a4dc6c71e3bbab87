/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The EDID of a uvirtio display head, in one place: the module's gpu model
 * answers GET_EDID with it, and tool/test-unit.c builds this same file on
 * the host (with tool/kshim.h) to check it with edid-decode.
 */
#ifndef _UVIRTIO_EDID_H
#define _UVIRTIO_EDID_H

#include <linux/uvirtio.h>

#define UVIRTIO_EDID_LEN	128	/* one base block, no extension */
#define UVIRTIO_EDID_NAME	"uvirtio"

/*
 * Writes the EDID 1.4 of a @width x @height head at @dpi (its preferred
 * mode, 60 Hz) with @serial into @edid. Returns UVIRTIO_EDID_LEN, or 0
 * when a base block cannot describe the mode (a side over 4095 pixels, a
 * pixel clock over 655.35 MHz or under 10 MHz, as for 64x64) or @dpi is
 * outside UVIRTIO_GPU_MIN_DPI..MAX_DPI: the head then has no EDID and the
 * driver keeps the display-info mode.
 */
unsigned int uvirtio_edid(u8 edid[UVIRTIO_EDID_LEN], u32 width, u32 height,
			  u32 dpi, u32 serial);

#endif /* _UVIRTIO_EDID_H */
