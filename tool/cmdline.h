/* SPDX-License-Identifier: GPL-2.0 */
#ifndef UVIRTIO_CMDLINE_H
#define UVIRTIO_CMDLINE_H

#include <stddef.h>
#include <linux/uvirtio.h>

enum gpu_request {
	GPU_ABSENT,	/* no uvirtio.gpu=: the profile's default mode */
	GPU_OFF,	/* uvirtio.gpu=off or 0: no device */
	GPU_MODE,	/* uvirtio.gpu=WxH[@Ddpi][,...], not yet checked */
	GPU_INVALID,	/* anything else; the reason is in the message */
};

/* Values longer than this are cut in messages. */
#define GPU_VALUE_MAX	64
/* A side of this many digits or more reads as this: outside any bounds. */
#define GPU_SIDE_BIG	1000000000L

/* A head as written: WIDTHxHEIGHT[@DPIdpi]; dpi 0 when not given. */
struct gpu_head {
	long width, height, dpi;
};

/*
 * Reads one head of @len characters at @s: the sides and the DPI decimal
 * (leading zeros allowed), GPU_SIDE_BIG when larger. Returns 0, or -1 when
 * it is not WIDTHxHEIGHT[@DPIdpi].
 */
int gpu_head_read(const char *s, size_t len, struct gpu_head *h);

/* What uvirtio.gpu= asks for. */
struct gpu_req {
	enum gpu_request kind;
	/* GPU_MODE: the heads, in order. */
	unsigned int nheads;
	struct gpu_head heads[UVIRTIO_GPU_MAX_HEADS];
	/* The value as written (quotes removed), for messages. */
	char value[GPU_VALUE_MAX + 1];
	/* GPU_INVALID: one line, "uvirtio.gpu=... is not ...". */
	char msg[128];
	/* NULL: the kernel command line; else the file it came from. */
	const char *from;
};

/*
 * Finds the last uvirtio.gpu in a kernel command line and reads its value.
 * Words are split as the kernel's next_arg() splits them: blanks inside
 * double quotes do not split, a quote opening the word or its value and
 * the closing one are dropped, '-' and '_' compare alike and nothing after
 * "--" counts. A value is a comma-separated list of at most 16 heads, each
 * WIDTHxHEIGHT[@DPIdpi] ('x' or 'X', decimal digits only, leading zeros
 * allowed), "off" in any case, or a number that is zero ("0", "00"). Fills
 * @req and returns req->kind.
 */
enum gpu_request cmdline_gpu(const char *cmdline, struct gpu_req *req);

/* Kernel log levels, as /dev/kmsg takes them. */
#define LOG_ERR		3
#define LOG_INFO	6

/*
 * The gpu profile's bounds for uvirtio.gpu= (its width, height and dpi
 * params).
 */
struct gpu_bounds {
	long long min_width, max_width, min_height, max_height;
	long long min_dpi, max_dpi;
};

enum gpu_action {
	GPU_NO_DEVICE,		/* off: no display */
	GPU_DEVICE_DEFAULT,	/* a display in the profile's default mode */
	GPU_DEVICE_MODE,	/* a display of plan->heads */
};

/* What boot does with a request, and the one thing it says about it. */
struct gpu_plan {
	enum gpu_action action;
	/* GPU_DEVICE_MODE: within the bounds; dpi 0 when not given. */
	unsigned int nheads;
	struct gpu_head heads[UVIRTIO_GPU_MAX_HEADS];
	/* LOG_ERR: the request was refused (exit status 3); else LOG_INFO. */
	int level;
	/* "" or one line, naming the file when the value came from one. */
	char msg[256];
};

/*
 * Decides what boot does with @req: no display for off, the request's
 * heads when every one lies within @b, else the default mode with one
 * error. Every bounds check of uvirtio.gpu= is here. Pure: it only fills
 * @plan.
 */
void gpu_decide(const struct gpu_req *req, const struct gpu_bounds *b,
		struct gpu_plan *plan);

/*
 * Turns the text of /etc/uvirtio.conf into command-line words in place:
 * '#' to the end of its line is a comment and becomes blanks. The file holds
 * the same uvirtio.gpu= as the command line, which wins over it. Returns 0,
 * or -1 with a one-line reason in msg for the first word that is not
 * uvirtio.gpu= (the rest of the file is still read).
 */
int config_words(char *text, char *msg, size_t msglen);

#endif
