// SPDX-License-Identifier: GPL-2.0
/*
 * uvbench: what make bench measures inside the guest, with libdrm, on the
 * first connected connector of /dev/dri/card0. Figures go to stdout as
 * "bench KEY VALUE..." lines; errors to stderr. Exit status 0, or 1.
 *
 *   uvbench ready LIMIT_MS COMMAND... | uvbench ready LIMIT_MS write FILE TEXT
 *	runs COMMAND (no shell), or writes TEXT to FILE (a sysfs bind), and
 *	reports the ms (CLOCK_MONOTONIC) from then until card0 appears and
 *	until it has a connected connector with modes and fb0 answers
 *	FBIOGET_VSCREENINFO
 *   uvbench flip WxH SECONDS REPS
 *	sets the mode, then atomic nonblocking page flips between two dumb
 *	buffers, each waiting for its event: flips/s per rep, the longest
 *	flip and how many took 40 ms or more
 *   uvbench cursor SECONDS REPS
 *	legacy (drmModeMoveCursor, drmModeSetCursor between two images) and
 *	atomic (cursor plane position, cursor plane FB round three images)
 *	updates per second
 *   uvbench scroll TTY LINES
 *	ms to write LINES lines to TTY (fbcon scrolling)
 *   uvbench resize WxH LIMIT_MS COMMAND... | ... write FILE TEXT
 *	as a compositor: shows the preferred mode, runs COMMAND (the monitor
 *	changes to WxH) and reports the ms until the connector lists WxH as
 *	preferred (looked up on each DRM hotplug uevent, as compositors do)
 *	and until its first frame at WxH is on the screen (modeset commit
 *	done); and until COMMAND returned
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/fb.h>
#include <linux/netlink.h>
#include <xf86drm.h>
#include <xf86drmMode.h>
#include <drm_fourcc.h>

#define CARD "/dev/dri/card0"
#define CURSOR_PLANE_HOTSPOT 6	/* DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT, 6.8 */
#define SLOW_MS 40.0	/* a flip this long was waiting on a timeout */
#define EVENT_WAIT_MS 3000

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("uvbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ---- ready ---- */

/* card0 has a connected connector with modes, and fb0 has a geometry. */
static int display_usable(void)
{
	struct fb_var_screeninfo var;
	drmModeRes *res;
	int fd, i, ok = 0;

	fd = open("/dev/fb0", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (ioctl(fd, FBIOGET_VSCREENINFO, &var) || !var.xres) {
		close(fd);
		return 0;
	}
	close(fd);
	fd = open(CARD, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0;
	res = drmModeGetResources(fd);
	for (i = 0; res && i < res->count_connectors && !ok; i++) {
		drmModeConnector *c = drmModeGetConnectorCurrent(fd, res->connectors[i]);

		ok = c && c->connection == DRM_MODE_CONNECTED && c->count_modes > 0;
		drmModeFreeConnector(c);
	}
	drmModeFreeResources(res);
	close(fd);
	return ok;
}

/* The call that makes the display, in a child: its exit status. */
static void make_display(char **argv)
{
	int fd, null, len;

	if (!strcmp(argv[0], "write")) {
		if (!argv[1] || !argv[2])
			_exit(2);
		fd = open(argv[1], O_WRONLY | O_CLOEXEC);
		len = strlen(argv[2]);
		_exit(fd < 0 || write(fd, argv[2], len) != len);
	}
	null = open("/dev/null", O_WRONLY);
	if (null >= 0)
		dup2(null, 1);
	execvp(argv[0], argv);
	_exit(127);
}

/* Starts the call (make_display()'s ARGV) in a child: its pid. */
static pid_t start_call(char **argv)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid)
		make_display(argv);
	return pid;
}

static int cmd_ready(int argc, char **argv)
{
	double t0, card = -1, limit;
	pid_t pid;
	int status;

	if (argc < 2)
		die("usage: uvbench ready LIMIT_MS COMMAND... | write FILE TEXT");
	limit = atof(argv[0]);
	if (display_usable())
		die("a display is already there");
	t0 = now_ms();
	pid = start_call(argv + 1);
	for (;;) {
		double t = now_ms() - t0;

		if (card < 0 && access(CARD, F_OK) == 0)
			card = t;
		if (display_usable()) {
			printf("bench ready_ms %.2f card_ms %.2f\n", t, card);
			break;
		}
		if (t > limit) {
			printf("bench ready_ms none card_ms %.2f\n", card);
			break;
		}
		usleep(100);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		die("%s failed", argv[1]);
	return 0;
}

/* ---- a display for flips and cursors ---- */

struct fb {
	uint32_t handle, id, pitch;
	uint64_t size;
};

struct kms {
	int fd;
	uint32_t conn, crtc, primary, cursor;
	int crtc_index;
	drmModeModeInfo mode;
	struct fb fb[2];
	int flip_pending;
};

/* Property ids, looked up once: the loops measure commits, not lookups. */
static struct {
	uint32_t obj, id;
	const char *name;
} prop_cache[64];

/* The property NAME of an object: its id and value, or 0 and UINT64_MAX. */
static uint32_t prop_find(int fd, uint32_t obj, uint32_t type, const char *name,
			  uint64_t *value)
{
	drmModeObjectProperties *props = drmModeObjectGetProperties(fd, obj, type);
	uint32_t id = 0, i;

	*value = UINT64_MAX;
	for (i = 0; props && i < props->count_props && !id; i++) {
		drmModePropertyRes *p = drmModeGetProperty(fd, props->props[i]);

		if (p && !strcmp(p->name, name)) {
			id = p->prop_id;
			*value = props->prop_values[i];
		}
		drmModeFreeProperty(p);
	}
	drmModeFreeObjectProperties(props);
	return id;
}

static uint32_t prop_id(int fd, uint32_t obj, uint32_t type, const char *name)
{
	uint64_t value;
	uint32_t id, i;

	for (i = 0; i < 64 && prop_cache[i].name; i++)
		if (prop_cache[i].obj == obj && !strcmp(prop_cache[i].name, name))
			return prop_cache[i].id;
	id = prop_find(fd, obj, type, name, &value);
	if (!id)
		die("object %u has no property %s", obj, name);
	if (i < 64) {
		prop_cache[i].obj = obj;
		prop_cache[i].id = id;
		prop_cache[i].name = name;
	}
	return id;
}

static void add(drmModeAtomicReq *req, int fd, uint32_t obj, uint32_t type,
		const char *name, uint64_t value)
{
	if (drmModeAtomicAddProperty(req, obj, prop_id(fd, obj, type, name), value) < 0)
		die("cannot add %s", name);
}

/* A dumb buffer of w x h at 32 bpp, filled with a pattern. */
static int make_fb(int fd, uint32_t w, uint32_t h, uint32_t format, uint32_t colour,
		   struct fb *fb)
{
	uint32_t handles[4] = { 0 }, pitches[4] = { 0 }, offsets[4] = { 0 };
	uint64_t offset;
	uint32_t *px, x, y;

	if (drmModeCreateDumbBuffer(fd, w, h, 32, 0, &fb->handle, &fb->pitch, &fb->size))
		return -errno;
	if (drmModeMapDumbBuffer(fd, fb->handle, &offset))
		return -errno;
	px = mmap(NULL, fb->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
	if (px == MAP_FAILED)
		return -errno;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			px[y * (fb->pitch / 4) + x] = ((x ^ y) & 16) ? colour : 0xff202020;
	munmap(px, fb->size);
	handles[0] = fb->handle;
	pitches[0] = fb->pitch;
	if (drmModeAddFB2(fd, w, h, format, handles, pitches, offsets, &fb->id, 0))
		return -errno;
	return 0;
}

/* Opens card0 as master and finds connector, CRTC and planes. */
static void kms_open(struct kms *k)
{
	drmModeRes *res;
	drmModePlaneRes *planes;
	drmModeConnector *c = NULL;
	drmModeEncoder *enc;
	int i;
	uint32_t j;

	memset(k, 0, sizeof(*k));
	k->fd = open(CARD, O_RDWR | O_CLOEXEC);
	if (k->fd < 0)
		die("%s: %s", CARD, strerror(errno));
	if (drmSetClientCap(k->fd, DRM_CLIENT_CAP_UNIVERSAL_PLANES, 1) ||
	    drmSetClientCap(k->fd, DRM_CLIENT_CAP_ATOMIC, 1))
		die("no atomic modesetting: %s", strerror(errno));
	/*
	 * Since 6.8 virtual drivers (virtio_gpu) show their cursor plane only
	 * to clients that know about hotspots; older kernels refuse the cap.
	 */
	drmSetClientCap(k->fd, CURSOR_PLANE_HOTSPOT, 1);
	res = drmModeGetResources(k->fd);
	if (!res)
		die("drmModeGetResources: %s", strerror(errno));
	for (i = 0; i < res->count_connectors; i++) {
		c = drmModeGetConnector(k->fd, res->connectors[i]);
		if (c && c->connection == DRM_MODE_CONNECTED && c->count_modes)
			break;
		drmModeFreeConnector(c);
		c = NULL;
	}
	if (!c)
		die("no connected connector");
	k->conn = c->connector_id;
	k->mode = c->modes[0];
	for (i = 0; i < c->count_modes; i++)
		if (c->modes[i].type & DRM_MODE_TYPE_PREFERRED) {
			k->mode = c->modes[i];
			break;
		}
	enc = c->count_encoders ? drmModeGetEncoder(k->fd, c->encoders[0]) : NULL;
	if (!enc)
		die("connector %u has no encoder", k->conn);
	for (i = 0; i < res->count_crtcs; i++)
		if (enc->possible_crtcs & (1u << i))
			break;
	if (i == res->count_crtcs)
		die("no CRTC for connector %u", k->conn);
	k->crtc = res->crtcs[i];
	k->crtc_index = i;
	drmModeFreeEncoder(enc);
	drmModeFreeConnector(c);
	drmModeFreeResources(res);

	planes = drmModeGetPlaneResources(k->fd);
	for (j = 0; planes && j < planes->count_planes; j++) {
		drmModePlane *p = drmModeGetPlane(k->fd, planes->planes[j]);
		uint64_t type;

		if (!p || !(p->possible_crtcs & (1u << k->crtc_index))) {
			drmModeFreePlane(p);
			continue;
		}
		prop_find(k->fd, p->plane_id, DRM_MODE_OBJECT_PLANE, "type", &type);
		if (type == DRM_PLANE_TYPE_PRIMARY && !k->primary)
			k->primary = p->plane_id;
		if (type == DRM_PLANE_TYPE_CURSOR && !k->cursor)
			k->cursor = p->plane_id;
		drmModeFreePlane(p);
	}
	drmModeFreePlaneResources(planes);
	if (!k->primary)
		die("no primary plane for CRTC %u", k->crtc);
}

/*
 * The mode WxH from the connector's list, at 60 Hz if there is one: the
 * drivers that pace flips to a vblank (a timer, for virtual ones, on newer
 * kernels such as 7.2) then pace them alike.
 */
static int kms_pick_mode(struct kms *k, unsigned int w, unsigned int h)
{
	drmModeConnector *c = drmModeGetConnector(k->fd, k->conn);
	int i, found = 0;

	for (i = 0; c && i < c->count_modes; i++) {
		drmModeModeInfo *m = &c->modes[i];

		if (m->hdisplay != w || m->vdisplay != h)
			continue;
		if (!found || m->vrefresh == 60)
			k->mode = *m;
		found = 1;
	}
	drmModeFreeConnector(c);
	return found;
}

static void plane_props(drmModeAtomicReq *req, struct kms *k, uint32_t plane,
			uint32_t fb, int x, int y, uint32_t w, uint32_t h)
{
	uint32_t t = DRM_MODE_OBJECT_PLANE;

	add(req, k->fd, plane, t, "FB_ID", fb);
	add(req, k->fd, plane, t, "CRTC_ID", k->crtc);
	add(req, k->fd, plane, t, "SRC_X", 0);
	add(req, k->fd, plane, t, "SRC_Y", 0);
	add(req, k->fd, plane, t, "SRC_W", (uint64_t)w << 16);
	add(req, k->fd, plane, t, "SRC_H", (uint64_t)h << 16);
	add(req, k->fd, plane, t, "CRTC_X", x);
	add(req, k->fd, plane, t, "CRTC_Y", y);
	add(req, k->fd, plane, t, "CRTC_W", w);
	add(req, k->fd, plane, t, "CRTC_H", h);
}

/* Two framebuffers at the mode's size, the first one on the screen. */
static int kms_modeset(struct kms *k)
{
	uint32_t w = k->mode.hdisplay, h = k->mode.vdisplay, blob;
	drmModeAtomicReq *req;
	int ret;

	ret = make_fb(k->fd, w, h, DRM_FORMAT_XRGB8888, 0xff3060c0, &k->fb[0]);
	if (!ret)
		ret = make_fb(k->fd, w, h, DRM_FORMAT_XRGB8888, 0xffc06030, &k->fb[1]);
	if (ret)
		return ret;
	if (drmModeCreatePropertyBlob(k->fd, &k->mode, sizeof(k->mode), &blob))
		return -errno;
	req = drmModeAtomicAlloc();
	add(req, k->fd, k->conn, DRM_MODE_OBJECT_CONNECTOR, "CRTC_ID", k->crtc);
	add(req, k->fd, k->crtc, DRM_MODE_OBJECT_CRTC, "MODE_ID", blob);
	add(req, k->fd, k->crtc, DRM_MODE_OBJECT_CRTC, "ACTIVE", 1);
	plane_props(req, k, k->primary, k->fb[0].id, 0, 0, w, h);
	ret = drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_ALLOW_MODESET, NULL);
	drmModeAtomicFree(req);
	return ret ? -errno : 0;
}

static void on_flip(int fd, unsigned int seq, unsigned int sec, unsigned int usec,
		    unsigned int crtc, void *data)
{
	struct kms *k = data;

	(void)fd; (void)seq; (void)sec; (void)usec; (void)crtc;
	k->flip_pending = 0;
}

/*
 * Commits req without blocking and waits for its event: 0, or -1 with
 * errno set (ETIMEDOUT: no event within EVENT_WAIT_MS).
 */
static int commit_and_wait(struct kms *k, drmModeAtomicReq *req)
{
	drmEventContext ev = {
		.version = 3,
		.page_flip_handler2 = on_flip,
	};
	struct pollfd pfd = { .fd = k->fd, .events = POLLIN };

	if (drmModeAtomicCommit(k->fd, req, DRM_MODE_ATOMIC_NONBLOCK |
				DRM_MODE_PAGE_FLIP_EVENT, k))
		return -1;
	k->flip_pending = 1;
	while (k->flip_pending) {
		if (poll(&pfd, 1, EVENT_WAIT_MS) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		drmHandleEvent(k->fd, &ev);
	}
	return 0;
}

/* What a failed commit was, as one word for the report. */
static const char *why(int err)
{
	switch (err) {
	case ETIMEDOUT:
		return "timeout";
	case ENOMEM:
		return "no-memory";
	case ENXIO:
		return "no-cursor";
	default:
		return "commit-failed";
	}
}

static int cmd_flip(int argc, char **argv)
{
	unsigned int w, h;
	double secs, t0, t, last, longest;
	int reps, rep, ret;
	long n, slow;
	struct kms k;

	if (argc != 3 || sscanf(argv[0], "%ux%u", &w, &h) != 2)
		die("usage: uvbench flip WxH SECONDS REPS");
	secs = atof(argv[1]);
	reps = atoi(argv[2]);
	kms_open(&k);
	if (!kms_pick_mode(&k, w, h)) {
		printf("bench flip %s none no-mode\n", argv[0]);
		return 0;
	}
	ret = kms_modeset(&k);
	if (ret) {
		printf("bench flip %s none %s\n", argv[0], why(-ret));
		fprintf(stderr, "uvbench: %s: %s\n", argv[0], strerror(-ret));
		return 0;
	}
	for (rep = 0; rep <= reps; rep++) {
		n = 0;
		slow = 0;
		longest = 0;
		t0 = last = now_ms();
		/* rep 0 warms up: half a second, not reported */
		while ((t = now_ms()) - t0 < (rep ? secs * 1e3 : 500)) {
			drmModeAtomicReq *req = drmModeAtomicAlloc();

			add(req, k.fd, k.primary, DRM_MODE_OBJECT_PLANE, "FB_ID",
			    k.fb[(n + 1) & 1].id);
			if (commit_and_wait(&k, req)) {
				/* bochs: a second 1920x1080 buffer is not pinned in 16 MiB */
				printf("bench flip %s none %s\n", argv[0], why(errno));
				fprintf(stderr, "uvbench: flip %s: %s\n", argv[0], strerror(errno));
				return errno == ETIMEDOUT;
			}
			drmModeAtomicFree(req);
			n++;
			t = now_ms();
			if (t - last > longest)
				longest = t - last;
			if (t - last >= SLOW_MS)
				slow++;
			last = t;
		}
		if (rep)
			printf("bench flip %s rate %.1f flips %ld longest_ms %.2f slow %ld\n",
			       argv[0], n * 1e3 / (t - t0), n, longest, slow);
	}
	return 0;
}

/* ---- cursor ---- */

/* The one kind of cursor update "uvbench cursor" runs, or NULL: all. */
static const char *cursor_only;

/* Whether KIND is one "uvbench cursor" runs. */
static int cursor_wanted(const char *kind)
{
	return !cursor_only || !strcmp(cursor_only, kind);
}

/* Says that KIND cannot be measured, if it is one "uvbench cursor" runs. */
static void cursor_none(const char *kind, const char *reason)
{
	if (cursor_wanted(kind))
		printf("bench cursor %s none %s\n", kind, reason);
}

/* Runs one kind of update for SECONDS, REPS times (after a warm-up). */
static void cursor_run(struct kms *k, const char *kind, double secs, int reps,
		       int (*update)(struct kms *, long))
{
	double t0, t;
	long n;
	int rep;

	if (!cursor_wanted(kind))
		return;
	for (rep = 0; rep <= reps; rep++) {
		n = 0;
		t0 = now_ms();
		while ((t = now_ms()) - t0 < (rep ? secs * 1e3 : 300)) {
			if (update(k, n)) {
				cursor_none(kind, why(errno));
				fprintf(stderr, "uvbench: cursor %s: %s\n", kind, strerror(errno));
				return;
			}
			n++;
		}
		if (rep)
			printf("bench cursor %s rate %.1f updates %ld\n", kind,
			       n * 1e3 / (t - t0), n);
	}
}

/*
 * Three cursor images: atomic image changes go round them. Back and forth
 * between two, each change a nonblocking commit, oopses virtio_gpu on
 * 5.10 whatever the device (QEMU's virtio-gpu-pci too): its cursor fence
 * lives in the framebuffer, and a commit's cleanup frees the one the next
 * commit just made for the framebuffer shown before (fixed in 6.14, and
 * in 6.12.14 and 6.1.129: docs/design.md, "virtio_gpu on 5.10"). With a
 * third, DRM has that earlier commit cleaned up first. Legacy changes
 * commit blocking: two are enough.
 */
#define CURSOR_IMAGES 3
static struct fb cursor_fb[CURSOR_IMAGES];

static int legacy_move(struct kms *k, long n)
{
	return drmModeMoveCursor(k->fd, k->crtc, 100 + n % 300, 100 + n % 200);
}

static int legacy_image(struct kms *k, long n)
{
	return drmModeSetCursor(k->fd, k->crtc, cursor_fb[n & 1].handle, 64, 64);
}

static int atomic_cursor(struct kms *k, uint32_t fb, int x, int y)
{
	drmModeAtomicReq *req = drmModeAtomicAlloc();
	int ret;

	plane_props(req, k, k->cursor, fb, x, y, 64, 64);
	ret = commit_and_wait(k, req);
	drmModeAtomicFree(req);
	return ret;
}

static int atomic_move(struct kms *k, long n)
{
	return atomic_cursor(k, cursor_fb[0].id, 100 + n % 300, 100 + n % 200);
}

static int atomic_image(struct kms *k, long n)
{
	return atomic_cursor(k, cursor_fb[n % CURSOR_IMAGES].id, 200, 200);
}

static int cmd_cursor(int argc, char **argv)
{
	double secs;
	int reps, ret;
	struct kms k;

	if (argc < 2 || argc > 3)
		die("usage: uvbench cursor SECONDS REPS [legacy_move|legacy_image|atomic_move|atomic_image]");
	secs = atof(argv[0]);
	reps = atoi(argv[1]);
	cursor_only = argv[2];
	kms_open(&k);
	/* 1024x768 at 60 Hz as the flips, where the preferred mode differs */
	kms_pick_mode(&k, 1024, 768);
	ret = kms_modeset(&k);
	if (ret)
		die("modeset at %ux%u: %s", k.mode.hdisplay, k.mode.vdisplay, strerror(-ret));
	if (make_fb(k.fd, 64, 64, DRM_FORMAT_ARGB8888, 0xffffffff, &cursor_fb[0]) ||
	    make_fb(k.fd, 64, 64, DRM_FORMAT_ARGB8888, 0xff00ff00, &cursor_fb[1]) ||
	    make_fb(k.fd, 64, 64, DRM_FORMAT_ARGB8888, 0xffff0000, &cursor_fb[2])) {
		/* bochs: no cursor, and no ARGB8888 framebuffers either */
		fprintf(stderr, "uvbench: cursor buffers: %s\n", strerror(errno));
		printf("bench cursor all none no-cursor\n");
		return 0;
	}
	/* Legacy: what Xorg does; the cursor is set once, then moved. */
	if (drmModeSetCursor(k.fd, k.crtc, cursor_fb[0].handle, 64, 64)) {
		const char *reason = why(errno);

		cursor_none("legacy_move", reason);
		cursor_none("legacy_image", reason);
	} else {
		cursor_run(&k, "legacy_move", secs, reps, legacy_move);
		cursor_run(&k, "legacy_image", secs, reps, legacy_image);
		drmModeSetCursor(k.fd, k.crtc, 0, 0, 0);
	}
	/* Atomic: what a Wayland compositor does, one commit per update. */
	if (!k.cursor) {
		cursor_none("atomic_move", "no-cursor-plane");
		cursor_none("atomic_image", "no-cursor-plane");
		return 0;
	}
	cursor_run(&k, "atomic_move", secs, reps, atomic_move);
	cursor_run(&k, "atomic_image", secs, reps, atomic_image);
	return 0;
}

/* ---- resize ---- */

/* A socket that gets the kernel's uevents, as udev's monitor does. */
static int uevent_open(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("uevent socket: %s", strerror(errno));
	return fd;
}

/* Whether a uevent (NUL-terminated at @len) is DRM's hotplug. */
static int uevent_is_hotplug(const char *buf, ssize_t len)
{
	int drm = 0, hotplug = 0;
	ssize_t i;

	for (i = 0; i < len; i += strlen(buf + i) + 1) {
		drm |= !strcmp(buf + i, "SUBSYSTEM=drm");
		hotplug |= !strcmp(buf + i, "HOTPLUG=1");
	}
	return drm && hotplug;
}

/* The connector's preferred mode is WxH (a full probe, as GETCONNECTOR). */
static int lists_preferred(struct kms *k, unsigned int w, unsigned int h)
{
	drmModeConnector *c = drmModeGetConnector(k->fd, k->conn);
	int i, found = 0;

	for (i = 0; c && i < c->count_modes && !found; i++) {
		drmModeModeInfo *m = &c->modes[i];

		if ((m->type & DRM_MODE_TYPE_PREFERRED) &&
		    m->hdisplay == w && m->vdisplay == h) {
			k->mode = *m;
			found = 1;
		}
	}
	drmModeFreeConnector(c);
	return found;
}

/* When the resize command ended: set from SIGCHLD, read after. */
static struct timespec child_end;
static volatile sig_atomic_t child_ended;

static void on_child(int sig)
{
	(void)sig;
	clock_gettime(CLOCK_MONOTONIC, &child_end);
	child_ended = 1;
}

static int cmd_resize(int argc, char **argv)
{
	char buf[4096];
	double t0, t, listed = -1, limit, cmd = -1;
	unsigned int w, h;
	struct kms k;
	pid_t pid;
	int status, ret, ev;

	if (argc < 3 || sscanf(argv[0], "%ux%u", &w, &h) != 2)
		die("usage: uvbench resize WxH LIMIT_MS COMMAND... | write FILE TEXT");
	limit = atof(argv[1]);
	kms_open(&k);
	if (k.mode.hdisplay == w && k.mode.vdisplay == h)
		die("the display is at %s already", argv[0]);
	ret = kms_modeset(&k);
	if (ret)
		die("modeset: %s", strerror(-ret));
	ev = uevent_open();
	signal(SIGCHLD, on_child);
	t0 = now_ms();
	pid = start_call(argv + 2);
	while ((t = now_ms() - t0) < limit) {
		struct pollfd pfd = { .fd = ev, .events = POLLIN };
		ssize_t len;

		/* A lost uevent costs a probe every 100 ms, not the figure. */
		if (poll(&pfd, 1, 100) > 0) {
			len = recv(ev, buf, sizeof(buf) - 1, 0);
			if (len <= 0)
				continue;
			buf[len] = 0;
			if (!uevent_is_hotplug(buf, len))
				continue;
		}
		if (lists_preferred(&k, w, h)) {
			listed = now_ms() - t0;
			break;
		}
	}
	if (listed < 0) {
		printf("bench resize %s none not-listed\n", argv[0]);
	} else {
		ret = kms_modeset(&k);
		t = now_ms() - t0;
		if (child_ended)
			cmd = child_end.tv_sec * 1e3 + child_end.tv_nsec / 1e6 - t0;
		if (ret)
			printf("bench resize %s none %s\n", argv[0], why(-ret));
		else
			printf("bench resize %s listed_ms %.2f frame_ms %.2f cmd_ms %.2f\n",
			       argv[0], listed, t, cmd);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		die("%s failed", argv[2]);
	close(ev);
	return 0;
}

/* ---- scroll ---- */

static int cmd_scroll(int argc, char **argv)
{
	char line[128];
	double t0, t;
	int fd, i, lines, len;

	if (argc != 2)
		die("usage: uvbench scroll TTY LINES");
	lines = atoi(argv[1]);
	fd = open(argv[0], O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", argv[0], strerror(errno));
	t0 = now_ms();
	for (i = 0; i < lines; i++) {
		len = snprintf(line, sizeof(line),
			       "uvbench line %5d: the quick brown fox jumps over the lazy dog\n",
			       i);
		if (write(fd, line, len) != len)
			die("write %s: %s", argv[0], strerror(errno));
	}
	tcdrain(fd);
	t = now_ms();
	printf("bench scroll_ms %.1f lines %d\n", t - t0, lines);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		die("usage: uvbench ready|flip|cursor|scroll|resize ...");
	if (!strcmp(argv[1], "ready"))
		return cmd_ready(argc - 2, argv + 2);
	if (!strcmp(argv[1], "flip"))
		return cmd_flip(argc - 2, argv + 2);
	if (!strcmp(argv[1], "cursor"))
		return cmd_cursor(argc - 2, argv + 2);
	if (!strcmp(argv[1], "scroll"))
		return cmd_scroll(argc - 2, argv + 2);
	if (!strcmp(argv[1], "resize"))
		return cmd_resize(argc - 2, argv + 2);
	die("unknown command %s", argv[1]);
}
