// SPDX-License-Identifier: GPL-2.0
/*
 * The frame export (UV_GPU_EXPORT), in the test guest.
 *   uvtest-export abi GPU CONSOLE    TAP: what UV_GPU_EXPORT and its file
 *                                    refuse, and why; GPU's head 0 shows
 *                                    fbcon, CONSOLE is a virtio-console
 *   uvtest-export fbcon GPU FB       TAP: GPU's head 0 shows FB's pixels
 *                                    (fbcon's, from its top left corner),
 *                                    every one, within 5 s
 *   uvtest-export draw GPU CARD      TAP: a DRM master's own framebuffers
 *                                    on GPU's card CARD, seen exactly:
 *                                    damage, pixels, modes, no event while
 *                                    idle, fbcon's mode back at the end
 *   uvtest-export gone GPU           TAP: watches head 0 of the sticky GPU,
 *                                    destroys it: GONE, then -ENODEV
 *   uvtest-export watch GPU HEAD     prints "attached", then one line per
 *                                    event ("mode W H FORMAT", "damage X Y
 *                                    W H", "gone"), until gone or killed
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/fb.h>
#include <linux/virtio_gpu.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "uvtest.h"
#include "uvtest-kms.h"

static int gpu_export(int fd, __u32 id, __u32 head)
{
	struct uvirtio_gpu_export e = { .dev_id = id, .head = head };

	return ioctl(fd, UV_GPU_EXPORT, &e);
}

/* The next event within @ms: 0, or -1 (none came, or read() failed). */
static int next_event(int xfd, struct uvirtio_export_event *ev, int ms)
{
	struct pollfd p = { .fd = xfd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1 || !(p.revents & POLLIN))
		return -1;
	return read(xfd, ev, sizeof(*ev)) == sizeof(*ev) ? 0 : -1;
}

/*
 * Reads events for up to @ms until a MODE event of @w x @h (0 x 0: any)
 * has come and nothing waits: @mode gets the last MODE event. 0, or -1.
 */
static int wait_mode(int xfd, struct uvirtio_export_event *mode, __u32 w,
		     __u32 h, int ms)
{
	struct uvirtio_export_event ev;
	int seen = 0;

	for (; ms > 0; ms -= 10) {
		if (next_event(xfd, &ev, 10)) {
			if (seen)
				return 0;
			continue;
		}
		if (ev.type != UVIRTIO_EXPORT_MODE)
			continue;
		*mode = ev;
		seen = (!w && !h) || (ev.width == w && ev.height == h);
	}
	return seen ? 0 : -1;
}

/* The whole scanout of @mode, malloc()ed; NULL with errno. */
static uint32_t *grab(int xfd, const struct uvirtio_export_event *mode)
{
	struct uvirtio_export_pixels p = {
		.mode_seq = mode->seq,
		.width = mode->width,
		.height = mode->height,
		.stride = mode->width * 4,
	};
	uint32_t *px = malloc((size_t)mode->width * mode->height * 4 + 1);
	int e;

	if (!px)
		return NULL;
	p.addr = (uintptr_t)px;
	if (ioctl(xfd, UV_EXPORT_PIXELS, &p)) {
		e = errno;
		free(px);
		errno = e;
		return NULL;
	}
	return px;
}

static int pixels_call(int xfd, const struct uvirtio_export_event *mode,
		       __u32 x, __u32 y, __u32 w, __u32 h, __u32 stride,
		       void *buf)
{
	struct uvirtio_export_pixels p = {
		.mode_seq = mode->seq, .x = x, .y = y, .width = w,
		.height = h, .stride = stride, .addr = (uintptr_t)buf,
	};

	return ioctl(xfd, UV_EXPORT_PIXELS, &p);
}

/* -- abi ----------------------------------------------------------------- */

static int abi(int gpu, int console)
{
	struct uvirtio_gpu_export e = { .dev_id = gpu };
	struct uvirtio_export_event ev, mode = { 0 };
	struct uvirtio_export_pixels p;
	static uint32_t buf[64 * 64];
	int fd = xopen(), xfd, n;
	char small[sizeof(ev) - 1];

	fails(gpu_export(fd, 4242, 0), ENOENT, "UV_GPU_EXPORT of no device");
	fails(gpu_export(fd, console, 0), EINVAL,
	      "UV_GPU_EXPORT of a virtio-console");
	fails(gpu_export(fd, gpu, UVIRTIO_GPU_MAX_HEADS), EINVAL,
	      "UV_GPU_EXPORT of head 16");
	e.flags = 1;
	fails(ioctl(fd, UV_GPU_EXPORT, &e), EINVAL,
	      "UV_GPU_EXPORT with flags 1");
	e.flags = 0;
	e.reserved[4] = 1;
	fails(ioctl(fd, UV_GPU_EXPORT, &e), EINVAL,
	      "UV_GPU_EXPORT with a reserved field set");
	fails(ioctl(fd, UV_GPU_EXPORT, NULL), EFAULT,
	      "UV_GPU_EXPORT with a NULL argument");

	xfd = gpu_export(fd, gpu, 0);
	ok(xfd >= 0, "UV_GPU_EXPORT of head 0 gives a file (%d, %s)", xfd,
	   xfd < 0 ? strerror(errno) : "");
	if (xfd < 0)
		return done_testing();
	ok(fcntl(xfd, F_GETFD) == FD_CLOEXEC, "it is close-on-exec");
	fails(read(xfd, small, sizeof(small)), EINVAL,
	      "read() of less than one event");
	n = next_event(xfd, &mode, 1000);
	ok(n == 0 && mode.type == UVIRTIO_EXPORT_MODE,
	   "its first event is MODE (type %u)", mode.type);
	ok(mode.width == 1024 && mode.height == 768 &&
	   mode.format == VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM && !mode.flags &&
	   !mode.x && !mode.y,
	   "fbcon's mode: 1024x768, format B8G8R8X8 (got %ux%u, %u)",
	   mode.width, mode.height, mode.format);
	fcntl(xfd, F_SETFL, O_NONBLOCK);
	while (read(xfd, &ev, sizeof(ev)) == sizeof(ev))
		;
	fails(read(xfd, &ev, sizeof(ev)), EAGAIN,
	      "O_NONBLOCK read() with no event waiting");
	fails(write(xfd, &ev, sizeof(ev)), EBADF, "write()");
	fails(ioctl(xfd, UV_DEV_LIST, &ev), ENOTTY, "another ioctl");

	ok(pixels_call(xfd, &mode, 0, 0, 64, 64, 256, buf) == 0,
	   "UV_EXPORT_PIXELS of 64x64 at 0,0");
	ok(pixels_call(xfd, &mode, 1024 - 64, 768 - 64, 64, 64, 256, buf) ==
	   0, "UV_EXPORT_PIXELS of the bottom right corner");
	fails(pixels_call(xfd, &mode, 1024 - 63, 0, 64, 1, 256, buf), EINVAL,
	      "UV_EXPORT_PIXELS one pixel past the right edge");
	fails(pixels_call(xfd, &mode, 0, 768, 1, 1, 4, buf), EINVAL,
	      "UV_EXPORT_PIXELS below the bottom");
	fails(pixels_call(xfd, &mode, 0xffffffff, 0, 2, 1, 8, buf), EINVAL,
	      "UV_EXPORT_PIXELS at x 4294967295 (no wrap)");
	fails(pixels_call(xfd, &mode, 0, 0, 0, 1, 4, buf), EINVAL,
	      "UV_EXPORT_PIXELS of width 0");
	fails(pixels_call(xfd, &mode, 0, 0, 1, 0, 4, buf), EINVAL,
	      "UV_EXPORT_PIXELS of height 0");
	fails(pixels_call(xfd, &mode, 0, 0, 64, 2, 255, buf), EINVAL,
	      "UV_EXPORT_PIXELS with a stride below width * 4");
	fails(pixels_call(xfd, &mode, 0, 0, 64, 2, 256, NULL), EFAULT,
	      "UV_EXPORT_PIXELS into NULL");
	mode.seq++;
	fails(pixels_call(xfd, &mode, 0, 0, 64, 2, 256, buf), ESTALE,
	      "UV_EXPORT_PIXELS naming another mode's seq");
	mode.seq--;
	memset(&p, 0, sizeof(p));
	p.mode_seq = mode.seq;
	p.width = 1;
	p.height = 1;
	p.stride = 4;
	p.addr = (uintptr_t)buf;
	p.flags = 1;
	fails(ioctl(xfd, UV_EXPORT_PIXELS, &p), EINVAL,
	      "UV_EXPORT_PIXELS with flags 1");
	p.flags = 0;
	p.reserved = 1;
	fails(ioctl(xfd, UV_EXPORT_PIXELS, &p), EINVAL,
	      "UV_EXPORT_PIXELS with its reserved field set");
	close(xfd);
	close(fd);
	return done_testing();
}

/* -- fbcon --------------------------------------------------------------- */

static int fbcon(int gpu, const char *fb_path)
{
	struct fb_var_screeninfo var;
	struct fb_fix_screeninfo fix;
	struct uvirtio_export_event mode = { 0 };
	long diff = -1, tries, lit = 0;
	int fd = xopen(), xfd, fb, n;
	uint8_t *mem;

	/*
	 * Read, not mapped: on 6.12 a mapping of fbdev's shmem buffer leaves
	 * its pages' mapping cleared, and removing the display then spins
	 * forever in shmem truncation.
	 */
	fb = open(fb_path, O_RDONLY);
	if (fb < 0 || ioctl(fb, FBIOGET_VSCREENINFO, &var) ||
	    ioctl(fb, FBIOGET_FSCREENINFO, &fix)) {
		printf("Bail out! %s: %s\n", fb_path, strerror(errno));
		return 1;
	}
	mem = malloc((size_t)fix.line_length * var.yres);
	ok(mem && var.bits_per_pixel == 32, "%s is 32 bits a pixel (%u)",
	   fb_path, var.bits_per_pixel);
	xfd = gpu_export(fd, gpu, 0);
	ok(xfd >= 0, "UV_GPU_EXPORT of head 0");
	n = xfd >= 0 ? wait_mode(xfd, &mode, 0, 0, 1000) : -1;
	ok(n == 0 && mode.width && mode.width <= var.xres &&
	   mode.height <= var.yres,
	   "its mode, %ux%u, is on and within fb0's %ux%u", mode.width,
	   mode.height, var.xres, var.yres);
	if (!mem || n || !mode.width || mode.width > var.xres ||
	    mode.height > var.yres)
		return done_testing();
	/* fbdev copies its pixels to the resource when it gets to it. */
	for (tries = 0; tries < 50 && diff; tries++) {
		uint32_t *px;
		__u32 x, y;

		if (tries)
			usleep(100 * 1000);
		wait_mode(xfd, &mode, 0, 0, 10);
		px = grab(xfd, &mode);
		if (!px)
			continue;
		if (pread(fb, mem, (size_t)fix.line_length * var.yres, 0) !=
		    (ssize_t)((size_t)fix.line_length * var.yres)) {
			free(px);
			continue;
		}
		diff = 0;
		lit = 0;
		for (y = 0; y < mode.height; y++)
			for (x = 0; x < mode.width; x++) {
				uint32_t a = px[y * mode.width + x];
				uint32_t b = *(uint32_t *)(mem + y * fix.line_length +
							   x * 4);

				diff += ((a ^ b) & 0xffffff) != 0;
				lit += (a & 0xffffff) != 0;
			}
		free(px);
	}
	ok(diff == 0,
	   "the exported pixels are fb0's, every one of %ux%u (%ld differ; %ld tries)",
	   mode.width, mode.height, diff, tries);
	ok(lit > 0, "and the picture is not blank (%ld pixels not black)",
	   lit);
	return done_testing();
}

/* -- draw ---------------------------------------------------------------- */

struct dumb {
	__u32 w, h, pitch, handle, fb_id;
	__u64 size;
	uint32_t *px;
};

/* Pixel x, y of pattern @k: every pixel of a row differs from the next. */
static uint32_t pattern(unsigned int k, __u32 x, __u32 y)
{
	return (((x * 7 + k * 97) & 0xff) << 16 | ((y * 5) & 0xff) << 8 |
		((x >> 8) * 40 + (y >> 8) * 80 + k * 31)) & 0xffffff;
}

static int dumb_new(int card, __u32 w, __u32 h, unsigned int k,
		    struct dumb *d)
{
	struct drm_mode_create_dumb cd = { .width = w, .height = h, .bpp = 32 };
	struct drm_mode_fb_cmd fb = { .bpp = 32, .depth = 24 };
	struct drm_mode_map_dumb map = { 0 };
	__u32 x, y;

	if (ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &cd))
		return -1;
	map.handle = cd.handle;
	if (ioctl(card, DRM_IOCTL_MODE_MAP_DUMB, &map))
		return -1;
	d->px = mmap(NULL, cd.size, PROT_READ | PROT_WRITE, MAP_SHARED, card,
		     map.offset);
	if (d->px == MAP_FAILED)
		return -1;
	d->size = cd.size;
	d->w = w;
	d->h = h;
	d->pitch = cd.pitch;
	d->handle = cd.handle;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			d->px[y * (d->pitch / 4) + x] = pattern(k, x, y);
	fb.width = w;
	fb.height = h;
	fb.pitch = cd.pitch;
	fb.handle = cd.handle;
	if (ioctl(card, DRM_IOCTL_MODE_ADDFB, &fb))
		return -1;
	d->fb_id = fb.fb_id;
	return 0;
}

/*
 * The pixels of the export (@mode's, read whole) that are not those of
 * @d from its pixel @x0, @y0 on; -1 when they cannot be read.
 */
static long differ_at(int xfd, const struct uvirtio_export_event *mode,
		      const struct dumb *d, __u32 x0, __u32 y0)
{
	uint32_t *px = grab(xfd, mode);
	long n = 0;
	__u32 x, y;

	if (!px)
		return -1;
	for (y = 0; y < mode->height; y++)
		for (x = 0; x < mode->width; x++)
			n += ((px[y * mode->width + x] ^
			       d->px[(y0 + y) * (d->pitch / 4) + x0 + x]) &
			      0xffffff) != 0;
	free(px);
	return n;
}

static long differ_all(int xfd, const struct uvirtio_export_event *mode,
		       const struct dumb *d)
{
	return differ_at(xfd, mode, d, 0, 0);
}

/* Shows @d on the connector at mode @m, from its pixel @x, @y on. */
static int kms_show_at(int card, struct kms *k, unsigned int m,
		       const struct dumb *d, __u32 x, __u32 y)
{
	struct drm_mode_crtc crtc = {
		.x = x,
		.y = y,
		.crtc_id = k->crtc,
		.fb_id = d->fb_id,
		.set_connectors_ptr = (uintptr_t)&k->conn,
		.count_connectors = 1,
		.mode = k->modes[m],
		.mode_valid = 1,
	};

	return ioctl(card, DRM_IOCTL_MODE_SETCRTC, &crtc);
}

static int kms_show(int card, struct kms *k, unsigned int m,
		    const struct dumb *d)
{
	return kms_show_at(card, k, m, d, 0, 0);
}

/*
 * The DAMAGE events that come within @ms, the first in @r; @modes counts
 * the MODE events among them.
 */
static int damage_within(int xfd, int ms, struct uvirtio_export_event *r,
			 int *modes)
{
	struct uvirtio_export_event ev;
	int n = 0;

	*modes = 0;
	for (; ms > 0; ms -= 10) {
		if (next_event(xfd, &ev, 10))
			continue;
		*modes += ev.type == UVIRTIO_EXPORT_MODE;
		if (ev.type == UVIRTIO_EXPORT_DAMAGE && !n++)
			*r = ev;
	}
	return n;
}

/*
 * Whether DAMAGE event @d is the rectangle @x, @y, @w x @h of the head, or
 * all of a head of @hw x @hh: 6.12's virtio_gpu flushes the whole plane
 * for the DIRTYFB calls below, 6.1's the rectangle said dirty.
 */
static int damage_is(const struct uvirtio_export_event *d, __u32 x, __u32 y,
		     __u32 w, __u32 h, __u32 hw, __u32 hh)
{
	return (d->x == x && d->y == y && d->width == w && d->height == h) ||
	       (d->x == 0 && d->y == 0 && d->width == hw && d->height == hh);
}

static int draw(int gpu, const char *card_path)
{
	struct uvirtio_export_event fbcon_mode = { 0 }, dmg = { 0 };
	struct uvirtio_export_event mode, ev = { 0 };
	struct drm_clip_rect clip = { 100, 50, 300, 150 };
	struct drm_mode_fb_dirty_cmd dirty = { .num_clips = 1 };
	struct dumb a, b;
	struct kms k;
	int fd = xopen(), xfd, card, n, modes;
	unsigned int m2, x, y;
	__u64 seq;
	long diff;

	xfd = gpu_export(fd, gpu, 0);
	n = xfd >= 0 ? wait_mode(xfd, &fbcon_mode, 0, 0, 1000) : -1;
	ok(n == 0, "UV_GPU_EXPORT of head 0: fbcon's mode %ux%u",
	   fbcon_mode.width, fbcon_mode.height);
	card = open(card_path, O_RDWR | O_CLOEXEC);
	if (xfd < 0 || card < 0 || kms_find(card, &k)) {
		printf("Bail out! %s: no connected connector\n", card_path);
		return 1;
	}
	/* A mode of another size than the first, for the mode change. */
	for (m2 = 1; m2 < k.nr_modes; m2++)
		if (k.modes[m2].hdisplay != k.modes[0].hdisplay &&
		    k.modes[m2].vdisplay != k.modes[0].vdisplay)
			break;
	if (m2 == k.nr_modes || dumb_new(card, k.modes[0].hdisplay,
					 k.modes[0].vdisplay, 1, &a) ||
	    dumb_new(card, k.modes[m2].hdisplay, k.modes[m2].vdisplay, 2,
		     &b)) {
		printf("Bail out! %s: no second mode or no dumb buffer\n",
		       card_path);
		return 1;
	}

	/* The same mode as fbcon's, other pixels: all of it is damaged. */
	ok(kms_show(card, &k, 0, &a) == 0, "SETCRTC of our %ux%u framebuffer",
	   a.w, a.h);
	n = damage_within(xfd, 1000, &dmg, &modes);
	ok(n >= 1 && dmg.x == 0 && dmg.y == 0 && dmg.width == a.w &&
	   dmg.height == a.h,
	   "a DAMAGE event of all of it (%d events; %u,%u %ux%u)", n, dmg.x,
	   dmg.y, dmg.width, dmg.height);
	ok(!modes, "and no MODE event, the mode being fbcon's (%d)", modes);
	mode = fbcon_mode;
	ok(differ_all(xfd, &mode, &a) == 0,
	   "the exported pixels are our framebuffer's, every one");

	/* Exact damage: one rectangle drawn and said dirty. */
	for (y = clip.y1; y < clip.y2; y++)
		for (x = clip.x1; x < clip.x2; x++)
			a.px[y * (a.pitch / 4) + x] = pattern(3, x, y);
	dirty.fb_id = a.fb_id;
	dirty.clips_ptr = (uintptr_t)&clip;
	ok(ioctl(card, DRM_IOCTL_MODE_DIRTYFB, &dirty) == 0,
	   "DIRTYFB of 200x100 at 100,50");
	seq = dmg.seq;
	n = damage_within(xfd, 1000, &dmg, &modes);
	ok(n == 1 && !modes && damage_is(&dmg, 100, 50, 200, 100, a.w, a.h),
	   "one DAMAGE event, of that rectangle or the whole head (%d; %u,%u %ux%u)",
	   n, dmg.x, dmg.y, dmg.width, dmg.height);
	ok(dmg.seq > seq, "its seq grew (%llu > %llu)",
	   (unsigned long long)dmg.seq, (unsigned long long)seq);
	ok(differ_all(xfd, &mode, &a) == 0,
	   "the exported pixels are the new ones there, the old elsewhere");
	ok(next_event(xfd, &ev, 1500) == -1,
	   "no event in 1.5 s while nothing draws");

	/*
	 * The export is what the device was given (TRANSFER_TO_HOST_2D),
	 * not what is drawn since: a reader never sees half a frame.
	 */
	for (y = 300; y < 340; y++)
		for (x = 400; x < 480; x++)
			a.px[y * (a.pitch / 4) + x] = pattern(4, x, y);
	diff = differ_all(xfd, &mode, &a);
	ok(diff == 80 * 40,
	   "pixels drawn and not said dirty are not exported yet (%ld differ, 3200 expected)",
	   diff);
	clip = (struct drm_clip_rect){ 400, 300, 480, 340 };
	ok(ioctl(card, DRM_IOCTL_MODE_DIRTYFB, &dirty) == 0,
	   "DIRTYFB of 80x40 at 400,300");
	n = damage_within(xfd, 1000, &dmg, &modes);
	ok(n == 1 && damage_is(&dmg, 400, 300, 80, 40, a.w, a.h),
	   "one DAMAGE event, of that rectangle or the whole head (%d; %u,%u %ux%u)",
	   n, dmg.x, dmg.y, dmg.width, dmg.height);
	ok(differ_all(xfd, &mode, &a) == 0,
	   "then the exported pixels are the new ones");

	/* Another mode: a MODE event, and the old seq is stale. */
	ok(kms_show(card, &k, m2, &b) == 0, "SETCRTC of a %ux%u framebuffer",
	   b.w, b.h);
	n = wait_mode(xfd, &ev, b.w, b.h, 2000);
	ok(n == 0, "a MODE event of %ux%u (got %ux%u)", b.w, b.h, ev.width,
	   ev.height);
	ok(ev.seq > dmg.seq && ev.format == VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM,
	   "with a new seq and format B8G8R8X8");
	errno = 0;
	n = grab(xfd, &mode) ? 0 : errno;
	ok(n == ESTALE, "UV_EXPORT_PIXELS of the old mode: ESTALE (%s)",
	   strerror(n));
	ok(differ_all(xfd, &ev, &b) == 0,
	   "the exported pixels are the new framebuffer's, every one");

	/*
	 * The first framebuffer at the second mode, from 64, 32 on: the
	 * scanout is a rectangle inside its resource, damage is in the
	 * head's coordinates and clipped to what it shows.
	 */
	mode = ev;
	ok(kms_show_at(card, &k, m2, &a, 64, 32) == 0,
	   "SETCRTC of the first framebuffer at %ux%u from 64,32", b.w, b.h);
	n = damage_within(xfd, 1000, &dmg, &modes);
	ok(n >= 1 && !modes && dmg.x == 0 && dmg.y == 0 &&
	   dmg.width == b.w && dmg.height == b.h,
	   "a DAMAGE event of all of the head, no MODE event (%d, %d; %u,%u %ux%u)",
	   n, modes, dmg.x, dmg.y, dmg.width, dmg.height);
	ok(differ_at(xfd, &mode, &a, 64, 32) == 0,
	   "the exported pixels are the framebuffer's from 64,32 on");
	clip = (struct drm_clip_rect){ 0, 0, 100, 100 };
	ok(ioctl(card, DRM_IOCTL_MODE_DIRTYFB, &dirty) == 0,
	   "DIRTYFB of 100x100 at 0,0 of the framebuffer");
	n = damage_within(xfd, 1000, &dmg, &modes);
	ok(n == 1 && damage_is(&dmg, 0, 0, 36, 68, b.w, b.h),
	   "one DAMAGE event, of the part shown (36x68 at 0,0) or the whole head (%d; %u,%u %ux%u)",
	   n, dmg.x, dmg.y, dmg.width, dmg.height);
	clip = (struct drm_clip_rect){ 300, 200, 400, 260 };
	ok(ioctl(card, DRM_IOCTL_MODE_DIRTYFB, &dirty) == 0,
	   "DIRTYFB of 100x60 at 300,200");
	n = damage_within(xfd, 1000, &dmg, &modes);
	ok(n == 1 && damage_is(&dmg, 236, 168, 100, 60, b.w, b.h),
	   "one DAMAGE event, at 236,168 of the head or the whole head (%d; %u,%u %ux%u)",
	   n, dmg.x, dmg.y, dmg.width, dmg.height);

	/* The last close hands the display back to fbcon; a mapping holds it. */
	munmap(a.px, a.size);
	munmap(b.px, b.size);
	close(card);
	n = wait_mode(xfd, &ev, fbcon_mode.width, fbcon_mode.height, 5000);
	ok(n == 0, "fbcon's mode is back within 5 s (%ux%u)", ev.width,
	   ev.height);
	close(xfd);
	close(fd);
	return done_testing();
}

/* -- gone, watch --------------------------------------------------------- */

static int gone(int gpu)
{
	struct uvirtio_export_event ev, mode = { 0 };
	struct uvirtio_destroy d = { .id = gpu };
	struct pollfd p;
	static uint32_t px[16];
	int fd = xopen(), xfd, got = 0, t, n;

	xfd = gpu_export(fd, gpu, 0);
	ok(xfd >= 0 && next_event(xfd, &mode, 1000) == 0,
	   "UV_GPU_EXPORT of head 0 of device %d", gpu);
	ok(ioctl(fd, UV_DEV_DESTROY, &d) == 0,
	   "UV_DEV_DESTROY of the device, its head watched");
	close(fd);
	for (t = 0; t < 10000 && !got; t += 100)
		if (!next_event(xfd, &ev, 100) &&
		    ev.type == UVIRTIO_EXPORT_GONE)
			got = 1;
	ok(got, "the reader gets a GONE event");
	fails(read(xfd, &ev, sizeof(ev)), ENODEV, "then read()");
	p.fd = xfd;
	p.events = POLLIN;
	n = poll(&p, 1, 0);
	ok(n == 1 && (p.revents & POLLHUP), "poll() says POLLHUP (%#x)",
	   p.revents);
	fails(pixels_call(xfd, &mode, 0, 0, 4, 4, 16, px), ENODEV,
	      "UV_EXPORT_PIXELS");
	fd = xopen();
	fails(gpu_export(fd, gpu, 0), ENOENT,
	      "UV_GPU_EXPORT of the device destroyed");
	close(fd);
	/* The device's memory goes with this, the last reference. */
	close(xfd);
	return done_testing();
}

static int watch(int gpu, int head)
{
	struct uvirtio_export_event ev;
	int fd = xopen(), xfd = gpu_export(fd, gpu, head);

	if (xfd < 0) {
		perror("UV_GPU_EXPORT");
		return 1;
	}
	printf("attached\n");
	fflush(stdout);
	while (read(xfd, &ev, sizeof(ev)) == sizeof(ev)) {
		if (ev.type == UVIRTIO_EXPORT_MODE)
			printf("mode %u %u %u%s\n", ev.width, ev.height,
			       ev.format,
			       ev.flags & UVIRTIO_EXPORT_EV_LOST ? " lost" : "");
		else if (ev.type == UVIRTIO_EXPORT_DAMAGE)
			printf("damage %u %u %u %u\n", ev.x, ev.y, ev.width,
			       ev.height);
		else
			printf("gone\n");
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "abi"))
		return abi(atoi(argv[2]), atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "fbcon"))
		return fbcon(atoi(argv[2]), argv[3]);
	if (argc == 4 && !strcmp(argv[1], "draw"))
		return draw(atoi(argv[2]), argv[3]);
	if (argc == 3 && !strcmp(argv[1], "gone"))
		return gone(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "watch"))
		return watch(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: see the comment at the top of %s\n",
		__FILE__);
	return 2;
}
