// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers for the test guest, where no fbset or poweroff may exist.
 *   uvtest-util fbinfo /dev/fb0   prints "WIDTH HEIGHT BPP STRIDE" (FBIOGET_*)
 *   uvtest-util poweroff          syncs and powers off (reboot(2))
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/fb.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>

int main(int argc, char **argv)
{
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
	if (argc == 2 && !strcmp(argv[1], "poweroff")) {
		sync();
		reboot(RB_POWER_OFF);
		perror("reboot");
		return 1;
	}
	fprintf(stderr, "usage: uvtest-util fbinfo DEV | poweroff\n");
	return 2;
}
