// SPDX-License-Identifier: GPL-2.0
/*
 * uvirtio-vnc: a uvirtio display served to VNC clients.
 *
 * It watches one head of a virtio-gpu through UV_GPU_EXPORT: each damage
 * event's rectangle is copied into the VNC framebuffer and sent as it
 * comes, a mode event resizes it (clients that can are told), and the
 * end of the device ends the server. A client's keys and pointer reach
 * the guest through uinput, a keyboard and an absolute pointer, so fbcon,
 * Xorg and Weston all get them; a client's SetDesktopSize changes the
 * head's monitor (UV_GPU_HEAD). LibVNCServer speaks the protocol and its
 * encodings. One thread: poll() on the export file, the listening sockets
 * and the clients, nothing timed, so an idle screen costs nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/uinput.h>
#include <linux/uvirtio.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_ids.h>
#include <rfb/keysym.h>
#include <rfb/rfb.h>
#include <sys/ioctl.h>

#define PROG		"uvirtio-vnc"
#define DEV_MAX		256
#define POLL_MAX	64
#define ABS_MAX_VALUE	32767
/* The framebuffer while the head is off at the start. */
#define OFF_WIDTH	640
#define OFF_HEIGHT	480

/* Exit statuses: as uvirtio-boot's. */
enum { EXIT_OK, EXIT_ERR, EXIT_USAGE };

struct vnc {
	int uv;			/* /dev/uvirtio */
	int xfd;		/* the export file */
	__u32 dev_id, head;
	struct uvirtio_export_event mode;	/* the last MODE event */
	char *fb;
	int width, height;
	rfbScreenInfoPtr screen;
	int kbd, ptr;		/* uinput devices, -1 when none */
	int shift_held;		/* Shift keys the clients hold down */
	int buttons;		/* the last pointer event's button mask */
	int gone;
};

static void die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

static void die(int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: " PROG " [--device ID] [--head N] [--listen ADDR] [--port N]\n"
"                   [--password-file FILE]\n"
"Serves a head of a uvirtio virtio-gpu to VNC clients; their keys and\n"
"pointer go to the guest.\n"
"  --device ID           the device (uvirtio-boot list; default: the first\n"
"                        virtio-gpu)\n"
"  --head N              its head (default 0)\n"
"  --listen ADDR         the IPv4 or IPv6 address to listen on (default\n"
"                        127.0.0.1); any other than loopback needs\n"
"                        --password-file\n"
"  --port N              the TCP port (default 5900)\n"
"  --password-file FILE  clients must give the password on FILE's first\n"
"                        line (VNC authentication: 8 characters count)\n"
"Exit status: 0 when the device is gone, 1 on an error, 2 on bad usage.\n");
}

/* -- keys ------------------------------------------------------------------ */

/* The US layout: a key's character, then the same key's with Shift. */
static const char us_plain[] =
	"`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./ ";
static const char us_shift[] =
	"~!@#$%^&*()_+QWERTYUIOP{}|ASDFGHJKL:\"ZXCVBNM<>? ";
static const unsigned short us_keys[] = {
	KEY_GRAVE, KEY_1, KEY_2, KEY_3, KEY_4, KEY_5, KEY_6, KEY_7, KEY_8,
	KEY_9, KEY_0, KEY_MINUS, KEY_EQUAL,
	KEY_Q, KEY_W, KEY_E, KEY_R, KEY_T, KEY_Y, KEY_U, KEY_I, KEY_O, KEY_P,
	KEY_LEFTBRACE, KEY_RIGHTBRACE, KEY_BACKSLASH,
	KEY_A, KEY_S, KEY_D, KEY_F, KEY_G, KEY_H, KEY_J, KEY_K, KEY_L,
	KEY_SEMICOLON, KEY_APOSTROPHE,
	KEY_Z, KEY_X, KEY_C, KEY_V, KEY_B, KEY_N, KEY_M, KEY_COMMA, KEY_DOT,
	KEY_SLASH, KEY_SPACE,
};

_Static_assert(sizeof(us_plain) - 1 == sizeof(us_keys) / sizeof(us_keys[0]),
	       "one key per character");
_Static_assert(sizeof(us_shift) == sizeof(us_plain), "one shifted each");

/* Keys that are no character. */
static const struct {
	rfbKeySym sym;
	unsigned short key;
} named_keys[] = {
	{ XK_BackSpace, KEY_BACKSPACE }, { XK_Tab, KEY_TAB },
	{ XK_ISO_Left_Tab, KEY_TAB }, { XK_Return, KEY_ENTER },
	{ XK_Escape, KEY_ESC }, { XK_Delete, KEY_DELETE },
	{ XK_Home, KEY_HOME }, { XK_End, KEY_END },
	{ XK_Page_Up, KEY_PAGEUP }, { XK_Page_Down, KEY_PAGEDOWN },
	{ XK_Left, KEY_LEFT }, { XK_Right, KEY_RIGHT }, { XK_Up, KEY_UP },
	{ XK_Down, KEY_DOWN }, { XK_Insert, KEY_INSERT },
	{ XK_Menu, KEY_COMPOSE }, { XK_Print, KEY_SYSRQ },
	{ XK_Pause, KEY_PAUSE }, { XK_Scroll_Lock, KEY_SCROLLLOCK },
	{ XK_Num_Lock, KEY_NUMLOCK }, { XK_Caps_Lock, KEY_CAPSLOCK },
	{ XK_Shift_L, KEY_LEFTSHIFT }, { XK_Shift_R, KEY_RIGHTSHIFT },
	{ XK_Control_L, KEY_LEFTCTRL }, { XK_Control_R, KEY_RIGHTCTRL },
	{ XK_Alt_L, KEY_LEFTALT }, { XK_Alt_R, KEY_RIGHTALT },
	{ XK_Meta_L, KEY_LEFTALT }, { XK_Meta_R, KEY_RIGHTALT },
	{ XK_Super_L, KEY_LEFTMETA }, { XK_Super_R, KEY_RIGHTMETA },
	{ XK_ISO_Level3_Shift, KEY_RIGHTALT },
	{ XK_F1, KEY_F1 }, { XK_F2, KEY_F2 }, { XK_F3, KEY_F3 },
	{ XK_F4, KEY_F4 }, { XK_F5, KEY_F5 }, { XK_F6, KEY_F6 },
	{ XK_F7, KEY_F7 }, { XK_F8, KEY_F8 }, { XK_F9, KEY_F9 },
	{ XK_F10, KEY_F10 }, { XK_F11, KEY_F11 }, { XK_F12, KEY_F12 },
	{ XK_KP_Enter, KEY_KPENTER }, { XK_KP_Add, KEY_KPPLUS },
	{ XK_KP_Subtract, KEY_KPMINUS }, { XK_KP_Multiply, KEY_KPASTERISK },
	{ XK_KP_Divide, KEY_KPSLASH }, { XK_KP_Decimal, KEY_KPDOT },
	{ XK_KP_0, KEY_KP0 }, { XK_KP_1, KEY_KP1 }, { XK_KP_2, KEY_KP2 },
	{ XK_KP_3, KEY_KP3 }, { XK_KP_4, KEY_KP4 }, { XK_KP_5, KEY_KP5 },
	{ XK_KP_6, KEY_KP6 }, { XK_KP_7, KEY_KP7 }, { XK_KP_8, KEY_KP8 },
	{ XK_KP_9, KEY_KP9 },
};

/*
 * The key of keysym @sym, and in @shift whether the US layout needs
 * Shift for it (-1: either way); 0 when there is none.
 */
static unsigned short key_of(rfbKeySym sym, int *shift)
{
	const char *p;
	size_t i;

	*shift = -1;
	if (sym >= 0x20 && sym < 0x7f) {
		p = strchr(us_plain, (int)sym);
		if (p) {
			*shift = sym == ' ' ? -1 : 0;
			return us_keys[p - us_plain];
		}
		p = strchr(us_shift, (int)sym);
		if (p) {
			*shift = 1;
			return us_keys[p - us_shift];
		}
		return 0;
	}
	for (i = 0; i < sizeof(named_keys) / sizeof(named_keys[0]); i++)
		if (named_keys[i].sym == sym)
			return named_keys[i].key;
	return 0;
}

/* -- uinput ---------------------------------------------------------------- */

static void emit(int fd, unsigned short type, unsigned short code, int value)
{
	struct input_event ev = { .type = type, .code = code, .value = value };

	if (fd >= 0 && write(fd, &ev, sizeof(ev)) != sizeof(ev))
		fprintf(stderr, PROG ": uinput: %s\n", strerror(errno));
}

static void syn(int fd)
{
	emit(fd, EV_SYN, SYN_REPORT, 0);
}

/* A uinput device: -1, with the reason on stderr, when there is none. */
static int uinput_new(const char *name, int pointer)
{
	struct uinput_setup setup = { .id = { .bustype = BUS_VIRTUAL,
					      .vendor = 0x5556, .product = 1 } };
	int fd = open("/dev/uinput", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	size_t i;

	if (fd < 0) {
		fprintf(stderr,
			PROG ": /dev/uinput: %s: clients can look but not type (modprobe uinput)\n",
			strerror(errno));
		return -1;
	}
	ioctl(fd, UI_SET_EVBIT, EV_KEY);
	ioctl(fd, UI_SET_EVBIT, EV_SYN);
	if (pointer) {
		struct uinput_abs_setup abs = {
			.absinfo = { .maximum = ABS_MAX_VALUE },
		};

		setup.id.product = 2;
		ioctl(fd, UI_SET_KEYBIT, BTN_LEFT);
		ioctl(fd, UI_SET_KEYBIT, BTN_MIDDLE);
		ioctl(fd, UI_SET_KEYBIT, BTN_RIGHT);
		ioctl(fd, UI_SET_EVBIT, EV_REL);
		ioctl(fd, UI_SET_RELBIT, REL_WHEEL);
		ioctl(fd, UI_SET_RELBIT, REL_HWHEEL);
		ioctl(fd, UI_SET_EVBIT, EV_ABS);
		abs.code = ABS_X;
		ioctl(fd, UI_ABS_SETUP, &abs);
		abs.code = ABS_Y;
		ioctl(fd, UI_ABS_SETUP, &abs);
	} else {
		for (i = 0; i < sizeof(us_keys) / sizeof(us_keys[0]); i++)
			ioctl(fd, UI_SET_KEYBIT, us_keys[i]);
		for (i = 0; i < sizeof(named_keys) / sizeof(named_keys[0]); i++)
			ioctl(fd, UI_SET_KEYBIT, named_keys[i].key);
	}
	snprintf(setup.name, sizeof(setup.name), "%s", name);
	if (ioctl(fd, UI_DEV_SETUP, &setup) || ioctl(fd, UI_DEV_CREATE)) {
		fprintf(stderr, PROG ": uinput %s: %s\n", name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static struct vnc *the_vnc;

static void on_key(rfbBool down, rfbKeySym sym, rfbClientPtr cl)
{
	struct vnc *v = the_vnc;
	unsigned short key;
	int shift, toggle;

	(void)cl;
	key = key_of(sym, &shift);
	if (!key)
		return;
	if (key == KEY_LEFTSHIFT || key == KEY_RIGHTSHIFT) {
		v->shift_held += down ? 1 : (v->shift_held > 0 ? -1 : 0);
		emit(v->kbd, EV_KEY, key, down);
		syn(v->kbd);
		return;
	}
	/* A character whose Shift the client did not send: as it asks. */
	toggle = down && shift >= 0 && shift != (v->shift_held > 0);
	if (toggle) {
		emit(v->kbd, EV_KEY, KEY_LEFTSHIFT, shift);
		syn(v->kbd);
	}
	emit(v->kbd, EV_KEY, key, down);
	syn(v->kbd);
	if (toggle) {
		emit(v->kbd, EV_KEY, KEY_LEFTSHIFT, !shift);
		syn(v->kbd);
	}
}

static void on_pointer(int mask, int x, int y, rfbClientPtr cl)
{
	static const unsigned short btn[3] = { BTN_LEFT, BTN_MIDDLE,
					       BTN_RIGHT };
	struct vnc *v = the_vnc;
	int i, pressed = mask & ~v->buttons;

	rfbDefaultPtrAddEvent(mask, x, y, cl);
	if (v->width > 1 && v->height > 1) {
		emit(v->ptr, EV_ABS, ABS_X,
		     (long)x * ABS_MAX_VALUE / (v->width - 1));
		emit(v->ptr, EV_ABS, ABS_Y,
		     (long)y * ABS_MAX_VALUE / (v->height - 1));
	}
	for (i = 0; i < 3; i++)
		if ((mask ^ v->buttons) & (1 << i))
			emit(v->ptr, EV_KEY, btn[i], !!(mask & (1 << i)));
	/* Buttons 4 to 7 are the wheel's clicks. */
	if (pressed & (1 << 3))
		emit(v->ptr, EV_REL, REL_WHEEL, 1);
	if (pressed & (1 << 4))
		emit(v->ptr, EV_REL, REL_WHEEL, -1);
	if (pressed & (1 << 5))
		emit(v->ptr, EV_REL, REL_HWHEEL, -1);
	if (pressed & (1 << 6))
		emit(v->ptr, EV_REL, REL_HWHEEL, 1);
	syn(v->ptr);
	v->buttons = mask;
}

/* A client's SetDesktopSize: the head's monitor takes that mode. */
static int on_desktop_size(int width, int height, int nr_screens,
			   struct rfbExtDesktopScreen *screens, rfbClientPtr cl)
{
	struct vnc *v = the_vnc;
	struct uvirtio_gpu_head h = {
		.dev_id = v->dev_id,
		.head = v->head,
		.flags = UVIRTIO_HEAD_F_DEVICE | UVIRTIO_HEAD_F_CONNECTED,
		.width = width,
		.height = height,
	};

	(void)nr_screens;
	(void)screens;
	(void)cl;
	if (width < UVIRTIO_GPU_MIN_SIDE || width > UVIRTIO_GPU_MAX_SIDE ||
	    height < UVIRTIO_GPU_MIN_SIDE || height > UVIRTIO_GPU_MAX_SIDE)
		return rfbExtDesktopSize_InvalidScreenLayout;
	if (ioctl(v->uv, UV_GPU_HEAD, &h)) {
		fprintf(stderr, PROG ": resize to %dx%d: %s\n", width, height,
			strerror(errno));
		return rfbExtDesktopSize_ResizeProhibited;
	}
	fprintf(stderr, PROG ": a client asked for %dx%d\n", width, height);
	return rfbExtDesktopSize_Success;
}

/* -- the framebuffer ------------------------------------------------------- */

/*
 * The server's pixel format is the head's, so pixels are copied as they
 * are: each format's bytes in memory as shifts of a little-endian word.
 */
static void set_format(struct vnc *v, __u32 format)
{
	rfbPixelFormat *f = &v->screen->serverFormat;
	rfbClientIteratorPtr it;
	rfbClientPtr cl;

	switch (format) {
	case VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM:
	case VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM:
		f->redShift = 8, f->greenShift = 16, f->blueShift = 24;
		break;
	case VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM:
	case VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM:
		f->redShift = 0, f->greenShift = 8, f->blueShift = 16;
		break;
	case VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM:
	case VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM:
		f->redShift = 24, f->greenShift = 16, f->blueShift = 8;
		break;
	default:	/* B8G8R8X8, B8G8R8A8: XRGB8888's */
		f->redShift = 16, f->greenShift = 8, f->blueShift = 0;
		break;
	}
	f->redMax = f->greenMax = f->blueMax = 255;
	f->bigEndian = 0;
	/* Each client's translation follows the format. */
	it = rfbGetClientIterator(v->screen);
	while ((cl = rfbClientIteratorNext(it)))
		v->screen->setTranslateFunction(cl);
	rfbReleaseClientIterator(it);
}

/* Copies a rectangle of the head into the framebuffer; 0 or -1. */
static int copy_rect(struct vnc *v, __u32 x, __u32 y, __u32 w, __u32 h)
{
	struct uvirtio_export_pixels p = {
		.mode_seq = v->mode.seq,
		.x = x, .y = y, .width = w, .height = h,
		.stride = v->width * UVIRTIO_EXPORT_CPP,
		.addr = (uintptr_t)(v->fb +
				    ((size_t)y * v->width + x) *
				    UVIRTIO_EXPORT_CPP),
	};

	if (!w || !h || x + w > (__u32)v->width || y + h > (__u32)v->height)
		return -1;
	if (ioctl(v->xfd, UV_EXPORT_PIXELS, &p)) {
		/* A MODE event waits: it brings the whole head. */
		if (errno != ESTALE && errno != ENODEV)
			fprintf(stderr, PROG ": UV_EXPORT_PIXELS: %s\n",
				strerror(errno));
		return -1;
	}
	rfbMarkRectAsModified(v->screen, x, y, x + w, y + h);
	return 0;
}

/* A MODE event: a new framebuffer when the size changes, all of it read. */
static void on_mode(struct vnc *v, const struct uvirtio_export_event *ev)
{
	char *fb, *old = NULL;

	/* Off is a moment between two modes, or the end: the picture stays. */
	if (!ev->width || !ev->height)
		return;
	v->mode = *ev;
	if ((int)ev->width != v->width || (int)ev->height != v->height) {
		fb = calloc((size_t)ev->width * ev->height, UVIRTIO_EXPORT_CPP);
		if (!fb)
			die(EXIT_ERR, "no memory for a %ux%u framebuffer",
			    ev->width, ev->height);
		old = v->fb;
		v->fb = fb;
		v->width = ev->width;
		v->height = ev->height;
		rfbNewFramebuffer(v->screen, fb, v->width, v->height, 8, 3,
				  UVIRTIO_EXPORT_CPP);
		fprintf(stderr, PROG ": the head is %ux%u\n", ev->width,
			ev->height);
	}
	set_format(v, ev->format);
	free(old);
	copy_rect(v, 0, 0, v->width, v->height);
}

/* Everything that waits on the export file. */
static void on_export(struct vnc *v)
{
	struct uvirtio_export_event ev[16];
	ssize_t n;
	int i;

	while ((n = read(v->xfd, ev, sizeof(ev))) > 0) {
		for (i = 0; i < n / (ssize_t)sizeof(ev[0]); i++) {
			if (ev[i].type == UVIRTIO_EXPORT_MODE)
				on_mode(v, &ev[i]);
			else if (ev[i].type == UVIRTIO_EXPORT_DAMAGE &&
				 ev[i].seq > v->mode.seq)
				copy_rect(v, ev[i].x, ev[i].y, ev[i].width,
					  ev[i].height);
			else if (ev[i].type == UVIRTIO_EXPORT_GONE)
				v->gone = 1;
		}
	}
	if (n < 0 && errno == ENODEV)
		v->gone = 1;
}

/* -- setup ----------------------------------------------------------------- */

/* The first virtio-gpu's id, or the end of the program. */
static __u32 first_gpu(int uv)
{
	static struct uvirtio_dev_info info[DEV_MAX];
	struct uvirtio_list l = { .devs_addr = (uintptr_t)info,
				  .count = DEV_MAX };
	unsigned int i;

	if (ioctl(uv, UV_DEV_LIST, &l))
		die(EXIT_ERR, "UV_DEV_LIST: %s", strerror(errno));
	for (i = 0; i < l.count && i < DEV_MAX; i++)
		if (info[i].device_id == VIRTIO_ID_GPU)
			return info[i].id;
	die(EXIT_ERR,
	    "no virtio-gpu exists: create one first (uvirtio-boot, or the boot's initramfs hook)");
}

static int is_loopback(const char *addr)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	return inet_pton(AF_INET6, addr, &a6) == 1 &&
	       IN6_IS_ADDR_LOOPBACK(&a6);
}

/* The password on @path's first line, or the end of the program. */
static char *read_password(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		die(EXIT_ERR, "%s: %s", path, strerror(errno));
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (!n)
		die(EXIT_ERR, "%s: its first line, the password, is empty",
		    path);
	return strdup(line);
}

static unsigned long number(const char *opt, const char *s,
			    unsigned long max)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || n > max)
		die(EXIT_USAGE, "%s %s is not a number from 0 to %lu", opt, s,
		    max);
	return n;
}

static void listen_on(rfbScreenInfoPtr s, const char *addr, int port)
{
	struct in_addr a4;

	s->port = port;
	s->ipv6port = port;
	if (inet_pton(AF_INET, addr, &a4) == 1) {
		s->listenInterface = a4.s_addr;
		/* IPv4 only: no second socket on every IPv6 address. */
		s->ipv6port = 0;
		return;
	}
	s->listen6Interface = (char *)addr;
	/* IPv6 only. */
	s->port = 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "head", required_argument, NULL, 'H' },
		{ "listen", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "password-file", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen_addr = "127.0.0.1", *password_file = NULL;
	struct uvirtio_gpu_export e = { 0 };
	struct vnc v = { .kbd = -1, .ptr = -1 };
	long device = -1;
	int port = 5900, c, no_args = 0;
	char *passwords[2] = { NULL, NULL };
	struct in6_addr a6;
	struct in_addr a4;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			device = number("--device", optarg, INT32_MAX);
			break;
		case 'H':
			v.head = number("--head", optarg,
					UVIRTIO_GPU_MAX_HEADS - 1);
			break;
		case 'l':
			listen_addr = optarg;
			break;
		case 'p':
			port = number("--port", optarg, 65535);
			if (!port)
				die(EXIT_USAGE, "--port 0 is not a port");
			break;
		case 'P':
			password_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (inet_pton(AF_INET, listen_addr, &a4) != 1 &&
	    inet_pton(AF_INET6, listen_addr, &a6) != 1)
		die(EXIT_USAGE, "--listen %s is not an IPv4 or IPv6 address",
		    listen_addr);
	if (!is_loopback(listen_addr) && !password_file)
		die(EXIT_USAGE,
		    "refusing to listen on %s without --password-file: anyone who reaches it would see the guest's screen and type into it",
		    listen_addr);
	if (password_file)
		passwords[0] = read_password(password_file);

	v.uv = open("/dev/uvirtio", O_RDWR | O_CLOEXEC);
	if (v.uv < 0)
		die(EXIT_ERR, "/dev/uvirtio: %s%s", strerror(errno),
		    errno == ENOENT ? " (modprobe uvirtio)" : "");
	v.dev_id = device >= 0 ? (__u32)device : first_gpu(v.uv);
	e.dev_id = v.dev_id;
	e.head = v.head;
	v.xfd = ioctl(v.uv, UV_GPU_EXPORT, &e);
	if (v.xfd < 0)
		die(EXIT_ERR, "device %u, head %u: %s", v.dev_id, v.head,
		    errno == ENOTTY ? "this uvirtio.ko has no frame export (API 3)" :
		    errno == EINVAL ? "no such head of a virtio-gpu" :
		    strerror(errno));
	fcntl(v.xfd, F_SETFL, O_NONBLOCK);

	/*
	 * LibVNCServer's VNC authentication uses libgcrypt, which wants the
	 * program to initialize it (else it logs a warning per first use).
	 */
	gcry_check_version(NULL);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);

	v.width = OFF_WIDTH;
	v.height = OFF_HEIGHT;
	v.fb = calloc((size_t)v.width * v.height, UVIRTIO_EXPORT_CPP);
	/* None of LibVNCServer's own options: only ours, checked above. */
	v.screen = rfbGetScreen(&no_args, NULL, v.width, v.height, 8, 3,
				UVIRTIO_EXPORT_CPP);
	if (!v.fb || !v.screen)
		die(EXIT_ERR, "no memory");
	the_vnc = &v;
	v.screen->desktopName = "uvirtio";
	v.screen->frameBuffer = v.fb;
	v.screen->alwaysShared = TRUE;
	v.screen->deferUpdateTime = 0;	/* poll() would not wake to send it */
	v.screen->kbdAddEvent = on_key;
	v.screen->ptrAddEvent = on_pointer;
	v.screen->setDesktopSizeHook = on_desktop_size;
	v.screen->permitFileTransfer = FALSE;
	/* The guest draws its own pointer: none of LibVNCServer's on top. */
	v.screen->cursor = NULL;
	v.screen->httpDir = NULL;
	if (passwords[0]) {
		v.screen->authPasswdData = passwords;
		v.screen->passwordCheck = rfbCheckPasswordByList;
	}
	listen_on(v.screen, listen_addr, port);
	set_format(&v, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM);
	rfbInitServer(v.screen);
	if (v.screen->listenSock < 0 && v.screen->listen6Sock < 0)
		die(EXIT_ERR, "cannot listen on %s port %d", listen_addr, port);
	v.kbd = uinput_new("uvirtio-vnc keyboard", 0);
	v.ptr = uinput_new("uvirtio-vnc pointer", 1);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, PROG ": device %u head %u on %s port %d%s\n",
		v.dev_id, v.head, listen_addr, port,
		passwords[0] ? ", with a password" : "");

	while (!v.gone) {
		struct pollfd fds[POLL_MAX];
		rfbClientIteratorPtr it;
		rfbClientPtr cl;
		int n = 0;

		fds[n++] = (struct pollfd){ .fd = v.xfd, .events = POLLIN };
		if (v.screen->listenSock >= 0)
			fds[n++] = (struct pollfd){ .fd = v.screen->listenSock,
						    .events = POLLIN };
		if (v.screen->listen6Sock >= 0)
			fds[n++] = (struct pollfd){ .fd = v.screen->listen6Sock,
						    .events = POLLIN };
		it = rfbGetClientIterator(v.screen);
		while ((cl = rfbClientIteratorNext(it)) && n < POLL_MAX)
			if (cl->sock >= 0)
				fds[n++] = (struct pollfd){ .fd = cl->sock,
							    .events = POLLIN };
		rfbReleaseClientIterator(it);
		if (poll(fds, n, -1) < 0 && errno != EINTR)
			die(EXIT_ERR, "poll: %s", strerror(errno));
		if (fds[0].revents)
			on_export(&v);
		/* Accepts, reads what clients sent, sends what changed. */
		rfbProcessEvents(v.screen, 0);
	}
	fprintf(stderr, PROG ": device %u is gone\n", v.dev_id);
	rfbShutdownServer(v.screen, TRUE);
	return EXIT_OK;
}
