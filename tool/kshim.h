/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The little of the kernel's headers that kernel/edid.c uses, so that the
 * host's unit test builds the module's own EDID code (-include this file).
 */
#ifndef _UVIRTIO_KSHIM_H
#define _UVIRTIO_KSHIM_H

#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

static inline u64 div_u64(u64 a, u32 b)
{
	return a / b;
}

#define max(a, b)		((a) > (b) ? (a) : (b))
#define clamp_t(t, v, lo, hi)	((t)(v) < (t)(lo) ? (t)(lo) : \
				 (t)(v) > (t)(hi) ? (t)(hi) : (t)(v))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#endif /* _UVIRTIO_KSHIM_H */
