// SPDX-License-Identifier: GPL-2.0
/*
 * uvirtio-boot: creates uvirtio devices from profiles.
 *
 * Run with no arguments, as the initramfs does, it reads uvirtio.gpu= from
 * /proc/cmdline (or else from /etc/uvirtio.conf) and creates a sticky
 * virtio-gpu from the gpu profile. It never blocks a boot: every failure is
 * one message and a non-zero exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>

#include "cmdline.h"
#include "helper.h"
#include "profile.h"

#ifndef UVIRTIO_VERSION
#define UVIRTIO_VERSION "unknown"
#endif
#ifndef PROFILE_DIR
#define PROFILE_DIR "/usr/local/share/uvirtio/profiles"
#endif

#define DEV_PATH		"/dev/uvirtio"
#define CONF_PATH		"/etc/uvirtio.conf"
#define PROFILE_FILE_MAX	(64 * 1024)
#define MAX_SETTINGS		16
#define LIST_MAX		256

/* Exit statuses; see --help. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_PROFILE = 3 };

static int boot_mode;
static struct profile profile;
static char profile_path[512];	/* the file profile was read from */

/*
 * Boot mode logs to /dev/kmsg and to stderr, but not twice to the console:
 * when stderr is the console, the kernel log already shows the line there.
 */
static int stderr_is_console(void)
{
	struct stat st;

	return !fstat(2, &st) && S_ISCHR(st.st_mode) &&
	       major(st.st_rdev) == 5 && minor(st.st_rdev) == 1;
}

static void say(int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int logged = 0;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (boot_mode) {
		static int kmsg_said;
		int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

		if (fd >= 0) {
			char line[600];
			int n = snprintf(line, sizeof(line),
					 "<%d>uvirtio-boot: %s\n", level, msg);

			logged = write(fd, line, n) == n;
			close(fd);
		} else if (!kmsg_said++) {
			fprintf(stderr, "uvirtio-boot: cannot open /dev/kmsg (%s): messages go to stderr only\n",
				strerror(errno));
		}
		if (logged && stderr_is_console())
			return;
	} else if (level > LOG_ERR) {
		return;
	}
	fprintf(stderr, "uvirtio-boot: %s\n", msg);
}

/* Opens /dev/uvirtio, loading the module first when it is not there. */
static int open_uvirtio(void)
{
	char *const modprobe[] = { "modprobe", "uvirtio", NULL };
	char why[512];
	int fd, rc;

	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		goto out;
	rc = run_helper(modprobe, why, sizeof(why));
	if (rc) {
		struct utsname u;

		if (uname(&u))
			strcpy(u.release, "?");
		if (rc == 127)
			say(LOG_ERR, "cannot load the uvirtio module: no modprobe found");
		else if (strstr(why, "Operation not permitted") ||
			 strstr(why, "Key was rejected"))
			/*
			 * Under Secure Boot the kernel refuses a module it
			 * cannot verify: EKEYREJECTED where signatures are
			 * enforced (Debian's), EPERM by lockdown alone.
			 * modprobe's own words are not repeated: its other
			 * messages may say "unknown parameter".
			 */
			say(LOG_ERR, "cannot load the uvirtio module: the kernel refused its signature: under Secure Boot it must be signed with an enrolled key (mokutil --import /var/lib/dkms/mok.pub)");
		else
			say(LOG_ERR, "cannot load the uvirtio module (modprobe uvirtio %s): is uvirtio.ko installed for kernel %s?",
			    rc < 0 ? "did not finish" : "failed", u.release);
		return -1;
	}
	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && !access("/sys/class/misc/uvirtio", F_OK)) {
		say(LOG_ERR, "the uvirtio module is loaded but %s is missing (is /dev a writable devtmpfs?)",
		    DEV_PATH);
		return -1;
	}
out:
	if (fd < 0)
		say(LOG_ERR, "cannot open %s: %s", DEV_PATH, strerror(errno));
	return fd;
}

static char *read_text(const char *path, char *err, size_t errlen)
{
	char *buf;
	ssize_t n, len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(PROFILE_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	while ((n = read(fd, buf + len, PROFILE_FILE_MAX + 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0 || len > PROFILE_FILE_MAX || memchr(buf, '\0', len)) {
		snprintf(err, errlen, "%s: %s", path,
			 n < 0 ? strerror(errno) :
			 len > PROFILE_FILE_MAX ? "larger than 64 KiB" :
			 "not a text file (NUL byte)");
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static const char *profile_dir(void)
{
	const char *dir = getenv("UVIRTIO_PROFILE_DIR");

	return dir && *dir ? dir : PROFILE_DIR;
}

/*
 * Loads a profile by name (from the profile directory) or by path, each
 * parameter at its default. On failure the reason is in profile.err.
 */
static int load_profile(const char *name)
{
	char *text;
	int ret;

	if (strchr(name, '/'))
		snprintf(profile_path, sizeof(profile_path), "%s", name);
	else
		snprintf(profile_path, sizeof(profile_path), "%s/%s.profile",
			 profile_dir(), name);
	text = read_text(profile_path, profile.err, sizeof(profile.err));
	if (!text)
		return -1;
	ret = profile_parse(&profile, profile_path, text);
	free(text);
	return ret;
}

static const char *device_name(unsigned int id)
{
	switch (id) {
	case VIRTIO_ID_NET: return "net";
	case VIRTIO_ID_BLOCK: return "block";
	case VIRTIO_ID_CONSOLE: return "console";
	case VIRTIO_ID_RNG: return "rng";
	case VIRTIO_ID_GPU: return "gpu";
	case VIRTIO_ID_INPUT: return "input";
	case VIRTIO_ID_VSOCK: return "vsock";
	case VIRTIO_ID_FS: return "fs";
	default: return "device";
	}
}

/* Fills @info with up to @max devices; returns how many exist, or -1. */
static int list_devices(int fd, struct uvirtio_dev_info *info, unsigned int max)
{
	struct uvirtio_list l = {
		.devs_addr = (__u64)(unsigned long)info,
		.count = max,
	};

	if (ioctl(fd, UV_DEV_LIST, &l) < 0)
		return -1;
	return (int)l.count;
}

enum device_key { BY_ID, BY_DEVICE_ID };

/* The first device whose uvirtio id or virtio device id is @value. */
static int find_device(int fd, enum device_key key, __u32 value,
		       struct uvirtio_dev_info *out)
{
	static struct uvirtio_dev_info info[LIST_MAX];
	int i, n = list_devices(fd, info, LIST_MAX);

	for (i = 0; i < n && i < LIST_MAX; i++) {
		if ((key == BY_ID ? info[i].id : info[i].device_id) == value) {
			*out = info[i];
			return 0;
		}
	}
	return -1;
}

/*
 * Loads the driver by the device's modalias, as udev would. A driver that
 * cannot be loaded is one message: the device stays, without a display.
 */
static void load_driver(int fd, int id)
{
	struct uvirtio_dev_info dev;
	char path[128], alias[128], err[256];
	char *const argv[] = { "modprobe", "-q", alias, NULL };
	struct utsname u;
	char *text;
	int rc;

	if (find_device(fd, BY_ID, id, &dev))
		return;
	snprintf(path, sizeof(path), "/sys/bus/virtio/devices/virtio%u/modalias",
		 dev.index);
	text = read_text(path, err, sizeof(err));
	if (!text)
		return;
	snprintf(alias, sizeof(alias), "%.*s", (int)strcspn(text, "\n"), text);
	free(text);
	rc = run_helper(argv, NULL, 0);
	if (rc == 0 || rc == 127)	/* no modprobe: udev may still load it */
		return;
	if (uname(&u))
		strcpy(u.release, "?");
	say(LOG_ERR, "no driver for %s uvirtio.%d: modprobe %s %s (is virtio_%s available for kernel %s?)",
	    device_name(dev.device_id), id, alias,
	    rc < 0 ? "did not finish" : "failed", device_name(dev.device_id),
	    u.release);
}

/*
 * The monitors of a virtio-gpu from the loaded profile when it has a
 * "heads" parameter: head 0 at width x height and dpi, the others not
 * connected (plug connects them). Returns how many, 0 for a profile
 * without heads.
 */
static unsigned int profile_heads(struct gpu_head *heads)
{
	const struct profile_param *n = profile_find_param(&profile, "heads");
	const struct profile_param *w = profile_find_param(&profile, "width");
	const struct profile_param *h = profile_find_param(&profile, "height");
	const struct profile_param *d = profile_find_param(&profile, "dpi");

	if (profile.device_id != VIRTIO_ID_GPU || !n || !w || !h ||
	    n->value < 1 || n->value > UVIRTIO_GPU_MAX_HEADS)
		return 0;
	memset(heads, 0, sizeof(*heads) * n->value);
	heads[0].width = w->value;
	heads[0].height = h->value;
	heads[0].dpi = d ? d->value : 0;
	return (unsigned int)n->value;
}

/*
 * Gives the device to be created on @fd its @n heads (UV_GPU_HEAD); a head
 * of width 0 is left disconnected, one of dpi 0 gets the kernel's 96.
 */
static int give_heads(int fd, const struct gpu_head *heads, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct uvirtio_gpu_head g = { .head = i };

		if (!heads[i].width)
			continue;
		g.flags = UVIRTIO_HEAD_F_CONNECTED;
		g.width = heads[i].width;
		g.height = heads[i].height;
		g.dpi = heads[i].dpi;
		if (ioctl(fd, UV_GPU_HEAD, &g) < 0) {
			say(LOG_ERR, "the kernel refused head %u (%ldx%ld): %s",
			    i, heads[i].width, heads[i].height,
			    errno == ENOTTY ?
			    "the loaded uvirtio module is older than this tool" :
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* What an error of UV_DEV_CREATE means (the uapi header lists them). */
static const char *create_error(int err)
{
	switch (err) {
	case EOPNOTSUPP:
		return "the module does not allow this device type";
	case EPERM:
		return "the kernel is locked down (see dmesg)";
	case ENOSPC:
		return "the module's max_devices are in use";
	case EINVAL:
		return "the module refused the setup (a feature the type may not offer?)";
	}
	return strerror(err);
}

/*
 * Creates a sticky device from the loaded profile, a virtio-gpu with the
 * @n heads given; its id, or -1.
 */
static int create_device(int fd, const struct gpu_head *heads, unsigned int n)
{
	struct uvirtio_setup setup;
	int id;

	if (profile.nexpects && ioctl(fd, UV_DEV_EXPECT, &profile.expect) < 0) {
		say(LOG_ERR, "the kernel refused the profile's expectations: %s",
		    strerror(errno));
		return -1;
	}
	if (give_heads(fd, heads, n))
		return -1;
	profile_setup(&profile, &setup, 1);
	id = ioctl(fd, UV_DEV_CREATE, &setup);
	if (id < 0) {
		say(LOG_ERR, "cannot create the device: %s", create_error(errno));
		return -1;
	}
	load_driver(fd, id);
	return id;
}

static const char *conf_path(void)
{
	const char *path = getenv("UVIRTIO_CONF");

	return path && *path ? path : CONF_PATH;
}

/*
 * uvirtio.gpu= from the command line, or else from the configuration file
 * (then req->from names it).
 */
static void gpu_request(struct gpu_req *req)
{
	char cmdline[4096], err[300];
	char *text;

	text = read_text("/proc/cmdline", err, sizeof(err));
	snprintf(cmdline, sizeof(cmdline), "%s", text ? text : "");
	free(text);
	if (cmdline_gpu(cmdline, req) != GPU_ABSENT)
		return;

	if (access(conf_path(), F_OK) && errno == ENOENT)
		return;
	text = read_text(conf_path(), err, sizeof(err));
	if (!text) {
		say(LOG_ERR, "%s; ignored", err);
		return;
	}
	if (config_words(text, err, sizeof(err)))
		say(LOG_ERR, "%s: %s", conf_path(), err);
	if (cmdline_gpu(text, req) != GPU_ABSENT)
		req->from = conf_path();
	free(text);
}

/*
 * No arguments: the display the command line (or the file) asks for.
 * gpu_decide() judges the request; this only reads, creates and says.
 */
static int boot(void)
{
	const struct profile_param *pw = NULL, *ph = NULL, *pd = NULL;
	struct gpu_head heads[UVIRTIO_GPU_MAX_HEADS];
	struct gpu_bounds bounds = { 0 };
	struct uvirtio_dev_info gpu;
	struct gpu_plan plan;
	struct gpu_req req;
	unsigned int i, n = 0;
	char modes[256] = "";
	int fd, id, ret;

	boot_mode = 1;
	gpu_request(&req);
	/* uvirtio.gpu=off needs no profile. */
	if (req.kind != GPU_OFF) {
		if (load_profile("gpu")) {
			say(LOG_ERR, "%s; no display created", profile.err);
			return EXIT_PROFILE;
		}
		pw = profile_find_param(&profile, "width");
		ph = profile_find_param(&profile, "height");
		pd = profile_find_param(&profile, "dpi");
		if (!pw || !ph) {
			say(LOG_ERR, "the gpu profile has no width and height parameters; no display created");
			return EXIT_PROFILE;
		}
		bounds.min_width = pw->min;
		bounds.max_width = pw->max;
		bounds.min_height = ph->min;
		bounds.max_height = ph->max;
		bounds.min_dpi = pd ? pd->min : UVIRTIO_GPU_MIN_DPI;
		bounds.max_dpi = pd ? pd->max : UVIRTIO_GPU_MAX_DPI;
	}
	gpu_decide(&req, &bounds, &plan);
	if (plan.msg[0])
		say(plan.level, "%s", plan.msg);
	if (plan.action == GPU_NO_DEVICE)
		return EXIT_OK;
	ret = plan.level == LOG_ERR ? EXIT_PROFILE : EXIT_OK;
	/* Within the bounds gpu_decide() checked: profile_set() takes it. */
	if (plan.action == GPU_DEVICE_MODE &&
	    (profile_set(&profile, "width", plan.heads[0].width) ||
	     profile_set(&profile, "height", plan.heads[0].height) ||
	     (profile_find_param(&profile, "heads") &&
	      profile_set(&profile, "heads", plan.nheads)))) {
		say(LOG_ERR, "%s: %s; no display created", profile_path,
		    profile.err);
		return EXIT_PROFILE;
	}
	n = profile_heads(heads);
	if (plan.action == GPU_DEVICE_MODE && n) {
		for (i = 0; i < plan.nheads; i++) {
			heads[i] = plan.heads[i];
			if (!heads[i].dpi && pd)
				heads[i].dpi = pd->value;
		}
	} else if (plan.action == GPU_DEVICE_MODE && plan.nheads > 1) {
		say(LOG_ERR, "%s has no heads parameter: one head only",
		    profile_path);
		ret = EXIT_PROFILE;
	}

	fd = open_uvirtio();
	if (fd < 0)
		return EXIT_FAIL;
	if (!find_device(fd, BY_DEVICE_ID, VIRTIO_ID_GPU, &gpu)) {
		say(LOG_INFO, "a virtio-gpu exists already (uvirtio.%u)", gpu.id);
		close(fd);
		return ret;
	}
	id = create_device(fd, heads, n);
	close(fd);
	if (id < 0)
		return EXIT_FAIL;
	for (i = 0; i < n || (!n && !i); i++)
		snprintf(modes + strlen(modes), sizeof(modes) - strlen(modes),
			 "%s%lldx%lld", i ? ", " : "",
			 n ? (long long)heads[i].width : pw->value,
			 n ? (long long)heads[i].height : ph->value);
	say(LOG_INFO, "created virtio-gpu uvirtio.%d at %s", id, modes);
	return ret;
}

struct setting {
	const char *name;
	long long value;
};

/* KEY=NUMBER arguments of create. */
static int parse_settings(int argc, char **argv, struct setting *set)
{
	int i;

	if (argc > MAX_SETTINGS) {
		say(LOG_ERR, "at most %d parameters", MAX_SETTINGS);
		return -1;
	}
	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '='), *end;

		if (!eq || eq == argv[i]) {
			say(LOG_ERR, "'%s' is not KEY=VALUE", argv[i]);
			return -1;
		}
		*eq = '\0';
		errno = 0;
		set[i].name = argv[i];
		set[i].value = strtoll(eq + 1, &end, 0);
		if (errno || end == eq + 1 || *end) {
			say(LOG_ERR, "%s=%s: the value is not a number",
			    argv[i], eq + 1);
			return -1;
		}
	}
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	struct gpu_head heads[UVIRTIO_GPU_MAX_HEADS];
	struct setting set[MAX_SETTINGS];
	unsigned int n;
	int fd, id, i;

	if (argc < 1) {
		say(LOG_ERR, "usage: uvirtio-boot create PROFILE [KEY=VALUE...]");
		return EXIT_USAGE;
	}
	if (parse_settings(argc - 1, argv + 1, set))
		return EXIT_USAGE;
	if (load_profile(argv[0])) {
		say(LOG_ERR, "%s", profile.err);
		return EXIT_PROFILE;
	}
	for (i = 0; i < argc - 1; i++) {
		if (profile_set(&profile, set[i].name, set[i].value)) {
			say(LOG_ERR, "%s: %s", profile_path, profile.err);
			return EXIT_PROFILE;
		}
	}
	fd = open_uvirtio();
	if (fd < 0)
		return EXIT_FAIL;
	n = profile_heads(heads);
	id = create_device(fd, heads, n);
	close(fd);
	if (id < 0)
		return EXIT_FAIL;
	printf("%d\n", id);
	return EXIT_OK;
}

static int cmd_list(void)
{
	static struct uvirtio_dev_info info[LIST_MAX];
	int fd, i, n;

	fd = open_uvirtio();
	if (fd < 0)
		return EXIT_FAIL;
	n = list_devices(fd, info, LIST_MAX);
	close(fd);
	if (n < 0) {
		say(LOG_ERR, "cannot list devices: %s", strerror(errno));
		return EXIT_FAIL;
	}
	printf("%-4s %-12s %-10s %-8s %s\n", "ID", "DEVICE", "BUS", "FLAGS",
	       "STATUS");
	for (i = 0; i < n && i < LIST_MAX; i++) {
		char dev[32], bus[32];

		snprintf(dev, sizeof(dev), "%s(%u)",
			 device_name(info[i].device_id), info[i].device_id);
		snprintf(bus, sizeof(bus), "virtio%u", info[i].index);
		printf("%-4u %-12s %-10s %-8s %s\n", info[i].id, dev, bus,
		       info[i].flags & (1 << UVIRTIO_DEV_FLAG_STICK) ?
		       "sticky" : "-",
		       info[i].status & VIRTIO_CONFIG_S_DRIVER_OK ?
		       "driver-ok" :
		       info[i].status & VIRTIO_CONFIG_S_FAILED ?
		       "failed" : "no-driver");
	}
	return EXIT_OK;
}

/* A device id or a head number: decimal, within 32 bits. */
static int parse_u32(const char *s, __u32 *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > 0xffffffffUL)
		return -1;
	*out = (__u32)v;
	return 0;
}

static int cmd_destroy(int argc, char **argv)
{
	struct uvirtio_destroy d = { 0 };
	int fd;

	if (argc != 1) {
		say(LOG_ERR, "usage: uvirtio-boot destroy ID");
		return EXIT_USAGE;
	}
	if (parse_u32(argv[0], &d.id)) {
		say(LOG_ERR, "'%s' is not a device id (see uvirtio-boot list)",
		    argv[0]);
		return EXIT_USAGE;
	}
	fd = open_uvirtio();
	if (fd < 0)
		return EXIT_FAIL;
	if (ioctl(fd, UV_DEV_DESTROY, &d) < 0) {
		say(LOG_ERR, "cannot destroy device %u: %s", d.id,
		    errno == ENOENT ? "no such device" :
		    errno == EBUSY ? "its creating file is still open" :
		    strerror(errno));
		close(fd);
		return EXIT_FAIL;
	}
	close(fd);
	return EXIT_OK;
}

/* Why the kernel refused UV_GPU_HEAD on uvirtio.@id, in words. */
static const char *head_error(int fd, int err, __u32 id, char *buf,
			      size_t len)
{
	struct uvirtio_dev_info dev;

	switch (err) {
	case ENOENT:
		return "no such device (see uvirtio-boot list)";
	case ENODEV:
		return "the device is being destroyed";
	case ENOTTY:
		return "the loaded uvirtio module is older than this tool";
	case EINVAL:
		if (!find_device(fd, BY_ID, id, &dev) &&
		    dev.device_id != VIRTIO_ID_GPU) {
			snprintf(buf, len, "it is a %s device, not a virtio-gpu",
				 device_name(dev.device_id));
			return buf;
		}
		return "the virtio-gpu has no such head, or was made without heads";
	}
	return strerror(err);
}

/*
 * resize ID WIDTHxHEIGHT[@DPIdpi] [HEAD], plug ID HEAD [WIDTHxHEIGHT[@DPIdpi]]
 * and unplug ID HEAD: a monitor of a virtio-gpu changes (UV_GPU_HEAD).
 */
static int cmd_head(const char *cmd, int argc, char **argv)
{
	int resize = !strcmp(cmd, "resize"), plug = !strcmp(cmd, "plug");
	struct uvirtio_gpu_head g = { .flags = UVIRTIO_HEAD_F_DEVICE };
	const char *mode = NULL, *head = NULL;
	struct gpu_head h = { 0 };
	char why[64];
	int fd;

	if (resize && (argc == 2 || argc == 3)) {
		mode = argv[1];
		head = argc == 3 ? argv[2] : "0";
	} else if (plug && (argc == 2 || argc == 3)) {
		head = argv[1];
		mode = argc == 3 ? argv[2] : NULL;
	} else if (!resize && !plug && argc == 2) {
		head = argv[1];
	} else {
		say(LOG_ERR, "usage: uvirtio-boot %s", resize ?
		    "resize ID WIDTHxHEIGHT[@DPIdpi] [HEAD]" : plug ?
		    "plug ID HEAD [WIDTHxHEIGHT[@DPIdpi]]" : "unplug ID HEAD");
		return EXIT_USAGE;
	}
	if (parse_u32(argv[0], &g.dev_id)) {
		say(LOG_ERR, "'%s' is not a device id (see uvirtio-boot list)",
		    argv[0]);
		return EXIT_USAGE;
	}
	if (parse_u32(head, &g.head)) {
		say(LOG_ERR, "'%s' is not a head number (0 is the first)", head);
		return EXIT_USAGE;
	}
	if (mode && gpu_head_read(mode, strlen(mode), &h)) {
		say(LOG_ERR, "'%s' is not WIDTHxHEIGHT[@DPIdpi]", mode);
		return EXIT_USAGE;
	}
	if (plug && !mode) {
		/* The gpu profile's default mode. */
		if (load_profile("gpu") || profile_heads(&h) == 0) {
			say(LOG_ERR, "%s", profile.err[0] ? profile.err :
			    "the gpu profile has no heads parameter");
			return EXIT_PROFILE;
		}
		h.dpi = 0;	/* the head keeps its own */
	}
	if (mode || plug) {
		if (h.width < UVIRTIO_GPU_MIN_SIDE ||
		    h.width > UVIRTIO_GPU_MAX_SIDE ||
		    h.height < UVIRTIO_GPU_MIN_SIDE ||
		    h.height > UVIRTIO_GPU_MAX_SIDE) {
			say(LOG_ERR, "%s is outside %dx%d..%dx%d", mode,
			    UVIRTIO_GPU_MIN_SIDE, UVIRTIO_GPU_MIN_SIDE,
			    UVIRTIO_GPU_MAX_SIDE, UVIRTIO_GPU_MAX_SIDE);
			return EXIT_PROFILE;
		}
		if (h.dpi && (h.dpi < UVIRTIO_GPU_MIN_DPI ||
			      h.dpi > UVIRTIO_GPU_MAX_DPI)) {
			say(LOG_ERR, "%s: %ld dpi is outside %d..%d", mode,
			    h.dpi, UVIRTIO_GPU_MIN_DPI, UVIRTIO_GPU_MAX_DPI);
			return EXIT_PROFILE;
		}
		g.flags |= UVIRTIO_HEAD_F_CONNECTED;
		g.width = h.width;
		g.height = h.height;
		g.dpi = h.dpi;
	}
	fd = open_uvirtio();
	if (fd < 0)
		return EXIT_FAIL;
	if (ioctl(fd, UV_GPU_HEAD, &g) < 0) {
		say(LOG_ERR, "cannot %s head %u of uvirtio.%u: %s", cmd, g.head,
		    g.dev_id, head_error(fd, errno, g.dev_id, why, sizeof(why)));
		close(fd);
		return EXIT_FAIL;
	}
	close(fd);
	return EXIT_OK;
}

static void usage(FILE *out)
{
	fprintf(out,
"usage: uvirtio-boot                      create the display uvirtio.gpu= asks for\n"
"       uvirtio-boot create PROFILE [KEY=VALUE...]\n"
"                                         create a sticky device; prints its id\n"
"       uvirtio-boot list                 list uvirtio devices\n"
"       uvirtio-boot destroy ID           remove a sticky device\n"
"       uvirtio-boot resize ID WIDTHxHEIGHT[@DPIdpi] [HEAD]\n"
"       uvirtio-boot plug ID HEAD [WIDTHxHEIGHT[@DPIdpi]]\n"
"       uvirtio-boot unplug ID HEAD       change a monitor of a virtio-gpu\n"
"                                         (HEAD counts from 0)\n"
"       uvirtio-boot --help | --version | --profile-dir\n"
"\n"
"PROFILE is a name in %s (or $UVIRTIO_PROFILE_DIR)\n"
"or a path containing '/'. Kernel command line:\n"
"uvirtio.gpu=WIDTHxHEIGHT[@DPIdpi][,...] (up to 16 heads), off or 0; none\n"
"gives the profile's default (1024x768 at 96 dpi); a malformed one\n"
"is reported and the default used. Without it on the command line,\n"
"uvirtio.gpu= is read from " CONF_PATH " (or $UVIRTIO_CONF).\n"
"\n"
"Exit status: 0 done, 1 the operation failed, 2 usage error,\n"
"3 bad profile or parameter.\n", PROFILE_DIR);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return boot();
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("uvirtio-boot %s (uvirtio API %d)\n", UVIRTIO_VERSION,
		       UVIRTIO_API_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--profile-dir")) {
		printf("%s\n", PROFILE_DIR);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "create"))
		return cmd_create(argc - 2, argv + 2);
	if (!strcmp(argv[1], "list") && argc == 2)
		return cmd_list();
	if (!strcmp(argv[1], "destroy"))
		return cmd_destroy(argc - 2, argv + 2);
	if (!strcmp(argv[1], "resize") || !strcmp(argv[1], "plug") ||
	    !strcmp(argv[1], "unplug"))
		return cmd_head(argv[1], argc - 2, argv + 2);
	usage(stderr);
	return EXIT_USAGE;
}
