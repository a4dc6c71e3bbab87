/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run_helper(): uvirtio-boot's way of running modprobe, bounded in time
 * and quiet, for a boot that must never wait on it.
 */
#ifndef UVIRTIO_HELPER_H
#define UVIRTIO_HELPER_H

#include <stddef.h>

/* The longest a helper may run before it is killed. */
#define HELPER_TIMEOUT_MS	30000

/*
 * Runs argv[0], looked up in the system's sbin and bin directories, with
 * its input and output /dev/null; its exit status, 127 if it was not
 * found, or -1 (it could not start, or ran past HELPER_TIMEOUT_MS and was
 * killed). With @err, the last line it wrote to stderr goes there ("" if
 * none), read once it is gone without waiting on anything it left behind.
 */
int run_helper(char *const argv[], char *err, size_t errlen);

#endif /* UVIRTIO_HELPER_H */
