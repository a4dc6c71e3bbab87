// SPDX-License-Identifier: GPL-2.0
/*
 * uvbench-x: the X client of make bench's remote-console figures, in the
 * guest. A window over the whole screen, of one colour:
 *
 *   uvbench-x key      each key pressed repaints it in the other colour
 *   uvbench-x flip     repaints it in the other colour as fast as the
 *                      server takes it (XSync after each), until killed
 *
 * It grabs the keyboard, so keys reach it wherever they come from (a VNC
 * server's uinput devices, XTEST, QEMU's PS/2 keyboard).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <X11/Xlib.h>

static const unsigned long colours[2] = { 0x204080, 0x80c040 };

int main(int argc, char **argv)
{
	XSetWindowAttributes a = { .override_redirect = True };
	Display *d = XOpenDisplay(NULL);
	int flip, i = 0, scr;
	Window w;
	XEvent ev;

	if (argc != 2 || (strcmp(argv[1], "key") && strcmp(argv[1], "flip"))) {
		fprintf(stderr, "usage: uvbench-x key | flip\n");
		return 2;
	}
	if (!d) {
		fprintf(stderr, "uvbench-x: cannot open the display\n");
		return 1;
	}
	flip = !strcmp(argv[1], "flip");
	scr = DefaultScreen(d);
	a.background_pixel = colours[0];
	w = XCreateWindow(d, RootWindow(d, scr), 0, 0, DisplayWidth(d, scr),
			  DisplayHeight(d, scr), 0, CopyFromParent,
			  InputOutput, CopyFromParent,
			  CWOverrideRedirect | CWBackPixel, &a);
	XSelectInput(d, w, KeyPressMask | ExposureMask);
	XMapRaised(d, w);
	XSync(d, False);
	while (!flip && XGrabKeyboard(d, w, False, GrabModeAsync, GrabModeAsync,
				      CurrentTime) != GrabSuccess)
		usleep(10000);
	printf("uvbench-x: %dx%d, ready\n", DisplayWidth(d, scr),
	       DisplayHeight(d, scr));
	fflush(stdout);
	for (;;) {
		if (flip) {
			i ^= 1;
			XSetWindowBackground(d, w, colours[i]);
			XClearWindow(d, w);
			XSync(d, False);
			continue;
		}
		XNextEvent(d, &ev);
		if (ev.type != KeyPress)
			continue;
		i ^= 1;
		XSetWindowBackground(d, w, colours[i]);
		XClearWindow(d, w);
		XFlush(d);
	}
}
