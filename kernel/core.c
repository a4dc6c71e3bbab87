// SPDX-License-Identifier: GPL-2.0
/*
 * uvirtio: a virtio transport whose devices are described by user space and
 * answered by this module.
 *
 * User space opens /dev/uvirtio, sets the requests it expects and the replies
 * to give (UV_DEV_EXPECT), and creates the device (UV_DEV_CREATE). The device
 * is registered on the virtio bus under a platform device "uvirtio.<id>" that
 * gives the driver a DMA-capable parent. The driver's rings are created with
 * the virtio core's public API. The module plays the device: it reads each
 * split ring through virtqueue_get_vring(), answers every request in order
 * and signals the driver with vring_interrupt(), in the driver's notify
 * call where the device's type allows it, otherwise from a work item.
 *
 * Locking:
 *  - uvirtio_lock (mutex) protects uvirtio_devices, every device's @node and
 *    @owner, every file's @dev and uvirtio_shutting_down. Nothing sleeps on
 *    a driver while holding it: devices are unregistered after it is dropped.
 *  - uvirtio_nr_devices (atomic) counts the devices from UV_DEV_CREATE to
 *    the end of their removal, against max_devices.
 *  - uvirtio_file.lock serialises UV_DEV_EXPECT and UV_DEV_CREATE on a file.
 *  - uvirtio_device.vqs_lock (mutex) protects the virtqueue list; the work
 *    item holds it while it touches the rings, del_vqs() while it frees them.
 *    A driver's notify call that answers (a type's @answer_now) only tries
 *    it: a notify may come in a commit that a dma-fence waits for, and
 *    the work item may hold it while it allocates.
 *  - uvirtio_device.config_lock (spinlock) protects the config space, which
 *    drivers may read in atomic context.
 *  - A device type's hooks are called under the locks struct uvirtio_type
 *    names (internal.h); gpu.c describes its own state.
 */

#include <linux/atomic.h>
#include <linux/bottom_half.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/highmem.h>
#include <linux/idr.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/preempt.h>
#include <linux/reboot.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <linux/workqueue.h>

#include "internal.h"

/* The 2020 ABI: sizes and numbers that programs were compiled against. */
static_assert(sizeof(struct uvirtio_setup) == 24);
static_assert(sizeof(struct uvirtio_block) == 48);
static_assert(sizeof(struct uvirtio_expect) == 3584);
static_assert(UV_DEV_CREATE == 0x40185601);
static_assert(UV_DEV_EXPECT == 0x4e005602);
static_assert(sizeof(struct uvirtio_destroy) == 8);
static_assert(sizeof(struct uvirtio_dev_info) == 40);
static_assert(sizeof(struct uvirtio_list) == 16);
/* API version 2. */
static_assert(sizeof(struct uvirtio_gpu_head) == 48);
static_assert(UV_GPU_HEAD == 0x40305606);
/* API version 3. */
static_assert(sizeof(struct uvirtio_gpu_export) == 32);
static_assert(sizeof(struct uvirtio_export_event) == 48);
static_assert(sizeof(struct uvirtio_export_pixels) == 48);
static_assert(UV_GPU_EXPORT == 0x40205607);
static_assert(UV_EXPORT_PIXELS == 0x40305608);

#define UVIRTIO_VENDOR_ID	0x4f495655	/* "UVIO" */
#define UVIRTIO_VRING_NUM	256
/* Device feature bits that user space chooses; the rest are the transport's. */
#define UVIRTIO_DEVICE_FEATURES	(GENMASK_ULL(23, 0) | GENMASK_ULL(63, 50))
/* How long the drivers of the devices removed together get to let go. */
#define UVIRTIO_UNPLUG_MS	5000

static bool any_type;
module_param(any_type, bool, 0644);
MODULE_PARM_DESC(any_type,
		 "Also create devices of types off the allow-list, with any device feature (development only: their drivers trust user space; refused while the kernel is locked down)");

static unsigned int max_devices = 64;
module_param(max_devices, uint, 0644);
MODULE_PARM_DESC(max_devices, "Most devices that exist at once (default 64)");

struct uvirtio_vq {
	struct virtqueue *vq;
	struct list_head node;
	u16 last_avail;		/* next avail entry to take */
	u16 used_idx;		/* next used entry to write */
	bool broken;		/* a malformed request: served no more */
};

/*
 * Devices answer from here: unbound and high priority, so that a request is
 * answered while the driver goes on, on another CPU if there is one. A
 * driver that tears down without waiting for its last requests (virtio_gpu
 * frees buffers only when the device answers their unref) loses less.
 * Without WQ_MEM_RECLAIM: no allowed type (a display, a console) is on the
 * way of memory reclaim; a block or network device would be.
 */
static struct workqueue_struct *uvirtio_wq;
static atomic_t uvirtio_nr_devices;

static DEFINE_MUTEX(uvirtio_lock);
static LIST_HEAD(uvirtio_devices);
static bool uvirtio_shutting_down;
static DEFINE_IDA(uvirtio_ida);

static struct uvirtio_device *to_uvirtio(struct virtio_device *vdev)
{
	return container_of(vdev, struct uvirtio_device, vdev);
}

/* ---- guest memory the driver put in descriptors ---- */

/*
 * Reads, writes or compares @len bytes at guest-physical address @addr, page
 * by page. Without VIRTIO_F_ACCESS_PLATFORM the driver gives physical
 * addresses of its own memory. Returns 0, 1 for a mismatch, or -EFAULT.
 */
int uvirtio_access(u64 addr, void *buf, size_t len, enum uvirtio_access op)
{
	while (len) {
		unsigned long pfn = PHYS_PFN(addr);
		size_t off = offset_in_page(addr);
		size_t n = min_t(size_t, len, PAGE_SIZE - off);
		u8 *va;
		int diff = 0;

		if (!pfn_valid(pfn))
			return -EFAULT;
		va = kmap_local_page(pfn_to_page(pfn));
		if (op == UVIRTIO_READ)
			memcpy(buf, va + off, n);
		else if (op == UVIRTIO_WRITE)
			memcpy(va + off, buf, n);
		else
			diff = memcmp(va + off, buf, n);
		kunmap_local(va);
		if (diff)
			return 1;
		addr += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* ---- the device side of the rings ---- */

/*
 * Descriptor @i of @c's ring, the @seen'th of its chain (from 0), in @d,
 * and the index its NEXT flag would lead to in @next: false when @i is
 * out of the ring or the chain has looped.
 */
static bool uvirtio_desc(const struct uvirtio_chain *c, unsigned int i,
			 unsigned int seen, struct uvirtio_desc *d,
			 unsigned int *next)
{
	const struct vring_desc *vd;

	if (i >= c->vr->num || seen >= c->vr->num)
		return false;
	vd = &c->vr->desc[i];
	d->addr = virtio64_to_cpu(c->vdev, vd->addr);
	d->len = virtio32_to_cpu(c->vdev, vd->len);
	d->flags = virtio16_to_cpu(c->vdev, vd->flags);
	*next = virtio16_to_cpu(c->vdev, vd->next);
	return true;
}

/* Reads the chain at @head; false when it is malformed. */
static bool uvirtio_read_chain(struct virtio_device *vdev,
			       const struct vring *vr, unsigned int head,
			       struct uvirtio_chain *c)
{
	unsigned int i = head, seen;
	struct uvirtio_desc d;

	c->vdev = vdev;
	c->vr = vr;
	c->head = head;
	c->n = 0;
	c->has_write = false;
	for (seen = 0; ; seen++) {
		if (!uvirtio_desc(c, i, seen, &d, &i))
			return false;
		/* Not offered, so never legitimate. */
		if (d.flags & VRING_DESC_F_INDIRECT)
			return false;
		if (c->n < ARRAY_SIZE(c->d))
			c->d[c->n++] = d;
		if ((d.flags & VRING_DESC_F_WRITE) && !c->has_write) {
			c->write = d;
			c->has_write = true;
		}
		if (!(d.flags & VRING_DESC_F_NEXT))
			return true;
	}
}

/*
 * Reads @len bytes from offset @off of what request @c gives the device:
 * its readable descriptors, one after another, however many. Returns 0,
 * or -EFAULT when they hold fewer bytes. For a chain uvirtio_read_chain()
 * took, during its answer.
 */
int uvirtio_chain_read(const struct uvirtio_chain *c, u64 off, void *buf,
		       size_t len)
{
	unsigned int i = c->head, seen;
	struct uvirtio_desc d;

	for (seen = 0; len; seen++) {
		if (!uvirtio_desc(c, i, seen, &d, &i) ||
		    (d.flags & VRING_DESC_F_WRITE))
			return -EFAULT;
		if (off < d.len) {
			size_t n = min_t(u64, len, d.len - off);

			if (uvirtio_access(d.addr + off, buf, n, UVIRTIO_READ))
				return -EFAULT;
			buf += n;
			len -= n;
			off = 0;
		} else {
			off -= d.len;
		}
		if (len && !(d.flags & VRING_DESC_F_NEXT))
			return -EFAULT;
	}
	return 0;
}

/*
 * Reads the first @len bytes of request @c's first descriptor, when the
 * driver wrote it, into @c->peek.
 */
static void uvirtio_peek(struct uvirtio_chain *c, u32 len)
{
	u32 n = 0;

	if (c->n && !(c->d[0].flags & VRING_DESC_F_WRITE))
		n = min3(c->d[0].len, len, (u32)UVIRTIO_PEEK_MAX);
	if (n && uvirtio_access(c->d[0].addr, c->peek, n, UVIRTIO_READ))
		n = 0;
	/* The rest zero: the type's callbacks read the command in place. */
	memset(c->peek + n, 0, sizeof(c->peek) - n);
	c->peek_len = n;
}

enum uvirtio_answer {
	UVIRTIO_ANSWERED, UVIRTIO_KEPT, UVIRTIO_MALFORMED,
	UVIRTIO_LATER,		/* not in notify: the work item answers it */
};

/*
 * Answers the request at @head: the bytes written into it go in @len. A
 * buffer the driver only offers for writing (a receive buffer) that no
 * expectation answers is kept, as a device with nothing to deliver keeps
 * it, until the driver resets the device and takes it back: completing it
 * empty at once would have the driver offer it again in a loop
 * (virtio_console did, until its remove hit a BUG_ON).
 */
static enum uvirtio_answer uvirtio_answer(struct uvirtio_device *udev,
					  struct virtqueue *vq,
					  const struct vring *vr,
					  unsigned int head, bool in_notify,
					  u32 *len)
{
	const struct uvirtio_type *type = udev->type;
	struct uvirtio_chain c;

	*len = 0;
	if (!uvirtio_read_chain(&udev->vdev, vr, head, &c))
		return in_notify ? UVIRTIO_LATER : UVIRTIO_MALFORMED;
	c.in_notify = in_notify;
	c.peek_len = 0;
	if (type && type->peek)
		uvirtio_peek(&c, type->peek);
	if (in_notify && !type->answer_now(udev, &c))
		return UVIRTIO_LATER;
	if (type && type->answer && type->answer(udev, &c, len))
		return UVIRTIO_ANSWERED;
	if (uvirtio_answer_expected(udev->rules, vq->name, &c, len)) {
		if (type && type->check_reply)
			type->check_reply(udev, &c, *len);
		return UVIRTIO_ANSWERED;
	}
	if (type && type->unanswered) {
		*len = type->unanswered(udev, &c);
		return UVIRTIO_ANSWERED;
	}
	if (c.n && (c.d[0].flags & VRING_DESC_F_WRITE))
		return UVIRTIO_KEPT;
	return UVIRTIO_ANSWERED;
}

/*
 * Takes, in order, the requests made available since the last pass, at
 * most a ring's worth, and completes those it answers. A malformed request
 * (a descriptor index out of the ring, a loop, an indirect descriptor)
 * breaks the queue, as the spec has a device do: nothing of it is
 * completed, not even with its head, which may be out of the ring, and
 * the queue is served no more until the driver resets the device; @broke
 * says so. In notify (@in_notify), a request the type will not answer
 * there, and what follows it, is left to the work item: @more says so.
 * Returns true when the driver wants an interrupt.
 */
static bool uvirtio_process_vq(struct uvirtio_device *udev,
			       struct uvirtio_vq *uvq, bool in_notify,
			       bool *more, bool *broke)
{
	struct virtio_device *vdev = &udev->vdev;
	const struct vring *vr = virtqueue_get_vring(uvq->vq);
	unsigned int taken = 0, done = 0;
	u16 avail;

	*more = false;
	if (uvq->broken)
		return false;
	avail = virtio16_to_cpu(vdev, READ_ONCE(vr->avail->idx));
	/* Read the ring entries only after the index that publishes them. */
	virt_rmb();
	while (uvq->last_avail != avail && taken < vr->num) {
		unsigned int slot = uvq->last_avail % vr->num;
		unsigned int head = virtio16_to_cpu(vdev, vr->avail->ring[slot]);
		struct vring_used_elem *used;
		enum uvirtio_answer a;
		u32 len;

		a = uvirtio_answer(udev, uvq->vq, vr, head, in_notify, &len);
		if (a == UVIRTIO_LATER)
			break;
		uvq->last_avail++;
		taken++;
		if (a == UVIRTIO_MALFORMED) {
			dev_warn_ratelimited(&vdev->dev,
					     "%s: malformed request %u: queue stopped until the driver resets the device\n",
					     uvq->vq->name, head);
			uvq->broken = true;
			*broke = true;
			break;
		}
		if (a == UVIRTIO_KEPT)
			continue;
		used = &vr->used->ring[uvq->used_idx % vr->num];
		used->id = cpu_to_virtio32(vdev, head);
		used->len = cpu_to_virtio32(vdev, len);
		uvq->used_idx++;
		done++;
	}
	atomic_long_add(taken, &udev->answered);
	*more = !uvq->broken && uvq->last_avail != avail;
	if (!done)
		return false;
	/* The used entries before the index that publishes them. */
	virt_wmb();
	WRITE_ONCE(vr->used->idx, cpu_to_virtio16(vdev, uvq->used_idx));
	/* Publish the index before reading whether the driver wants to know. */
	virt_mb();
	return !(virtio16_to_cpu(vdev, READ_ONCE(vr->avail->flags)) &
		 VRING_AVAIL_F_NO_INTERRUPT);
}

/*
 * Serves every queue of @udev once and signals the driver: the work item,
 * and the driver's own notify call for a type that answers there
 * (@in_notify). Returns true when requests are left for the work item:
 * more than a ring's worth came at once, or, in notify, one the type
 * leaves to it or vqs_lock was busy.
 */
static bool uvirtio_serve(struct uvirtio_device *udev, bool in_notify)
{
	struct uvirtio_vq *uvq;
	bool requeue = false, broke = false;

	/*
	 * Never waits for vqs_lock in notify: the work item may hold it
	 * while it allocates, and reclaim may wait for a fence that the
	 * notifying commit is to signal (design.md, "Answering in notify").
	 */
	if (!in_notify)
		mutex_lock(&udev->vqs_lock);
	else if (!mutex_trylock(&udev->vqs_lock))
		return true;
	if (READ_ONCE(udev->status) & VIRTIO_CONFIG_S_DRIVER_OK) {
		list_for_each_entry(uvq, &udev->vqs, node) {
			bool more;

			if (!uvirtio_process_vq(udev, uvq, in_notify, &more,
						&broke) &&
			    !more)
				continue;
			requeue |= more;
			/* Callbacks expect interrupt-like context, no process. */
			local_bh_disable();
			vring_interrupt(0, uvq->vq);
			local_bh_enable();
		}
	}
	mutex_unlock(&udev->vqs_lock);
	/* Told outside vqs_lock: the driver's handler may ask us things. */
	if (broke) {
		WRITE_ONCE(udev->status, READ_ONCE(udev->status) |
					 VIRTIO_CONFIG_S_NEEDS_RESET);
		virtio_config_changed(&udev->vdev);
	}
	return requeue;
}

static void uvirtio_work(struct work_struct *work)
{
	struct uvirtio_device *udev =
		container_of(work, struct uvirtio_device, work);

	if (uvirtio_serve(udev, false))
		queue_work(uvirtio_wq, &udev->work);
}

/* ---- virtio_config_ops ---- */

static void uvirtio_get(struct virtio_device *vdev, unsigned int offset,
			void *buf, unsigned int len)
{
	struct uvirtio_device *udev = to_uvirtio(vdev);
	unsigned long flags;

	/* Past the config space given by user space the driver reads zeros. */
	memset(buf, 0, len);
	spin_lock_irqsave(&udev->config_lock, flags);
	if (offset < udev->config_len)
		memcpy(buf, udev->config + offset,
		       min(len, udev->config_len - offset));
	if (udev->type && udev->type->config_read)
		udev->type->config_read(udev, offset, len);
	spin_unlock_irqrestore(&udev->config_lock, flags);
}

static void uvirtio_set(struct virtio_device *vdev, unsigned int offset,
			const void *buf, unsigned int len)
{
	struct uvirtio_device *udev = to_uvirtio(vdev);
	unsigned long flags;

	spin_lock_irqsave(&udev->config_lock, flags);
	if (offset < udev->config_len) {
		memcpy(udev->config + offset, buf,
		       min(len, udev->config_len - offset));
		udev->config_generation++;
	}
	if (udev->type && udev->type->config_written)
		udev->type->config_written(udev, offset, len);
	spin_unlock_irqrestore(&udev->config_lock, flags);
}

static u32 uvirtio_generation(struct virtio_device *vdev)
{
	struct uvirtio_device *udev = to_uvirtio(vdev);
	unsigned long flags;
	u32 gen;

	spin_lock_irqsave(&udev->config_lock, flags);
	gen = udev->config_generation;
	spin_unlock_irqrestore(&udev->config_lock, flags);
	return gen;
}

static u8 uvirtio_get_status(struct virtio_device *vdev)
{
	return READ_ONCE(to_uvirtio(vdev)->status);
}

static void uvirtio_set_status(struct virtio_device *vdev, u8 status)
{
	struct uvirtio_device *udev = to_uvirtio(vdev);

	/* The core resets through ->reset(), never with a zero status. */
	WRITE_ONCE(udev->status, status);
	/* Requests made available before DRIVER_OK are answered now. */
	if (status & VIRTIO_CONFIG_S_DRIVER_OK)
		queue_work(uvirtio_wq, &udev->work);
}

/*
 * A reset device is the device as created: its rings start again, its
 * config space is what user space gave (less what the driver wrote), and
 * its type forgets what the driver told it. A driver bound again sees
 * nothing of the last one.
 */
static void uvirtio_reset(struct virtio_device *vdev)
{
	struct uvirtio_device *udev = to_uvirtio(vdev);
	struct uvirtio_vq *uvq;
	unsigned long flags;

	WRITE_ONCE(udev->status, 0);
	/* After a reset the device touches no ring. */
	cancel_work_sync(&udev->work);
	mutex_lock(&udev->vqs_lock);
	list_for_each_entry(uvq, &udev->vqs, node) {
		uvq->last_avail = 0;
		uvq->used_idx = 0;
		uvq->broken = false;
	}
	mutex_unlock(&udev->vqs_lock);
	spin_lock_irqsave(&udev->config_lock, flags);
	memcpy(udev->config, udev->config_init, udev->config_len);
	udev->config_generation++;
	spin_unlock_irqrestore(&udev->config_lock, flags);
	if (udev->type && udev->type->reset)
		udev->type->reset(udev);
}

/*
 * Whether the caller of notify may sleep, as answering there takes the
 * type's mutexes. Kernels without CONFIG_PREEMPT_COUNT cannot tell: they
 * get the work item. So does a panic's notify (virtio_gpu's drm_panic
 * handler on newer kernels: interrupts off, under a raw spinlock).
 */
static bool uvirtio_notify_may_sleep(void)
{
	return in_task() && preemptible() && !oops_in_progress;
}

/*
 * A type with @answer_now has its requests answered in the driver's own
 * notify call, as a device that answers at once: complete when
 * virtqueue_notify() returns, no work item to wake, no second CPU to wait
 * for. design.md ("Answering in notify") gives the driver's notify paths
 * this relies on. The work item answers the rest: any other type, a caller
 * that may not sleep, the requests @answer_now leaves to it and what
 * follows them, and whatever comes while it holds vqs_lock.
 */
static bool uvirtio_notify(struct virtqueue *vq)
{
	struct uvirtio_device *udev = to_uvirtio(vq->vdev);

	/* A panic in NMI: not even a work item may be queued (its lock). */
	if (in_nmi())
		return true;
	if (udev->type && udev->type->answer_now &&
	    uvirtio_notify_may_sleep()) {
		/* Any caller of notify that may not sleep is a bug here. */
		might_sleep();
		if (!uvirtio_serve(udev, true))
			return true;
	}
	queue_work(uvirtio_wq, &udev->work);
	return true;
}

static void uvirtio_del_vqs(struct virtio_device *vdev)
{
	struct uvirtio_device *udev = to_uvirtio(vdev);
	struct uvirtio_vq *uvq, *tmp;

	mutex_lock(&udev->vqs_lock);
	list_for_each_entry_safe(uvq, tmp, &udev->vqs, node) {
		list_del(&uvq->node);
		vring_del_virtqueue(uvq->vq);
		kfree(uvq);
	}
	mutex_unlock(&udev->vqs_lock);
}

static struct virtqueue *uvirtio_setup_vq(struct uvirtio_device *udev,
					  unsigned int index,
					  const struct virtqueue_info *info)
{
	struct uvirtio_vq *uvq;
	struct virtqueue *vq;

	uvq = kzalloc(sizeof(*uvq), GFP_KERNEL_ACCOUNT);
	if (!uvq)
		return ERR_PTR(-ENOMEM);
	vq = vring_create_virtqueue(index, UVIRTIO_VRING_NUM, SMP_CACHE_BYTES,
				    &udev->vdev, true, true, info->ctx,
				    uvirtio_notify, info->callback, info->name);
	if (!vq) {
		kfree(uvq);
		return ERR_PTR(-ENOMEM);
	}
	/*
	 * Descriptors must hold physical addresses, as the ring server reads
	 * them. With the DMA API (any Xen domain) they hold DMA addresses,
	 * which it would take for physical ones.
	 */
	if (uvirtio_vq_uses_dma_api(vq)) {
		dev_err(&udev->vdev.dev,
			"the virtio ring maps buffers through the DMA API (Xen?): uvirtio cannot serve it\n");
		vring_del_virtqueue(vq);
		kfree(uvq);
		return ERR_PTR(-EOPNOTSUPP);
	}
	uvq->vq = vq;
	vq->priv = uvq;
	mutex_lock(&udev->vqs_lock);
	list_add_tail(&uvq->node, &udev->vqs);
	mutex_unlock(&udev->vqs_lock);
	return vq;
}

int uvirtio_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
		     struct virtqueue *vqs[], struct virtqueue_info vqs_info[],
		     struct irq_affinity *desc)
{
	struct uvirtio_device *udev = to_uvirtio(vdev);
	unsigned int i, index = 0;

	for (i = 0; i < nvqs; i++) {
		if (!vqs_info[i].name) {
			vqs[i] = NULL;
			continue;
		}
		vqs[i] = uvirtio_setup_vq(udev, index++, &vqs_info[i]);
		if (IS_ERR(vqs[i])) {
			int ret = PTR_ERR(vqs[i]);

			uvirtio_del_vqs(vdev);
			return ret;
		}
	}
	return 0;
}

static void __maybe_unused uvirtio_synchronize_cbs(struct virtio_device *vdev)
{
	struct uvirtio_device *udev = to_uvirtio(vdev);

	/* Callbacks run from the work item and in notify, under vqs_lock. */
	flush_work(&udev->work);
	mutex_lock(&udev->vqs_lock);
	mutex_unlock(&udev->vqs_lock);
}

static u64 uvirtio_get_features(struct virtio_device *vdev)
{
	return to_uvirtio(vdev)->features;
}

static int uvirtio_finalize_features(struct virtio_device *vdev)
{
	/* A device on its way out takes no new driver (before its probe). */
	if (READ_ONCE(to_uvirtio(vdev)->dying))
		return -ENODEV;
	/* Drop the ring features the core knows but this device does not serve. */
	vring_transport_features(vdev);
	if (!__virtio_test_bit(vdev, VIRTIO_F_VERSION_1))
		return -EINVAL;
	return 0;
}

static const char *uvirtio_bus_name(struct virtio_device *vdev)
{
	return dev_name(&to_uvirtio(vdev)->pdev->dev);
}

static const struct virtio_config_ops uvirtio_config_ops = {
	.get			= uvirtio_get,
	.set			= uvirtio_set,
	.generation		= uvirtio_generation,
	.get_status		= uvirtio_get_status,
	.set_status		= uvirtio_set_status,
	.reset			= uvirtio_reset,
	.find_vqs		= UVIRTIO_FIND_VQS,
	.del_vqs		= uvirtio_del_vqs,
	UVIRTIO_OP_SYNCHRONIZE_CBS(uvirtio_synchronize_cbs)
	.get_features		= uvirtio_get_features,
	.finalize_features	= uvirtio_finalize_features,
	.bus_name		= uvirtio_bus_name,
};

/* ---- devices ---- */

static void uvirtio_release_dev(struct device *dev)
{
	struct uvirtio_device *udev = to_uvirtio(dev_to_virtio(dev));

	/* Removal cancelled it; a device never registered never queued it. */
	WARN_ON(work_pending(&udev->work));
	if (udev->type && udev->type->release)
		udev->type->release(udev);
	kvfree(udev->rules);
	kfree(udev);
}

/*
 * The device uvirtio.<@id> with a reference, for a type's ioctl to change
 * it; ERR_PTR(-ENOENT) when there is none, ERR_PTR(-ENODEV) when it is on
 * its way out. uvirtio_put_device() drops the reference.
 */
struct uvirtio_device *uvirtio_get_device(u32 id)
{
	struct uvirtio_device *udev, *found = ERR_PTR(-ENOENT);

	mutex_lock(&uvirtio_lock);
	list_for_each_entry(udev, &uvirtio_devices, node) {
		if (udev->id != id)
			continue;
		if (READ_ONCE(udev->dying)) {
			found = ERR_PTR(-ENODEV);
		} else {
			get_device(&udev->vdev.dev);
			found = udev;
		}
		break;
	}
	mutex_unlock(&uvirtio_lock);
	return found;
}

void uvirtio_put_device(struct uvirtio_device *udev)
{
	put_device(&udev->vdev.dev);
}

/*
 * Whether the driver has taken every answer off virtqueue @index: all its
 * descriptors are free as it counts them (struct virtqueue's num_free; a
 * request's are freed when the driver takes its answer off the used ring,
 * not when the device answers). True when the driver has no such queue.
 * Takes vqs_lock; may sleep.
 */
bool uvirtio_vq_drained(struct uvirtio_device *udev, unsigned int index)
{
	struct uvirtio_vq *uvq;
	bool ret = true;

	mutex_lock(&udev->vqs_lock);
	list_for_each_entry(uvq, &udev->vqs, node) {
		if (uvq->vq->index == index)
			ret = READ_ONCE(uvq->vq->num_free) ==
			      virtqueue_get_vring_size(uvq->vq);
	}
	mutex_unlock(&udev->vqs_lock);
	return ret;
}

/*
 * Whether the task removing devices is being killed: it does not wait for
 * drivers. A killed process closes its files in do_exit(), its SIGKILL
 * taken already but its exit code that of the signal.
 */
static bool uvirtio_task_dying(void)
{
	return fatal_signal_pending(current) ||
	       ((current->flags & PF_EXITING) && (current->exit_code & 0x7f));
}

/*
 * Waits, at most until @limit, for @done to hold and for the driver to
 * have made no request for 20 ms. Past the limit, or for a dying task,
 * only looks: a device waited for after another one used up the
 * deadline still counts as done when it is. Called without locks; the
 * work item answers meanwhile.
 */
static bool uvirtio_wait_quiet(struct uvirtio_device *udev,
			       unsigned long limit,
			       bool (*done)(struct uvirtio_device *udev))
{
	long seen = atomic_long_read(&udev->answered), now;

	while (time_before(jiffies, limit) && !uvirtio_task_dying()) {
		msleep(20);
		flush_work(&udev->work);
		now = atomic_long_read(&udev->answered);
		if (done(udev) && now == seen)
			return true;
		seen = now;
	}
	return done(udev);
}

/*
 * The first step of removing a device that is off uvirtio_devices: no
 * driver binds from here on, and the device lock waits for a probe under
 * way, so the driver seen afterwards is the one its type unplugs. Notes
 * whether the removal waits for the driver to let go.
 */
static void uvirtio_start_removal(struct uvirtio_device *udev)
{
	WRITE_ONCE(udev->dying, true);
	device_lock(&udev->vdev.dev);
	device_unlock(&udev->vdev.dev);
	udev->unplug_wait = udev->type && udev->type->unplug &&
			    udev->type->unplug(udev);
}

/*
 * Unregisters a device whose removal has started. The driver is unbound,
 * resets the device and frees its rings before unregister returns; a
 * reference keeps the device until its work item, which a driver may have
 * kicked after its reset or a failed probe, can run no more.
 */
static void uvirtio_unregister(struct uvirtio_device *udev)
{
	struct platform_device *pdev = udev->pdev;
	int id = udev->id;

	get_device(&udev->vdev.dev);
	unregister_virtio_device(&udev->vdev);
	/* No driver, no rings: nothing queues the work again. */
	cancel_work_sync(&udev->work);
	if (udev->type && udev->type->removed)
		udev->type->removed(udev);
	put_device(&udev->vdev.dev);
	platform_device_unregister(pdev);
	/* Only now may another device be called uvirtio.<id>. */
	ida_free(&uvirtio_ida, id);
	atomic_dec(&uvirtio_nr_devices);
}

/*
 * Removes the devices on @gone, which are off uvirtio_devices. All are
 * unplugged first and waited for against one deadline, so that N displays
 * held on by a DRM master cost one wait, not N. Called without locks.
 */
static void uvirtio_destroy_list(struct list_head *gone)
{
	struct uvirtio_device *udev, *tmp;
	unsigned long limit;

	list_for_each_entry(udev, gone, node)
		uvirtio_start_removal(udev);
	limit = jiffies + msecs_to_jiffies(UVIRTIO_UNPLUG_MS);
	list_for_each_entry(udev, gone, node) {
		if (udev->unplug_wait &&
		    !uvirtio_wait_quiet(udev, limit, udev->type->unplugged))
			dev_info(&udev->vdev.dev,
				 "the driver did not let go of the device in time; removing it anyway\n");
	}
	list_for_each_entry_safe(udev, tmp, gone, node) {
		list_del(&udev->node);
		uvirtio_unregister(udev);
	}
}

/* Removes one device that is off uvirtio_devices. Called without locks. */
static void uvirtio_destroy(struct uvirtio_device *udev)
{
	LIST_HEAD(one);

	list_add(&udev->node, &one);
	uvirtio_destroy_list(&one);
}

/*
 * virtio-console is answered from its expectations alone, with one port:
 * its driver bounds the used length of a receive buffer, and size is two
 * numbers. No F_MULTIPORT: its control messages reach paths that trust
 * their length (a 7-byte PORT_NAME oopses 6.1). See design.md, "Trust
 * boundary".
 */
static const struct uvirtio_type uvirtio_console_type = {
	.device_id	= VIRTIO_ID_CONSOLE,
	.features	= BIT_ULL(VIRTIO_CONSOLE_F_SIZE),
};

/* The allow-list: the only device types user space may create. */
static const struct uvirtio_type *const uvirtio_types[] = {
	&uvirtio_gpu_type,
	&uvirtio_console_type,
};

static const struct uvirtio_type *uvirtio_find_type(u32 device_id)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(uvirtio_types); i++)
		if (uvirtio_types[i]->device_id == device_id)
			return uvirtio_types[i];
	return NULL;
}

/*
 * The type of a device UV_DEV_CREATE asks for, in @type: NULL for one off
 * the allow-list, which only any_type lets through, and only on a kernel
 * that is not locked down (there its driver would trust user space with
 * kernel memory). The features offered must be the type's, or any device
 * feature for a type off the list, and of the transport's only
 * VIRTIO_F_VERSION_1, which the 2020 sample gives.
 */
static int uvirtio_check_setup(const struct uvirtio_setup *s,
			       const struct uvirtio_type **type)
{
	u64 allowed = UVIRTIO_DEVICE_FEATURES;
	int ret;

	if (s->flags & ~BIT(UVIRTIO_DEV_FLAG_STICK))
		return -EINVAL;
	if (s->config_len > UVIRTIO_MAX_CONFIG_LEN || !s->id)
		return -EINVAL;
	*type = uvirtio_find_type(s->id);
	if (*type) {
		allowed = (*type)->features;
	} else {
		if (!READ_ONCE(any_type))
			return -EOPNOTSUPP;
		ret = security_locked_down(LOCKDOWN_MODULE_PARAMETERS);
		if (ret)
			return ret;
	}
	if (s->features & ~(allowed | BIT_ULL(VIRTIO_F_VERSION_1)))
		return -EINVAL;
	return 0;
}

static int uvirtio_create(struct uvirtio_file *f,
			  const struct uvirtio_setup __user *arg)
{
	struct platform_device_info pinfo = {
		.name = "uvirtio",
		.dma_mask = DMA_BIT_MASK(64),
	};
	const struct uvirtio_type *type;
	struct platform_device *pdev;
	struct uvirtio_setup setup;
	struct uvirtio_device *udev;
	bool shutting_down;
	int id, ret;

	if (copy_from_user(&setup, arg, sizeof(setup)))
		return -EFAULT;
	ret = uvirtio_check_setup(&setup, &type);
	if (ret)
		return ret;
	/* What a type's ioctl set up is for a device of that type only. */
	if (f->setup_type && f->setup_type != type)
		return -EINVAL;
	if (atomic_inc_return(&uvirtio_nr_devices) > READ_ONCE(max_devices)) {
		ret = -ENOSPC;
		goto err_count;
	}

	udev = kzalloc(sizeof(*udev), GFP_KERNEL_ACCOUNT);
	if (!udev) {
		ret = -ENOMEM;
		goto err_count;
	}
	if (copy_from_user(udev->config, u64_to_user_ptr(setup.config_addr),
			   setup.config_len)) {
		ret = -EFAULT;
		goto err_free;
	}
	memcpy(udev->config_init, udev->config, setup.config_len);
	udev->config_len = setup.config_len;
	udev->flags = setup.flags;
	udev->features = setup.features | BIT_ULL(VIRTIO_F_VERSION_1);
	spin_lock_init(&udev->config_lock);
	mutex_init(&udev->vqs_lock);
	INIT_LIST_HEAD(&udev->vqs);
	INIT_LIST_HEAD(&udev->node);
	INIT_WORK(&udev->work, uvirtio_work);
	udev->type = type;
	/* The type may read the rules; they stay the file's until below. */
	udev->rules = f->rules;
	if (udev->type && udev->type->init) {
		ret = udev->type->init(udev, f->type_setup);
		if (ret)
			goto err_free;
	}

	id = ida_alloc(&uvirtio_ida, GFP_KERNEL);
	if (id < 0) {
		ret = id;
		goto err_type;
	}
	udev->id = id;
	pinfo.id = id;
	pdev = platform_device_register_full(&pinfo);
	if (IS_ERR(pdev)) {
		ret = PTR_ERR(pdev);
		goto err_ida;
	}
	udev->pdev = pdev;

	/* From here the device's release function owns udev and its rules. */
	f->rules = NULL;
	udev->vdev.dev.parent = &udev->pdev->dev;
	udev->vdev.dev.release = uvirtio_release_dev;
	udev->vdev.id.device = setup.id;
	udev->vdev.id.vendor = UVIRTIO_VENDOR_ID;
	udev->vdev.config = &uvirtio_config_ops;
	ret = register_virtio_device(&udev->vdev);
	if (ret) {
		put_device(&udev->vdev.dev);
		platform_device_unregister(pdev);
		ida_free(&uvirtio_ida, id);
		atomic_dec(&uvirtio_nr_devices);
		return ret;
	}

	mutex_lock(&uvirtio_lock);
	shutting_down = uvirtio_shutting_down;
	if (!shutting_down) {
		list_add_tail(&udev->node, &uvirtio_devices);
		udev->owner = f;
		f->dev = udev;
	}
	mutex_unlock(&uvirtio_lock);
	if (shutting_down) {
		uvirtio_destroy(udev);
		return -ESHUTDOWN;
	}
	f->state = UVIRTIO_CREATED;
	return id;

err_ida:
	ida_free(&uvirtio_ida, id);
err_type:
	if (udev->type && udev->type->release)
		udev->type->release(udev);
err_free:
	kfree(udev);
err_count:
	atomic_dec(&uvirtio_nr_devices);
	return ret;
}

/* ---- UV_DEV_EXPECT, UV_DEV_LIST, UV_DEV_DESTROY ---- */

static int uvirtio_set_expect(struct uvirtio_file *f,
			      const struct uvirtio_expect __user *arg)
{
	struct uvirtio_rules *r;
	int ret;

	ret = uvirtio_rules_from_user(arg, &r);
	if (ret)
		return ret;
	/* A second UV_DEV_EXPECT replaces the first. */
	kvfree(f->rules);
	f->rules = r;
	return 0;
}

static int uvirtio_list(struct uvirtio_list __user *arg)
{
	struct uvirtio_dev_info *info = NULL;
	struct uvirtio_device *udev;
	struct uvirtio_list l;
	u32 n = 0, fill;
	int ret = 0;

	if (copy_from_user(&l, arg, sizeof(l)))
		return -EFAULT;
	if (l.reserved)
		return -EINVAL;

	/*
	 * Room for as many devices as exist and fit, allocated before the
	 * lock; a snapshot under it; copied out after it, with no fault
	 * while held. The count is the snapshot's, which may hold more
	 * devices than there was room for.
	 */
	fill = min_t(u32, atomic_read(&uvirtio_nr_devices), l.count);
	if (fill) {
		info = kvcalloc(fill, sizeof(*info), GFP_KERNEL_ACCOUNT);
		if (!info)
			return -ENOMEM;
	}
	mutex_lock(&uvirtio_lock);
	list_for_each_entry(udev, &uvirtio_devices, node) {
		if (n < fill) {
			info[n].id = udev->id;
			info[n].device_id = udev->vdev.id.device;
			info[n].index = udev->vdev.index;
			info[n].flags = udev->flags;
			info[n].status = READ_ONCE(udev->status);
			info[n].state = udev->owner ? UVIRTIO_STATE_OWNED : 0;
			info[n].features = udev->features;
		}
		n++;
	}
	mutex_unlock(&uvirtio_lock);

	fill = min(fill, n);
	if (fill && copy_to_user(u64_to_user_ptr(l.devs_addr), info,
				 array_size(fill, sizeof(*info))))
		ret = -EFAULT;
	else if (put_user(n, &arg->count))
		ret = -EFAULT;
	kvfree(info);
	return ret;
}

static int uvirtio_destroy_ioctl(const struct uvirtio_destroy __user *arg)
{
	struct uvirtio_device *udev, *found = NULL;
	struct uvirtio_destroy d;
	int ret = -ENOENT;

	if (copy_from_user(&d, arg, sizeof(d)))
		return -EFAULT;
	if (d.flags)
		return -EINVAL;

	mutex_lock(&uvirtio_lock);
	list_for_each_entry(udev, &uvirtio_devices, node) {
		if (udev->id != d.id)
			continue;
		if (udev->owner) {
			ret = -EBUSY;
		} else {
			list_del_init(&udev->node);
			found = udev;
			ret = 0;
		}
		break;
	}
	mutex_unlock(&uvirtio_lock);
	if (found)
		uvirtio_destroy(found);
	return ret;
}

/* ---- /dev/uvirtio ---- */

static int uvirtio_open(struct inode *inode, struct file *file)
{
	struct uvirtio_file *f;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	f->state = UVIRTIO_NEW;
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int uvirtio_release(struct inode *inode, struct file *file)
{
	struct uvirtio_file *f = file->private_data;
	struct uvirtio_device *udev;
	bool destroy = false;

	mutex_lock(&uvirtio_lock);
	udev = f->dev;
	if (udev) {
		f->dev = NULL;
		udev->owner = NULL;
		if (!(udev->flags & BIT(UVIRTIO_DEV_FLAG_STICK))) {
			list_del_init(&udev->node);
			destroy = true;
		}
	}
	mutex_unlock(&uvirtio_lock);
	if (destroy)
		uvirtio_destroy(udev);
	kvfree(f->rules);
	kfree(f->type_setup);
	kfree(f);
	return 0;
}

static long uvirtio_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct uvirtio_file *f = file->private_data;
	void __user *argp = (void __user *)arg;
	long ret;

	switch (cmd) {
	case UV_GET_API_VERSION:
		return put_user(UVIRTIO_API_VERSION, (__u32 __user *)argp);
	case UV_DEV_LIST:
		return uvirtio_list(argp);
	case UV_DEV_DESTROY:
		return uvirtio_destroy_ioctl(argp);
	case UV_GPU_HEAD:
		return uvirtio_gpu_head_ioctl(f, argp);
	case UV_GPU_EXPORT:
		return uvirtio_gpu_export_ioctl(argp);
	case UV_DEV_EXPECT:
	case UV_DEV_CREATE:
		break;
	default:
		return -ENOTTY;
	}

	ret = mutex_lock_interruptible(&f->lock);
	if (ret)
		return ret;
	if (f->state != UVIRTIO_NEW)
		ret = -EBUSY;
	else if (cmd == UV_DEV_EXPECT)
		ret = uvirtio_set_expect(f, argp);
	else
		ret = uvirtio_create(f, argp);
	mutex_unlock(&f->lock);
	return ret;
}

static const struct file_operations uvirtio_fops = {
	.owner		= THIS_MODULE,
	.open		= uvirtio_open,
	.release	= uvirtio_release,
	.unlocked_ioctl	= uvirtio_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice uvirtio_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "uvirtio",
	.fops	= &uvirtio_fops,
	.mode	= 0600,
};

/* Takes every device off the list; no device can be created afterwards. */
static void uvirtio_take_all(struct list_head *gone)
{
	struct uvirtio_device *udev;

	mutex_lock(&uvirtio_lock);
	uvirtio_shutting_down = true;
	list_for_each_entry(udev, &uvirtio_devices, node) {
		if (udev->owner) {
			udev->owner->dev = NULL;
			udev->owner = NULL;
		}
	}
	list_splice_init(&uvirtio_devices, gone);
	mutex_unlock(&uvirtio_lock);
}

/*
 * Unplug, before the core's device shutdown, every device whose driver has
 * no shutdown hook of its own (virtio_gpu before 2025): such a driver would
 * keep queueing console output to a device the core has broken and reset.
 * The others stop themselves there and are left alone.
 */
static int uvirtio_reboot(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct uvirtio_device *udev, *tmp;
	LIST_HEAD(gone);
	LIST_HEAD(keep);

	uvirtio_take_all(&gone);
	list_for_each_entry_safe(udev, tmp, &gone, node)
		if (uvirtio_driver_has_shutdown(&udev->vdev))
			list_move_tail(&udev->node, &keep);
	mutex_lock(&uvirtio_lock);
	list_splice(&keep, &uvirtio_devices);
	mutex_unlock(&uvirtio_lock);
	uvirtio_destroy_list(&gone);
	return NOTIFY_DONE;
}

static struct notifier_block uvirtio_reboot_nb = {
	.notifier_call = uvirtio_reboot,
};

static int __init uvirtio_init(void)
{
	int ret;

	if (UVIRTIO_LIMIT_BUILD)
		pr_info("uvirtio: the benchmark's limit build, not for use\n");
	uvirtio_wq = alloc_workqueue("uvirtio", WQ_UNBOUND | WQ_HIGHPRI, 0);
	if (!uvirtio_wq)
		return -ENOMEM;
	ret = register_reboot_notifier(&uvirtio_reboot_nb);
	if (ret)
		goto err_wq;
	ret = misc_register(&uvirtio_misc);
	if (ret)
		goto err_reboot;
	return 0;

err_reboot:
	unregister_reboot_notifier(&uvirtio_reboot_nb);
err_wq:
	destroy_workqueue(uvirtio_wq);
	return ret;
}

static void __exit uvirtio_exit(void)
{
	LIST_HEAD(gone);

	misc_deregister(&uvirtio_misc);
	unregister_reboot_notifier(&uvirtio_reboot_nb);
	/* No file is open (each holds the module): only sticky devices left. */
	uvirtio_take_all(&gone);
	uvirtio_destroy_list(&gone);
	destroy_workqueue(uvirtio_wq);
	ida_destroy(&uvirtio_ida);
}

module_init(uvirtio_init);
module_exit(uvirtio_exit);

MODULE_AUTHOR("uvirtio developers");
MODULE_DESCRIPTION("Virtio devices created and answered from user space");
MODULE_LICENSE("GPL");
MODULE_VERSION(UVIRTIO_VERSION);
