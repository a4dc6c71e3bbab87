// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers for the test guest, where no fbset or poweroff may exist.
 *   uvtest-util fbinfo /dev/fb0   prints "WIDTH HEIGHT BPP STRIDE" (FBIOGET_*)
 *   uvtest-util poweroff          syncs and powers off (reboot(2))
 *   uvtest-util cursor STATE MS   reads DRM's atomic state (debugfs STATE)
 *                                 every 20 ms for MS ms and prints the
 *                                 places "+X+Y" where a plane showed a
 *                                 64x64 framebuffer (a cursor), each once
 *   uvtest-util hold CARD...      holds displays as Xorg does: opens each
 *                                 DRM card (its first opener is its
 *                                 master, so fbdev may not switch it off)
 *                                 and shows a framebuffer of its own on
 *                                 its first connected connector, prints
 *                                 "held" and waits to be killed
 *   uvtest-util scanout CARD OUT  the guest's own screenshot, read the
 *                                 way no VNC server does: CARD's first
 *                                 CRTC's framebuffer (GETFB2, then its
 *                                 dumb buffer mapped) into OUT, raw,
 *                                 and prints "WIDTH HEIGHT 32 STRIDE"
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/fb.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/reboot.h>

#include <libdrm/drm_fourcc.h>

#include "uvtest-kms.h"

#define CURSOR_PLACES	64

/* The place of the plane showing a 64x64 framebuffer in @state, or "". */
static void cursor_place(char *state, char *place, size_t len)
{
	unsigned long fb = 0;
	char *line, *save;

	place[0] = '\0';
	for (line = strtok_r(state, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (!strncmp(line, "plane[", 6))
			fb = 0;
		else if (!strncmp(line, "fb=", 3))
			fb = strtoul(line + 3, NULL, 10);
		else if (fb && !strncmp(line, "crtc-pos=64x64", 14)) {
			snprintf(place, len, "%s", line + 14);
			return;
		}
	}
}

static int cursor(const char *path, long ms)
{
	static char state[1 << 16];
	char places[CURSOR_PLACES][32], place[32];
	struct timespec tick = { 0, 20 * 1000 * 1000 };
	int n = 0, i;
	long t;

	for (t = 0; t < ms; t += 20) {
		int fd = open(path, O_RDONLY);
		ssize_t len = 0, r;

		if (fd < 0) {
			perror(path);
			return 1;
		}
		while (len < (ssize_t)sizeof(state) - 1 &&
		       (r = read(fd, state + len, sizeof(state) - 1 - len)) > 0)
			len += r;
		close(fd);
		state[len] = '\0';
		cursor_place(state, place, sizeof(place));
		for (i = 0; i < n && strcmp(places[i], place); i++)
			;
		if (place[0] && i == n && n < CURSOR_PLACES) {
			snprintf(places[n++], sizeof(places[0]), "%s", place);
			printf("%s\n", place);
			fflush(stdout);
		}
		nanosleep(&tick, NULL);
	}
	return 0;
}

/*
 * Shows a black dumb framebuffer on the first connected connector of the
 * DRM card @fd, at its first (preferred) mode, on the CRTC of the same
 * index: what a display server does when it starts. 0, or -1.
 */
static int show(int fd)
{
	struct drm_mode_create_dumb cd = { .bpp = 32 };
	struct drm_mode_fb_cmd fb = { .bpp = 32, .depth = 24 };
	struct drm_mode_crtc crtc = { .count_connectors = 1 };
	struct kms k;

	if (kms_find(fd, &k))
		return -1;
	cd.width = k.modes[0].hdisplay;
	cd.height = k.modes[0].vdisplay;
	if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd))
		return -1;
	fb.width = cd.width;
	fb.height = cd.height;
	fb.pitch = cd.pitch;
	fb.handle = cd.handle;
	if (ioctl(fd, DRM_IOCTL_MODE_ADDFB, &fb))
		return -1;
	crtc.crtc_id = k.crtc;
	crtc.fb_id = fb.fb_id;
	crtc.set_connectors_ptr = (uintptr_t)&k.conn;
	crtc.mode = k.modes[0];
	crtc.mode_valid = 1;
	return ioctl(fd, DRM_IOCTL_MODE_SETCRTC, &crtc) ? -1 : 0;
}

static int hold(int n, char **cards)
{
	int i, fd;

	for (i = 0; i < n; i++) {
		fd = open(cards[i], O_RDWR);
		if (fd < 0 || show(fd)) {
			perror(cards[i]);
			return 1;
		}
	}
	printf("held\n");
	fflush(stdout);
	for (;;)
		pause();
}

static int scanout(const char *path, const char *out)
{
	struct drm_mode_card_res res = { 0 };
	struct drm_mode_crtc crtc = { 0 };
	struct drm_mode_fb_cmd2 fb = { 0 };
	struct drm_mode_map_dumb map = { 0 };
	int card = open(path, O_RDWR | O_CLOEXEC), fd;
	uint32_t crtcs[KMS_MAX];
	size_t size;
	void *p;

	if (card < 0) {
		perror(path);
		return 1;
	}
	res.crtc_id_ptr = (uintptr_t)crtcs;
	res.count_crtcs = KMS_MAX;
	if (ioctl(card, DRM_IOCTL_MODE_GETRESOURCES, &res) || !res.count_crtcs) {
		fprintf(stderr, "%s: no CRTC\n", path);
		return 1;
	}
	crtc.crtc_id = crtcs[0];
	if (ioctl(card, DRM_IOCTL_MODE_GETCRTC, &crtc) || !crtc.fb_id) {
		fprintf(stderr, "%s: CRTC %u shows no framebuffer\n", path,
			crtcs[0]);
		return 1;
	}
	fb.fb_id = crtc.fb_id;
	/* Handles are given to root (CAP_SYS_ADMIN), master or not. */
	if (ioctl(card, DRM_IOCTL_MODE_GETFB2, &fb) || !fb.handles[0] ||
	    fb.pixel_format != DRM_FORMAT_XRGB8888) {
		fprintf(stderr, "%s: framebuffer %u: no handle or not XRGB8888\n",
			path, crtc.fb_id);
		return 1;
	}
	map.handle = fb.handles[0];
	size = (size_t)fb.pitches[0] * fb.height;
	if (ioctl(card, DRM_IOCTL_MODE_MAP_DUMB, &map)) {
		perror("DRM_IOCTL_MODE_MAP_DUMB");
		return 1;
	}
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, card, map.offset);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (p == MAP_FAILED || fd < 0 || write(fd, p, size) != (ssize_t)size) {
		perror(out);
		return 1;
	}
	printf("%u %u 32 %u\n", fb.width, fb.height, fb.pitches[0]);
	return close(fd) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "cursor"))
		return cursor(argv[2], atol(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "fbinfo")) {
		struct fb_var_screeninfo var;
		struct fb_fix_screeninfo fix;
		int fd = open(argv[2], O_RDONLY);

		if (fd < 0 || ioctl(fd, FBIOGET_VSCREENINFO, &var) ||
		    ioctl(fd, FBIOGET_FSCREENINFO, &fix)) {
			perror(argv[2]);
			return 1;
		}
		printf("%u %u %u %u\n", var.xres, var.yres, var.bits_per_pixel,
		       fix.line_length);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "scanout"))
		return scanout(argv[2], argv[3]);
	if (argc >= 3 && !strcmp(argv[1], "hold"))
		return hold(argc - 2, argv + 2);
	if (argc == 2 && !strcmp(argv[1], "poweroff")) {
		sync();
		reboot(RB_POWER_OFF);
		perror("reboot");
		return 1;
	}
	fprintf(stderr, "usage: uvtest-util fbinfo DEV | poweroff | cursor STATE MS | hold CARD... | scanout CARD OUT\n");
	return 2;
}
