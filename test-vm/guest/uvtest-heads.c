// SPDX-License-Identifier: GPL-2.0
/*
 * The heads of a virtio-gpu through UV_GPU_HEAD, in the test guest.
 *   uvtest-heads check               TAP: what UV_GPU_HEAD refuses, and why
 *   uvtest-heads create MODE...      a sticky virtio-gpu with one head per
 *                                    MODE (WIDTHxHEIGHT[@DPI]); prints its id
 *   uvtest-heads hold MODE...        the same, not sticky: prints its id and
 *                                    keeps it until killed
 *   uvtest-heads create-events MODE...  create, with events_read's DISPLAY
 *                                    bit set in the config space given
 *   uvtest-heads edid-reply SIZE     a sticky virtio-gpu with no heads that
 *                                    offers EDID; its expectations answer
 *                                    GET_EDID with a valid base block, type
 *                                    RESP_OK_NODATA and size SIZE; prints
 *                                    its id
 *   uvtest-heads huge-mode           a sticky virtio-gpu with no heads whose
 *                                    display info enables 1024x4294967293;
 *                                    prints its id
 *   uvtest-heads set ID HEAD MODE|off  plugs, resizes or unplugs a head
 *   uvtest-heads storm ID RESIZES CYCLES  TAP: head 0 resized RESIZES
 *                                    times, then unplugged and plugged
 *                                    CYCLES times; every call must succeed
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/virtio_config.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_ids.h>

#include "uvtest.h"

#define STICK	(1 << UVIRTIO_DEV_FLAG_STICK)

/* MODE is WIDTHxHEIGHT[@DPI] or "off"; 0 when it is neither. */
static int parse_mode(const char *s, struct uvirtio_gpu_head *h)
{
	unsigned int w, hh, dpi = 0;
	char end;

	if (!strcmp(s, "off"))
		return 1;
	if (sscanf(s, "%ux%u%c", &w, &hh, &end) == 2 ||
	    (sscanf(s, "%ux%u@%u%c", &w, &hh, &dpi, &end) == 3)) {
		h->flags |= UVIRTIO_HEAD_F_CONNECTED;
		h->width = w;
		h->height = hh;
		h->dpi = dpi;
		return 1;
	}
	return 0;
}

/* events_read of the config spaces gpu_create() gives. */
static __u32 config_events;

/* A virtio-gpu's config space with @heads scanouts. */
static void gpu_config(struct virtio_gpu_config *c, __u32 heads)
{
	memset(c, 0, sizeof(*c));
	c->num_scanouts = heads;
	c->events_read = config_events;
}

static int gpu_create(int fd, __u32 heads, __u16 flags, __u32 id)
{
	static struct virtio_gpu_config c;
	struct uvirtio_setup s = {
		.config_addr = (uintptr_t)&c,
		.config_len = sizeof(c),
		.flags = flags,
		.id = id,
	};

	gpu_config(&c, heads);
	return ioctl(fd, UV_DEV_CREATE, &s);
}

static int head_ioctl(int fd, __u32 dev_id, __u32 head, __u32 flags,
		      __u32 w, __u32 h, __u32 dpi)
{
	struct uvirtio_gpu_head g = {
		.dev_id = dev_id, .head = head, .flags = flags,
		.width = w, .height = h, .dpi = dpi,
	};

	return ioctl(fd, UV_GPU_HEAD, &g);
}

#define CONN	UVIRTIO_HEAD_F_CONNECTED
#define DEV	UVIRTIO_HEAD_F_DEVICE

/* What UV_GPU_HEAD refuses before it looks at any device. */
static const struct bad_head {
	const char *why;
	__u32 dev_id, head, flags, width, height, dpi;
	int reserved;
} bad_heads[] = {
	{ "a reserved field set", 0, 0, CONN, 1024, 768, 0, 1 },
	{ "an unknown flag", 0, 0, CONN | 4, 1024, 768, 0, 0 },
	{ "head 16", 0, 16, CONN, 1024, 768, 0, 0 },
	{ "a width of 63", 0, 0, CONN, 63, 768, 0, 0 },
	{ "a width of 8193", 0, 0, CONN, 8193, 768, 0, 0 },
	{ "a height of 63", 0, 0, CONN, 1024, 63, 0, 0 },
	{ "a height of 8193", 0, 0, CONN, 1024, 8193, 0, 0 },
	{ "47 dpi", 0, 0, CONN, 1024, 768, 47, 0 },
	{ "961 dpi", 0, 0, CONN, 1024, 768, 961, 0 },
	{ "a size on a head not connected", 0, 0, 0, 1024, 768, 0, 0 },
	{ "a dpi on a head not connected", 0, 0, 0, 0, 0, 96, 0 },
	{ "a device id without UVIRTIO_HEAD_F_DEVICE", 3, 0, CONN, 1024, 768,
	  0, 0 },
};

static void check_bad_heads(void)
{
	struct uvirtio_gpu_head g;
	size_t i;
	int fd = xopen();

	for (i = 0; i < sizeof(bad_heads) / sizeof(bad_heads[0]); i++) {
		const struct bad_head *b = &bad_heads[i];
		char what[128];

		memset(&g, 0, sizeof(g));
		g.dev_id = b->dev_id;
		g.head = b->head;
		g.flags = b->flags;
		g.width = b->width;
		g.height = b->height;
		g.dpi = b->dpi;
		g.reserved[2] = b->reserved;
		snprintf(what, sizeof(what), "UV_GPU_HEAD with %s", b->why);
		fails(ioctl(fd, UV_GPU_HEAD, &g), EINVAL, what);
	}
	fails(ioctl(fd, UV_GPU_HEAD, (void *)16), EFAULT,
	      "UV_GPU_HEAD with an unmapped argument");
	close(fd);
}

/*
 * An expectation that answers GET_EDID with @size: the module takes it
 * only when @size fits the spec's edid[].
 */
static int create_with_edid_reply(int fd, __u32 size)
{
	static struct uvirtio_expect ex;
	static __le32 match, reply[7];

	match = VIRTIO_GPU_CMD_GET_EDID;
	memset(reply, 0, sizeof(reply));
	reply[0] = VIRTIO_GPU_RESP_OK_EDID;
	reply[6] = size;
	memset(&ex, 0, sizeof(ex));
	strcpy(ex.expects[0].vq_name, "control");
	ex.expects[0].blocks[0].len = sizeof(struct virtio_gpu_cmd_get_edid);
	ex.expects[0].blocks[0].flags = VRING_DESC_F_NEXT;
	ex.expects[0].blocks[0].data = (uintptr_t)&match;
	ex.expects[0].blocks[0].rules[0].len = sizeof(match);
	ex.expects[0].blocks[1].len = sizeof(struct virtio_gpu_resp_edid);
	ex.expects[0].blocks[1].flags = VRING_DESC_F_WRITE;
	ex.expects[0].blocks[1].data = (uintptr_t)reply;
	ex.expects[0].blocks[1].rules[0].len = sizeof(reply);
	if (ioctl(fd, UV_DEV_EXPECT, &ex))
		return -1;
	/* Without VIRTIO_GPU_F_EDID the driver never asks: the check runs. */
	return gpu_create(fd, 1, 0, VIRTIO_ID_GPU);
}

static void check_devices(void)
{
	int fd = xopen(), other = xopen(), id, rc;
	__u32 version = 0;

	/* Argument order is unspecified: read the version before ok(). */
	rc = ioctl(fd, UV_GET_API_VERSION, &version);
	ok(rc == 0 && version >= 2,
	   "UV_GET_API_VERSION is 2 or later with UV_GPU_HEAD (got %u)",
	   version);

	fails(head_ioctl(other, 0x7ffffff0, 0, DEV | CONN, 1024, 768, 0),
	      ENOENT, "UV_GPU_HEAD on a device that does not exist");

	/* A device of another type (off the allow-list: any_type). */
	ok(set_param("any_type", 1) == 0, "any_type on, for a type no driver binds");
	id = gpu_create(fd, 1, 0, 0xfff0);
	ok(id >= 0, "a device of type 0xfff0 is created (id %d)", id);
	fails(head_ioctl(other, id, 0, DEV | CONN, 1024, 768, 0), EINVAL,
	      "UV_GPU_HEAD on a device that is not a virtio-gpu");
	close(fd);

	/* Heads set up for a device that is then not a virtio-gpu. */
	fd = xopen();
	ok(head_ioctl(fd, 0, 0, CONN, 1024, 768, 0) == 0,
	   "UV_GPU_HEAD before UV_DEV_CREATE keeps a head");
	fails(gpu_create(fd, 1, 0, 0xfff0), EINVAL,
	      "UV_DEV_CREATE of another type after UV_GPU_HEAD");
	close(fd);
	ok(set_param("any_type", 0) == 0, "any_type off again");

	/* No scanout: every virtio_gpu refuses it, 5.10's with an oops. */
	fd = xopen();
	fails(gpu_create(fd, 0, 0, VIRTIO_ID_GPU), EINVAL,
	      "UV_DEV_CREATE of a virtio-gpu with num_scanouts 0");
	close(fd);

	/* A head that the config space does not count. */
	fd = xopen();
	ok(head_ioctl(fd, 0, 1, CONN, 1024, 768, 0) == 0,
	   "UV_GPU_HEAD for head 1 before UV_DEV_CREATE");
	fails(gpu_create(fd, 1, 0, VIRTIO_ID_GPU), EINVAL,
	      "UV_DEV_CREATE with num_scanouts 1 and head 1 given");
	close(fd);

	/* A virtio-gpu given no head: its display is its expectations'. */
	fd = xopen();
	id = gpu_create(fd, 1, 0, VIRTIO_ID_GPU);
	ok(id >= 0, "a virtio-gpu with one scanout, no heads, is created (id %d)",
	   id);
	fails(head_ioctl(other, id, 0, DEV | CONN, 1024, 768, 0), EINVAL,
	      "UV_GPU_HEAD on a virtio-gpu created without heads");
	fails(head_ioctl(fd, 0, 0, CONN, 1024, 768, 0), EBUSY,
	      "UV_GPU_HEAD without UVIRTIO_HEAD_F_DEVICE after UV_DEV_CREATE");
	close(fd);

	/* A virtio-gpu with heads, and no scanout the driver would take. */
	fd = xopen();
	ok(head_ioctl(fd, 0, 0, CONN, 1024, 768, 0) == 0 &&
	   head_ioctl(fd, 0, 0, 0, 0, 0, 0) == 0,
	   "a head given, then taken back, before UV_DEV_CREATE");
	close(fd);

	fd = xopen();
	fails(create_with_edid_reply(fd, 1025), EINVAL,
	      "a virtio-gpu whose GET_EDID reply says 1025 bytes");
	close(fd);
	fd = xopen();
	id = create_with_edid_reply(fd, 1024);
	ok(id >= 0, "a virtio-gpu whose GET_EDID reply says 1024 bytes (id %d)",
	   id);
	close(fd);
	close(other);
}

/*
 * A virtio-gpu with one head per MODE, sticky or not (@flags); prints its
 * id. The file stays open: a device that is not sticky lives as long as
 * the process.
 */
static int create_heads(int argc, char **argv, __u16 flags)
{
	int fd = xopen(), i, id;

	for (i = 0; i < argc; i++) {
		struct uvirtio_gpu_head g = { .head = i };

		if (!parse_mode(argv[i], &g) || ioctl(fd, UV_GPU_HEAD, &g)) {
			fprintf(stderr, "uvtest-heads: head %d '%s': %s\n", i,
				argv[i], strerror(errno));
			return 1;
		}
	}
	id = gpu_create(fd, argc, flags, VIRTIO_ID_GPU);
	if (id < 0) {
		perror("uvtest-heads: UV_DEV_CREATE");
		return 1;
	}
	printf("%d\n", id);
	fflush(stdout);
	return 0;
}

/*
 * A sticky virtio-gpu with one scanout and no heads whose expectations
 * answer GET_DISPLAY_INFO with scanout 0 enabled at @width x @height and,
 * with @edid_size, offers EDID and answers GET_EDID with a valid EDID base
 * block whose size field says @edid_size, in a reply of type RESP_OK_NODATA,
 * which UV_DEV_EXPECT cannot tell from any other reply: virtio_gpu reads
 * it as an EDID all the same. The module must send a mode it cannot
 * compute disabled, and the EDID with size 0 (none). Prints the id.
 */
static int hostile_reply(__u32 width, __u32 height, __u32 edid_size)
{
	static struct uvirtio_expect ex;
	static struct virtio_gpu_config c = { .num_scanouts = 1 };
	static __le32 info_match = VIRTIO_GPU_CMD_GET_DISPLAY_INFO;
	static __le32 edid_match = VIRTIO_GPU_CMD_GET_EDID;
	static struct {
		__le32 type;
		__le32 pmode[6];
	} __attribute__((packed)) info = {
		VIRTIO_GPU_RESP_OK_DISPLAY_INFO, { 0, 0, 0, 0, 1, 0 },
	};
	static struct {
		__le32 type;
		__le32 size;
		__le32 padding;
		unsigned char edid[128];
	} __attribute__((packed)) edid = {
		VIRTIO_GPU_RESP_OK_NODATA, 0, 0,
		{ 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,
		  0x56, 0xd4, [17] = 0x20, [18] = 1, [19] = 4, [20] = 0x80 },
	};
	struct uvirtio_setup s = {
		.features = edid_size ? 1ULL << VIRTIO_GPU_F_EDID : 0,
		.config_addr = (uintptr_t)&c,
		.config_len = sizeof(c),
		.flags = STICK,
		.id = VIRTIO_ID_GPU,
	};
	unsigned char sum = 0;
	int fd = xopen(), i, id;

	edid.size = edid_size;
	info.pmode[2] = width;
	info.pmode[3] = height;
	for (i = 0; i < 127; i++)
		sum += edid.edid[i];
	edid.edid[127] = -sum;

	gpu_expect(&ex, 0, &info_match, sizeof(struct virtio_gpu_ctrl_hdr),
		   &info, sizeof(struct virtio_gpu_resp_display_info), 4,
		   offsetof(struct virtio_gpu_resp_display_info, pmodes),
		   sizeof(info.pmode));
	if (edid_size)
		gpu_expect(&ex, 1, &edid_match,
			   sizeof(struct virtio_gpu_cmd_get_edid), &edid,
			   sizeof(struct virtio_gpu_resp_edid), 4,
			   offsetof(struct virtio_gpu_resp_edid, size),
			   sizeof(edid) - 4);

	if (ioctl(fd, UV_DEV_EXPECT, &ex)) {
		perror("uvtest-heads: UV_DEV_EXPECT");
		return 1;
	}
	id = ioctl(fd, UV_DEV_CREATE, &s);
	if (id < 0) {
		perror("uvtest-heads: UV_DEV_CREATE");
		return 1;
	}
	printf("%d\n", id);
	return 0;
}

static int set_head(const char *id, const char *head, const char *mode)
{
	struct uvirtio_gpu_head g = {
		.dev_id = atoi(id), .head = atoi(head),
		.flags = UVIRTIO_HEAD_F_DEVICE,
	};
	int fd = xopen();

	if (!parse_mode(mode, &g)) {
		fprintf(stderr, "uvtest-heads: '%s' is not a mode\n", mode);
		return 2;
	}
	if (ioctl(fd, UV_GPU_HEAD, &g)) {
		fprintf(stderr, "uvtest-heads: UV_GPU_HEAD: %s\n",
			strerror(errno));
		return 1;
	}
	return 0;
}

/*
 * Changes faster than the driver follows: each is a monitor change it
 * must take in, coalesced or not. A short pause every 16 lets the work
 * item and the driver run on a guest with one busy CPU.
 */
static int storm(__u32 id, unsigned int resizes, unsigned int cycles)
{
	static const __u32 modes[][2] = {
		{ 1280, 720 }, { 800, 600 }, { 1920, 1080 }, { 1024, 768 },
	};
	struct timespec pause = { 0, 2 * 1000 * 1000 };
	unsigned int i, failed = 0;
	int fd = xopen();

	for (i = 0; i < resizes; i++) {
		const __u32 *m = modes[i % 4];

		failed += head_ioctl(fd, id, 0, DEV | CONN, m[0], m[1], 0) != 0;
		if (i % 16 == 15)
			nanosleep(&pause, NULL);
	}
	ok(!failed, "%u resizes of head 0 (%u refused)", resizes, failed);
	failed = 0;
	for (i = 0; i < cycles; i++) {
		failed += head_ioctl(fd, id, 0, DEV, 0, 0, 0) != 0;
		failed += head_ioctl(fd, id, 0, DEV | CONN, 1024, 768, 0) != 0;
		if (i % 8 == 7)
			nanosleep(&pause, NULL);
	}
	ok(!failed, "%u unplug/plug cycles of head 0 (%u refused)", cycles,
	   failed);
	close(fd);
	return done_testing();
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "check")) {
		check_bad_heads();
		check_devices();
		return done_testing();
	}
	if (argc >= 3 && !strcmp(argv[1], "create"))
		return create_heads(argc - 2, argv + 2, STICK);
	if (argc >= 3 && !strcmp(argv[1], "create-events")) {
		config_events = VIRTIO_GPU_EVENT_DISPLAY;
		return create_heads(argc - 2, argv + 2, STICK);
	}
	if (argc >= 3 && !strcmp(argv[1], "hold")) {
		if (create_heads(argc - 2, argv + 2, 0))
			return 1;
		for (;;)
			pause();
	}
	if (argc == 3 && !strcmp(argv[1], "edid-reply"))
		return hostile_reply(1024, 768, strtoul(argv[2], NULL, 0));
	if (argc == 2 && !strcmp(argv[1], "huge-mode"))
		return hostile_reply(1024, 0xfffffffd, 0);
	if (argc == 5 && !strcmp(argv[1], "set"))
		return set_head(argv[2], argv[3], argv[4]);
	if (argc == 5 && !strcmp(argv[1], "storm"))
		return storm(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: uvtest-heads check | create MODE... | create-events MODE... | hold MODE... | edid-reply SIZE | huge-mode | set ID HEAD MODE|off | storm ID RESIZES CYCLES\n");
	return 2;
}
