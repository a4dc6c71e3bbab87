// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input and load for /dev/uvirtio, in the test guest. Seeded and
 * repeatable; TAP lines ("ok N - ..." / "not ok N - ...") and figures
 * ("# figure NAME VALUE").
 *
 *   uvtest-stress fuzz SEED CALLS        random and mutated ioctls
 *   uvtest-stress kfuzz SEED CALLS       the same, guided by KCOV coverage
 *   uvtest-stress lifecycle SEED CYCLES GPU_CYCLES THREADS
 *   uvtest-stress faults                 slab allocation failures, in turn,
 *                                        on every path (fail-nth)
 *   uvtest-stress drivers SEED 3 COUNT   virtio consoles (VIRTIO_ID_CONSOLE)
 *                                        with random features and config
 *   uvtest-stress replies SEED COUNT     virtio-gpus whose expectations give
 *                                        virtio_gpu hostile replies and config
 *
 * The fuzzer's devices use virtio ids no driver binds (0xfff0 and up, off
 * the allow-list: the module parameter any_type must be on; or ids the
 * module refuses): it tests the transport, not the drivers behind it. The
 * lifecycle's gpu cycles and the replies bind the real virtio_gpu.
 *
 * The gpu (lifecycle, faults) is the one profiles/gpu.profile describes,
 * read through tool/profile.c: the file $UVTEST_GPU_PROFILE, else
 * gpu.profile in the directory that "/usr/sbin/uvirtio-boot --profile-dir"
 * prints (where the dracut module put the profiles).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kcov.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/uvirtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "profile.h"
#include "uvtest.h"

#define STICK		(1 << UVIRTIO_DEV_FLAG_STICK)
#define FUZZ_ID		0xfff0
/* Both flags a block may have; INDIRECT is refused. */
#define BLOCK_FLAGS	(VRING_DESC_F_NEXT | VRING_DESC_F_WRITE)
/* Device feature bits; the transport's (24-49) are refused but VERSION_1. */
#define DEVICE_FEATURES	0xffffff
#define PAGE		4096

/* SIGTERM (timeout(1) at the case's limit): stop, and still report. */
static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* xorshift64*: the same seed gives the same run. */
static __thread uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void seed(uint64_t s)
{
	rng_state = s * 0x9E3779B97F4A7C15ULL + 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Memory the fuzzer points the kernel at: a big readable buffer, its last
 * bytes just before a PROT_NONE page, an unmapped page, NULL and a kernel
 * address.
 */
static unsigned char *buf;
static size_t buf_len = 2u << 20;
static unsigned char *guard_edge;	/* 64 bytes before a PROT_NONE page */
static void *unmapped;

static void setup_memory(void)
{
	unsigned char *m;
	size_t i;

	buf = mmap(NULL, buf_len + PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || m == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		exit(1);
	}
	for (i = 0; i < buf_len; i++)
		buf[i] = (unsigned char)rnd();
	mprotect(m + PAGE, PAGE, PROT_NONE);
	munmap(m + 2 * PAGE, PAGE);
	guard_edge = m + PAGE - 64;
	unmapped = m + 2 * PAGE;
}

static uint64_t fuzz_ptr(size_t need)
{
	switch (below(16)) {
	case 0: return 0;
	case 1: return (uintptr_t)unmapped;
	case 2: return (uintptr_t)guard_edge;		/* runs into PROT_NONE */
	case 3: return 0xffff888000000000ULL;		/* kernel memory */
	case 4: return (uintptr_t)-1;
	case 5: return (uintptr_t)buf + buf_len - below(need + 1);
	default: return (uintptr_t)buf + below(buf_len > need ? buf_len - need : 1);
	}
}

static uint32_t fuzz_u32(void)
{
	static const uint32_t edge[] = {
		0, 1, 2, 7, 8, 9, 24, 63, 64, 65, 255, 256, 408, 1023, 1024,
		1025, 4095, 4096, 65535, 65536, 1u << 20, (1u << 20) + 1,
		0x7fffffff, 0x80000000, 0xffffffff,
	};

	if (below(2))
		return edge[below(sizeof(edge) / sizeof(edge[0]))];
	return (uint32_t)rnd();
}

static uint16_t fuzz_u16(void)
{
	static const uint16_t edge[] = {
		0, 1, 2, 3, 4, 8, 23, 24, 64, 407, 408, 1023, 1024, 1025,
		0x7fff, 0x8000, 0xfff0, 0xffff,
	};

	if (below(2))
		return edge[below(sizeof(edge) / sizeof(edge[0]))];
	return (uint16_t)rnd();
}

/* Every expectation, block and rule filled, data near the 1 MiB bound. */
static void maximal_expect(struct uvirtio_expect *ex)
{
	int e, b, r;

	memset(ex, 0, sizeof(*ex));
	for (e = 0; e < UVIRTIO_MAX_EXPECTS; e++) {
		memset(ex->expects[e].vq_name, 'q', UVIRTIO_MAX_VQ_NAME - 1);
		for (b = 0; b < UVIRTIO_MAX_BLOCKS; b++) {
			struct uvirtio_block *bl = &ex->expects[e].blocks[b];

			bl->len = 16384;
			bl->flags = b == UVIRTIO_MAX_BLOCKS - 1 ?
				    VRING_DESC_F_WRITE :
				    VRING_DESC_F_NEXT |
				    (b & 1 ? VRING_DESC_F_WRITE : 0);
			bl->data = (uintptr_t)buf;
			for (r = 0; r < UVIRTIO_MAX_RULES; r++) {
				bl->rules[r].off = r * 2048;
				bl->rules[r].len = 2048 - below(2);
			}
		}
	}
}

static void mutate_expect(struct uvirtio_expect *ex)
{
	int n = 1 + below(4), e, b, r;

	while (n--) {
		e = below(UVIRTIO_MAX_EXPECTS);
		b = below(UVIRTIO_MAX_BLOCKS);
		r = below(UVIRTIO_MAX_RULES);
		switch (below(12)) {
		case 0:	/* an unterminated or odd name */
			memset(ex->expects[e].vq_name, 'A' + below(26),
			       UVIRTIO_MAX_VQ_NAME);
			if (below(2))
				ex->expects[e].vq_name[below(UVIRTIO_MAX_VQ_NAME)] = 0;
			break;
		case 1:
			ex->expects[e].blocks[b].len = fuzz_u32();
			break;
		case 2:
			ex->expects[e].blocks[b].flags = below(2) ?
				below(BLOCK_FLAGS + 1) : fuzz_u16();
			break;
		case 3:
			ex->expects[e].blocks[b].unused = fuzz_u16();
			break;
		case 4:
			ex->expects[e].blocks[b].data = fuzz_ptr(1 << 20);
			break;
		case 5:	/* off + len past the block, or wrapping 16 bits */
			ex->expects[e].blocks[b].rules[r].off = fuzz_u16();
			ex->expects[e].blocks[b].rules[r].len = fuzz_u16();
			break;
		case 6:	/* overlapping rules */
			ex->expects[e].blocks[b].rules[r].off =
				ex->expects[e].blocks[b].rules[0].off;
			ex->expects[e].blocks[b].rules[r].len = 1 + below(8);
			break;
		case 7:
			strcpy(ex->expects[e].vq_name, below(2) ? "control" : "cursor");
			break;
		default: {	/* a random byte anywhere */
			unsigned char *p = (unsigned char *)ex;

			p[below(sizeof(*ex))] = (unsigned char)rnd();
			break;
		}
		}
	}
}

/*
 * A UV_DEV_CREATE argument. The allowed types (gpu, console) come with
 * features that are never all theirs: the allow-list refuses them before
 * a driver could bind.
 */
static void fuzz_setup(struct uvirtio_setup *s)
{
	static const uint32_t ids[] = { 0, FUZZ_ID, FUZZ_ID + 1, 0xffff,
					0x10000, 0xffffffff, VIRTIO_ID_GPU,
					VIRTIO_ID_CONSOLE };

	s->features = below(2) ? rnd() : rnd() & DEVICE_FEATURES;
	s->config_len = fuzz_u16();
	s->config_addr = fuzz_ptr(s->config_len);
	s->flags = below(3) ? below(2) : fuzz_u16();
	s->id = ids[below(sizeof(ids) / sizeof(ids[0]))];
	if (s->id == VIRTIO_ID_GPU || s->id == VIRTIO_ID_CONSOLE)
		s->features |= 1ULL << (4 + below(20));
}

struct counts {
	unsigned long long calls, ok, einval, efault, ebusy, enoent, enotty,
		enomem, refused, other, created, destroyed, expects;
};

static void count(struct counts *c, int ret, int err)
{
	c->calls++;
	if (ret >= 0) {
		c->ok++;
		return;
	}
	switch (err) {
	case EINVAL: c->einval++; break;
	case EFAULT: c->efault++; break;
	case EBUSY: c->ebusy++; break;
	case ENOENT: c->enoent++; break;
	case ENOTTY: c->enotty++; break;
	case ENOMEM: case ENOSPC: case E2BIG: c->enomem++; break;
	/* A type off the allow-list; EPERM once locked down. */
	case EOPNOTSUPP: case EPERM: c->refused++; break;
	default:
		if (c->other++ < 10)
			printf("# unexpected errno %d (%s)\n", err, strerror(err));
	}
}

/* Destroys every device no file owns; returns how many went. */
static int destroy_unowned(int fd)
{
	static struct uvirtio_dev_info info[256];
	struct uvirtio_list l = { .devs_addr = (uintptr_t)info, .count = 256 };
	unsigned int i;
	int n = 0;

	if (ioctl(fd, UV_DEV_LIST, &l))
		return 0;
	for (i = 0; i < l.count && i < 256; i++) {
		struct uvirtio_destroy d = { .id = info[i].id };

		if (!(info[i].state & UVIRTIO_STATE_OWNED) &&
		    !ioctl(fd, UV_DEV_DESTROY, &d))
			n++;
	}
	return n;
}

/*
 * One fuzzed ioctl: its number, the file it goes to and its argument, as
 * bytes or as a raw pointer. Made before it runs, so that the KCOV-guided
 * fuzzer can keep and mutate it.
 */
struct call {
	unsigned long cmd;
	int on_ctl;		/* on the second file */
	int raw;		/* pass @ptr, not the bytes */
	uint64_t ptr;
	int close_after;	/* a created device's file is closed at once */
	union {
		struct uvirtio_expect ex;
		struct uvirtio_setup st;
		struct uvirtio_destroy d;
		struct uvirtio_list l;
		struct uvirtio_gpu_head h;
	} arg;
};

static void gen_call(struct call *k)
{
	unsigned int op = below(100);

	memset(k, 0, sizeof(*k));
	if (op < 30) {
		switch (below(8)) {
		case 0: maximal_expect(&k->arg.ex); break;
		case 1: break;
		default: good_expect(&k->arg.ex, buf, buf + 64); break;
		}
		mutate_expect(&k->arg.ex);
		k->cmd = UV_DEV_EXPECT;
		if (!below(32)) {
			k->raw = 1;
			k->ptr = fuzz_ptr(sizeof(k->arg.ex));
		}
	} else if (op < 50) {
		fuzz_setup(&k->arg.st);
		k->cmd = UV_DEV_CREATE;
		if (!below(32)) {
			k->raw = 1;
			k->ptr = fuzz_ptr(sizeof(k->arg.st));
		}
		k->close_after = below(2);
	} else if (op < 60) {
		k->arg.d.id = below(4) ? below(64) : fuzz_u32();
		k->arg.d.flags = below(8) ? 0 : fuzz_u32();
		k->cmd = UV_DEV_DESTROY;
		k->on_ctl = !below(2);
	} else if (op < 72) {
		k->arg.l.count = below(2) ? below(300) : fuzz_u32();
		k->arg.l.reserved = below(8) ? 0 : fuzz_u32();
		k->arg.l.devs_addr = fuzz_ptr((size_t)(k->arg.l.count % 4096) *
					      sizeof(struct uvirtio_dev_info));
		k->cmd = UV_DEV_LIST;
		if (!below(32)) {
			k->raw = 1;
			k->ptr = fuzz_ptr(sizeof(k->arg.l));
		}
	} else if (op < 76) {
		k->cmd = UV_GET_API_VERSION;
		k->raw = 1;
		k->ptr = fuzz_ptr(4);
	} else if (op < 84) {
		/* A head: staged on this file, or a device's (id below 64). */
		k->arg.h.flags = below(4) ? below(4) : fuzz_u32();
		k->arg.h.dev_id = k->arg.h.flags & UVIRTIO_HEAD_F_DEVICE ?
				  below(64) : (below(8) ? 0 : fuzz_u32());
		k->arg.h.head = below(4) ? below(17) : fuzz_u32();
		k->arg.h.width = below(2) ? 64 + below(8129) : fuzz_u32();
		k->arg.h.height = below(2) ? 64 + below(8129) : fuzz_u32();
		k->arg.h.dpi = below(2) ? below(1000) : fuzz_u32();
		if (!below(8))
			k->arg.h.reserved[below(3)] = fuzz_u32();
		k->cmd = UV_GPU_HEAD;
		k->on_ctl = !below(4);
		if (!below(32)) {
			k->raw = 1;
			k->ptr = fuzz_ptr(sizeof(k->arg.h));
		}
	} else {
		/* Unknown numbers, and known ones with wrong sizes. */
		switch (below(3)) {
		case 0:
			k->cmd = _IOC(below(4), 'V', below(256), below(1 << 14));
			break;
		case 1:
			k->cmd = _IOC(_IOC_WRITE, 'V', 1 + below(6), below(4096));
			break;
		default:
			k->cmd = _IOC(below(4), below(256), below(256), below(64));
			/* not the generic file ioctls (FIONBIO, ...) */
			if (_IOC_TYPE(k->cmd) == 'T' || _IOC_TYPE(k->cmd) == 'f' ||
			    _IOC_TYPE(k->cmd) == 0x94 || _IOC_TYPE(k->cmd) == 0x58)
				k->cmd = _IOC(0, 'V', 200, 0);
			break;
		}
		k->raw = 1;
		k->ptr = fuzz_ptr(PAGE);
	}
}

/* Runs @k on a copy of its argument (the kernel writes into some). */
static int run_call(const struct call *k, int fd, int ctl)
{
	static struct call scratch;

	scratch.arg = k->arg;
	return ioctl(k->on_ctl ? ctl : fd, k->cmd,
		     k->raw ? (void *)(uintptr_t)k->ptr : (void *)&scratch.arg);
}

/* -- coverage, and the fuzz loop ------------------------------------------- */

#define COVER_WORDS	(64 << 10)	/* PCs KCOV may record per call */
#define EDGE_BITS	(1 << 20)
#define CORPUS_MAX	4096

/*
 * Mutates a kept input: a few bit flips, random bytes, boundary values or
 * a run of bytes from another kept input of the same ioctl. Devices keep
 * to ids no driver binds, as the plain fuzzer's.
 */
static void mutate_call(struct call *k, const struct call *other)
{
	unsigned char *p = (unsigned char *)&k->arg;
	size_t len = _IOC_SIZE(k->cmd), off;
	int n = 1 + below(4);
	uint32_t v32;
	uint16_t v16;

	if (len > sizeof(k->arg))
		len = sizeof(k->arg);
	if (k->cmd == UV_DEV_EXPECT && below(2))
		mutate_expect(&k->arg.ex);
	while (len && n--) {
		off = below(len);
		switch (below(5)) {
		case 0:
			p[off] ^= 1 << below(8);
			break;
		case 1:
			p[off] = (unsigned char)rnd();
			break;
		case 2:
			v16 = fuzz_u16();
			memcpy(p + off, &v16, len - off < 2 ? len - off : 2);
			break;
		case 3:
			v32 = fuzz_u32();
			memcpy(p + off, &v32, len - off < 4 ? len - off : 4);
			break;
		default:
			if (other->cmd == k->cmd)
				memcpy(p + off, (const unsigned char *)&other->arg + off,
				       1 + below(len - off));
			break;
		}
	}
	if (k->cmd == UV_DEV_CREATE && k->arg.st.id && k->arg.st.id < FUZZ_ID)
		k->arg.st.id = FUZZ_ID;
}

/* Sets up KCOV for this thread: the PC buffer, or NULL. */
static uint64_t *kcov_start(int *kcov)
{
	uint64_t *cover;

	*kcov = open("/sys/kernel/debug/kcov", O_RDWR);
	if (*kcov < 0 || ioctl(*kcov, KCOV_INIT_TRACE, COVER_WORDS)) {
		ok(0, "KCOV can be set up (%s)", strerror(errno));
		return NULL;
	}
	cover = mmap(NULL, COVER_WORDS * sizeof(*cover), PROT_READ | PROT_WRITE,
		     MAP_SHARED, *kcov, 0);
	if (cover == MAP_FAILED || ioctl(*kcov, KCOV_ENABLE, KCOV_TRACE_PC)) {
		ok(0, "KCOV can be enabled (%s)", strerror(errno));
		return NULL;
	}
	return cover;
}

/* Edges (pairs of PCs) of the last call not seen before. */
static unsigned int new_edges(const uint64_t *cover)
{
	static uint8_t seen[EDGE_BITS / 8];
	uint64_t i, n = __atomic_load_n(&cover[0], __ATOMIC_RELAXED), prev = 0;
	unsigned int fresh = 0;

	for (i = 0; i < n && i + 1 < COVER_WORDS; i++) {
		uint64_t h = (prev ^ cover[i + 1]) * 0x9E3779B97F4A7C15ULL;
		uint32_t e = (uint32_t)(h >> 44);	/* 20 bits */

		if (!(seen[e / 8] & (1 << (e % 8)))) {
			seen[e / 8] |= 1 << (e % 8);
			fresh++;
		}
		prev = cover[i + 1] >> 1;
	}
	return fresh;
}

static void fuzz_figure(const char *prefix, const char *name,
			unsigned long long v)
{
	char key[64];

	snprintf(key, sizeof(key), "%s.%s", prefix, name);
	figure(key, v);
}

/*
 * The fuzzer. Plain (fuzz), its calls never depend on the answers: the
 * same seed replays the same calls. Guided (kfuzz, on kernels with KCOV;
 * the module is built with KCOV_INSTRUMENT): KCOV records the module's PCs
 * each call runs through, a call that reaches a new edge is kept, and
 * three calls in four mutate a kept one. The same seed on the same kernel
 * and module then makes the same calls, but for the rare hash collisions
 * of edges, which KASLR moves.
 */
static int fuzz(uint64_t s, unsigned long long calls, int guided)
{
	const char *name = guided ? "kfuzz" : "fuzz";
	struct call *corpus = guided ? calloc(CORPUS_MAX, sizeof(*corpus)) : NULL;
	struct call *k = malloc(sizeof(*k));
	unsigned long long edges = 0, new_edge_calls = 0;
	unsigned int kept = 0;
	uint64_t *cover = NULL;
	struct counts c = { 0 };
	long long start;
	int fd, ctl, kcov = -1, ret;

	if (guided && !(cover = kcov_start(&kcov)))
		return 0;
	start = now_ms();
	fd = xopen();
	ctl = xopen();
	seed(s);
	setup_memory();
	while (c.calls < calls && !stopping) {
		if (below(64) == 0) {	/* a fresh file now and then */
			close(fd);
			fd = xopen();
		}
		if (guided && kept && below(4)) {
			*k = corpus[below(kept)];
			mutate_call(k, &corpus[below(kept)]);
		} else {
			gen_call(k);
		}
		if (guided)
			__atomic_store_n(&cover[0], 0, __ATOMIC_RELAXED);
		ret = run_call(k, fd, ctl);
		if (guided) {
			unsigned int fresh = new_edges(cover);

			edges += fresh;
			new_edge_calls += fresh != 0;
			if (fresh && kept < CORPUS_MAX)
				corpus[kept++] = *k;
		}
		c.expects += k->cmd == UV_DEV_EXPECT && ret == 0;
		c.created += k->cmd == UV_DEV_CREATE && ret >= 0;
		c.destroyed += k->cmd == UV_DEV_DESTROY && ret == 0;
		/* Close at once, or later (a choice made with the call). */
		if (k->close_after && ret >= 0) {
			close(fd);
			fd = xopen();
		}
		count(&c, ret, errno);
		if ((c.calls & 1023) == 0)
			c.destroyed += destroy_unowned(ctl);
		/* Progress on stderr, which the guest shows as it comes. */
		if (c.calls % 50000 == 0)
			fprintf(stderr, "# %s: %llu calls, %llu edges in %lld ms\n",
				name, c.calls, edges, now_ms() - start);
	}
	if (guided)
		ioctl(kcov, KCOV_DISABLE, 0);
	close(fd);
	c.destroyed += destroy_unowned(ctl);
	close(ctl);

	fuzz_figure(name, "seed", s);
	fuzz_figure(name, "calls", c.calls);
	fuzz_figure(name, "succeeded", c.ok);
	fuzz_figure(name, "expects_accepted", c.expects);
	fuzz_figure(name, "devices_created", c.created);
	fuzz_figure(name, "devices_destroyed", c.destroyed);
	fuzz_figure(name, "einval", c.einval);
	fuzz_figure(name, "efault", c.efault);
	fuzz_figure(name, "ebusy", c.ebusy);
	fuzz_figure(name, "enoent", c.enoent);
	fuzz_figure(name, "enotty", c.enotty);
	fuzz_figure(name, "enomem", c.enomem);
	fuzz_figure(name, "type_refused", c.refused);
	if (guided) {
		fuzz_figure(name, "edges", edges);
		fuzz_figure(name, "calls_with_new_edges", new_edge_calls);
		fuzz_figure(name, "corpus", kept);
	}
	fuzz_figure(name, "ms", now_ms() - start);
	ok(c.calls == calls, "%llu of %llu %s calls made (seed %llu)%s",
	   c.calls, calls, guided ? "coverage-guided" : "fuzzed",
	   (unsigned long long)s, stopping ? ", stopped by SIGTERM" : "");
	if (guided)
		ok(edges > 100, "KCOV saw the module's code (%llu edges)", edges);
	ok(c.other == 0, "every error is one the ABI documents (%llu others)",
	   c.other);
	ok(c.created > 0 && c.expects > 0,
	   "valid inputs still got through (%llu devices, %llu expects)",
	   c.created, c.expects);
	free(k);
	free(corpus);
	return 0;
}

/* -- the gpu, from its profile --------------------------------------------- */

/* Where the test guest has the tool (-D to try it elsewhere). */
#ifndef UVIRTIO_BOOT
#define UVIRTIO_BOOT	"/usr/sbin/uvirtio-boot"
#endif

/*
 * The parsed gpu profile. Large (the rule bytes of every block), so not
 * on a stack, and never copied: its expectation points into itself.
 */
static struct profile gpu;

/* The gpu profile's path in @path, or -1 and the reason in @why. */
static int gpu_profile_path(char *path, size_t size, char *why,
			    size_t why_size)
{
	const char *env = getenv("UVTEST_GPU_PROFILE");
	char dir[PATH_MAX] = "";
	FILE *f;
	int status;

	if (env && *env) {
		snprintf(path, size, "%s", env);
		return 0;
	}
	f = popen(UVIRTIO_BOOT " --profile-dir", "r");
	if (!f) {
		snprintf(why, why_size, "cannot run %s: %s", UVIRTIO_BOOT,
			 strerror(errno));
		return -1;
	}
	if (!fgets(dir, sizeof(dir), f))
		dir[0] = '\0';
	status = pclose(f);
	dir[strcspn(dir, "\n")] = '\0';
	if (status || !dir[0]) {
		snprintf(why, why_size,
			 "UVTEST_GPU_PROFILE is not set and '%s --profile-dir' printed no directory (%s %d)",
			 UVIRTIO_BOOT,
			 WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) :
					     WTERMSIG(status));
		return -1;
	}
	snprintf(path, size, "%s/gpu.profile", dir);
	return 0;
}

/* The text of @path, NUL-terminated, in @text; or -1 and the reason. */
static int read_text(const char *path, char *text, size_t size, char *why,
		     size_t why_size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	ssize_t n;

	if (fd < 0) {
		snprintf(why, why_size, "%s", strerror(errno));
		return -1;
	}
	while ((n = read(fd, text + len, size - len)) > 0 && len + n < size)
		len += n;
	close(fd);
	if (n < 0) {
		snprintf(why, why_size, "%s", strerror(errno));
		return -1;
	}
	if (n > 0) {
		snprintf(why, why_size, "larger than %zu bytes", size - 1);
		return -1;
	}
	if (memchr(text, '\0', len)) {
		snprintf(why, why_size, "not a text file (NUL byte)");
		return -1;
	}
	text[len] = '\0';
	return 0;
}

/*
 * Reads and parses the gpu profile into @gpu, once per run; one fact,
 * with the reason when it fails. 0 if the gpu can be made.
 */
static int load_gpu(void)
{
	static char text[64 << 10];
	char path[PATH_MAX], why[PATH_MAX + 128] = "";
	int ret;

	if (gpu_profile_path(path, sizeof(path), why, sizeof(why))) {
		ok(0, "the gpu profile is found (%s)", why);
		return -1;
	}
	ret = read_text(path, text, sizeof(text), why, sizeof(why));
	if (!ret && profile_parse(&gpu, path, text)) {
		snprintf(why, sizeof(why), "%s", gpu.err);
		ret = -1;
	}
	if (!ret && gpu.device_id != VIRTIO_ID_GPU) {
		snprintf(why, sizeof(why),
			 "its device is %u, not VIRTIO_ID_GPU (%d)",
			 gpu.device_id, VIRTIO_ID_GPU);
		ret = -1;
	}
	ok(!ret, "the gpu profile %s is read and parsed%s%s", path,
	   ret ? ": " : "", why);
	return ret;
}

/* Sets the gpu's display size (GET_DISPLAY_INFO's reply); a fact if not. */
static int gpu_size(long long width, long long height)
{
	if (!profile_set(&gpu, "width", width) &&
	    !profile_set(&gpu, "height", height))
		return 0;
	ok(0, "the gpu profile takes %lldx%lld (%s)", width, height, gpu.err);
	return -1;
}

/* A gpu as the profile says, its expectation set first; its id or -1. */
static int create_gpu(int fd, int sticky)
{
	struct uvirtio_setup s;

	if (ioctl(fd, UV_DEV_EXPECT, &gpu.expect))
		return -1;
	profile_setup(&gpu, &s, sticky);
	return ioctl(fd, UV_DEV_CREATE, &s);
}

/*
 * A reader of a gpu's head 0 (UV_GPU_EXPORT), through the lifecycle's gpu
 * cycles: it copies the scanout whenever a MODE event says there is one,
 * and, kept past the device's end, must get its GONE event.
 */
struct export_counts {
	unsigned int attached, errors, copies, kept, gone;
};

/* Reads what waits on @xfd, for up to @ms; true once GONE has come. */
static int export_drain(int xfd, int ms, struct export_counts *n)
{
	static uint32_t px[8192 * 4];
	struct uvirtio_export_event ev;
	struct pollfd p = { .fd = xfd, .events = POLLIN };

	while (poll(&p, 1, ms) == 1 && (p.revents & POLLIN)) {
		if (read(xfd, &ev, sizeof(ev)) != sizeof(ev))
			return 0;
		if (ev.type == UVIRTIO_EXPORT_GONE)
			return 1;
		if (ev.type == UVIRTIO_EXPORT_MODE && ev.width) {
			struct uvirtio_export_pixels pix = {
				.mode_seq = ev.seq,
				.width = ev.width,
				.height = ev.height < 8 ? ev.height : 8,
				.stride = ev.width * 4,
				.addr = (uintptr_t)px,
			};

			/* Stale or gone meanwhile is what a race gives. */
			if (!ioctl(xfd, UV_EXPORT_PIXELS, &pix))
				n->copies++;
			else if (errno != ESTALE && errno != ENODEV)
				n->errors++;
		}
	}
	return 0;
}

static int export_attach(int fd, int id, struct export_counts *n)
{
	struct uvirtio_gpu_export e = { .dev_id = id };
	int xfd = ioctl(fd, UV_GPU_EXPORT, &e);

	if (xfd < 0)
		n->errors++;
	else
		n->attached++;
	return xfd;
}

/* The device is being destroyed: a reader kept must hear of it. */
static void export_end(int xfd, int kept, struct export_counts *n)
{
	if (xfd < 0)
		return;
	if (kept) {
		n->kept++;
		n->gone += export_drain(xfd, 10000, n);
	}
	close(xfd);
}

/* -- lifecycle ------------------------------------------------------------- */

/* A device no driver binds. */
static int create_dev(int fd, uint16_t flags)
{
	static char config[8] = "uvtest";
	struct uvirtio_setup s = {
		.config_addr = (uintptr_t)config,
		.config_len = sizeof(config),
		.flags = flags,
		.id = FUZZ_ID,
	};

	return ioctl(fd, UV_DEV_CREATE, &s);
}

struct worker {
	pthread_t t;
	uint64_t seed;
	unsigned int cycles, done, errors, raced, stolen;
};

static unsigned int lifecycle_done;

static void *lifecycle_worker(void *arg)
{
	struct worker *w = arg;
	struct uvirtio_expect ex;
	unsigned int i;

	seed(w->seed);
	for (i = 0; i < w->cycles && !stopping; i++) {
		int fd = xopen(), id;
		int sticky = below(2);

		if (below(2)) {
			good_expect(&ex, "ABCD", "OK");
			if (ioctl(fd, UV_DEV_EXPECT, &ex))
				w->errors++;
		}
		id = create_dev(fd, sticky ? STICK : 0);
		if (id < 0) {
			w->errors++;
			close(fd);
			continue;
		}
		if (below(4) == 0) {	/* someone else tries to take it */
			int other = xopen();
			struct uvirtio_destroy d = { .id = id };

			if (!ioctl(other, UV_DEV_DESTROY, &d) || errno != EBUSY)
				w->stolen++;
			close(other);
		}
		close(fd);
		if (sticky) {
			struct uvirtio_destroy d = { .id = id };

			/*
			 * The racer may have destroyed it first, and its id
			 * may already name another thread's device.
			 */
			fd = xopen();
			if (ioctl(fd, UV_DEV_DESTROY, &d)) {
				if (errno == ENOENT || errno == EBUSY)
					w->raced++;
				else
					w->errors++;
			}
			close(fd);
		}
		w->done++;
		/* Progress on stderr, all threads together. */
		if (__atomic_add_fetch(&lifecycle_done, 1, __ATOMIC_RELAXED) % 1000 == 0)
			fprintf(stderr, "# lifecycle: %u cycles\n", lifecycle_done);
	}
	return NULL;
}

/* A thread that lists and destroys whatever it finds, racing the others. */
static volatile int racing;

static void *racer(void *arg)
{
	int fd = xopen();
	unsigned long *n = arg;

	while (racing) {
		destroy_unowned(fd);
		(*n)++;
	}
	close(fd);
	return NULL;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
	close(fd);
	return ret;
}

/* Binds the driver to virtio<index> by hand, racing the close of its file. */
struct prober {
	int index;
	volatile int started, closed, started_at_close;
	int mid_probe;
};

/* Binds a driver to virtio<index> through the bus's drivers_probe. */
static int bind_driver(int index)
{
	char name[32];

	if (index < 0)
		return -1;
	snprintf(name, sizeof(name), "virtio%d", index);
	return write_file("/sys/bus/virtio/drivers_probe", name);
}

static void *prober(void *arg)
{
	struct prober *p = arg;

	/* Fails once the device is on its way out: that is the point. */
	p->started = 1;
	bind_driver(p->index);
	p->mid_probe = p->closed && p->started_at_close;
	return NULL;
}

static int lifecycle(uint64_t s, unsigned int cycles, unsigned int gpu_cycles,
		     unsigned int threads)
{
	struct worker *w = calloc(threads, sizeof(*w));
	unsigned int i, done = 0, errors = 0, raced = 0, stolen = 0;
	unsigned int gpu_done = 0, gpu_unbound = 0, mid_probe = 0;
	struct export_counts exported = { 0 };
	unsigned long races = 0;
	long long start;
	pthread_t r;
	int have_gpu = !gpu_cycles || !load_gpu();

	start = now_ms();

	/* Plain devices, several threads at once, a racer destroying. */
	racing = 1;
	pthread_create(&r, NULL, racer, &races);
	for (i = 0; i < threads; i++) {
		w[i].seed = s + i;
		w[i].cycles = cycles / threads + (i < cycles % threads);
		pthread_create(&w[i].t, NULL, lifecycle_worker, &w[i]);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(w[i].t, NULL);
		done += w[i].done;
		errors += w[i].errors;
		raced += w[i].raced;
		stolen += w[i].stolen;
	}
	racing = 0;
	pthread_join(r, NULL);
	figure("lifecycle.threads", threads);
	figure("lifecycle.cycles", done);
	figure("lifecycle.errors", errors);
	figure("lifecycle.destroys_lost_to_the_racer", raced);
	figure("lifecycle.racer_passes", races);
	figure("lifecycle.ms", now_ms() - start);
	ok(done == cycles && errors == 0,
	   "%u of %u create/destroy cycles in %u threads, %u errors",
	   done, cycles, threads, errors);
	ok(stolen == 0,
	   "no file destroyed a device another open file owns (%u did)", stolen);

	/*
	 * The gpu with virtio_gpu bound, sticky and not. Every fourth cycle
	 * the bus does not probe it by itself: another thread binds the
	 * driver through drivers_probe while this one closes the file after
	 * a random delay, so that the file often goes mid-probe. Without its
	 * profile there is no gpu: load_gpu() said why. (No unbind through
	 * sysfs here: on 7.2 virtio_gpu leaks a command's buffers when it is
	 * unbound from a display fbcon has just taken; the trust case unbinds
	 * one that has settled.)
	 */
	if (!have_gpu)
		goto out;
	seed(s);
	start = now_ms();
	for (i = 0; i < gpu_cycles && !stopping; i++) {
		int fd, id, sticky = below(2), late = i % 4 == 3, xfd;
		int keep = below(2);
		struct prober p = { 0 };
		long long width, height;
		pthread_t t;

		if (i % 100 == 0)
			fprintf(stderr, "# lifecycle: %u gpu cycles in %lld ms\n",
				i, now_ms() - start);
		width = 640 + 64 * below(8);
		height = 480 + 32 * below(8);
		if (gpu_size(width, height))
			break;
		fd = xopen();
		if (late) {
			sticky = 0;
			write_file("/sys/bus/virtio/drivers_autoprobe", "0");
		}
		id = create_gpu(fd, sticky);
		if (late)
			write_file("/sys/bus/virtio/drivers_autoprobe", "1");
		if (id < 0) {
			close(fd);
			continue;
		}
		xfd = export_attach(fd, id, &exported);
		if (late) {
			p.index = virtio_index(fd, id);
			pthread_create(&t, NULL, prober, &p);
			usleep(below(100) * 1000);
			p.started_at_close = p.started;
			p.closed = 1;
			if (!keep && xfd >= 0)
				close(xfd);
			close(fd);
			pthread_join(t, NULL);
			export_end(xfd, keep, &exported);
			mid_probe += p.mid_probe;
			gpu_done++;
			continue;
		}
		if (!driver_bound(fd, id, "virtio_gpu"))
			gpu_unbound++;
		if (xfd >= 0)
			export_drain(xfd, 0, &exported);
		if (!keep && xfd >= 0)
			close(xfd);
		close(fd);	/* right after the probe */
		if (sticky) {
			struct uvirtio_destroy d = { .id = id };

			fd = xopen();
			ioctl(fd, UV_DEV_DESTROY, &d);
			close(fd);
		}
		export_end(xfd, keep, &exported);
		gpu_done++;
	}
	figure("lifecycle.gpu_cycles", gpu_done);
	figure("lifecycle.gpu_unbound", gpu_unbound);
	figure("lifecycle.gpu_closed_mid_probe", mid_probe);
	figure("lifecycle.gpu_ms", now_ms() - start);
	figure("lifecycle.export_copies", exported.copies);
	ok(exported.attached == gpu_done && exported.errors == 0,
	   "a reader of head 0 attached in each gpu cycle (%u of %u), no call failed (%u did)",
	   exported.attached, gpu_done, exported.errors);
	ok(exported.gone == exported.kept,
	   "each reader kept past its device's end got GONE (%u of %u)",
	   exported.gone, exported.kept);
	ok(gpu_cycles < 8 || exported.copies > 0,
	   "readers copied pixels (%u times)", exported.copies);
	ok(gpu_done == gpu_cycles && gpu_unbound == 0,
	   "%u of %u gpu cycles, virtio_gpu bound in each (%u not)",
	   gpu_done, gpu_cycles, gpu_unbound);
	ok(gpu_cycles < 8 || mid_probe > 0,
	   "files were closed while virtio_gpu was probing (%u times)",
	   mid_probe);
out:
	{
		int fd = xopen();
		struct uvirtio_list l = { 0 };

		ioctl(fd, UV_DEV_LIST, &l);
		close(fd);
		ok(l.count == 0, "no device left over (%u)", l.count);
	}
	free(w);
	return 0;
}

/* -- fault injection ------------------------------------------------------- */

/* Makes the @n-th fault-injection point of this thread fail. */
static int fail_nth(int n)
{
	char b[16];

	snprintf(b, sizeof(b), "%d", n);
	return write_file("/proc/thread-self/fail-nth", b);
}

static int read_fail_nth(void)
{
	char b[16] = "";
	int fd = open("/proc/thread-self/fail-nth", O_RDONLY);

	if (fd < 0)
		return 1;
	if (read(fd, b, sizeof(b) - 1) < 0)
		b[0] = 0;
	close(fd);
	return atoi(b);
}

/* What was left of the count when an operation disarmed it, or -1. */
static int left_at_disarm = -1;

static void disarm(void)
{
	left_at_disarm = read_fail_nth();
	fail_nth(0);
}

/* Whether the armed fault was not reached (the operation finished first). */
static int fault_unused(void)
{
	int left = left_at_disarm >= 0 ? left_at_disarm : read_fail_nth();

	left_at_disarm = -1;
	fail_nth(0);
	return left != 0;
}

/* One operation of the module, from open to close; 0 if it all worked. */
static int operation(int which)
{
	struct uvirtio_expect ex;
	struct uvirtio_dev_info info[8];
	struct uvirtio_list l = { .devs_addr = (uintptr_t)info, .count = 8 };
	int fd = open("/dev/uvirtio", O_RDWR), ret = 0, id;

	if (fd < 0)
		return -1;
	switch (which) {
	case 0:	/* a plain device with an expectation, removed by close */
		good_expect(&ex, "ABCD", "OK");
		ret = ioctl(fd, UV_DEV_EXPECT, &ex) || create_dev(fd, 0) < 0;
		break;
	case 1:	/* a sticky device, listed, then destroyed */
		id = create_dev(fd, STICK);
		ret = id < 0 || ioctl(fd, UV_DEV_LIST, &l);
		close(fd);
		fd = open("/dev/uvirtio", O_RDWR);
		if (id >= 0) {
			struct uvirtio_destroy d = { .id = id };

			/* the destroy must happen, armed fault or not */
			disarm();
			if (fd < 0 || ioctl(fd, UV_DEV_DESTROY, &d))
				ret = -1;
		}
		break;
	case 2:	/* a gpu, bound once the faults are off, removed by close */
		ret = (id = create_gpu(fd, 0)) < 0;
		disarm();
		if (!ret && (bind_driver(virtio_index(fd, id)) ||
			     !driver_bound(fd, id, "virtio_gpu")))
			ret = -1;
		break;
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

static int faults(void)
{
	static const char *const names[] = { "plain device", "sticky device",
					     "virtio-gpu" };
	/*
	 * Slab allocations only, sleeping ones included, without a stack
	 * trace per fault. Page allocations are left alone: each failure
	 * would print the allocator's own warning, which is not the module's.
	 */
	static const char *const setup[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/failslab/verbose", "0" },
	};
	unsigned int i, injected = 0, failed_ops = 0;
	int op, n, have_gpu;

	/* Before any fault is armed: popen and reading allocate too. */
	have_gpu = !load_gpu() && !gpu_size(800, 600);
	for (i = 0; i < sizeof(setup) / sizeof(setup[0]); i++) {
		if (write_file(setup[i][0], setup[i][1])) {
			ok(0, "%s can be set (%s)", setup[i][0], strerror(errno));
			return 0;
		}
	}
	for (op = 0; op < 3; op++) {
		unsigned int op_faults = 0;

		if (op == 2 && !have_gpu)
			break;	/* load_gpu() said why */

		/*
		 * Faults stay in the module's paths: the gpu's driver is bound
		 * by hand once they are off, so DRM's allocations in its probe
		 * are not failed. (Failing them found a bug of DRM in 7.2, not
		 * of uvirtio: see docs/robustness.md.)
		 */
		if (op == 2)
			write_file("/sys/bus/virtio/drivers_autoprobe", "0");

		for (n = 1; n < 5000; n++) {
			int ret;

			if (fail_nth(n)) {
				ok(0, "/proc/thread-self/fail-nth (%s)",
				   strerror(errno));
				return 0;
			}
			ret = operation(op);
			if (fault_unused())
				break;	/* it ran to the end before fault n */
			op_faults++;
			failed_ops += ret != 0;
		}
		injected += op_faults;
		printf("# faults: %s: %u allocation points failed in turn\n",
		       names[op], op_faults);
		/* Else "works again" would prove little. */
		ok(op_faults > 0,
		   "%s: at least one slab allocation was failed (%u were)",
		   names[op], op_faults);
		ok(operation(op) == 0,
		   "%s works again after %u injected failures",
		   names[op], op_faults);
		if (op == 2)
			write_file("/sys/bus/virtio/drivers_autoprobe", "1");
	}
	figure("faults.injected", injected);
	figure("faults.operations_failed", failed_ops);
	return 0;
}

/* -- a real driver: virtio_console ----------------------------------------- */

/*
 * The console features the module allows (one port, its size), and those
 * it refuses: F_MULTIPORT's control messages reach paths of virtio_console
 * that trust their length, and F_EMERG_WRITE is never negotiated.
 */
#define CONSOLE_ALLOWED		(1ULL << VIRTIO_CONSOLE_F_SIZE)

/* Waits up to @ms for virtio_console to be bound to uvirtio.<id>. */
static int console_bound(int fd, int id, int ms)
{
	long long end = now_ms() + ms;

	while (!driver_bound(fd, id, "virtio_console")) {
		if (now_ms() >= end)
			return 0;
		usleep(10000);
	}
	return 1;
}

/*
 * Virtio consoles with random features and config space, each probed by
 * virtio_console, then removed: the transport under a real driver that
 * trusts its device. One in four offers a feature the module refuses
 * (MULTIPORT, EMERG_WRITE): UV_DEV_CREATE must fail with EINVAL. The
 * probe runs in UV_DEV_CREATE (the bus probes synchronously); the waits
 * are bounds, not delays.
 */
static int drivers(uint64_t s, uint32_t id, unsigned int n)
{
	unsigned char config[64];
	unsigned int i, j, made = 0, bound = 0, refuses = 0, refused = 0;
	unsigned int wrong = 0;
	long long start = now_ms();

	if (id != VIRTIO_ID_CONSOLE) {
		ok(0, "drivers: device id %u is not VIRTIO_ID_CONSOLE (%d), the one whose driver it knows",
		   id, VIRTIO_ID_CONSOLE);
		return 0;
	}
	seed(s);
	for (i = 0; i < n && !stopping; i++) {
		struct uvirtio_setup st = {
			.config_addr = (uintptr_t)config,
			.id = id,
		};
		int fd = xopen(), uid;

		st.features = rnd() & CONSOLE_ALLOWED;
		if (!below(4))
			st.features |= below(2) ?
				1ULL << VIRTIO_CONSOLE_F_MULTIPORT :
				1ULL << VIRTIO_CONSOLE_F_EMERG_WRITE;
		st.config_len = below(sizeof(config) + 1);
		for (j = 0; j < sizeof(config); j++)
			config[j] = below(4) ? (unsigned char)below(4) :
					       (unsigned char)rnd();
		uid = ioctl(fd, UV_DEV_CREATE, &st);
		if (st.features & ~CONSOLE_ALLOWED) {
			refuses++;
			refused += uid < 0 && errno == EINVAL;
		} else if (uid >= 0) {
			made++;
			if (console_bound(fd, uid, 2000))
				bound++;
			else if (wrong++ < 10)
				printf("# drivers: uvirtio.%d (features %#llx, %u config bytes) was not bound\n",
				       uid, (unsigned long long)st.features,
				       st.config_len);
		}
		usleep(below(200000));
		close(fd);
	}
	figure("drivers.id", id);
	figure("drivers.devices", made);
	figure("drivers.console_bound", bound);
	figure("drivers.module_refused", refused);
	figure("drivers.not_as_expected", wrong);
	figure("drivers.ms", now_ms() - start);
	ok(made + refuses == n && refuses > 0 && made > 0,
	   "%u of %u devices of id %u made and removed, %u refused", made,
	   n - refuses, id, refuses);
	ok(bound == made,
	   "virtio_console bound to each device, within 2 s (%u of %u)",
	   bound, made);
	ok(refused == refuses,
	   "the module refused each console offering MULTIPORT or EMERG_WRITE with EINVAL (%u of %u)",
	   refused, refuses);
	return 0;
}

/* -- replies: what virtio_gpu trusts, given by user space ----------------- */

/* A side: mostly one DRM computes with, else anything (the module's job). */
static uint32_t fuzz_side(void)
{
	return below(4) ? 64 + below(1985) : fuzz_u32();
}

/*
 * A virtio-gpu offering EDID whose expectations answer GET_DISPLAY_INFO
 * and GET_EDID with random replies: types, fences, 16 modes with sides
 * and flags of any value, EDID sizes of any value and an EDID header that
 * announces extensions; config with any num_scanouts and num_capsets.
 * Its id, -1 when UV_DEV_CREATE refuses it (errno).
 */
static int hostile_gpu(int fd)
{
	static struct virtio_gpu_resp_display_info info;
	static struct virtio_gpu_resp_edid edid;
	static struct virtio_gpu_config c;
	static __le32 info_cmd = VIRTIO_GPU_CMD_GET_DISPLAY_INFO;
	static __le32 edid_cmd = VIRTIO_GPU_CMD_GET_EDID;
	static struct uvirtio_expect ex;
	static const unsigned char header[8] = {
		0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00
	};
	static const uint32_t sizes[] = { 0, 128, 1024, 1025, 0xffff, 0xffffffff };
	struct uvirtio_setup st = {
		.features = 1ULL << VIRTIO_GPU_F_EDID,
		.config_addr = (uintptr_t)&c,
		.config_len = sizeof(c),
		.id = VIRTIO_ID_GPU,
	};
	unsigned char *p;
	unsigned int i;

	memset(&c, 0, sizeof(c));
	c.num_scanouts = below(4) ? 1 + below(4) : fuzz_u32();
	c.num_capsets = below(2) ? 0 : fuzz_u32();
	c.events_read = below(8) ? 0 : fuzz_u32();

	p = (unsigned char *)&info;
	for (i = 0; i < sizeof(info); i++)
		p[i] = (unsigned char)rnd();
	info.hdr.type = below(4) ? VIRTIO_GPU_RESP_OK_DISPLAY_INFO : fuzz_u32();
	for (i = 0; i < VIRTIO_GPU_MAX_SCANOUTS; i++) {
		info.pmodes[i].r.x = below(2) ? 0 : fuzz_u32();
		info.pmodes[i].r.y = below(2) ? 0 : fuzz_u32();
		info.pmodes[i].r.width = fuzz_side();
		info.pmodes[i].r.height = fuzz_side();
		info.pmodes[i].enabled = below(4) ? below(2) : fuzz_u32();
		info.pmodes[i].flags = below(2) ? 0 : fuzz_u32();
	}

	p = (unsigned char *)&edid;
	for (i = 0; i < sizeof(edid); i++)
		p[i] = (unsigned char)rnd();
	/* Not RESP_OK_EDID with a size past edid[]: UV_DEV_EXPECT refuses it. */
	edid.hdr.type = below(2) ? VIRTIO_GPU_RESP_OK_NODATA : fuzz_u32();
	if (edid.hdr.type == VIRTIO_GPU_RESP_OK_EDID)
		edid.hdr.type = VIRTIO_GPU_RESP_OK_NODATA;
	edid.size = below(2) ? sizes[below(6)] : fuzz_u32();
	if (below(2)) {
		memcpy(edid.edid, header, sizeof(header));
		edid.edid[18] = 1;
		edid.edid[19] = 4;
		edid.edid[126] = below(2) ? 255 : (unsigned char)below(8);
	}

	memset(&ex, 0, sizeof(ex));
	gpu_expect(&ex, 0, &info_cmd, sizeof(struct virtio_gpu_ctrl_hdr),
		   &info, sizeof(info), sizeof(info), 0, 0);
	gpu_expect(&ex, 1, &edid_cmd, sizeof(struct virtio_gpu_cmd_get_edid),
		   &edid, sizeof(edid), sizeof(edid), 0, 0);
	if (ioctl(fd, UV_DEV_EXPECT, &ex))
		return -1;
	return ioctl(fd, UV_DEV_CREATE, &st);
}

/*
 * virtio-gpus with hostile replies, each probed by virtio_gpu (the probe
 * asks for the display info and every EDID), kept a moment (fbdev and
 * fbcon take the display) and removed. The kernel log must stay clean
 * (the case checks it); every device must be made.
 */
static int replies(uint64_t s, unsigned int n)
{
	unsigned int i, made = 0, bound = 0, failed = 0;
	long long start = now_ms();

	seed(s);
	for (i = 0; i < n && !stopping; i++) {
		int fd = xopen(), id = hostile_gpu(fd);
		long long end = now_ms() + 3000;

		if (id < 0) {
			if (failed++ < 10)
				printf("# replies: device %u refused: %s\n", i,
				       strerror(errno));
			close(fd);
			continue;
		}
		made++;
		while (!driver_bound(fd, id, "virtio_gpu") && now_ms() < end)
			usleep(10000);
		bound += driver_bound(fd, id, "virtio_gpu");
		usleep(100000 + below(400000));
		close(fd);
		if ((i + 1) % 50 == 0)
			fprintf(stderr, "# replies: %u devices\n", i + 1);
	}
	figure("replies.devices", made);
	figure("replies.bound", bound);
	figure("replies.ms", now_ms() - start);
	ok(made == n, "%u of %u virtio-gpus with hostile replies made and removed",
	   made, n);
	return 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_term);
	if (argc == 4 && (!strcmp(argv[1], "fuzz") || !strcmp(argv[1], "kfuzz")))
		fuzz(strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0),
		     argv[1][0] == 'k');
	else if (argc == 6 && !strcmp(argv[1], "lifecycle"))
		lifecycle(strtoull(argv[2], NULL, 0), atoi(argv[3]),
			  atoi(argv[4]), atoi(argv[5]));
	else if (argc == 5 && !strcmp(argv[1], "drivers"))
		drivers(strtoull(argv[2], NULL, 0), strtoul(argv[3], NULL, 0),
			atoi(argv[4]));
	else if (argc == 2 && !strcmp(argv[1], "faults"))
		faults();
	else if (argc == 4 && !strcmp(argv[1], "replies"))
		replies(strtoull(argv[2], NULL, 0), atoi(argv[3]));
	else {
		fprintf(stderr, "usage: uvtest-stress fuzz|kfuzz SEED CALLS | lifecycle SEED CYCLES GPU_CYCLES THREADS | faults | drivers SEED 3 COUNT | replies SEED COUNT\n");
		return 2;
	}
	return done_testing();
}
