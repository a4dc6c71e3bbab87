// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/uvirtio ABI from user space, in the test guest: the allow-list
 * of device types and features, validation, error codes, lifecycle,
 * several devices, access. TAP, one line per fact. Devices use virtio id
 * 0xfff0, which no driver binds: off the allow-list, so test_types() turns
 * the module parameter any_type on after it checks the list.
 *
 *   uvtest-ioctl             all of it
 *   uvtest-ioctl lockdown    on a kernel locked down: any_type lets
 *                            nothing through
 *   uvtest-ioctl standin     devices of id 0xfff1 for test-vm/kmod's
 *                            misbehaving driver uvtest_drv (loaded)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/uvirtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "uvtest.h"

#define TEST_ID		0xfff0
#define STICK		(1 << UVIRTIO_DEV_FLAG_STICK)
/* A device feature bit (below 24), passed on as it is. */
#define DEVICE_FEATURE	(1ULL << 3)
#define VERSION_1	(1ULL << VIRTIO_F_VERSION_1)

static void *bad_ptr;

static int create(int fd, __u16 flags)
{
	static char config[4] = { 1, 2, 3, 4 };
	struct uvirtio_setup s = {
		.features = DEVICE_FEATURE,
		.config_addr = (uintptr_t)config,
		.config_len = sizeof(config),
		.flags = flags,
		.id = TEST_ID,
	};

	return ioctl(fd, UV_DEV_CREATE, &s);
}

/* The rule bytes of valid expectations: a request's 4, a reply's 2. */
static const char match[4] = "ABCD", reply[2] = "OK";

static void test_expect(void)
{
	static struct uvirtio_expect ex;
	int fd = xopen();

	good_expect(&ex, match, reply);
	ok(ioctl(fd, UV_DEV_EXPECT, &ex) == 0, "a valid UV_DEV_EXPECT is taken");
	ok(ioctl(fd, UV_DEV_EXPECT, &ex) == 0, "a second UV_DEV_EXPECT replaces the first");

	good_expect(&ex, match, reply);
	memset(ex.expects[0].vq_name, 'q', UVIRTIO_MAX_VQ_NAME);
	fails(ioctl(fd, UV_DEV_EXPECT, &ex), EINVAL, "unterminated queue name");

	good_expect(&ex, match, reply);
	ex.expects[0].vq_name[UVIRTIO_MAX_VQ_NAME - 1] = 'q';
	fails(ioctl(fd, UV_DEV_EXPECT, &ex), EINVAL, "a byte after the queue name's NUL");

	good_expect(&ex, match, reply);
	ex.expects[0].blocks[1].rules[0].off = 7;
	fails(ioctl(fd, UV_DEV_EXPECT, &ex), EINVAL, "rule past the end of its block");

	good_expect(&ex, match, reply);
	ex.expects[0].blocks[0].rules[1].off = 0xffff;
	ex.expects[0].blocks[0].rules[1].len = 0xffff;
	fails(ioctl(fd, UV_DEV_EXPECT, &ex), EINVAL, "rule off + len overflowing 16 bits");

	good_expect(&ex, match, reply);
	ex.expects[0].blocks[0].flags = VRING_DESC_F_INDIRECT;
	fails(ioctl(fd, UV_DEV_EXPECT, &ex), EINVAL, "block flag INDIRECT");

	good_expect(&ex, match, reply);
	ex.expects[0].blocks[0].unused = 1;
	fails(ioctl(fd, UV_DEV_EXPECT, &ex), EINVAL, "nonzero unused field");

	good_expect(&ex, match, reply);
	ex.expects[0].blocks[3].flags = VRING_DESC_F_NEXT;
	fails(ioctl(fd, UV_DEV_EXPECT, &ex), EINVAL, "nonzero block after the end of the list");

	good_expect(&ex, match, reply);
	ex.expects[0].blocks[0].rules[2].off = 3;
	fails(ioctl(fd, UV_DEV_EXPECT, &ex), EINVAL, "nonzero rule after the end of the list");

	good_expect(&ex, match, reply);
	ex.expects[2].blocks[0].len = 4;
	fails(ioctl(fd, UV_DEV_EXPECT, &ex), EINVAL, "nonzero expect after the end of the list");

	good_expect(&ex, match, reply);
	ex.expects[0].blocks[0].data = 0;
	fails(ioctl(fd, UV_DEV_EXPECT, &ex), EFAULT, "NULL rule data");

	good_expect(&ex, match, reply);
	ex.expects[0].blocks[1].data = (uintptr_t)bad_ptr;
	fails(ioctl(fd, UV_DEV_EXPECT, &ex), EFAULT, "unmapped rule data");

	fails(ioctl(fd, UV_DEV_EXPECT, bad_ptr), EFAULT, "unmapped UV_DEV_EXPECT argument");

	/* 17 rules of 65535 bytes: more than 1 MiB of rule data. */
	memset(&ex, 0, sizeof(ex));
	for (int i = 0; i < 3; i++) {
		strcpy(ex.expects[i].vq_name, "q");
		for (int j = 0; j < 8; j++) {
			struct uvirtio_block *b = &ex.expects[i].blocks[j];

			if (i * 8 + j >= 17)
				break;
			b->len = 65535;
			b->rules[0].len = 65535;
			b->data = (uintptr_t)bad_ptr;
		}
	}
	fails(ioctl(fd, UV_DEV_EXPECT, &ex), EINVAL, "more than 1 MiB of rule data");
	close(fd);
}

/* A device of type @id offering @features, with no config space. */
static int create_type(int fd, __u32 id, __u64 features)
{
	struct uvirtio_setup s = { .features = features, .id = id };

	return ioctl(fd, UV_DEV_CREATE, &s);
}

/* Types and device features the allow-list refuses, one fact each. */
static const struct {
	__u32 id;
	__u64 features;
	int err;
	const char *what;
} refused[] = {
	{ TEST_ID, 0, EOPNOTSUPP, "type 0xfff0, off the allow-list" },
	{ VIRTIO_ID_NET, 0, EOPNOTSUPP, "virtio-net" },
	{ VIRTIO_ID_BLOCK, 0, EOPNOTSUPP, "virtio-blk" },
	{ VIRTIO_ID_INPUT, 0, EOPNOTSUPP, "virtio-input" },
	{ VIRTIO_ID_GPU, 1ULL << VIRTIO_GPU_F_VIRGL, EINVAL, "a virtio-gpu offering VIRGL" },
	{ VIRTIO_ID_GPU, 1ULL << VIRTIO_GPU_F_RESOURCE_UUID, EINVAL, "a virtio-gpu offering RESOURCE_UUID" },
	{ VIRTIO_ID_GPU, 1ULL << VIRTIO_GPU_F_RESOURCE_BLOB, EINVAL, "a virtio-gpu offering RESOURCE_BLOB" },
	{ VIRTIO_ID_GPU, 1ULL << VIRTIO_GPU_F_CONTEXT_INIT, EINVAL, "a virtio-gpu offering CONTEXT_INIT" },
	{ VIRTIO_ID_GPU, 1ULL << 23, EINVAL, "a virtio-gpu offering device bit 23" },
	{ VIRTIO_ID_GPU, 1ULL << 50, EINVAL, "a virtio-gpu offering device bit 50" },
	{ VIRTIO_ID_CONSOLE, 1ULL << VIRTIO_CONSOLE_F_MULTIPORT, EINVAL, "a virtio-console offering MULTIPORT" },
	{ VIRTIO_ID_CONSOLE, 1ULL << VIRTIO_CONSOLE_F_EMERG_WRITE, EINVAL, "a virtio-console offering EMERG_WRITE" },
	{ VIRTIO_ID_CONSOLE, 1ULL << 3, EINVAL, "a virtio-console offering device bit 3" },
	{ VIRTIO_ID_GPU, 1ULL << VIRTIO_RING_F_INDIRECT_DESC, EINVAL, "transport bit INDIRECT_DESC" },
	{ VIRTIO_ID_GPU, 1ULL << VIRTIO_RING_F_EVENT_IDX, EINVAL, "transport bit EVENT_IDX" },
	{ VIRTIO_ID_GPU, 1ULL << VIRTIO_F_ACCESS_PLATFORM, EINVAL, "transport bit ACCESS_PLATFORM" },
	{ VIRTIO_ID_GPU, 1ULL << VIRTIO_F_RING_PACKED, EINVAL, "transport bit RING_PACKED" },
	{ VIRTIO_ID_GPU, 1ULL << 24, EINVAL, "transport bit 24" },
	{ VIRTIO_ID_GPU, 1ULL << 49, EINVAL, "transport bit 49" },
};

static void test_types(void)
{
	struct uvirtio_dev_info *info;
	int fd, other = xopen(), id;
	__u64 want = DEVICE_FEATURE | 1ULL << 50 | VERSION_1;
	unsigned int i;

	ok(set_param("any_type", 0) == 0, "the parameter any_type can be set to 0 (%s)",
	   strerror(errno));
	fd = xopen();
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		fails(create_type(fd, refused[i].id, refused[i].features),
		      refused[i].err, refused[i].what);
	close(fd);

	ok(set_param("any_type", 1) == 0, "the parameter any_type can be set to 1 (%s)",
	   strerror(errno));
	fd = xopen();
	id = create_type(fd, TEST_ID, want);
	ok(id >= 0, "with any_type, type 0xfff0 with device bits 3 and 50 and VERSION_1 (id %d)",
	   id);
	info = find(other, id);
	ok(info && info->features == want, "it offers those (%#llx)",
	   info ? (unsigned long long)info->features : 0ULL);
	close(fd);
	fd = xopen();
	fails(create_type(fd, TEST_ID, 1ULL << VIRTIO_F_RING_PACKED), EINVAL,
	      "with any_type, still no transport bit but VERSION_1");
	fails(create_type(fd, VIRTIO_ID_GPU, 1ULL << VIRTIO_GPU_F_VIRGL), EINVAL,
	      "with any_type, a virtio-gpu still offers only its own features");
	close(fd);
	close(other);
}

/* max_devices: one more than it allows is refused, until one goes. */
static void test_max_devices(void)
{
	struct uvirtio_list l = { 0 };
	int other = xopen(), fd1 = xopen(), fd2 = xopen(), id;
	unsigned int max;

	ioctl(other, UV_DEV_LIST, &l);
	max = l.count + 1;
	ok(set_param("max_devices", max) == 0, "max_devices can be set to %u", max);
	id = create(fd1, 0);
	ok(id >= 0, "device %u of %u is created (id %d)", max, max, id);
	fails(create(fd2, 0), ENOSPC, "one more than max_devices");
	close(fd1);
	id = create(fd2, 0);
	ok(id >= 0, "once one is gone, another is created (id %d)", id);
	close(fd2);
	ok(set_param("max_devices", 64) == 0, "max_devices back to 64");
	close(other);
}

static void test_create(void)
{
	struct uvirtio_setup s = { .config_addr = 0, .config_len = 0, .id = TEST_ID };
	char config[UVIRTIO_MAX_CONFIG_LEN + 1] = { 0 };
	int fd = xopen();

	s.config_addr = (uintptr_t)config;
	s.config_len = sizeof(config);
	fails(ioctl(fd, UV_DEV_CREATE, &s), EINVAL, "config space of 1025 bytes");
	s.config_len = 4;
	s.flags = 1 << UVIRTIO_DEV_FLAG_MAX;
	fails(ioctl(fd, UV_DEV_CREATE, &s), EINVAL, "unknown UV_DEV_CREATE flag");
	s.flags = 0;
	s.id = 0;
	fails(ioctl(fd, UV_DEV_CREATE, &s), EINVAL, "device id 0");
	s.id = TEST_ID;
	s.config_addr = (uintptr_t)bad_ptr;
	fails(ioctl(fd, UV_DEV_CREATE, &s), EFAULT, "unmapped config space");
	fails(ioctl(fd, UV_DEV_CREATE, bad_ptr), EFAULT, "unmapped UV_DEV_CREATE argument");
	fails(ioctl(fd, _IO('V', 99)), ENOTTY, "unknown ioctl");
	fails(ioctl(fd, _IOW('V', 1, __u32), bad_ptr), ENOTTY,
	      "UV_DEV_CREATE's number with the wrong size");
	close(fd);
}

static void test_lifecycle(void)
{
	struct uvirtio_destroy d = { 0 };
	struct uvirtio_dev_info *info;
	struct uvirtio_list l = { 0 };
	static struct uvirtio_expect ex;
	__u32 version = 0;
	int fd = xopen(), other = xopen(), id, sid, rc;

	rc = ioctl(fd, UV_GET_API_VERSION, &version);
	ok(rc == 0 && version == UVIRTIO_API_VERSION,
	   "UV_GET_API_VERSION is the header's %u (got %u)",
	   UVIRTIO_API_VERSION, version);

	id = create(fd, 0);
	ok(id >= 0, "a plain device is created (id %d)", id);
	info = find(other, id);
	ok(info && info->device_id == TEST_ID && (info->state & UVIRTIO_STATE_OWNED),
	   "UV_DEV_LIST shows it, owned by its file");
	ok(info && info->features == (DEVICE_FEATURE | VERSION_1),
	   "it offers device bit 3 and VERSION_1, nothing else (%#llx)",
	   info ? (unsigned long long)info->features : 0ULL);
	ok(in_sysfs(id), "/sys/devices/platform/uvirtio.%d exists", id);
	fails(create(fd, 0), EBUSY, "a second UV_DEV_CREATE on the same file");
	good_expect(&ex, match, reply);
	fails(ioctl(fd, UV_DEV_EXPECT, &ex), EBUSY, "UV_DEV_EXPECT after UV_DEV_CREATE");
	d.id = id;
	fails(ioctl(other, UV_DEV_DESTROY, &d), EBUSY, "another file destroying it");
	close(fd);
	ok(!find(other, id) && !in_sysfs(id), "closing its file removes it");

	fd = xopen();
	sid = create(fd, STICK);
	ok(sid >= 0, "a sticky device is created (id %d)", sid);
	close(fd);
	info = find(other, sid);
	ok(info && !(info->state & UVIRTIO_STATE_OWNED) && (info->flags & STICK),
	   "it stays after its file is closed, listed as sticky");
	d.id = sid;
	d.flags = 1;
	fails(ioctl(other, UV_DEV_DESTROY, &d), EINVAL, "UV_DEV_DESTROY with flags");
	d.flags = 0;
	ok(ioctl(other, UV_DEV_DESTROY, &d) == 0, "UV_DEV_DESTROY removes it");
	ok(!find(other, sid) && !in_sysfs(sid), "it is gone from the list and sysfs");
	fails(ioctl(other, UV_DEV_DESTROY, &d), ENOENT, "destroying it again");
	fails(ioctl(other, UV_DEV_DESTROY, bad_ptr), EFAULT, "unmapped UV_DEV_DESTROY argument");

	l.reserved = 1;
	fails(ioctl(other, UV_DEV_LIST, &l), EINVAL, "UV_DEV_LIST with reserved set");
	fails(ioctl(other, UV_DEV_LIST, bad_ptr), EFAULT, "unmapped UV_DEV_LIST argument");
	l.reserved = 0;
	l.count = 1;
	l.devs_addr = (uintptr_t)bad_ptr;
	fd = xopen();
	id = create(fd, 0);
	fails(ioctl(other, UV_DEV_LIST, &l), EFAULT, "UV_DEV_LIST into unmapped memory");
	l.count = 0;
	ok(ioctl(other, UV_DEV_LIST, &l) == 0 && l.count >= 1,
	   "UV_DEV_LIST with no room counts the devices (%u)", l.count);
	close(fd);
	close(other);
}

static void test_several(void)
{
	int fds[4], ids[4], i, distinct = 1, listed = 0, gone = 1;
	int other = xopen();

	for (i = 0; i < 4; i++) {
		fds[i] = xopen();
		ids[i] = create(fds[i], 0);
	}
	for (i = 0; i < 4; i++) {
		listed += find(other, ids[i]) != NULL;
		if (i && ids[i] == ids[i - 1])
			distinct = 0;
	}
	ok(listed == 4 && distinct, "four devices exist at once, with their own ids");
	for (i = 0; i < 4; i++)
		close(fds[i]);
	for (i = 0; i < 4; i++)
		gone &= !find(other, ids[i]) && !in_sysfs(ids[i]);
	ok(gone, "closing their files removes all four");
	close(other);
}

/* Runs @fn in a child; its exit status. */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

static int open_errno(void)
{
	int fd = open("/dev/uvirtio", O_RDWR);

	return fd >= 0 ? 0 : errno;
}

static int as_nobody(void)
{
	if (setgid(65534) || setuid(65534))
		return 254;
	return open_errno();
}

static int without_cap_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct c[2];

	if (syscall(SYS_capget, &h, c))
		return 254;
	c[CAP_SYS_ADMIN / 32].effective &= ~(1U << (CAP_SYS_ADMIN % 32));
	c[CAP_SYS_ADMIN / 32].permitted &= ~(1U << (CAP_SYS_ADMIN % 32));
	if (syscall(SYS_capset, &h, c))
		return 254;
	return open_errno();
}

static void test_access(void)
{
	struct stat st = { 0 };

	ok(stat("/dev/uvirtio", &st) == 0 && (st.st_mode & 0777) == 0600,
	   "/dev/uvirtio is mode 0600 (%o)", st.st_mode & 0777);
	ok(in_child(as_nobody) == EACCES, "a non-root user cannot open it");
	ok(in_child(without_cap_sys_admin) == EPERM,
	   "root without CAP_SYS_ADMIN cannot open it");
}

/* uvtest_drv's mode (test-vm/kmod/uvtest_drv.c); 0, or -1. */
static int standin_mode(int mode)
{
	return set_module_param("uvtest_drv", "mode", mode);
}

/* Waits up to 5 s for uvirtio.<id>'s status to have all of @bits. */
static int status_has(int fd, int id, __u8 bits)
{
	struct uvirtio_dev_info *info;
	int i;

	for (i = 0; i < 500; i++) {
		info = find(fd, id);
		if (info && (info->status & bits) == bits)
			return 1;
		usleep(10000);
	}
	return 0;
}

/*
 * A driver that kicks after resetting the device and then fails its
 * probe, and one that publishes a request whose head is out of the ring.
 * What the first could do (the work item run on after the device is
 * freed) shows as KASAN's report, or the module's warning on release, in
 * the kernel log the case checks; the second must leave the device in
 * NEEDS_RESET with nothing completed.
 */
static void test_standin(void)
{
	int other = xopen(), fd, id;
	char name[64];

	ok(set_param("any_type", 1) == 0, "any_type on, for id 0xfff1");
	ok(standin_mode(1) == 0, "uvtest_drv's mode 1: kick after reset");
	fd = xopen();
	id = create_type(fd, 0xfff1, 0);
	ok(id >= 0, "a device for it (id %d)", id);
	ok(status_has(other, id, VIRTIO_CONFIG_S_FAILED),
	   "its probe failed (status has FAILED)");
	ok(!driver_of(other, id, name, sizeof(name)), "no driver is bound");
	close(fd);
	ok(!find(other, id) && !in_sysfs(id), "closing its file removes it");

	ok(standin_mode(2) == 0, "uvtest_drv's mode 2: a head out of the ring");
	fd = xopen();
	id = create_type(fd, 0xfff1, 0);
	ok(id >= 0, "a device for it (id %d)", id);
	ok(driver_bound(other, id, "uvtest_drv"), "uvtest_drv is bound");
	ok(status_has(other, id, VIRTIO_CONFIG_S_NEEDS_RESET),
	   "the device set NEEDS_RESET for the bad request");
	close(fd);
	ok(!find(other, id) && !in_sysfs(id), "closing its file removes it");
	ok(standin_mode(0) == 0 && set_param("any_type", 0) == 0,
	   "uvtest_drv's mode and any_type back to 0");
	close(other);
}

static void test_lockdown(void)
{
	int fd = xopen();

	ok(set_param("any_type", 1) == 0, "any_type can still be set to 1");
	fails(create_type(fd, TEST_ID, 0), EPERM,
	      "locked down, a type off the allow-list is refused even with any_type");
	close(fd);
	ok(set_param("any_type", 0) == 0, "any_type is 0 again");
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "lockdown")) {
		test_lockdown();
		return done_testing();
	}
	if (argc == 2 && !strcmp(argv[1], "standin")) {
		test_standin();
		return done_testing();
	}
	bad_ptr = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	test_types();
	test_expect();
	test_create();
	test_lifecycle();
	test_several();
	test_max_devices();
	test_access();
	ok(set_param("any_type", 0) == 0, "any_type is 0 again");
	return done_testing();
}
