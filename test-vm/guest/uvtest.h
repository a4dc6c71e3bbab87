/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest test programs share: TAP output and the lookup of a
 * uvirtio device on the virtio bus. Header only; include it once.
 *
 * TAP: ok() prints "ok N - ..." or "not ok N - ...", figure() prints
 * "# figure NAME VALUE", done_testing() prints the plan "1..N" last and
 * gives the exit status (1 when a fact failed). Each line is flushed at
 * once: the runner reads them from a file that a timeout may cut short.
 */
#ifndef UVTEST_H
#define UVTEST_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/uvirtio.h>
#include <linux/virtio_ring.h>

static int uvtest_tests, uvtest_failures;

/* One fact. Safe from several threads: the line goes out in one piece. */
static inline void ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static inline void ok(int cond, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	__atomic_add_fetch(&uvtest_failures, !cond, __ATOMIC_RELAXED);
	n = __atomic_add_fetch(&uvtest_tests, 1, __ATOMIC_RELAXED);
	printf("%s %d - %s\n", cond ? "ok" : "not ok", n, text);
	fflush(stdout);
}

/* ok() on a call that must fail with @err (-1 and errno). */
static inline void fails(int ret, int err, const char *what)
{
	int e = errno;

	ok(ret == -1 && e == err, "%s: %s (got %d, %s)", what, strerror(err),
	   ret, ret == -1 ? strerror(e) : "success");
}

/* A measurement, for the log: "# figure NAME VALUE". */
static inline void figure(const char *name, unsigned long long value)
{
	printf("# figure %s %llu\n", name, value);
	fflush(stdout);
}

/* The plan, after the facts; the exit status of main(). */
static inline int done_testing(void)
{
	printf("1..%d\n", uvtest_tests);
	fflush(stdout);
	return uvtest_failures != 0;
}

/* /dev/uvirtio, or the end of the run ("Bail out!", exit status 1). */
static inline int xopen(void)
{
	int fd = open("/dev/uvirtio", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("Bail out! /dev/uvirtio: %s\n", strerror(errno));
		exit(1);
	}
	return fd;
}

/*
 * A valid expectation: on queue "requestq", a device-readable block of 16
 * bytes whose first 4 must equal @match, then a writable one of 8 bytes
 * whose bytes 6 and 7 get @reply.
 */
static inline void good_expect(struct uvirtio_expect *ex,
			       const void *match, const void *reply)
{
	memset(ex, 0, sizeof(*ex));
	strcpy(ex->expects[0].vq_name, "requestq");
	ex->expects[0].blocks[0].len = 16;
	ex->expects[0].blocks[0].flags = VRING_DESC_F_NEXT;
	ex->expects[0].blocks[0].data = (uintptr_t)match;
	ex->expects[0].blocks[0].rules[0].len = 4;
	ex->expects[0].blocks[1].len = 8;
	ex->expects[0].blocks[1].flags = VRING_DESC_F_WRITE;
	ex->expects[0].blocks[1].data = (uintptr_t)reply;
	ex->expects[0].blocks[1].rules[0].off = 6;
	ex->expects[0].blocks[1].rules[0].len = 2;
}

/*
 * Expectation @i of @ex for a virtio-gpu: on queue "control", a request
 * whose first descriptor is @req_len bytes starting with the command type
 * at @type (a __le32) gets, in its @resp_len-byte writable descriptor,
 * the first @head_len bytes of @reply at 0, then the next @body_len bytes
 * of @reply at @body_off (none when 0).
 */
static inline void gpu_expect(struct uvirtio_expect *ex, unsigned int i,
			      const __le32 *type, __u32 req_len,
			      const void *reply, __u32 resp_len,
			      __u16 head_len, __u16 body_off, __u16 body_len)
{
	struct uvirtio_block *b = ex->expects[i].blocks;

	strcpy(ex->expects[i].vq_name, "control");
	b[0].len = req_len;
	b[0].flags = VRING_DESC_F_NEXT;
	b[0].data = (uintptr_t)type;
	b[0].rules[0].len = sizeof(*type);
	b[1].len = resp_len;
	b[1].flags = VRING_DESC_F_WRITE;
	b[1].data = (uintptr_t)reply;
	b[1].rules[0].len = head_len;
	b[1].rules[1].off = body_off;
	b[1].rules[1].len = body_len;
}

/*
 * Sets the parameter @name of the loaded module @module to @value, as
 * root may at run time; 0, or -1 with errno.
 */
static inline int set_module_param(const char *module, const char *name,
				   unsigned int value)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module,
		 name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fprintf(f, "%u\n", value) < 0;
	return fclose(f) || ret ? -1 : 0;
}

/* uvirtio's parameter @name (any_type, max_devices). */
static inline int set_param(const char *name, unsigned int value)
{
	return set_module_param("uvirtio", name, value);
}

/* -- a uvirtio device on the virtio bus ------------------------------------ */

#define UVTEST_LIST_MAX	256

/*
 * The device with uvirtio id @id as UV_DEV_LIST on @fd shows it, or NULL.
 * The answer lives in a per-thread buffer until the thread's next call.
 */
static inline struct uvirtio_dev_info *find(int fd, int id)
{
	static __thread struct uvirtio_dev_info info[UVTEST_LIST_MAX];
	struct uvirtio_list l = { .devs_addr = (uintptr_t)info,
				  .count = UVTEST_LIST_MAX };
	unsigned int i;

	if (ioctl(fd, UV_DEV_LIST, &l))
		return NULL;
	for (i = 0; i < l.count && i < UVTEST_LIST_MAX; i++)
		if ((int)info[i].id == id)
			return &info[i];
	return NULL;
}

/* Whether the platform device uvirtio.<id> is in sysfs. */
static inline int in_sysfs(int id)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/devices/platform/uvirtio.%d", id);
	return stat(path, &st) == 0;
}

/* The N of uvirtio.<id>'s virtio device virtioN (UV_DEV_LIST), or -1. */
static inline int virtio_index(int fd, int id)
{
	struct uvirtio_dev_info *info = find(fd, id);

	return info ? (int)info->index : -1;
}

/*
 * The name of the driver bound to uvirtio.<id>'s virtio device, in @name
 * (the last part of the link /sys/devices/platform/uvirtio.<id>/virtioN/
 * driver); NULL when the device or its driver is not there, or when the
 * name does not fit.
 */
static inline const char *driver_of(int fd, int id, char *name,
				    size_t size)
{
	char path[96], link[PATH_MAX];
	int i = virtio_index(fd, id);
	const char *base;
	ssize_t n;

	if (i < 0)
		return NULL;
	snprintf(path, sizeof(path),
		 "/sys/devices/platform/uvirtio.%d/virtio%d/driver", id, i);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return NULL;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strlen(base) >= size)
		return NULL;
	memcpy(name, base, strlen(base) + 1);
	return name;
}

/* Whether the driver @driver is bound to uvirtio.<id>'s virtio device. */
static inline int driver_bound(int fd, int id, const char *driver)
{
	char name[64];

	return driver_of(fd, id, name, sizeof(name)) && !strcmp(name, driver);
}

#endif /* UVTEST_H */
