/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of uvirtio.ko share: the device, the requests the work
 * item reads off a ring, and the hooks of a device type.
 *
 * core.c is the transport (the misc device, the virtio_config_ops, the ring
 * server); expect.c is the format of UV_DEV_EXPECT, its validation and its
 * matching; each device type with a model of its own in the module (gpu.c)
 * fills a struct uvirtio_type. A device of any other type is answered from
 * its expectations alone.
 */
#ifndef _UVIRTIO_INTERNAL_H
#define _UVIRTIO_INTERNAL_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/virtio.h>
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

	struct mutex vqs_lock;
	struct list_head vqs;
	struct work_struct work;

	bool dying;			/* no driver may bind any more */
};

/* One descriptor of a request, in CPU byte order. */
struct uvirtio_desc {
	u64 addr;
	u32 len;
	u16 flags;
};

/* The first descriptors of a request, and its first writable one. */
struct uvirtio_chain {
	unsigned int n;
	struct uvirtio_desc d[UVIRTIO_MAX_BLOCKS];
	bool has_write;
	struct uvirtio_desc write;
};

/**
 * struct uvirtio_type - a device type the module models beyond the
 *	expectations user space gives
 * @device_id: the virtio device id (VIRTIO_ID_*) it serves
 * @init: allocates @type_data once the device's config space and @rules
 *	are set, from @setup (the file's @type_setup when this type set it,
 *	or NULL); called before the device is registered, under the file's
 *	lock. An error refuses UV_DEV_CREATE.
 * @release: frees @type_data; called when the device is released
 * @answer: answers a request before the expectations are tried; returns
 *	true when it did, with the bytes written in @len. Called from the
 *	work item, with vqs_lock held.
 * @unanswered: the answer to a request that nothing answered: returns the
 *	bytes written. Without it the request completes empty, or is kept
 *	when it is only writable (a receive buffer). Work item, vqs_lock held.
 * @config_read: the driver read @len bytes of config space at @offset.
 *	Called with config_lock held (atomic context).
 * @config_written: the driver wrote @len bytes of config space at
 *	@offset. Called with config_lock held (atomic context).
 * @before_remove: the device is about to be unregistered and its driver
 *	is still bound. Called without locks; may sleep.
 */
struct uvirtio_type {
	u32 device_id;
	int (*init)(struct uvirtio_device *udev, const void *setup);
	void (*release)(struct uvirtio_device *udev);
	bool (*answer)(struct uvirtio_device *udev,
		       const struct uvirtio_chain *c, u32 *len);
	u32 (*unanswered)(struct uvirtio_device *udev,
			  const struct uvirtio_chain *c);
	void (*config_read)(struct uvirtio_device *udev,
			    unsigned int offset, unsigned int len);
	void (*config_written)(struct uvirtio_device *udev,
			       unsigned int offset, unsigned int len);
	void (*before_remove)(struct uvirtio_device *udev);
};

extern const struct uvirtio_type uvirtio_gpu_type;
long uvirtio_gpu_head_ioctl(struct uvirtio_file *f,
			    const struct uvirtio_gpu_head __user *arg);

/* Guest memory the driver put in descriptors (core.c). */
enum uvirtio_access { UVIRTIO_READ, UVIRTIO_WRITE, UVIRTIO_COMPARE };
int uvirtio_access(u64 addr, void *buf, size_t len, enum uvirtio_access op);
struct uvirtio_device *uvirtio_get_device(u32 id);
void uvirtio_put_device(struct uvirtio_device *udev);
bool uvirtio_wait_quiet(struct uvirtio_device *udev, unsigned long limit,
			bool (*done)(struct uvirtio_device *udev));
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
