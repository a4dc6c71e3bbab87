// SPDX-License-Identifier: GPL-2.0
/*
 * A VNC client of uvirtio-vnc in the test guest, on LibVNCClient (linked
 * dynamically: Debian ships no static LibVNCClient). Each brings the
 * loopback interface up first and connects to 127.0.0.1:PORT.
 *   uvtest-vnc view PORT ENCODING FB  TAP: the picture, in ENCODING (raw,
 *                                    zlib, tight without JPEG), is FB's
 *                                    (fbcon's), every pixel
 *   uvtest-vnc input PORT            TAP: keys (shifted characters too)
 *                                    and the pointer reach the guest as
 *                                    uvirtio-vnc's uinput devices' events
 *   uvtest-vnc resize PORT WxH       TAP: SetDesktopSize; the picture
 *                                    comes back at WxH
 *   uvtest-vnc password PORT PASS    TAP: the server asks for PASS
 *   uvtest-vnc garbage PORT FB       TAP: a client sending garbage is
 *                                    dropped, another keeps its picture
 * UVTEST_VNC_PASSWORD is the password to give (the host's resize in
 * test-vm/os.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/fb.h>
#include <linux/input.h>
#include <rfb/keysym.h>
#include <rfb/rfbclient.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "uvtest.h"

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* The initramfs leaves lo down; up, it has 127.0.0.1. */
static void lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr))
		return;
	ifr.ifr_flags |= IFF_UP;
	ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
}

static const char *password;
static int updates;

static char *get_password(rfbClient *cl)
{
	(void)cl;
	return strdup(password ? password : "");
}

static void got_update(rfbClient *cl, int x, int y, int w, int h)
{
	(void)cl, (void)x, (void)y, (void)w, (void)h;
	updates++;
}

/* Quiet: LibVNCClient's log is not TAP. */
static void no_log(const char *fmt, ...)
{
	(void)fmt;
}

/* A client of 127.0.0.1:@port in XRGB8888, as fb0; NULL when refused. */
static rfbClient *connect_to(int port, const char *encodings)
{
	rfbClient *cl = rfbGetClient(8, 3, 4);

	cl->format.redShift = 16;
	cl->format.greenShift = 8;
	cl->format.blueShift = 0;
	cl->serverHost = strdup("127.0.0.1");
	cl->serverPort = port;
	cl->appData.encodingsString = encodings;
	cl->appData.enableJPEG = FALSE;
	cl->appData.compressLevel = 6;
	cl->GetPassword = get_password;
	cl->GotFrameBufferUpdate = got_update;
	if (!rfbInitClient(cl, NULL, NULL))
		return NULL;	/* rfbInitClient() freed it */
	return cl;
}

/* Handles what the server sends for @ms; 0, or -1 when it hung up. */
static int pump(rfbClient *cl, int ms)
{
	long long end = now_ms() + ms;
	int n;

	while (now_ms() < end) {
		n = WaitForMessage(cl, 20000);
		if (n < 0)
			return -1;
		if (n > 0 && !HandleRFBServerMessage(cl))
			return -1;
	}
	return 0;
}

/*
 * fb0, read whole with read(), not mapped: on 6.12 a mapping of fbdev's
 * shmem buffer (deferred I/O) leaves its pages' mapping cleared, and
 * removing the display then spins forever in shmem truncation.
 */
struct fbmap {
	int fd;
	struct fb_var_screeninfo var;
	struct fb_fix_screeninfo fix;
	uint8_t *mem;
};

static int fb_read(struct fbmap *m)
{
	size_t len = (size_t)m->fix.line_length * m->var.yres, done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(m->fd, m->mem + done, len - done, done);
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

static int fb_open(const char *path, struct fbmap *m)
{
	m->fd = open(path, O_RDONLY);
	if (m->fd < 0 || ioctl(m->fd, FBIOGET_VSCREENINFO, &m->var) ||
	    ioctl(m->fd, FBIOGET_FSCREENINFO, &m->fix))
		return -1;
	m->mem = malloc((size_t)m->fix.line_length * m->var.yres);
	return m->mem ? fb_read(m) : -1;
}

/* Pixels of the client's picture that are not fb0's; @lit: not black. */
static long differ_fb(rfbClient *cl, const struct fbmap *m, long *lit)
{
	const uint32_t *px = (const uint32_t *)cl->frameBuffer;
	long n = 0;
	int x, y;

	*lit = 0;
	if ((unsigned int)cl->width > m->var.xres ||
	    (unsigned int)cl->height > m->var.yres)
		return -1;
	for (y = 0; y < cl->height; y++)
		for (x = 0; x < cl->width; x++) {
			uint32_t a = px[y * cl->width + x] & 0xffffff;
			uint32_t b = *(const uint32_t *)(m->mem +
							 y * m->fix.line_length +
							 x * 4) & 0xffffff;

			n += a != b;
			*lit += a != 0;
		}
	return n;
}

/* Waits up to @ms for the picture to be fb0's: the pixels that differ. */
static long settle_fb(rfbClient *cl, struct fbmap *m, int ms, long *lit)
{
	long long end = now_ms() + ms;
	long n;

	do {
		if (pump(cl, 100) || fb_read(m))
			return -1;
		n = differ_fb(cl, m, lit);
	} while (n && now_ms() < end);
	return n;
}

static int view(int port, const char *encoding, const char *fb)
{
	struct fbmap m;
	rfbClient *cl;
	long n, lit;

	if (fb_open(fb, &m)) {
		printf("Bail out! %s: %s\n", fb, strerror(errno));
		return 1;
	}
	cl = connect_to(port, encoding);
	ok(cl != NULL, "a %s client connects", encoding);
	if (!cl)
		return done_testing();
	ok(cl->width > 0 && (unsigned int)cl->width <= m.var.xres &&
	   (unsigned int)cl->height <= m.var.yres,
	   "the desktop, %dx%d, is fbcon's (fb0 %ux%u)", cl->width,
	   cl->height, m.var.xres, m.var.yres);
	n = settle_fb(cl, &m, 10000, &lit);
	ok(n == 0, "its picture is fb0's, every pixel (%ld differ)", n);
	ok(lit > 0, "and not blank (%ld pixels not black)", lit);
	rfbClientCleanup(cl);
	return done_testing();
}

/* -- input ----------------------------------------------------------------- */

/* The event device uvirtio-vnc made, by name; -1 when there is none. */
static int evdev(const char *name)
{
	char path[64], have[256];
	int i, fd;

	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/dev/input/event%d", i);
		fd = open(path, O_RDONLY | O_NONBLOCK);
		if (fd < 0)
			continue;
		if (ioctl(fd, EVIOCGNAME(sizeof(have)), have) > 0 &&
		    !strcmp(have, name))
			return fd;
		close(fd);
	}
	return -1;
}

/*
 * The key, button, wheel and position events (type:code:value) that
 * came on @fd within @ms, as one string.
 */
static void events(int fd, int ms, char *out, size_t size)
{
	struct input_event ev;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = 0;

	out[0] = '\0';
	while (poll(&p, 1, ms) == 1) {
		while (read(fd, &ev, sizeof(ev)) == sizeof(ev)) {
			if (ev.type == EV_SYN || ev.type == EV_MSC)
				continue;
			len += snprintf(out + len, size - len, "%s%u:%u:%d",
					len ? " " : "", ev.type, ev.code,
					ev.value);
			if (len >= size)
				return;
		}
	}
}

static void key(rfbClient *cl, uint32_t sym)
{
	SendKeyEvent(cl, sym, TRUE);
	SendKeyEvent(cl, sym, FALSE);
}

static int input(int port)
{
	static const struct {
		const char *what;
		uint32_t syms[4];
		const char *want;
	} keys[] = {
		{ "a", { 'a' }, "1:30:1 1:30:0" },
		{ "A, Shift not sent", { 'A' }, "1:42:1 1:30:1 1:42:0 1:30:0" },
		{ "!, Shift not sent", { '!' }, "1:42:1 1:2:1 1:42:0 1:2:0" },
		{ "Shift_L, A", { XK_Shift_L, 'A' }, "1:42:1 1:30:1 1:30:0" },
		{ "| with Shift held", { '|' }, "1:43:1 1:43:0 1:42:0" },
		{ "Return", { XK_Return }, "1:28:1 1:28:0" },
		{ "~", { '~' }, "1:42:1 1:41:1 1:42:0 1:41:0" },
		{ "F1", { XK_F1 }, "1:59:1 1:59:0" },
	};
	char got[512];
	rfbClient *cl;
	unsigned int i, j;
	int kbd = evdev("uvirtio-vnc keyboard");
	int ptr = evdev("uvirtio-vnc pointer");

	ok(kbd >= 0, "uvirtio-vnc made a keyboard (uinput)");
	ok(ptr >= 0, "and an absolute pointer");
	cl = connect_to(port, "raw");
	if (!cl || kbd < 0 || ptr < 0) {
		printf("Bail out! no client or no input device\n");
		return 1;
	}
	pump(cl, 500);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		for (j = 0; j < 4 && keys[i].syms[j]; j++) {
			if (keys[i].syms[j] == XK_Shift_L)
				SendKeyEvent(cl, XK_Shift_L, TRUE);
			else
				key(cl, keys[i].syms[j]);
		}
		/* "|" is sent with Shift_L still held from the last. */
		if (!strcmp(keys[i].what, "| with Shift held"))
			SendKeyEvent(cl, XK_Shift_L, FALSE);
		events(kbd, 300, got, sizeof(got));
		ok(!strcmp(got, keys[i].want), "key %s: %s (got %s)",
		   keys[i].what, keys[i].want, got);
	}
	SendPointerEvent(cl, cl->width - 1, cl->height - 1, 1);
	events(ptr, 300, got, sizeof(got));
	ok(!strcmp(got, "3:0:32767 3:1:32767 1:272:1"),
	   "the pointer at the bottom right corner, left button down: ABS 32767, 32767, BTN_LEFT (got %s)",
	   got);
	SendPointerEvent(cl, 0, 0, 0);
	events(ptr, 300, got, sizeof(got));
	ok(!strcmp(got, "3:0:0 3:1:0 1:272:0"),
	   "at the top left corner, button up (got %s)", got);
	SendPointerEvent(cl, 0, 0, 1 << 3);
	SendPointerEvent(cl, 0, 0, 0);
	events(ptr, 300, got, sizeof(got));
	ok(!strcmp(got, "2:8:1"), "a wheel click up: REL_WHEEL 1 (got %s)",
	   got);
	rfbClientCleanup(cl);
	return done_testing();
}

/* -- resize, password, garbage --------------------------------------------- */

static int resize(int port, const char *size)
{
	long long end;
	rfbClient *cl;
	int w, h;

	if (sscanf(size, "%dx%d", &w, &h) != 2)
		return 2;
	cl = connect_to(port, "zlib");
	if (!cl) {
		printf("Bail out! no connection\n");
		return 1;
	}
	pump(cl, 500);
	ok(cl->width != w || cl->height != h, "the desktop is %dx%d before (not %dx%d)",
	   cl->width, cl->height, w, h);
	ok(SendExtDesktopSize(cl, w, h), "SetDesktopSize %dx%d sent", w, h);
	end = now_ms() + 15000;
	while ((cl->width != w || cl->height != h) && now_ms() < end)
		if (pump(cl, 100))
			break;
	ok(cl->width == w && cl->height == h,
	   "the desktop is %dx%d within 15 s (%dx%d)", w, h, cl->width,
	   cl->height);
	rfbClientCleanup(cl);
	return done_testing();
}

static int password_check(int port, const char *good)
{
	rfbClient *cl;

	password = "wrong";
	cl = connect_to(port, "raw");
	ok(cl == NULL, "a wrong password is refused");
	if (cl)
		rfbClientCleanup(cl);
	password = "";
	cl = connect_to(port, "raw");
	ok(cl == NULL, "no password is refused");
	if (cl)
		rfbClientCleanup(cl);
	password = good;
	cl = connect_to(port, "raw");
	ok(cl != NULL && pump(cl, 500) == 0, "the password is taken");
	if (cl)
		rfbClientCleanup(cl);
	return done_testing();
}

/*
 * A raw connection: the version exchange and security type done right,
 * then bytes no client message starts with. Returns whether the server
 * hung up within 5 s.
 */
static int garbage_client(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	static const char junk[] = "\xee\xff\x00\x01garbage, not RFB\x7f";
	char buf[4096];
	int s = socket(AF_INET, SOCK_STREAM, 0), i;
	long long end = now_ms() + 5000;
	ssize_t n;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) ||
	    read(s, buf, 12) != 12 || write(s, "RFB 003.008\n", 12) != 12)
		return 0;
	/* The security types; then None (1), the result, ClientInit. */
	if (read(s, buf, sizeof(buf)) <= 0 || write(s, "\x01", 1) != 1 ||
	    read(s, buf, 4) != 4 || write(s, "\x01", 1) != 1)
		return 0;
	usleep(200 * 1000);
	(void)!read(s, buf, sizeof(buf));	/* ServerInit */
	for (i = 0; i < 4; i++)
		if (write(s, junk, sizeof(junk) - 1) < 0)
			break;
	while (now_ms() < end) {
		struct pollfd p = { .fd = s, .events = POLLIN };

		if (poll(&p, 1, 100) == 1) {
			n = read(s, buf, sizeof(buf));
			if (n <= 0) {
				close(s);
				return 1;
			}
		}
	}
	close(s);
	return 0;
}

static int garbage(int port, const char *fb)
{
	struct fbmap m;
	rfbClient *cl;
	long n, lit;
	int tty;

	if (fb_open(fb, &m)) {
		printf("Bail out! %s: %s\n", fb, strerror(errno));
		return 1;
	}
	cl = connect_to(port, "zlib");
	ok(cl && settle_fb(cl, &m, 10000, &lit) == 0,
	   "a client's picture is fb0's");
	if (!cl)
		return done_testing();
	ok(garbage_client(port),
	   "a second client that sends garbage is hung up on within 5 s");
	/* The console changes: the first client must see it. */
	updates = 0;
	tty = open("/dev/tty1", O_WRONLY);
	if (tty >= 0) {
		(void)!write(tty, "uvtest: after the garbage\n", 26);
		close(tty);
	}
	n = settle_fb(cl, &m, 10000, &lit);
	ok(updates > 0 && n == 0,
	   "the first client got the console's change (%d updates) and its picture is fb0's (%ld differ)",
	   updates, n);
	rfbClientCleanup(cl);
	return done_testing();
}

int main(int argc, char **argv)
{
	rfbClientLog = no_log;
	rfbClientErr = no_log;
	password = getenv("UVTEST_VNC_PASSWORD");
	lo_up();
	if (argc == 5 && !strcmp(argv[1], "view"))
		return view(atoi(argv[2]), argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "input"))
		return input(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "resize"))
		return resize(atoi(argv[2]), argv[3]);
	if (argc == 4 && !strcmp(argv[1], "password"))
		return password_check(atoi(argv[2]), argv[3]);
	if (argc == 4 && !strcmp(argv[1], "garbage"))
		return garbage(atoi(argv[2]), argv[3]);
	fprintf(stderr, "usage: see the comment at the top of %s\n",
		__FILE__);
	return 2;
}
