/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of uvirtio.ko share: the device, the requests the work
 * item reads off a ring, and the device types.
 *
 * core.c is the transport (the misc device, the virtio_config_ops, the ring
 * server); expect.c is the format of UV_DEV_EXPECT, its validation and its
 * matching. Each device type user space may create is a struct uvirtio_type
 * on the allow-list in core.c: the device features it may offer and, for a
 * type with a model of its own in the module (gpu.c), its hooks. A device
 * of a type off the list exists only with the any_type parameter, on a
 * kernel that is not locked down, and is answered from its expectations
 * alone.
 */
#ifndef _UVIRTIO_INTERNAL_H
#define _UVIRTIO_INTERNAL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/virtio.h>
#include <linux/virtio_ring.h>
#include <linux/workqueue.h>
#include <linux/uvirtio.h>

/* A validated copy of a UV_DEV_EXPECT argument; block data are offsets. */
struct uvirtio_rules {
	struct uvirtio_expect expect;
	size_t data_len;
	u8 data[];
};

struct uvirtio_type;

enum uvirtio_file_state {
	UVIRTIO_NEW,
	UVIRTIO_CREATED,
};

/*
 * An open /dev/uvirtio. @lock serialises what builds the device: @state,
 * @rules and @type_setup, which a type's ioctl sets before UV_DEV_CREATE
 * (one kmalloc()ed block that @setup_type's ->init reads; freed with the
 * file).
 */
struct uvirtio_file {
	struct mutex lock;
	enum uvirtio_file_state state;
	struct uvirtio_rules *rules;
	const struct uvirtio_type *setup_type;
	void *type_setup;
	struct uvirtio_device *dev;
};

struct uvirtio_device {
	struct virtio_device vdev;
	struct platform_device *pdev;
	int id;
	u16 flags;
	u64 features;
	struct list_head node;
	struct uvirtio_file *owner;

	const struct uvirtio_type *type;	/* NULL: expectations only */
	void *type_data;			/* the type's own state */

	struct uvirtio_rules *rules;
	u8 status;
	atomic_long_t answered;

	spinlock_t config_lock;
	u32 config_generation;
	u16 config_len;
	u8 config[UVIRTIO_MAX_CONFIG_LEN];
	u8 config_init[UVIRTIO_MAX_CONFIG_LEN];	/* restored by ->reset */

	struct mutex vqs_lock;
	struct list_head vqs;
	struct work_struct work;

	bool dying;			/* no driver may bind any more */
	bool unplug_wait;		/* removal waits for ->unplugged */
};

/*
 * The benchmark's limit build (Kbuild: UVIRTIO_LIMIT=1, which only
 * bench/bench sets; never a module users install): its gpu answers every
 * request in ->answer, all of them in notify, with no expectations tried
 * and nothing exported. What virtio_gpu does with the fastest device it
 * can have.
 */
#ifdef UVIRTIO_LIMIT
#define UVIRTIO_LIMIT_BUILD	true
#else
#define UVIRTIO_LIMIT_BUILD	false
#endif

/* One descriptor of a request, in CPU byte order. */
struct uvirtio_desc {
	u64 addr;
	u32 len;
	u16 flags;
};

/* The most of a request's first bytes a type reads once (@peek). */
#define UVIRTIO_PEEK_MAX	96

/*
 * A request: where it is (uvirtio_chain_read() reads all of it), its first
 * descriptors, its first writable one, whether it is being answered in
 * notify, and its first bytes as its type asked for them (@peek), read
 * once from the driver's memory for all the type's callbacks, which so
 * see the same command: @peek_len of them, the rest of @peek zero; 0
 * when the first descriptor is writable or could not be read.
 */
struct uvirtio_chain {
	struct virtio_device *vdev;
	const struct vring *vr;
	unsigned int head;
	unsigned int n;
	struct uvirtio_desc d[UVIRTIO_MAX_BLOCKS];
	bool has_write;
	struct uvirtio_desc write;
	bool in_notify;		/* answered in the driver's notify call */
	u32 peek_len;
	u8 peek[UVIRTIO_PEEK_MAX] __aligned(8);
};

/**
 * struct uvirtio_type - a device type user space may create: the features
 *	it may offer and what the module models beyond its expectations
 * @device_id: the virtio device id (VIRTIO_ID_*) it serves
 * @peek: how many of a request's first bytes its callbacks read, at most
 *	UVIRTIO_PEEK_MAX (struct uvirtio_chain's @peek); 0 for none
 * @features: the device feature bits (0-23, 50-63) user space may offer;
 *	only those whose driver paths take any reply safely (design.md,
 *	"Trust boundary")
 * @init: allocates @type_data once the device's config space and @rules
 *	are set, from @setup (the file's @type_setup when this type set it,
 *	or NULL); called before the device is registered, under the file's
 *	lock. An error refuses UV_DEV_CREATE.
 * @release: frees @type_data; called when the device is released
 * @answer: answers a request before the expectations are tried; returns
 *	true when it did, with the bytes written in @len. Called from the
 *	work item or in notify (@answer_now), with vqs_lock held.
 * @check_reply: an expectation wrote @len bytes into request @c: makes
 *	the fields the driver trusts in them safe. As @answer.
 * @unanswered: the answer to a request that nothing answered: returns the
 *	bytes written. Without it the request completes empty, or is kept
 *	when it is only writable (a receive buffer). As @answer.
 * @config_read: the driver read @len bytes of config space at @offset.
 *	Called with config_lock held (atomic context).
 * @config_written: the driver wrote @len bytes of config space at
 *	@offset. Called with config_lock held (atomic context).
 * @reset: the driver reset the device: forget what it told the model.
 *	Called without locks, the work item stopped; may sleep.
 * @unplug: the device is about to be unregistered and its driver is
 *	still bound: starts what the driver must see first (a display's
 *	unplug) and returns true when removal should wait for @unplugged.
 *	Called without locks; may sleep.
 * @unplugged: whether the driver has done what @unplug started. Called
 *	without locks, every 20 ms, until it holds or the removal's deadline.
 * @removed: the device is unregistered: its driver is gone and no other
 *	will bind. Called without locks, before the last reference may go.
 * @answer_now: whether request @c may be answered in the driver's notify
 *	call (design.md, "Answering in notify"): only if answering it
 *	allocates nothing and waits for nothing but locks that are never
 *	held across either. A type without it is answered by the work item
 *	only. Called in notify, with vqs_lock held.
 */
struct uvirtio_type {
	u32 device_id;
	u32 peek;
	u64 features;
	int (*init)(struct uvirtio_device *udev, const void *setup);
	void (*release)(struct uvirtio_device *udev);
	bool (*answer)(struct uvirtio_device *udev,
		       const struct uvirtio_chain *c, u32 *len);
	void (*check_reply)(struct uvirtio_device *udev,
			    const struct uvirtio_chain *c, u32 len);
	u32 (*unanswered)(struct uvirtio_device *udev,
			  const struct uvirtio_chain *c);
	void (*config_read)(struct uvirtio_device *udev,
			    unsigned int offset, unsigned int len);
	void (*config_written)(struct uvirtio_device *udev,
			       unsigned int offset, unsigned int len);
	void (*reset)(struct uvirtio_device *udev);
	bool (*unplug)(struct uvirtio_device *udev);
	bool (*unplugged)(struct uvirtio_device *udev);
	void (*removed)(struct uvirtio_device *udev);
	bool (*answer_now)(struct uvirtio_device *udev,
			   const struct uvirtio_chain *c);
};

extern const struct uvirtio_type uvirtio_gpu_type;
long uvirtio_gpu_head_ioctl(struct uvirtio_file *f,
			    const struct uvirtio_gpu_head __user *arg);
long uvirtio_gpu_export_ioctl(const struct uvirtio_gpu_export __user *arg);

/* Guest memory the driver put in descriptors (core.c). */
enum uvirtio_access { UVIRTIO_READ, UVIRTIO_WRITE, UVIRTIO_COMPARE };
int uvirtio_access(u64 addr, void *buf, size_t len, enum uvirtio_access op);
int uvirtio_chain_read(const struct uvirtio_chain *c, u64 off, void *buf,
		       size_t len);
struct uvirtio_device *uvirtio_get_device(u32 id);
void uvirtio_put_device(struct uvirtio_device *udev);
bool uvirtio_vq_drained(struct uvirtio_device *udev, unsigned int index);

/* The expectations (expect.c). */
int uvirtio_rules_from_user(const struct uvirtio_expect __user *arg,
			    struct uvirtio_rules **rules);
bool uvirtio_answer_expected(const struct uvirtio_rules *r,
			     const char *vq_name,
			     const struct uvirtio_chain *c, u32 *len);
void uvirtio_expected_reply(const struct uvirtio_rules *r, unsigned int i,
			    u8 *buf, u32 len);

#endif /* _UVIRTIO_INTERNAL_H */
