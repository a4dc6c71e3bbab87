/* SPDX-License-Identifier: GPL-2.0 */
#ifndef UVIRTIO_CMDLINE_H
#define UVIRTIO_CMDLINE_H

#include <stddef.h>

enum gpu_request {
	GPU_ABSENT,	/* no uvirtio.gpu=: the profile's default mode */
	GPU_OFF,	/* uvirtio.gpu=off or 0: no device */
	GPU_MODE,	/* uvirtio.gpu=WxH */
	GPU_INVALID,	/* anything else; the reason is in the message */
};

/*
 * Finds the last uvirtio.gpu= in a kernel command line (as the kernel does,
 * '-' and '_' alike, double quotes allowed, nothing after "--") and reads
 * it. For GPU_MODE sets *width and *height (1 to 99999; the profile checks
 * its own bounds). For GPU_INVALID writes a one-line reason into msg.
 */
enum gpu_request cmdline_gpu(const char *cmdline, long *width, long *height,
			     char *msg, size_t msglen);

/*
 * Turns the text of /etc/uvirtio.conf into command-line words in place:
 * '#' to the end of its line is a comment and becomes blanks. The file holds
 * the same uvirtio.gpu= as the command line, which wins over it. Returns 0,
 * or -1 with a one-line reason in msg for the first word that is not
 * uvirtio.gpu= (the rest of the file is still read).
 */
int config_words(char *text, char *msg, size_t msglen);

#endif
