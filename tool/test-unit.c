// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of uvirtio-boot's pure parts: command-line parsing, profile
 * parsing and its errors, the ioctl structures built from a profile, and
 * how it runs a helper (modprobe).
 * TAP output, one assertion per fact. Run from the top of the tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "cmdline.h"
#include "helper.h"
#include "kshim.h"
#include "profile.h"
#include "../kernel/edid.h"

static int tests, failures;

static void ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!cond)
		failures++;
	printf("%s %d - ", cond ? "ok" : "not ok", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void test_cmdline_mode(const char *cmdline, enum gpu_request want,
			      long w, long h)
{
	struct gpu_req req;
	enum gpu_request got = cmdline_gpu(cmdline, &req);
	const char *msg = req.msg;
	long width = req.heads[0].width, height = req.heads[0].height;
	char name[128];
	size_t i;

	/* The test's name on one TAP line. */
	snprintf(name, sizeof(name), "%s", cmdline);
	for (i = 0; name[i]; i++)
		if (name[i] == '\n')
			name[i] = ' ';
	cmdline = name;

	if (want == GPU_MODE)
		ok(got == GPU_MODE && width == w && height == h,
		   "cmdline '%s' gives %ldx%ld", cmdline, w, h);
	else
		ok(got == want, "cmdline '%s' gives %s%s%s", cmdline,
		   want == GPU_ABSENT ? "no request" :
		   want == GPU_OFF ? "off" : "invalid",
		   want == GPU_INVALID ? ": " : "",
		   want == GPU_INVALID ? msg : "");
	if (want == GPU_INVALID) {
		ok(strstr(msg, "uvirtio.gpu") != NULL,
		   "the message for '%s' names uvirtio.gpu", cmdline);
		ok(width == 0 && height == 0,
		   "'%s' gives no width or height (%ldx%ld)", cmdline,
		   width, height);
	}
}

static void test_cmdline(void)
{
	test_cmdline_mode("", GPU_ABSENT, 0, 0);
	test_cmdline_mode("root=/dev/vda quiet", GPU_ABSENT, 0, 0);
	test_cmdline_mode("quiet uvirtio.gpu=1920x1080\n", GPU_MODE, 1920, 1080);
	test_cmdline_mode("uvirtio.gpu=800X600", GPU_MODE, 800, 600);
	test_cmdline_mode("uvirtio.gpu=\"1280x720\" ro", GPU_MODE, 1280, 720);
	test_cmdline_mode("uvirtio.gpu=640x480 uvirtio.gpu=1024x600",
			  GPU_MODE, 1024, 600);
	test_cmdline_mode("uvirtio.gpu=99999x99999", GPU_MODE, 99999, 99999);
	test_cmdline_mode("uvirtio.gpu=off", GPU_OFF, 0, 0);
	test_cmdline_mode("uvirtio.gpu=0", GPU_OFF, 0, 0);
	test_cmdline_mode("uvirtio.gpu=abc", GPU_INVALID, 0, 0);
	test_cmdline_mode("uvirtio.gpu=0x0", GPU_MODE, 0, 0);
	test_cmdline_mode("uvirtio.gpu=1920x", GPU_INVALID, 0, 0);
	test_cmdline_mode("uvirtio.gpu=x1080", GPU_INVALID, 0, 0);
	test_cmdline_mode("uvirtio.gpu=1920x1080x3", GPU_INVALID, 0, 0);
	test_cmdline_mode("uvirtio.gpu=123456x1", GPU_MODE, 123456, 1);
	test_cmdline_mode("uvirtio.gpu=99999999999999999999999x1", GPU_MODE,
			  GPU_SIDE_BIG, 1);
	test_cmdline_mode("uvirtio.gpu=999999999x1000000000", GPU_MODE,
			  999999999, GPU_SIDE_BIG);
	test_cmdline_mode("uvirtio.gpu=-1x5", GPU_INVALID, 0, 0);
	test_cmdline_mode("uvirtio.gpu=", GPU_INVALID, 0, 0);
	test_cmdline_mode("uvirtio.gpu", GPU_INVALID, 0, 0);
	test_cmdline_mode("xuvirtio.gpu=800x600", GPU_ABSENT, 0, 0);
	test_cmdline_mode("uvirtio.gpux=800x600", GPU_ABSENT, 0, 0);
	test_cmdline_mode("init=/bin/sh -- uvirtio.gpu=800x600", GPU_ABSENT, 0, 0);
	test_cmdline_mode("foo=\"a uvirtio.gpu=800x600\"", GPU_ABSENT, 0, 0);

	/* As the kernel's next_arg() reads words and kstrtoul() numbers. */
	test_cmdline_mode("\"uvirtio.gpu=1920x1080\"", GPU_MODE, 1920, 1080);
	test_cmdline_mode("ro \"uvirtio.gpu=off\" quiet", GPU_OFF, 0, 0);
	test_cmdline_mode("uvirtio.gpu=\"800x600", GPU_MODE, 800, 600);
	test_cmdline_mode("uvirtio.gpu=640x480\tuvirtio.gpu=800x600\v",
			  GPU_MODE, 800, 600);
	test_cmdline_mode("uvirtio.gpu=01920x01080", GPU_MODE, 1920, 1080);
	test_cmdline_mode("uvirtio.gpu=0001920x0001080", GPU_MODE, 1920, 1080);
	test_cmdline_mode("uvirtio.gpu=OFF", GPU_OFF, 0, 0);
	test_cmdline_mode("uvirtio.gpu=Off", GPU_OFF, 0, 0);
	test_cmdline_mode("uvirtio.gpu=00", GPU_OFF, 0, 0);
	test_cmdline_mode("uvirtio.gpu=000", GPU_OFF, 0, 0);
	/* Bounds are not the command line's business: see test_gpu_decide. */
	test_cmdline_mode("uvirtio.gpu=63x8193", GPU_MODE, 63, 8193);
	test_cmdline_mode("uvirtio.gpu=100000x1", GPU_MODE, 100000, 1);
	test_cmdline_mode("uvirtio.gpu=+1920x1080", GPU_INVALID, 0, 0);
	test_cmdline_mode("uvirtio.gpu=1920x+1080", GPU_INVALID, 0, 0);
	test_cmdline_mode("uvirtio.gpu=1920xabc", GPU_INVALID, 0, 0);
	test_cmdline_mode("uvirtio.gpu=1920x1080junk", GPU_INVALID, 0, 0);
	test_cmdline_mode("uvirtio.gpu=1920x1080x", GPU_INVALID, 0, 0);
	test_cmdline_mode("uvirtio.gpu=1920", GPU_INVALID, 0, 0);
	test_cmdline_mode("uvirtio.gpu=offf", GPU_INVALID, 0, 0);
	test_cmdline_mode("uvirtio.gpu=0ff", GPU_INVALID, 0, 0);
	test_cmdline_mode("uvirtio.gpu=1920 x1080", GPU_INVALID, 0, 0);
	test_cmdline_mode("\"uvirtio.gpu\"", GPU_INVALID, 0, 0);
	test_cmdline_mode("\"--\" uvirtio.gpu=800x600", GPU_ABSENT, 0, 0);
}

/* /etc/uvirtio.conf: its words, read like the command line. */
static void test_config_case(const char *text, int want_ret,
			     enum gpu_request want, long w, long h)
{
	char buf[256], msg[256] = "", name[128];
	struct gpu_req req;
	enum gpu_request got;
	int ret;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", text);
	snprintf(name, sizeof(name), "%s", text);
	for (i = 0; name[i]; i++)
		if (name[i] == '\n' || name[i] == '\r')
			name[i] = '|';
	ret = config_words(buf, msg, sizeof(msg));
	ok(ret == want_ret, "config '%s' %s%s", name,
	   want_ret ? "reports an unknown setting: " : "has no unknown setting",
	   want_ret ? msg : "");
	got = cmdline_gpu(buf, &req);
	ok(got == want &&
	   (want != GPU_MODE || (req.heads[0].width == w && req.heads[0].height == h)),
	   "config '%s' gives %s %ldx%ld", name,
	   want == GPU_ABSENT ? "no request" : want == GPU_OFF ? "off" :
	   want == GPU_INVALID ? "invalid" : "mode", w, h);
}

static void test_config(void)
{
	test_config_case("", 0, GPU_ABSENT, 0, 0);
	test_config_case("# nothing set\n", 0, GPU_ABSENT, 0, 0);
	test_config_case("uvirtio.gpu=1920x1080\n", 0, GPU_MODE, 1920, 1080);
	test_config_case("# size\n  uvirtio.gpu=1280x800  # laptop\n", 0,
			 GPU_MODE, 1280, 800);
	test_config_case("uvirtio.gpu=800x600\r\n", 0, GPU_MODE, 800, 600);
	test_config_case("#uvirtio.gpu=800x600\nuvirtio.gpu=off\n", 0,
			 GPU_OFF, 0, 0);
	test_config_case("uvirtio.gpu=1x#2\n", 0, GPU_INVALID, 0, 0);
	test_config_case("gpu=1920x1080\n", -1, GPU_ABSENT, 0, 0);
	test_config_case("uvirtio.gpu 1920x1080\n", -1, GPU_INVALID, 0, 0);
	test_config_case("quiet uvirtio.gpu=640x480\n", -1, GPU_MODE, 640, 480);
	/* A bad value is one message, the value's, not an unknown setting. */
	test_config_case("uvirtio.gpu\n", 0, GPU_INVALID, 0, 0);
	test_config_case("uvirtio.gpu=abc\n", 0, GPU_INVALID, 0, 0);
	test_config_case("\"uvirtio.gpu=800x600\"\n", 0, GPU_MODE, 800, 600);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, n + 1);
	if (buf && fread(buf, 1, n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static struct profile prof;

static uint32_t le32_at(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void test_gpu_profile(void)
{
	const struct uvirtio_block *b;
	struct uvirtio_setup setup;
	const unsigned char *d;
	char *text = slurp("profiles/gpu.profile");

	ok(text != NULL, "profiles/gpu.profile is readable");
	if (!text)
		return;
	ok(profile_parse(&prof, "gpu.profile", text) == 0,
	   "gpu profile parses: %s", prof.err);
	ok(prof.device_id == VIRTIO_ID_GPU, "device id is VIRTIO_ID_GPU");
	ok(prof.config_len == 16, "config space is struct virtio_gpu_config");
	ok(le32_at(prof.config + 8) == 1, "num_scanouts is 1");
	ok(prof.nexpects == 1, "one expectation");
	ok(!strcmp(prof.expect.expects[0].vq_name, "control"),
	   "on the control queue");

	b = &prof.expect.expects[0].blocks[0];
	ok(b->len == 24 && b->flags == VRING_DESC_F_NEXT,
	   "block 0: 24 readable bytes, NEXT");
	ok(b->rules[0].off == 0 && b->rules[0].len == 4 && !b->rules[1].len,
	   "block 0: one rule on the header type");
	d = (const unsigned char *)(uintptr_t)b->data;
	ok(le32_at(d) == 0x0100, "block 0 matches GET_DISPLAY_INFO");

	b = &prof.expect.expects[0].blocks[1];
	ok(b->len == 408 && b->flags == VRING_DESC_F_WRITE,
	   "block 1: 408 writable bytes");
	ok(b->rules[1].off == 24 && b->rules[1].len == 24,
	   "block 1: pmodes[0] at offset 24");
	d = (const unsigned char *)(uintptr_t)b->data;
	ok(le32_at(d) == 0x1101, "reply type RESP_OK_DISPLAY_INFO");
	ok(le32_at(d + 4 + 8) == 1024 && le32_at(d + 4 + 12) == 768,
	   "default mode 1024x768");
	ok(le32_at(d + 4 + 16) == 1, "scanout 0 enabled");
	ok(!prof.expect.expects[0].blocks[2].len && !prof.expect.expects[1].vq_name[0],
	   "lists end with zero entries");

	profile_setup(&prof, &setup, 1);
	ok(setup.id == VIRTIO_ID_GPU && setup.config_len == 16 &&
	   setup.flags == 1,
	   "setup: id, config length, sticky flag");
	ok(setup.config_addr == (uintptr_t)prof.config, "setup points at config");

	ok(profile_set(&prof, "width", 1920) == 0 &&
	   profile_set(&prof, "height", 1080) == 0,
	   "gpu profile takes width=1920 height=1080: %s", prof.err);
	d = (const unsigned char *)(uintptr_t)prof.expect.expects[0].blocks[1].data;
	ok(le32_at(d + 4 + 8) == 1920 && le32_at(d + 4 + 12) == 1080,
	   "mode 1920x1080 in the reply");
	ok(le32_at(d + 4) == 0 && le32_at(d + 4 + 4) == 0 &&
	   le32_at(d + 4 + 16) == 1 && le32_at(d) == 0x1101,
	   "the reply's other bytes stay");
	ok(profile_find_param(&prof, "width")->value == 1920 &&
	   profile_find_param(&prof, "height")->value == 1080,
	   "the parameters hold 1920 and 1080");
	ok(profile_set(&prof, "width", 64) == 0 &&
	   profile_set(&prof, "height", 8192) == 0 &&
	   le32_at(d + 4 + 8) == 64 && le32_at(d + 4 + 12) == 8192,
	   "64x8192, the bounds, are taken");

	ok(profile_set(&prof, "width", 99999) == -1 &&
	   !strcmp(prof.err, "width=99999 is outside 64..8192"),
	   "width 99999 refused: %s", prof.err);
	ok(profile_set(&prof, "height", 63) == -1 &&
	   !strcmp(prof.err, "height=63 is outside 64..8192"),
	   "height 63 refused: %s", prof.err);
	ok(profile_set(&prof, "width", -1) == -1 &&
	   !strcmp(prof.err, "width=-1 is outside 64..8192"),
	   "width -1 refused: %s", prof.err);
	ok(le32_at(d + 4 + 8) == 64 && le32_at(d + 4 + 12) == 8192 &&
	   profile_find_param(&prof, "width")->value == 64,
	   "a refused value changes nothing");
	ok(profile_set(&prof, "depth", 24) == -1 &&
	   !strcmp(prof.err, "no parameter 'depth'"),
	   "unknown parameter refused: %s", prof.err);
	free(text);
}

static const unsigned char *block_data(unsigned int e, unsigned int b)
{
	const struct uvirtio_block *blk = &prof.expect.expects[e].blocks[b];

	return (const unsigned char *)(uintptr_t)blk->data;
}

/* profile_set() rewrites each place a $name went, and nothing else. */
static void test_profile_set(void)
{
	static const unsigned char config0[] = {
		0xee, 5, 0, 0xee, 5, 0, 0, 0, 0xee, 7, 0xee,
	};
	static const unsigned char config1[] = {
		0xee, 0x34, 0x12, 0xee, 0x34, 0x12, 0, 0, 0xee, 7, 0xee,
	};
	const unsigned char *m, *r;
	int ret;

	ret = profile_parse(&prof, "t",
			    "device 1\n"
			    "param w 5 0 65535\n"
			    "param h 7 1 255\n"
			    "param unused 1 0 9\n"
			    "config u8:0xee le16:$w u8:0xee le32:$w u8:0xee u8:$h u8:0xee\n"
			    "expect q\n"
			    "block read 8 next\n"
			    "match 0 le16:$w\n"
			    "match 4 le32:$h\n"
			    "block write 16\n"
			    "reply 0 u8:1 le64:$w le16:$h\n"
			    "reply 12 le32:$w\n");
	ok(ret == 0, "a profile using w and h twice parses (%s)", prof.err);
	if (ret)
		return;
	ok(prof.nuses == 8, "8 uses of parameters recorded (%u)", prof.nuses);
	ok(prof.config_len == sizeof(config0) &&
	   !memcmp(prof.config, config0, sizeof(config0)),
	   "config holds the defaults w=5, h=7");

	ok(profile_set(&prof, "w", 0x1234) == 0, "w=0x1234 is taken (%s)",
	   prof.err);
	ok(!memcmp(prof.config, config1, sizeof(config1)),
	   "config: le16 and le32 w rewritten, u8 h and the 0xee between stay");
	m = block_data(0, 0);
	r = block_data(0, 1);
	ok(m[0] == 0x34 && m[1] == 0x12, "match le16:$w rewritten");
	ok(le32_at(m + 2) == 7, "match le32:$h stays 7");
	ok(r[0] == 1 && le32_at(r + 1) == 0x1234 && le32_at(r + 5) == 0 &&
	   r[9] == 7 && r[10] == 0,
	   "reply: u8 stays, le64:$w rewritten, le16:$h stays");
	ok(le32_at(r + 11) == 0x1234, "second reply's le32:$w rewritten");
	ok(profile_set(&prof, "h", 255) == 0 && prof.config[9] == 255 &&
	   le32_at(m + 2) == 255 && r[9] == 255 && r[10] == 0,
	   "h=255: its u8, le32 and le16 rewritten");
	ok(prof.config[4] == 0x34 && le32_at(r + 11) == 0x1234,
	   "setting h leaves w's bytes alone");
	ok(profile_set(&prof, "h", 256) == -1 &&
	   !strcmp(prof.err, "h=256 is outside 1..255") &&
	   prof.config[9] == 255, "h=256 refused, u8 unchanged: %s", prof.err);
	ok(profile_set(&prof, "w", 65535) == 0 && prof.config[1] == 0xff &&
	   prof.config[2] == 0xff && le32_at(prof.config + 4) == 0xffff,
	   "w=65535 fills le16 and stays within le32");
	ok(profile_set(&prof, "unused", 9) == 0 &&
	   profile_find_param(&prof, "unused")->value == 9,
	   "a parameter with no use is set");
	ok(profile_set(&prof, "W", 1) == -1 &&
	   !strcmp(prof.err, "no parameter 'W'"),
	   "names are exact: %s", prof.err);
}

struct gpu_case {
	const char *cmdline;
	const char *from;		/* NULL: the command line */
	enum gpu_action action;
	long width, height;		/* GPU_DEVICE_MODE */
	int level;			/* of msg, when msg is not "" */
	const char *msg;		/* exactly */
};

#define CONF		"/etc/uvirtio.conf"
#define DEFAULT		"; using the default mode"
#define NOT_MODE	" is not WIDTHxHEIGHT[@DPIdpi][,...], off or 0" DEFAULT
#define OUTSIDE		" is outside 64x64..8192x8192" DEFAULT
#define NO_VALUE	"uvirtio.gpu needs a value: WIDTHxHEIGHT, off or 0" DEFAULT
#define LONG_VALUE	"a123456789b123456789c123456789d123456789e123456789f123456789g123456789"
/* Messages quote the first 64 characters of a value. */
#define LONG_CUT	"a123456789b123456789c123456789d123456789e123456789f123456789g123"

static const struct gpu_case gpu_cases[] = {
	{ "", NULL, GPU_DEVICE_DEFAULT, 0, 0, 0, "" },
	{ "quiet", NULL, GPU_DEVICE_DEFAULT, 0, 0, 0, "" },
	{ "uvirtio.gpu=1920x1080", NULL, GPU_DEVICE_MODE, 1920, 1080, 0, "" },
	{ "\"uvirtio.gpu=1920x1080\"", NULL, GPU_DEVICE_MODE, 1920, 1080, 0, "" },
	{ "uvirtio.gpu=01920x01080", NULL, GPU_DEVICE_MODE, 1920, 1080, 0, "" },
	{ "uvirtio.gpu=64x64", NULL, GPU_DEVICE_MODE, 64, 64, 0, "" },
	{ "uvirtio.gpu=8192x8192", NULL, GPU_DEVICE_MODE, 8192, 8192, 0, "" },
	{ "uvirtio.gpu=64x8192", NULL, GPU_DEVICE_MODE, 64, 8192, 0, "" },
	{ "uvirtio.gpu=off", NULL, GPU_NO_DEVICE, 0, 0, LOG_INFO,
	  "uvirtio.gpu=off: no display created" },
	{ "uvirtio.gpu=OFF", NULL, GPU_NO_DEVICE, 0, 0, LOG_INFO,
	  "uvirtio.gpu=OFF: no display created" },
	{ "uvirtio.gpu=0", NULL, GPU_NO_DEVICE, 0, 0, LOG_INFO,
	  "uvirtio.gpu=0: no display created" },
	{ "uvirtio.gpu=00", NULL, GPU_NO_DEVICE, 0, 0, LOG_INFO,
	  "uvirtio.gpu=00: no display created" },
	/* Malformed: one message each, and the default mode. */
	{ "uvirtio.gpu=abc", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=abc" NOT_MODE },
	{ "uvirtio.gpu=1920x", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=1920x" NOT_MODE },
	{ "uvirtio.gpu=1920xabc", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=1920xabc" NOT_MODE },
	{ "uvirtio.gpu=1920x1080junk", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=1920x1080junk" NOT_MODE },
	{ "uvirtio.gpu=1920x1080x", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=1920x1080x" NOT_MODE },
	{ "uvirtio.gpu=+1920x1080", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=+1920x1080" NOT_MODE },
	{ "uvirtio.gpu=x1080", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=x1080" NOT_MODE },
	{ "uvirtio.gpu=" LONG_VALUE, NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=" LONG_CUT NOT_MODE },
	{ "uvirtio.gpu", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR, NO_VALUE },
	{ "uvirtio.gpu=", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR, NO_VALUE },
	{ "uvirtio.gpu=0x0", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=0x0 has a zero side" DEFAULT },
	{ "uvirtio.gpu=1920x0", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=1920x0 has a zero side" DEFAULT },
	/* Out of the profile's bounds, whatever the number of digits. */
	{ "uvirtio.gpu=63x768", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=63x768" OUTSIDE },
	{ "uvirtio.gpu=1024x63", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=1024x63" OUTSIDE },
	{ "uvirtio.gpu=8193x768", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=8193x768" OUTSIDE },
	{ "uvirtio.gpu=1024x8193", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=1024x8193" OUTSIDE },
	{ "uvirtio.gpu=100000x1", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=100000x1" OUTSIDE },
	{ "uvirtio.gpu=99999x99999", NULL, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  "uvirtio.gpu=99999x99999" OUTSIDE },
	{ "uvirtio.gpu=99999999999999999999x1", NULL, GPU_DEVICE_DEFAULT, 0, 0,
	  LOG_ERR, "uvirtio.gpu=99999999999999999999x1" OUTSIDE },
	{ "uvirtio.gpu=1024x18446744073709551617", NULL, GPU_DEVICE_DEFAULT, 0,
	  0, LOG_ERR, "uvirtio.gpu=1024x18446744073709551617" OUTSIDE },
	/* From the file: the message names it. */
	{ "uvirtio.gpu=1280x800", CONF, GPU_DEVICE_MODE, 1280, 800, 0, "" },
	{ "uvirtio.gpu=off", CONF, GPU_NO_DEVICE, 0, 0, LOG_INFO,
	  CONF ": uvirtio.gpu=off: no display created" },
	{ "uvirtio.gpu=abc", CONF, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  CONF ": uvirtio.gpu=abc" NOT_MODE },
	{ "uvirtio.gpu", CONF, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  CONF ": " NO_VALUE },
	{ "uvirtio.gpu=0x768", CONF, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  CONF ": uvirtio.gpu=0x768 has a zero side" DEFAULT },
	{ "uvirtio.gpu=8193x8193", CONF, GPU_DEVICE_DEFAULT, 0, 0, LOG_ERR,
	  CONF ": uvirtio.gpu=8193x8193" OUTSIDE },
};

static void test_gpu_decide_case(const struct gpu_case *c,
				 const struct gpu_bounds *b)
{
	struct gpu_plan plan;
	struct gpu_req req;
	const char *from = c->from ? c->from : "the command line";

	cmdline_gpu(c->cmdline, &req);
	req.from = c->from;
	memset(&plan, 0x5a, sizeof(plan));
	gpu_decide(&req, b, &plan);
	ok(plan.action == c->action &&
	   (c->action != GPU_DEVICE_MODE ||
	    (plan.heads[0].width == c->width &&
	     plan.heads[0].height == c->height)),
	   "'%s' from %s: %s %ldx%ld", c->cmdline, from,
	   c->action == GPU_NO_DEVICE ? "no device" :
	   c->action == GPU_DEVICE_MODE ? "a device at" :
	   "a device in the default mode", c->width, c->height);
	ok(!strcmp(plan.msg, c->msg) && (!*c->msg || plan.level == c->level),
	   "'%s' from %s says '%s' at level %d (got '%s' at %d)", c->cmdline,
	   from, c->msg, c->level, plan.msg, plan.level);
}

/* Several heads, and DPIs: the heads gpu_decide() plans, or its message. */
static const struct heads_case {
	const char *cmdline;
	const char *heads;	/* "WxH@DPI,..." planned; NULL: the default */
	const char *msg;	/* exactly */
} heads_cases[] = {
	{ "uvirtio.gpu=1920x1080@144dpi", "1920x1080@144", "" },
	{ "uvirtio.gpu=1920x1080@144DPI", "1920x1080@144", "" },
	{ "uvirtio.gpu=1920x1080,1280x1024", "1920x1080@0,1280x1024@0", "" },
	{ "uvirtio.gpu=800x600@48dpi,640x480@960dpi,1024x768",
	  "800x600@48,640x480@960,1024x768@0", "" },
	{ "uvirtio.gpu=64x64,64x64,64x64,64x64,64x64,64x64,64x64,64x64,"
	  "64x64,64x64,64x64,64x64,64x64,64x64,64x64,64x64",
	  "64x64@0,64x64@0,64x64@0,64x64@0,64x64@0,64x64@0,64x64@0,64x64@0,"
	  "64x64@0,64x64@0,64x64@0,64x64@0,64x64@0,64x64@0,64x64@0,64x64@0",
	  "" },
	{ "uvirtio.gpu=64x64,64x64,64x64,64x64,64x64,64x64,64x64,64x64,"
	  "64x64,64x64,64x64,64x64,64x64,64x64,64x64,64x64,64x64", NULL,
	  "uvirtio.gpu=64x64,64x64,64x64,64x64,64x64,64x64,64x64,64x64,64x64,64x64,64x6 has more than 16 heads" DEFAULT },
	{ "uvirtio.gpu=1920x1080,", NULL,
	  "uvirtio.gpu=1920x1080," NOT_MODE },
	{ "uvirtio.gpu=,1920x1080", NULL,
	  "uvirtio.gpu=,1920x1080" NOT_MODE },
	{ "uvirtio.gpu=1920x1080,,800x600", NULL,
	  "uvirtio.gpu=1920x1080,,800x600" NOT_MODE },
	{ "uvirtio.gpu=1920x1080@", NULL, "uvirtio.gpu=1920x1080@" NOT_MODE },
	{ "uvirtio.gpu=1920x1080@dpi", NULL,
	  "uvirtio.gpu=1920x1080@dpi" NOT_MODE },
	{ "uvirtio.gpu=1920x1080@144", NULL,
	  "uvirtio.gpu=1920x1080@144" NOT_MODE },
	{ "uvirtio.gpu=1920x1080@144dpix", NULL,
	  "uvirtio.gpu=1920x1080@144dpix" NOT_MODE },
	{ "uvirtio.gpu=1920x1080@-1dpi", NULL,
	  "uvirtio.gpu=1920x1080@-1dpi" NOT_MODE },
	{ "uvirtio.gpu=1920x1080@47dpi", NULL,
	  "uvirtio.gpu=1920x1080@47dpi: 47 dpi is outside 48..960" DEFAULT },
	{ "uvirtio.gpu=1920x1080,800x600@961dpi", NULL,
	  "uvirtio.gpu=1920x1080,800x600@961dpi: 961 dpi is outside 48..960" DEFAULT },
	{ "uvirtio.gpu=1920x1080,8193x600", NULL,
	  "uvirtio.gpu=1920x1080,8193x600" OUTSIDE },
	{ "uvirtio.gpu=1920x1080,0x600", NULL,
	  "uvirtio.gpu=1920x1080,0x600 has a zero side" DEFAULT },
};

static void test_heads_case(const struct heads_case *c,
			    const struct gpu_bounds *b)
{
	struct gpu_plan plan;
	struct gpu_req req;
	char got[512] = "";
	unsigned int i;

	cmdline_gpu(c->cmdline, &req);
	gpu_decide(&req, b, &plan);
	for (i = 0; plan.action == GPU_DEVICE_MODE && i < plan.nheads; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got),
			 "%s%ldx%ld@%ld", i ? "," : "", plan.heads[i].width,
			 plan.heads[i].height, plan.heads[i].dpi);
	if (c->heads)
		ok(plan.action == GPU_DEVICE_MODE && !strcmp(got, c->heads),
		   "'%s' plans heads %s (got %s)", c->cmdline, c->heads, got);
	else
		ok(plan.action == GPU_DEVICE_DEFAULT && plan.level == LOG_ERR,
		   "'%s' plans the default mode, an error", c->cmdline);
	ok(!strcmp(plan.msg, c->msg), "'%s' says '%s' (got '%s')", c->cmdline,
	   c->msg, plan.msg);
}

static void test_gpu_decide(void)
{
	const struct profile_param *pw, *ph, *pd;
	struct gpu_bounds b;
	struct gpu_plan plan;
	struct gpu_req req;
	char *text = slurp("profiles/gpu.profile");
	unsigned int i;

	if (!text || profile_parse(&prof, "gpu.profile", text)) {
		ok(0, "profiles/gpu.profile parses");
		free(text);
		return;
	}
	free(text);
	pw = profile_find_param(&prof, "width");
	ph = profile_find_param(&prof, "height");
	ok(pw && ph, "the gpu profile has width and height");
	if (!pw || !ph)
		return;
	b.min_width = pw->min;
	b.max_width = pw->max;
	b.min_height = ph->min;
	b.max_height = ph->max;
	ok(b.min_width == 64 && b.max_width == 8192 && b.min_height == 64 &&
	   b.max_height == 8192, "the gpu profile's bounds are 64..8192 a side");
	pd = profile_find_param(&prof, "dpi");
	ok(pd && pd->value == UVIRTIO_GPU_DEFAULT_DPI &&
	   pd->min == UVIRTIO_GPU_MIN_DPI && pd->max == UVIRTIO_GPU_MAX_DPI,
	   "the gpu profile's dpi is 96, 48..960 as the kernel's");
	b.min_dpi = pd ? pd->min : 0;
	b.max_dpi = pd ? pd->max : 0;
	for (i = 0; i < sizeof(gpu_cases) / sizeof(gpu_cases[0]); i++)
		test_gpu_decide_case(&gpu_cases[i], &b);
	for (i = 0; i < sizeof(heads_cases) / sizeof(heads_cases[0]); i++)
		test_heads_case(&heads_cases[i], &b);

	/* The bounds are the profile's, not the tool's. */
	b.min_width = 1;
	b.max_width = 100;
	b.min_height = 2;
	b.max_height = 50;
	cmdline_gpu("uvirtio.gpu=100x51", &req);
	gpu_decide(&req, &b, &plan);
	ok(plan.action == GPU_DEVICE_DEFAULT &&
	   !strcmp(plan.msg, "uvirtio.gpu=100x51 is outside 1x2..100x50" DEFAULT),
	   "other bounds are named in the message (%s)", plan.msg);
	cmdline_gpu("uvirtio.gpu=1x2", &req);
	gpu_decide(&req, &b, &plan);
	ok(plan.action == GPU_DEVICE_MODE && plan.heads[0].width == 1 &&
	   plan.heads[0].height == 2 && !plan.msg[0],
	   "1x2 lies within 1x2..100x50");
}

struct bad_profile {
	const char *text;
	const char *error;	/* expected in prof.err, with the line */
};

static void test_profile_errors(void)
{
	static const struct bad_profile bad[] = {
		{ "", "no 'device' line" },
		{ "device 0\n", ":1: device id 0 is reserved" },
		{ "device 16\ndevice 16\n", ":2: a second 'device' line" },
		{ "device x\n", ":1: device id 'x' is not a number" },
		{ "device 16\nfrobnicate 1\n", ":2: unknown keyword 'frobnicate'" },
		{ "device 16\nfeatures 64\n", ":2: feature bit '64'" },
		{ "device 16\nconfig le32:0x100000000\n", ":2: 'le32:0x100000000' is not a number that fits le32" },
		{ "device 16\nconfig u16:1\n", ":2: 'u16:1' is not a value" },
		{ "device 16\nconfig le32:$w\n", ":2: 'le32:$w' names no parameter" },
		{ "device 16\nparam w 1 0 256\nconfig u8:0 u8:$w\n", ":3: parameter w goes up to 256, more than u8 holds" },
		{ "device 16\nparam w 1 0 65536\nexpect q\nblock read 4\nmatch 0 le16:$w\n", ":5: parameter w goes up to 65536, more than le16 holds" },
		{ "device 16\nparam w 5 6 7\n", ":2: parameter w: default 5 is not within 6..7" },
		{ "device 16\nparam W 1 1 1\n", ":2: parameter name 'W'" },
		{ "device 16\nparam w 1 1 1\nparam w 1 1 1\n", ":3: parameter w declared twice" },
		{ "device 16\nblock read 4\n", ":2: 'block' before any 'expect'" },
		{ "device 16\nexpect control\n", "the expect on line 2 has no block" },
		{ "device 16\nexpect a\nexpect b\n", ":3: the expect on line 2 has no block" },
		{ "device 16\nexpect control\nblock read 0\n", ":3: a block of length 0" },
		{ "device 16\nexpect control\nblock sideways 4\n", ":3: 'sideways' is not read or write" },
		{ "device 16\nexpect control\nblock read 4 later\n", ":3: usage: block" },
		{ "device 16\nexpect control\nblock read 4\nreply 0 u8:1\n", ":4: 'reply' in a read block" },
		{ "device 16\nexpect control\nblock write 4\nmatch 0 u8:1\n", ":4: 'match' in a write block" },
		{ "device 16\nexpect control\nblock read 4\nmatch 1 le32:1\n", ":4: bytes 1..4 lie outside the block of 4 bytes" },
		{ "device 16\nexpect control\nblock read 70000\nmatch 65536 u8:1\n", ":4: offset '65536'" },
		{ "device 16\nexpect control\nmatch 0 u8:1\n", ":3: 'match' before any 'block'" },
		{ "device 16\nexpect 0123456789012345678901234567890123456789012345678901234567890123\n", ":2: queue name longer than 63" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = profile_parse(&prof, "t.profile", bad[i].text);

		ok(ret == -1 && strstr(prof.err, bad[i].error) &&
		   !strncmp(prof.err, "t.profile", 9),
		   "bad profile %u: '%s' (got '%s')", i, bad[i].error, prof.err);
	}
}

static void test_profile_limits(void)
{
	char text[8192];
	size_t n = 0;
	int i, ret;

	/* Nine expects: one more than the ABI holds. */
	n = snprintf(text, sizeof(text), "device 1\n");
	for (i = 0; i < 9; i++)
		n += snprintf(text + n, sizeof(text) - n,
			      "expect q%d\nblock read 4\n", i);
	ret = profile_parse(&prof, "t", text);
	ok(ret == -1 && strstr(prof.err, ":18: more than 8 expects"),
	   "a ninth expect is refused (%s)", prof.err);

	n = snprintf(text, sizeof(text), "device 1\nexpect q\n");
	for (i = 0; i < 9; i++)
		n += snprintf(text + n, sizeof(text) - n, "block read 4 next\n");
	ret = profile_parse(&prof, "t", text);
	ok(ret == -1 && strstr(prof.err, ":11: more than 8 blocks"),
	   "a ninth block is refused (%s)", prof.err);

	n = snprintf(text, sizeof(text), "device 1\nexpect q\nblock read 64\n");
	for (i = 0; i < 9; i++)
		n += snprintf(text + n, sizeof(text) - n, "match %d u8:1\n", i);
	ret = profile_parse(&prof, "t", text);
	ok(ret == -1 && strstr(prof.err, ":12: more than 8 rules"),
	   "a ninth rule is refused (%s)", prof.err);

	n = snprintf(text, sizeof(text), "device 1\n");
	for (i = 0; i < 129; i++)
		n += snprintf(text + n, sizeof(text) - n, "config le64:0\n");
	ret = profile_parse(&prof, "t", text);
	ok(ret == -1 && strstr(prof.err, ":130: too many bytes (at most 1024)"),
	   "config past 1024 bytes is refused (%s)", prof.err);

	memset(text, 'a', 2000);
	text[2000] = '\0';
	ret = profile_parse(&prof, "t", text);
	ok(ret == -1 && strstr(prof.err, ":1: line longer than"),
	   "an overlong line is refused (%s)", prof.err);

	ret = profile_parse(&prof, "t",
			    "device 2 # comment\n\n  features 0 5 63\n"
			    "config u8:1 le16:0x0203\n"
			    "expect requestq\nblock read 16 next\n"
			    "match 0 le32:1\nmatch 8 le64:7\n"
			    "block write 1\nreply 0 u8:0\n");
	ok(ret == 0, "a generic profile parses (%s)", prof.err);
	ok(prof.features == (1ULL | 1ULL << 5 | 1ULL << 63),
	   "features 0 5 63 set their bits");
	ok(prof.config_len == 3 && prof.config[1] == 3 && prof.config[2] == 2,
	   "config values are little-endian");
	ok(prof.expect.expects[0].blocks[0].rules[1].off == 8 &&
	   prof.expect.expects[0].blocks[0].rules[1].len == 8,
	   "second rule at offset 8, 8 bytes");
	ok(prof.expect.expects[0].blocks[1].len == 1 &&
	   prof.expect.expects[0].blocks[1].flags == VRING_DESC_F_WRITE,
	   "write block without next has flags WRITE only");
}

static void test_abi(void)
{
	ok(sizeof(struct uvirtio_setup) == 24, "struct uvirtio_setup is 24 bytes");
	ok(sizeof(struct uvirtio_expect) == 3584, "struct uvirtio_expect is 3584 bytes");
	ok(UV_DEV_CREATE == 0x40185601, "UV_DEV_CREATE is 0x40185601");
	ok(UV_DEV_EXPECT == 0x4e005602, "UV_DEV_EXPECT is 0x4e005602");
	ok(offsetof(struct uvirtio_setup, config_len) == 16 &&
	   offsetof(struct uvirtio_setup, id) == 20, "uvirtio_setup layout");
	ok(offsetof(struct uvirtio_block, data) == 8 &&
	   offsetof(struct uvirtio_block, rules) == 16, "uvirtio_block layout");
	ok(UVIRTIO_DEV_FLAG_STICK == 0, "UVIRTIO_DEV_FLAG_STICK is bit 0");
}

/* One version: dkms.conf's PACKAGE_VERSION, which the Makefiles read. */
static void test_version(void)
{
	char *conf = slurp("dkms.conf"), *src = slurp("kernel/core.c");
	char *gpu = slurp("kernel/gpu.c");
	const char *v = conf ? strstr(conf, "\nPACKAGE_VERSION=\"") : NULL;
	char version[64] = "";

	if (v)
		sscanf(v, "\nPACKAGE_VERSION=\"%63[^\"\n]\"", version);
	ok(version[0] != '\0', "dkms.conf has a PACKAGE_VERSION (%s)", version);
#ifdef UVIRTIO_VERSION
	ok(UVIRTIO_VERSION[0] && !strcmp(UVIRTIO_VERSION, version),
	   "UVIRTIO_VERSION '%s' is dkms.conf's '%s'", UVIRTIO_VERSION, version);
#else
	ok(0, "test-unit is built with UVIRTIO_VERSION");
#endif
	ok(src && strstr(src, "MODULE_VERSION(UVIRTIO_VERSION);") &&
	   !strstr(src, "MODULE_VERSION(\""),
	   "kernel/core.c takes its MODULE_VERSION from UVIRTIO_VERSION");
	/*
	 * A bare uvirtio.gpu makes kmod pass "gpu" alone, which a plain charp
	 * refuses: the module would not load, and the display be lost.
	 */
	ok(gpu && strstr(gpu, "module_param_cb(gpu, &uvirtio_gpu_ops") &&
	   strstr(gpu, ".flags = KERNEL_PARAM_OPS_FL_NOARG") &&
	   !strstr(gpu, "module_param(gpu, charp"),
	   "kernel/gpu.c's gpu parameter takes no value (KERNEL_PARAM_OPS_FL_NOARG)");
	free(conf);
	free(src);
	free(gpu);
}

/*
 * The module's EDID (kernel/edid.c, built here too): each head's facts
 * read back from the bytes, and edid-decode's verdict on the whole.
 */
static const struct edid_case {
	u32 w, h, dpi;
	int valid;		/* 0: the head gets no EDID */
	int small;		/* under 10 cm: edid-decode warns "dubious" */
} edid_cases[] = {
	{ 1024, 768, 96, 1, 0 },
	{ 1920, 1080, 96, 1, 0 },
	{ 1920, 1080, 144, 1, 0 },
	{ 1280, 1024, 48, 1, 0 },
	{ 1366, 768, 96, 1, 0 },
	{ 2560, 1440, 96, 1, 0 },
	{ 3840, 2160, 192, 1, 0 },
	{ 400, 300, 96, 1, 1 },
	{ 4095, 2304, 960, 1, 1 },
	{ 4096, 2160, 96, 0, 0 },		/* a side over a DTD's 4095 */
	{ 8192, 8192, 96, 0, 0 },
	{ 64, 64, 96, 0, 0 },		/* a pixel clock under 10 MHz */
	{ 1920, 1080, 47, 0, 0 },		/* DPI outside 48..960 */
	{ 1920, 1080, 961, 0, 0 },
	{ 1920, 1080, 0, 0, 0 },
};

/*
 * edid-decode --check on @e: 1 when it reports no failure, and no warning
 * but the one a screen under 10 cm gets when @small.
 */
static int edid_decode_clean(const u8 *e, int small, char *why,
			     size_t whylen)
{
	char path[] = "/tmp/uvirtio-edid-XXXXXX", cmd[128], line[256];
	int fd = mkstemp(path), pass = 0, bad = 0, in_warnings = 0;
	FILE *p;

	snprintf(why, whylen, "edid-decode did not run");
	if (fd < 0)
		return 0;
	if (write(fd, e, UVIRTIO_EDID_LEN) != UVIRTIO_EDID_LEN) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "edid-decode --check %s 2>&1", path);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "Warnings:") || !strcmp(line, "Failures:"))
			in_warnings = !strcmp(line, "Warnings:");
		if (!strcmp(line, "EDID conformity: PASS"))
			pass = 1;
		/* Each warning is a line indented by two spaces. */
		if (!strcmp(line, "Failures:") ||
		    (in_warnings && !strncmp(line, "  ", 2) && line[2] != ' ' &&
		     !(small && strstr(line, "Dubious maximum image size")))) {
			if (!bad++)
				snprintf(why, whylen, "edid-decode: %.40s",
					 line[0] == ' ' ? line + 2 : line);
		}
	}
	if (p && pclose(p) == 0 && pass && !bad)
		snprintf(why, whylen, small ? "no failure" : "no warning");
	else
		pass = 0;
	unlink(path);
	return pass;
}

static void test_edid_case(const struct edid_case *c)
{
	u32 serial = 0x00020301, mm_w, mm_h, dtd_w, dtd_h;
	u8 e[UVIRTIO_EDID_LEN], sum = 0;
	unsigned int n, i;
	char why[64];

	memset(e, 0xaa, sizeof(e));
	n = uvirtio_edid(e, c->w, c->h, c->dpi, serial);
	if (!c->valid) {
		ok(n == 0, "edid: %ux%u at %u dpi gets none (%u bytes)",
		   c->w, c->h, c->dpi, n);
		return;
	}
	ok(n == UVIRTIO_EDID_LEN, "edid: %ux%u at %u dpi is %u bytes",
	   c->w, c->h, c->dpi, n);
	if (n != UVIRTIO_EDID_LEN)
		return;
	for (i = 0; i < n; i++)
		sum += e[i];
	ok(sum == 0 && e[18] == 1 && e[19] == 4,
	   "edid: %ux%u is EDID 1.4 with a right checksum", c->w, c->h);
	dtd_w = e[56] | (e[58] >> 4) << 8;
	dtd_h = e[59] | (e[61] >> 4) << 8;
	ok(dtd_w == c->w && dtd_h == c->h,
	   "edid: %ux%u is the first detailed timing (%ux%u)",
	   c->w, c->h, dtd_w, dtd_h);
	mm_w = (c->w * 254 + c->dpi * 5) / (c->dpi * 10);
	mm_h = (c->h * 254 + c->dpi * 5) / (c->dpi * 10);
	ok(e[21] == (mm_w + 5) / 10 && e[22] == (mm_h + 5) / 10 &&
	   (u32)(e[66] | (e[68] >> 4) << 8) == mm_w &&
	   (u32)(e[67] | (e[68] & 0xf) << 8) == mm_h,
	   "edid: %ux%u at %u dpi is %ux%u mm, %ux%u cm",
	   c->w, c->h, c->dpi, mm_w, mm_h, e[21], e[22]);
	ok(e[75] == 0xfc && !memcmp(e + 77, UVIRTIO_EDID_NAME "\n", 8),
	   "edid: %ux%u names the monitor '" UVIRTIO_EDID_NAME "'",
	   c->w, c->h);
	ok((e[12] | e[13] << 8 | e[14] << 16 | (u32)e[15] << 24) == serial,
	   "edid: %ux%u has the serial given", c->w, c->h);
	ok(e[111] == 0xff && !memcmp(e + 113, "00020301\n", 9),
	   "edid: %ux%u has it as text too (a serial string descriptor)",
	   c->w, c->h);
	ok(edid_decode_clean(e, c->small, why, sizeof(why)),
	   "edid: edid-decode --check passes %ux%u at %u dpi (%s)",
	   c->w, c->h, c->dpi, why);
}

static void test_edid(void)
{
	size_t i;

	for (i = 0; i < sizeof(edid_cases) / sizeof(edid_cases[0]); i++)
		test_edid_case(&edid_cases[i]);
}

/* run_helper(): its status, its last line of stderr, and no waiting. */
static void test_helper(void)
{
	char *two_lines[] = { "sh", "-c",
		"echo first >&2; echo 'modprobe: ERROR: could not insert uvirtio: Key was rejected by service' >&2; exit 1",
		NULL };
	/* What it left holds the pipe, and there is nothing to read. */
	char *holds[] = { "sh", "-c", "sleep 3 & exit 2", NULL };
	char *quiet[] = { "sh", "-c", "echo out; exit 0", NULL };
	char *missing[] = { "uvtest-no-such-helper", NULL };
	char err[512];
	time_t t0;
	int rc;

	rc = run_helper(two_lines, err, sizeof(err));
	ok(rc == 1, "run_helper: the helper's exit status (%d)", rc);
	ok(!strcmp(err, "modprobe: ERROR: could not insert uvirtio: Key was rejected by service"),
	   "run_helper: the last line of its stderr, without its newline ('%s')",
	   err);
	t0 = time(NULL);
	rc = run_helper(holds, err, sizeof(err));
	ok(rc == 2 && !strcmp(err, "") && time(NULL) - t0 < 2,
	   "run_helper: returns when the helper does, though what it left holds the pipe (%d, '%s', %lds)",
	   rc, err, (long)(time(NULL) - t0));
	rc = run_helper(quiet, err, sizeof(err));
	ok(rc == 0 && !strcmp(err, ""),
	   "run_helper: nothing on stderr gives \"\" (stdout is not read) (%d, '%s')",
	   rc, err);
	rc = run_helper(missing, err, sizeof(err));
	ok(rc == 127, "run_helper: a helper that is not there gives 127 (%d)", rc);
}

int main(void)
{
	test_abi();
	test_version();
	test_edid();
	test_cmdline();
	test_config();
	test_gpu_profile();
	test_gpu_decide();
	test_profile_set();
	test_profile_errors();
	test_profile_limits();
	test_helper();
	printf("1..%d\n", tests);
	printf("# unit: %d passed, %d failed\n", tests - failures, failures);
	return failures != 0;
}
