// SPDX-License-Identifier: GPL-2.0
/*
 * The EDID of a uvirtio display head: one EDID 1.4 base block.
 *
 * What a desktop reads from it: the monitor's name (UVIRTIO_EDID_NAME), a
 * serial, the physical size that the head's DPI implies (xrandr's "mm",
 * a toolkit's scale), the preferred mode as the first detailed timing
 * (CVT reduced blanking at 60 Hz, computed as drm_cvt_mode() does) and the
 * smaller common modes as established and standard timings.
 *
 * Pure arithmetic on bytes, so that the host's unit test builds this file
 * too (tool/kshim.h stands in for the kernel's headers).
 */
#ifdef __KERNEL__
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/types.h>
#endif

#include "edid.h"

#define EDID_REFRESH		60
/* CVT reduced blanking (VESA CVT 1.2, "RB"). */
#define CVT_RB_H_BLANK		160
#define CVT_RB_H_SYNC		32
#define CVT_RB_H_FPORCH		48
#define CVT_RB_V_FPORCH		3
#define CVT_RB_MIN_V_BPORCH	6
#define CVT_RB_MIN_V_BLANK_NS	460000
#define CVT_CLOCK_STEP_KHZ	250
/* The fastest of the standard modes' own timings (1920x1080 DMT). */
#define EDID_STD_MAX_CLOCK_KHZ	148500U

/* What a detailed timing descriptor's fields can hold. */
#define DTD_MAX_ACTIVE		4095
#define DTD_MIN_CLOCK_KHZ	10000	/* below, readers take it for garbage */
#define DTD_MAX_CLOCK_10KHZ	65535
#define DTD_MAX_MM		4095
#define EDID_MAX_CM		255

struct edid_timing {
	u32 width, height;
	u32 h_blank, h_fporch, h_sync;
	u32 v_blank, v_fporch, v_sync;
	u32 clock_khz;
};

/* CVT's vertical sync width tells the aspect ratio. */
static u32 cvt_v_sync(u32 w, u32 h)
{
	if (w * 3 == h * 4)
		return 4;
	if (w * 9 == h * 16)
		return 5;
	if (w * 10 == h * 16)
		return 6;
	if (w * 4 == h * 5 || w * 9 == h * 15)
		return 7;
	return 10;
}

static void cvt_rb(struct edid_timing *t, u32 w, u32 h)
{
	u64 frame_ns = 1000000000 / EDID_REFRESH;
	u32 vbi, min_vbi;
	u64 khz;

	t->width = w;
	t->height = h;
	t->h_blank = CVT_RB_H_BLANK;
	t->h_fporch = CVT_RB_H_FPORCH;
	t->h_sync = CVT_RB_H_SYNC;
	t->v_fporch = CVT_RB_V_FPORCH;
	t->v_sync = cvt_v_sync(w, h);
	/* Lines in the blanking time: at least 460 us' worth. */
	vbi = div_u64((u64)CVT_RB_MIN_V_BLANK_NS * h,
		      frame_ns - CVT_RB_MIN_V_BLANK_NS) + 1;
	min_vbi = CVT_RB_V_FPORCH + t->v_sync + CVT_RB_MIN_V_BPORCH;
	t->v_blank = max(vbi, min_vbi);
	khz = div_u64((u64)EDID_REFRESH * (w + t->h_blank) * (h + t->v_blank),
		      1000);
	t->clock_khz = khz - khz % CVT_CLOCK_STEP_KHZ;
}

/* @px pixels at @dpi in units of @unit_um micrometres, rounded, 1..@max. */
static u32 edid_size(u32 px, u32 dpi, u32 unit_um, u32 max)
{
	u32 size = div_u64((u64)px * 25400 + (u64)dpi * unit_um / 2,
			   (u64)dpi * unit_um);

	return clamp_t(u32, size, 1, max);
}

static void edid_dtd(u8 *d, const struct edid_timing *t, u32 w_mm, u32 h_mm)
{
	u32 clock = t->clock_khz / 10;

	d[0] = clock & 0xff;
	d[1] = clock >> 8;
	d[2] = t->width & 0xff;
	d[3] = t->h_blank & 0xff;
	d[4] = (t->width >> 8) << 4 | t->h_blank >> 8;
	d[5] = t->height & 0xff;
	d[6] = t->v_blank & 0xff;
	d[7] = (t->height >> 8) << 4 | t->v_blank >> 8;
	d[8] = t->h_fporch & 0xff;
	d[9] = t->h_sync & 0xff;
	d[10] = (t->v_fporch & 0xf) << 4 | (t->v_sync & 0xf);
	d[11] = (t->h_fporch >> 8) << 6 | (t->h_sync >> 8) << 4 |
		(t->v_fporch >> 4) << 2 | t->v_sync >> 4;
	d[12] = w_mm & 0xff;
	d[13] = h_mm & 0xff;
	d[14] = (w_mm >> 8) << 4 | h_mm >> 8;
	/* Digital separate sync; CVT-RB's sync: hsync +, vsync -. */
	d[17] = 0x18 | 0x02;
}

/* A display descriptor: tag @tag, then text padded as EDID 1.4 asks. */
static void edid_text(u8 *d, u8 tag, const char *text)
{
	size_t n = strlen(text);

	d[3] = tag;
	memset(d + 5, ' ', 13);
	memcpy(d + 5, text, n);
	d[5 + n] = '\n';
}

/* @serial in hex, 8 digits: a serial number string descriptor. */
static void edid_serial_text(u8 *d, u32 serial)
{
	static const char hex[] = "0123456789ABCDEF";
	char text[9];
	int i;

	for (i = 0; i < 8; i++)
		text[i] = hex[(serial >> (28 - 4 * i)) & 0xf];
	text[8] = '\0';
	edid_text(d, 0xff, text);
}

/* Established timings (bytes 35-37) and standard timings (38-53). */
static const struct {
	u16 w, h;
	u8 byte, bit;
} edid_established[] = {
	{ 640, 480, 35, 5 },
	{ 800, 600, 35, 0 },
	{ 1024, 768, 36, 3 },
};

static const struct {
	u16 w, h;
	u8 aspect;	/* bits 7-6 of the second byte */
} edid_standard[] = {
	{ 1152, 864, 1 << 6 },		/* 4:3 */
	{ 1280, 720, 3 << 6 },		/* 16:9 */
	{ 1280, 800, 0 << 6 },		/* 16:10 */
	{ 1280, 1024, 2 << 6 },		/* 5:4 */
	{ 1440, 900, 0 << 6 },
	{ 1600, 900, 3 << 6 },
	{ 1680, 1050, 0 << 6 },
	{ 1920, 1080, 3 << 6 },
};

/* The common modes that fit the head and are not its preferred one. */
static void edid_modes(u8 *edid, u32 w, u32 h)
{
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(edid_established); i++)
		if (edid_established[i].w <= w && edid_established[i].h <= h)
			edid[edid_established[i].byte] |=
				1 << edid_established[i].bit;
	for (i = 0; i < 8; i++) {
		edid[38 + 2 * i] = 0x01;
		edid[39 + 2 * i] = 0x01;
	}
	for (i = 0; i < ARRAY_SIZE(edid_standard); i++) {
		if (edid_standard[i].w > w || edid_standard[i].h > h ||
		    (edid_standard[i].w == w && edid_standard[i].h == h))
			continue;
		edid[38 + 2 * n] = edid_standard[i].w / 8 - 31;
		edid[39 + 2 * n] = edid_standard[i].aspect |
				   (EDID_REFRESH - 60);
		n++;
	}
}

unsigned int uvirtio_edid(u8 edid[UVIRTIO_EDID_LEN], u32 width, u32 height,
			  u32 dpi, u32 serial)
{
	static const u8 header[] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	/* sRGB's primaries and white point, as 10-bit CIE coordinates. */
	static const u8 srgb[] = {
		0xee, 0x91, 0xa3, 0x54, 0x4c, 0x99, 0x26, 0x0f, 0x50, 0x54,
	};
	/* "UVI" as three 5-bit letters. */
	u16 vendor = ('U' - '@') << 10 | ('V' - '@') << 5 | ('I' - '@');
	struct edid_timing t;
	unsigned int i;
	u8 sum = 0;

	if (dpi < UVIRTIO_GPU_MIN_DPI || dpi > UVIRTIO_GPU_MAX_DPI ||
	    !width || !height ||
	    width > DTD_MAX_ACTIVE || height > DTD_MAX_ACTIVE)
		return 0;
	cvt_rb(&t, width, height);
	if (t.clock_khz < DTD_MIN_CLOCK_KHZ ||
	    t.clock_khz / 10 > DTD_MAX_CLOCK_10KHZ)
		return 0;

	memset(edid, 0, UVIRTIO_EDID_LEN);
	memcpy(edid, header, sizeof(header));
	edid[8] = vendor >> 8;
	edid[9] = vendor & 0xff;
	edid[10] = 1;				/* product code */
	edid[12] = serial & 0xff;
	edid[13] = (serial >> 8) & 0xff;
	edid[14] = (serial >> 16) & 0xff;
	edid[15] = serial >> 24;
	edid[16] = 0;				/* week: unknown */
	edid[17] = 2026 - 1990;			/* year of manufacture */
	edid[18] = 1;				/* EDID 1.4 */
	edid[19] = 4;
	edid[20] = 0x80 | 0x20;			/* digital, 8 bits a colour */
	edid[21] = edid_size(width, dpi, 10000, EDID_MAX_CM);
	edid[22] = edid_size(height, dpi, 10000, EDID_MAX_CM);
	edid[23] = 220 - 100;			/* gamma 2.2 */
	/* RGB 4:4:4, sRGB, preferred timing is the native mode. */
	edid[24] = 0x04 | 0x02;
	memcpy(edid + 25, srgb, sizeof(srgb));
	edid_modes(edid, width, height);

	edid_dtd(edid + 54, &t, edid_size(width, dpi, 1000, DTD_MAX_MM),
		 edid_size(height, dpi, 1000, DTD_MAX_MM));
	edid_text(edid + 72, 0xfc, UVIRTIO_EDID_NAME);
	/*
	 * Range limits: 50-70 Hz, 1-255 kHz, and a clock (in 10 MHz) that
	 * covers the standard modes' own timings too (1920x1080 at 148.5 MHz).
	 */
	edid[90 + 3] = 0xfd;
	edid[90 + 5] = 50;
	edid[90 + 6] = 70;
	edid[90 + 7] = 1;
	edid[90 + 8] = 255;
	edid[90 + 9] = DIV_ROUND_UP(max(t.clock_khz, EDID_STD_MAX_CLOCK_KHZ),
				    10000);
	edid[90 + 10] = 0x01;			/* no timing formula */
	edid[90 + 11] = '\n';
	memset(edid + 90 + 12, ' ', 6);
	/* The serial as text too: compositors show only this one. */
	edid_serial_text(edid + 108, serial);

	for (i = 0; i < UVIRTIO_EDID_LEN - 1; i++)
		sum += edid[i];
	edid[UVIRTIO_EDID_LEN - 1] = -sum;
	return UVIRTIO_EDID_LEN;
}
