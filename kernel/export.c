// SPDX-License-Identifier: GPL-2.0
/*
 * Frame export: the heads of a virtio-gpu seen from outside the guest's
 * display stack (UV_GPU_EXPORT).
 *
 * The device side of a virtio-gpu sees every frame the driver shows: the
 * driver creates resources (RESOURCE_CREATE_2D), gives each the pages of
 * its buffer (RESOURCE_ATTACH_BACKING), puts one on a scanout (SET_SCANOUT)
 * and says which rectangle of it changed (RESOURCE_FLUSH). This file keeps
 * what it needs of that: for each resource its size, format and extents
 * (where its bytes are in guest-physical memory, rows of width * 4 bytes,
 * as every virtio-gpu device reads them), and for each head the resource
 * and the rectangle of it shown. A file that watches a head is told of
 * its changes as events and copies pixels out of the resource.
 *
 * What a reader copies is what a device holds: the pixels the driver last
 * gave the device with TRANSFER_TO_HOST_2D, not the pages it draws into
 * meanwhile. While a reader is attached, each resource the driver
 * transfers gets a shadow, a copy of its pixels taken from its pages when
 * the shadow is made and then of each transferred rectangle, before the
 * command is answered (as QEMU's device copies into its host resource).
 * A reader thus sees whole frames even while a client redraws the same
 * buffer without pause. A resource with no shadow (none transferred since
 * a reader attached, or no room under UVIRTIO_EXPORT_SHADOW_MAX) is read
 * from its pages. The shadows go when the last reader leaves: with no one
 * attached, export costs no copy and no memory.
 *
 * The pages are the driver's until the device answers the RESOURCE_UNREF
 * or DETACH_BACKING that gives them back. Those commands drop the extents
 * under @lock before they are answered, and a copy reads pages only under
 * @lock, so it never reads a page the driver has freed. A copy goes
 * through a bounce buffer, up to UVIRTIO_EXPORT_CHUNK at a time under
 * @lock (a whole 4K scanout: one lock hold, so one frame), and drops @lock
 * before copy_to_user(): a reader's page fault never holds up the device.
 *
 * Locking:
 *  - uvirtio_export.lock (mutex) protects @res (with each resource's
 *    shadow), @shadow_bytes, @scan, @readers and @gone.
 *    The device's answers take it, under the core's vqs_lock, for the
 *    commands above, some in the driver's notify call; a reader for
 *    attaching, leaving and copying. Nothing under it allocates memory
 *    that may be reclaimed for, faults or waits: notify may be called in
 *    a commit that a dma-fence waits for, even from reclaim (design.md,
 *    "Answering in notify").
 *  - uvirtio_export_reader.qlock (spinlock) protects a reader's queue and
 *    its @gone; taken inside @lock, or alone by read() and poll().
 *  - @nr_readers is written under @lock and read without it: a flush or
 *    transfer that no one watches costs that one load. A transfer looks
 *    again under @lock before it makes a shadow: none outlives the last
 *    reader.
 *  - A reader holds a reference to the device, so the export outlives its
 *    readers whichever of the device and the reader goes first.
 */

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "export.h"

/* Extents a backing may have: a 256 MiB resource, page by page. */
#define UVIRTIO_EXPORT_MAX_EXTENTS	65536
/* Entries of an ATTACH_BACKING read at a time. */
#define UVIRTIO_EXPORT_ENTRY_BATCH	16
/*
 * Bytes of pixels a reader copies under the lock at a time, at most: a
 * row at least, and a whole 3840x2160 scanout, so that a copy of one is
 * of one frame. Allocated for the call, to the caller's account.
 */
#define UVIRTIO_EXPORT_CHUNK		(32 * 1024 * 1024)
static_assert(UVIRTIO_EXPORT_CHUNK >=
	      UVIRTIO_GPU_MAX_SIDE * UVIRTIO_EXPORT_CPP);
static_assert(UVIRTIO_EXPORT_CHUNK >= 3840 * 2160 * UVIRTIO_EXPORT_CPP);
/*
 * Bytes of shadows a device keeps, at most: the scanouts of a few 4K
 * heads, double-buffered, and the cursors. Resources past it are read
 * from their pages.
 */
#define UVIRTIO_EXPORT_SHADOW_MAX	(256 * 1024 * 1024)
/* Events read() takes off the queue at a time. */
#define UVIRTIO_EXPORT_READ_BATCH	8

struct uvirtio_export_extent {
	u64 addr;		/* guest-physical */
	u64 start;		/* offset of its first byte in the resource */
};

struct uvirtio_export_res {
	u32 format, width, height;
	u32 nr;			/* extents; 0: no backing */
	u64 size;		/* bytes the extents hold */
	struct uvirtio_export_extent *ext;
	u8 *shadow;		/* width * height pixels, or NULL */
};

/* What a head shows: @res_id 0 when off. */
struct uvirtio_export_scan {
	u32 res_id;
	u32 x, y, width, height;	/* the rectangle of the resource */
	u32 format;
	u64 seq;			/* events of the head so far */
	u64 mode_seq;			/* the event of its last change */
};

struct uvirtio_export {
	struct uvirtio_device *udev;
	struct mutex lock;
	struct xarray res;		/* resource id -> uvirtio_export_res */
	struct uvirtio_export_scan scan[VIRTIO_GPU_MAX_SCANOUTS];
	struct list_head readers;
	unsigned int nr_readers;
	u64 shadow_bytes;		/* of all resources' shadows */
	bool gone;			/* the device is unregistered */
};

/* A file of UV_GPU_EXPORT: the events of @head not read yet. */
struct uvirtio_export_reader {
	struct uvirtio_export *ex;
	struct uvirtio_device *udev;	/* a reference */
	u32 head;
	struct list_head node;
	wait_queue_head_t wait;
	spinlock_t qlock;
	unsigned int first, n;
	bool gone;			/* the GONE event is queued */
	struct uvirtio_export_event q[UVIRTIO_EXPORT_QUEUE];
};

static u64 uvirtio_export_res_bytes(const struct uvirtio_export_res *res)
{
	return (u64)res->width * res->height * UVIRTIO_EXPORT_CPP;
}

/* Drops @res's shadow, if any. Under ex->lock. */
static void uvirtio_export_unshadow(struct uvirtio_export *ex,
				    struct uvirtio_export_res *res)
{
	if (!res || !res->shadow)
		return;
	kvfree(res->shadow);
	res->shadow = NULL;
	ex->shadow_bytes -= uvirtio_export_res_bytes(res);
}

/* A resource out of ex->res, its shadow dropped (under ex->lock) or none. */
static void uvirtio_export_res_free(struct uvirtio_export_res *res)
{
	if (!res)
		return;
	WARN_ON(res->shadow);
	kvfree(res->ext);
	kfree(res);
}

/* ---- events ---- */

/* The MODE event that tells what head @s shows now. */
static void uvirtio_export_mode(const struct uvirtio_export_scan *s,
				struct uvirtio_export_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = UVIRTIO_EXPORT_MODE;
	ev->seq = s->mode_seq;
	if (s->res_id) {
		ev->width = s->width;
		ev->height = s->height;
		ev->format = s->format;
	}
}

/*
 * Queues @ev for @r and wakes it. A full queue is replaced by one event:
 * @ev when it is the end, else the head's mode as it is now, marked LOST,
 * after which the reader reads the whole scanout again. Under ex->lock.
 */
static void uvirtio_export_queue(struct uvirtio_export_reader *r,
				 const struct uvirtio_export_event *ev)
{
	struct uvirtio_export_event lost;

	spin_lock(&r->qlock);
	if (r->n == UVIRTIO_EXPORT_QUEUE) {
		if (ev->type != UVIRTIO_EXPORT_GONE) {
			uvirtio_export_mode(&r->ex->scan[r->head], &lost);
			lost.flags = UVIRTIO_EXPORT_EV_LOST;
			ev = &lost;
		}
		r->first = 0;
		r->n = 0;
	}
	r->q[(r->first + r->n) % UVIRTIO_EXPORT_QUEUE] = *ev;
	r->n++;
	if (ev->type == UVIRTIO_EXPORT_GONE)
		r->gone = true;
	spin_unlock(&r->qlock);
	wake_up_interruptible_poll(&r->wait, EPOLLIN | EPOLLRDNORM);
}

/* Tells the readers of @head. Under ex->lock. */
static void uvirtio_export_tell(struct uvirtio_export *ex, u32 head,
				const struct uvirtio_export_event *ev)
{
	struct uvirtio_export_reader *r;

	list_for_each_entry(r, &ex->readers, node)
		if (r->head == head)
			uvirtio_export_queue(r, ev);
}

/* A rectangle of @head changed, in its coordinates. Under ex->lock. */
static void uvirtio_export_damage(struct uvirtio_export *ex, u32 head,
				  u32 x, u32 y, u32 width, u32 height)
{
	struct uvirtio_export_event ev = {
		.type = UVIRTIO_EXPORT_DAMAGE,
		.seq = ++ex->scan[head].seq,
		.x = x,
		.y = y,
		.width = width,
		.height = height,
	};

	uvirtio_export_tell(ex, head, &ev);
}

/*
 * @head shows the rectangle @x, @y, @width x @height of resource @res_id,
 * or nothing (@res_id 0, or a rectangle that is not all in a resource the
 * model knows). Its readers get a MODE event when its size or format
 * changes or it goes off or on, a DAMAGE event of all of it when it shows
 * other pixels in the same mode. Under ex->lock.
 */
static void uvirtio_export_set_scan(struct uvirtio_export *ex, u32 head,
				    u32 res_id, u32 x, u32 y, u32 width,
				    u32 height)
{
	struct uvirtio_export_scan *s = &ex->scan[head], old = *s;
	struct uvirtio_export_res *res = NULL;
	struct uvirtio_export_event ev;

	if (res_id)
		res = xa_load(&ex->res, res_id);
	s->res_id = 0;
	s->x = 0;
	s->y = 0;
	s->width = 0;
	s->height = 0;
	s->format = 0;
	if (res && width && height && (u64)x + width <= res->width &&
	    (u64)y + height <= res->height) {
		s->res_id = res_id;
		s->x = x;
		s->y = y;
		s->width = width;
		s->height = height;
		s->format = res->format;
	}
	if (s->width == old.width && s->height == old.height &&
	    s->format == old.format) {
		if (s->res_id && (s->res_id != old.res_id || s->x != old.x ||
				  s->y != old.y))
			uvirtio_export_damage(ex, head, 0, 0, s->width,
					      s->height);
		return;
	}
	s->mode_seq = ++s->seq;
	uvirtio_export_mode(s, &ev);
	uvirtio_export_tell(ex, head, &ev);
}

/* ---- pixels ---- */

/*
 * Copies @len bytes from offset @off of @res into @buf: zeros where it has
 * no pages. Under ex->lock.
 */
static void uvirtio_export_read_res(const struct uvirtio_export_res *res,
				    u64 off, u8 *buf, size_t len)
{
	while (len) {
		u32 lo = 0, hi = res->nr, mid;
		u64 end;
		size_t n;

		if (off >= res->size) {
			memset(buf, 0, len);
			return;
		}
		/* The last extent that starts at or before @off holds it. */
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			if (res->ext[mid].start <= off)
				lo = mid;
			else
				hi = mid;
		}
		end = lo + 1 < res->nr ? res->ext[lo + 1].start : res->size;
		n = min_t(u64, len, end - off);
		if (uvirtio_access(res->ext[lo].addr + (off - res->ext[lo].start),
				   buf, n, UVIRTIO_READ))
			memset(buf, 0, n);
		off += n;
		buf += n;
		len -= n;
	}
}

/*
 * Whether @res may be given a shadow: the shadows stay within
 * UVIRTIO_EXPORT_SHADOW_MAX. Under ex->lock.
 */
static bool uvirtio_export_shadow_fits(const struct uvirtio_export *ex,
				       const struct uvirtio_export_res *res)
{
	u64 bytes = uvirtio_export_res_bytes(res);

	return bytes && ex->shadow_bytes + bytes <= UVIRTIO_EXPORT_SHADOW_MAX;
}

/*
 * Gives @res the shadow @shadow, allocated by the caller for it, filled
 * with its pixels as its pages hold them now. Under ex->lock.
 */
static void uvirtio_export_shadow(struct uvirtio_export *ex,
				  struct uvirtio_export_res *res, u8 *shadow)
{
	u64 bytes = uvirtio_export_res_bytes(res);

	res->shadow = shadow;
	ex->shadow_bytes += bytes;
	uvirtio_export_read_res(res, 0, res->shadow, bytes);
}

/* ---- the driver's commands ---- */

static void uvirtio_export_create(struct uvirtio_export *ex,
				  const struct virtio_gpu_resource_create_2d *cmd)
{
	u32 id = le32_to_cpu(cmd->resource_id);
	struct uvirtio_export_res *res;
	void *old;

	if (!id)
		return;
	/* Nothing is allocated under ex->lock: the slot is reserved first. */
	res = kzalloc(sizeof(*res), GFP_KERNEL);
	if (!res || xa_reserve(&ex->res, id, GFP_KERNEL)) {
		kfree(res);
		return;
	}
	res->format = le32_to_cpu(cmd->format);
	res->width = le32_to_cpu(cmd->width);
	res->height = le32_to_cpu(cmd->height);
	mutex_lock(&ex->lock);
	/* An id the driver did not unref first: the new resource replaces it. */
	old = xa_store(&ex->res, id, res, GFP_NOWAIT);
	if (xa_is_err(old))
		old = res;
	else
		uvirtio_export_unshadow(ex, old);
	mutex_unlock(&ex->lock);
	uvirtio_export_res_free(old);
}

/*
 * The extents of an ATTACH_BACKING, whose entries follow the command in
 * what the request gives the device (virtio_gpu puts them in a buffer of
 * their own, vmalloc()ed and so in many descriptors when it is large).
 * NULL when they cannot be read or there are too many to keep: that
 * resource then reads as zeros.
 */
static struct uvirtio_export_extent *
uvirtio_export_extents(struct uvirtio_export *ex, const struct uvirtio_chain *c,
		       u32 nr, u64 *size)
{
	struct virtio_gpu_mem_entry ents[UVIRTIO_EXPORT_ENTRY_BATCH];
	struct uvirtio_export_extent *ext;
	u32 i, j, k;

	*size = 0;
	if (!nr)
		return NULL;
	if (nr > UVIRTIO_EXPORT_MAX_EXTENTS) {
		dev_warn_ratelimited(&ex->udev->vdev.dev,
				     "a backing of %u extents is more than %u: not exported\n",
				     nr, UVIRTIO_EXPORT_MAX_EXTENTS);
		return NULL;
	}
	ext = kvmalloc_array(nr, sizeof(*ext), GFP_KERNEL);
	if (!ext)
		return NULL;
	for (i = 0; i < nr; i += k) {
		k = min_t(u32, nr - i, ARRAY_SIZE(ents));
		if (uvirtio_chain_read(c,
				       sizeof(struct virtio_gpu_resource_attach_backing) +
				       (u64)i * sizeof(ents[0]),
				       ents, k * sizeof(ents[0]))) {
			kvfree(ext);
			return NULL;
		}
		for (j = 0; j < k; j++) {
			ext[i + j].addr = le64_to_cpu(ents[j].addr);
			ext[i + j].start = *size;
			*size += le32_to_cpu(ents[j].length);
		}
	}
	return ext;
}

static void uvirtio_export_attach(struct uvirtio_export *ex,
				  const struct uvirtio_chain *c,
				  const struct virtio_gpu_resource_attach_backing *cmd)
{
	u32 nr = le32_to_cpu(cmd->nr_entries);
	struct uvirtio_export_extent *ext;
	struct uvirtio_export_res *res;
	u64 size;

	/* Read before the lock: a large backing is many descriptors. */
	ext = uvirtio_export_extents(ex, c, nr, &size);
	if (!ext)
		return;
	mutex_lock(&ex->lock);
	res = xa_load(&ex->res, le32_to_cpu(cmd->resource_id));
	/* A second backing without a detach is the driver's error: kept out. */
	if (res && !res->nr) {
		res->ext = ext;
		res->nr = nr;
		res->size = size;
		ext = NULL;
	}
	mutex_unlock(&ex->lock);
	kvfree(ext);
}

/* The driver takes the pages of @id back once this is answered. */
static void uvirtio_export_detach(struct uvirtio_export *ex, u32 id,
				  bool unref)
{
	struct uvirtio_export_extent *ext = NULL;
	struct uvirtio_export_res *res;

	mutex_lock(&ex->lock);
	if (unref) {
		res = xa_erase(&ex->res, id);
		uvirtio_export_unshadow(ex, res);
	} else {
		/* The shadow stays: it is the device's, as a host resource. */
		res = xa_load(&ex->res, id);
		if (res) {
			ext = res->ext;
			res->ext = NULL;
			res->nr = 0;
			res->size = 0;
		}
		res = NULL;
	}
	mutex_unlock(&ex->lock);
	kvfree(ext);
	uvirtio_export_res_free(res);
}

static void uvirtio_export_scanout(struct uvirtio_export *ex,
				   const struct virtio_gpu_set_scanout *cmd,
				   bool blob)
{
	u32 head = le32_to_cpu(cmd->scanout_id);

	if (head >= VIRTIO_GPU_MAX_SCANOUTS)
		return;
	mutex_lock(&ex->lock);
	/* A blob resource is none the model knows: the head reads as off. */
	uvirtio_export_set_scan(ex, head,
				blob ? 0 : le32_to_cpu(cmd->resource_id),
				le32_to_cpu(cmd->r.x), le32_to_cpu(cmd->r.y),
				le32_to_cpu(cmd->r.width),
				le32_to_cpu(cmd->r.height));
	mutex_unlock(&ex->lock);
}

/*
 * The resource a TRANSFER_TO_HOST_2D copies into, if a device takes it
 * (a device refuses the others; the shadow keeps what it had) and a
 * reader is attached. Under ex->lock.
 */
static struct uvirtio_export_res *
uvirtio_export_transfer_res(struct uvirtio_export *ex,
			    const struct virtio_gpu_transfer_to_host_2d *cmd)
{
	u32 x = le32_to_cpu(cmd->r.x), y = le32_to_cpu(cmd->r.y);
	u32 width = le32_to_cpu(cmd->r.width);
	u32 height = le32_to_cpu(cmd->r.height);
	struct uvirtio_export_res *res;

	/* The last reader may have left since the caller looked. */
	if (!ex->nr_readers)
		return NULL;
	res = xa_load(&ex->res, le32_to_cpu(cmd->resource_id));
	if (!res || !res->nr || !width || !height ||
	    (u64)x + width > res->width || (u64)y + height > res->height)
		return NULL;
	return res;
}

/*
 * A rectangle of a resource the driver gives the device: into its shadow,
 * made now if it has none, as QEMU copies it (row h of the rectangle from
 * @offset + h * the resource's stride of its backing). Only while a
 * reader is attached. A shadow is allocated with ex->lock dropped, which
 * is never held across an allocation; only this path, under the core's
 * vqs_lock, adds resources or their shadows, so the resource is the same
 * when the lock is taken again, unless the last reader left meanwhile.
 */
static void uvirtio_export_transfer(struct uvirtio_export *ex,
				    const struct virtio_gpu_transfer_to_host_2d *cmd)
{
	u32 x = le32_to_cpu(cmd->r.x), y = le32_to_cpu(cmd->r.y);
	u32 width = le32_to_cpu(cmd->r.width);
	u32 height = le32_to_cpu(cmd->r.height);
	u64 offset = le64_to_cpu(cmd->offset), stride, bytes = 0;
	struct uvirtio_export_res *res;
	u8 *shadow = NULL;
	u32 h;

	mutex_lock(&ex->lock);
	res = uvirtio_export_transfer_res(ex, cmd);
	if (res && !res->shadow && uvirtio_export_shadow_fits(ex, res))
		bytes = uvirtio_export_res_bytes(res);
	mutex_unlock(&ex->lock);
	if (bytes) {
		shadow = kvmalloc(bytes, GFP_KERNEL | __GFP_NOWARN);
		if (!shadow)
			return;
	}
	mutex_lock(&ex->lock);
	res = uvirtio_export_transfer_res(ex, cmd);
	if (res && !res->shadow && shadow &&
	    uvirtio_export_res_bytes(res) == bytes &&
	    uvirtio_export_shadow_fits(ex, res)) {
		uvirtio_export_shadow(ex, res, shadow);
		shadow = NULL;
	}
	if (!res || !res->shadow)
		goto out;
	stride = (u64)res->width * UVIRTIO_EXPORT_CPP;
	for (h = 0; h < height; h++)
		uvirtio_export_read_res(res, offset + h * stride,
					res->shadow + ((u64)y + h) * stride +
					(u64)x * UVIRTIO_EXPORT_CPP,
					(size_t)width * UVIRTIO_EXPORT_CPP);
out:
	mutex_unlock(&ex->lock);
	kvfree(shadow);
}

/* The rectangle of a resource flushed: the damage of each head showing it. */
static void uvirtio_export_flush(struct uvirtio_export *ex,
				 const struct virtio_gpu_resource_flush *cmd)
{
	u32 id = le32_to_cpu(cmd->resource_id);
	u64 x0 = le32_to_cpu(cmd->r.x), y0 = le32_to_cpu(cmd->r.y);
	u64 x1 = x0 + le32_to_cpu(cmd->r.width);
	u64 y1 = y0 + le32_to_cpu(cmd->r.height);
	unsigned int head;

	mutex_lock(&ex->lock);
	for (head = 0; head < ARRAY_SIZE(ex->scan); head++) {
		const struct uvirtio_export_scan *s = &ex->scan[head];
		u64 l = max_t(u64, x0, s->x), t = max_t(u64, y0, s->y);
		u64 r = min_t(u64, x1, (u64)s->x + s->width);
		u64 b = min_t(u64, y1, (u64)s->y + s->height);

		if (!s->res_id || s->res_id != id || l >= r || t >= b)
			continue;
		uvirtio_export_damage(ex, head, l - s->x, t - s->y, r - l,
				      b - t);
	}
	mutex_unlock(&ex->lock);
}

/*
 * Whether command @cmd may be answered in the driver's notify call: not
 * those for which export allocates (a resource, its extents, a shadow).
 */
bool uvirtio_export_command_now(struct uvirtio_export *ex,
				const union uvirtio_gpu_cmd *cmd)
{
	switch (le32_to_cpu(cmd->hdr.type)) {
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D:
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
		return false;
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D:
		return !READ_ONCE(ex->nr_readers);
	}
	return true;
}

/*
 * A command of the driver's control queue, @n bytes of it read into @cmd,
 * before it is answered. Called with vqs_lock held, from the work item
 * or, when uvirtio_export_command_now() says so, in notify.
 */
void uvirtio_export_command(struct uvirtio_export *ex,
			    const struct uvirtio_chain *c,
			    const union uvirtio_gpu_cmd *cmd, u32 n)
{
	u32 type = le32_to_cpu(cmd->hdr.type);

	/* Each command is taken only when the driver sent all of it. */
	switch (type) {
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D:
		if (n >= sizeof(cmd->create_2d))
			uvirtio_export_create(ex, &cmd->create_2d);
		break;
	case VIRTIO_GPU_CMD_RESOURCE_UNREF:
		if (n >= sizeof(cmd->unref))
			uvirtio_export_detach(ex,
					      le32_to_cpu(cmd->unref.resource_id),
					      true);
		break;
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
		if (n >= sizeof(cmd->attach))
			uvirtio_export_attach(ex, c, &cmd->attach);
		break;
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING:
		if (n >= sizeof(cmd->detach))
			uvirtio_export_detach(ex,
					      le32_to_cpu(cmd->detach.resource_id),
					      false);
		break;
	case VIRTIO_GPU_CMD_SET_SCANOUT:
	case VIRTIO_GPU_CMD_SET_SCANOUT_BLOB:
		if (n >= sizeof(cmd->set_scanout))
			uvirtio_export_scanout(ex, &cmd->set_scanout,
					       type == VIRTIO_GPU_CMD_SET_SCANOUT_BLOB);
		break;
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D:
		/*
		 * A reader that came after uvirtio_export_command_now() let
		 * this one be answered in notify gets its shadow at the next.
		 */
		if (READ_ONCE(ex->nr_readers) && !c->in_notify &&
		    n >= sizeof(cmd->transfer_2d))
			uvirtio_export_transfer(ex, &cmd->transfer_2d);
		break;
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH:
		/* What is shown is tracked always; damage only when watched. */
		if (READ_ONCE(ex->nr_readers) && n >= sizeof(cmd->flush))
			uvirtio_export_flush(ex, &cmd->flush);
		break;
	}
}

/*
 * The driver reset the device: its resources are gone and every head is
 * off. Called without locks, the work item stopped.
 */
void uvirtio_export_reset(struct uvirtio_export *ex)
{
	struct uvirtio_export_res *res;
	unsigned long id;
	unsigned int head;

	mutex_lock(&ex->lock);
	for (head = 0; head < ARRAY_SIZE(ex->scan); head++)
		uvirtio_export_set_scan(ex, head, 0, 0, 0, 0, 0);
	xa_for_each(&ex->res, id, res) {
		xa_erase(&ex->res, id);
		uvirtio_export_unshadow(ex, res);
		uvirtio_export_res_free(res);
	}
	mutex_unlock(&ex->lock);
}

/* The device is unregistered: each reader gets its last event. */
void uvirtio_export_removed(struct uvirtio_export *ex)
{
	struct uvirtio_export_event ev = { .type = UVIRTIO_EXPORT_GONE };
	struct uvirtio_export_reader *r;

	mutex_lock(&ex->lock);
	ex->gone = true;
	list_for_each_entry(r, &ex->readers, node) {
		ev.seq = ex->scan[r->head].seq + 1;
		uvirtio_export_queue(r, &ev);
	}
	mutex_unlock(&ex->lock);
}

struct uvirtio_export *uvirtio_export_new(struct uvirtio_device *udev)
{
	struct uvirtio_export *ex = kzalloc(sizeof(*ex), GFP_KERNEL_ACCOUNT);

	if (!ex)
		return NULL;
	ex->udev = udev;
	mutex_init(&ex->lock);
	xa_init(&ex->res);
	INIT_LIST_HEAD(&ex->readers);
	return ex;
}

/* With the device's last reference: no reader is left. */
void uvirtio_export_free(struct uvirtio_export *ex)
{
	struct uvirtio_export_res *res;
	unsigned long id;

	if (!ex)
		return;
	WARN_ON(!list_empty(&ex->readers));
	xa_for_each(&ex->res, id, res) {
		uvirtio_export_unshadow(ex, res);
		uvirtio_export_res_free(res);
	}
	xa_destroy(&ex->res);
	mutex_destroy(&ex->lock);
	kfree(ex);
}

/* ---- the reader's file ---- */

/*
 * Rows @row to @row + @rows - 1 of the rectangle @p asks for, into @buf,
 * one after another. Under ex->lock.
 */
static int uvirtio_export_copy(struct uvirtio_export_reader *r,
			       const struct uvirtio_export_pixels *p, u32 row,
			       u32 rows, u8 *buf)
{
	const struct uvirtio_export_scan *s = &r->ex->scan[r->head];
	size_t len = (size_t)p->width * UVIRTIO_EXPORT_CPP;
	const struct uvirtio_export_res *res;
	u32 i;

	if (r->ex->gone)
		return -ENODEV;
	if (p->mode_seq != s->mode_seq)
		return -ESTALE;
	if (!s->res_id || (u64)p->x + p->width > s->width ||
	    (u64)p->y + p->height > s->height)
		return -EINVAL;
	res = xa_load(&r->ex->res, s->res_id);
	for (i = 0; i < rows; i++, buf += len) {
		u64 y = (u64)s->y + p->y + row + i;
		u64 x = (u64)s->x + p->x;

		/*
		 * The head's rectangle was inside the resource when it was
		 * set, but the driver may have made another of that id since.
		 */
		if (!res || y >= res->height || x + p->width > res->width)
			memset(buf, 0, len);
		else if (res->shadow)
			memcpy(buf, res->shadow +
			       (y * res->width + x) * UVIRTIO_EXPORT_CPP, len);
		else
			uvirtio_export_read_res(res, (y * res->width + x) *
						UVIRTIO_EXPORT_CPP, buf, len);
	}
	return 0;
}

static long uvirtio_export_pixels(struct uvirtio_export_reader *r,
				  const struct uvirtio_export_pixels __user *arg)
{
	struct uvirtio_export_pixels p;
	u32 done = 0, rows;
	size_t len;
	long ret = 0;
	u8 *buf;

	if (copy_from_user(&p, arg, sizeof(p)))
		return -EFAULT;
	if (p.flags || p.reserved || !p.width || !p.height ||
	    p.width > UVIRTIO_GPU_MAX_SIDE ||
	    p.stride < p.width * UVIRTIO_EXPORT_CPP)
		return -EINVAL;
	len = (size_t)p.width * UVIRTIO_EXPORT_CPP;
	rows = min_t(u32, p.height, UVIRTIO_EXPORT_CHUNK / len);
	buf = kvmalloc((size_t)rows * len, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	while (done < p.height) {
		u32 k = min(p.height - done, rows), i;

		if (mutex_lock_interruptible(&r->ex->lock)) {
			ret = -EINTR;
			break;
		}
		ret = uvirtio_export_copy(r, &p, done, k, buf);
		mutex_unlock(&r->ex->lock);
		if (ret)
			break;
		for (i = 0; i < k; i++) {
			u64 to = p.addr + (u64)(done + i) * p.stride;

			if (copy_to_user(u64_to_user_ptr(to), buf + i * len,
					 len)) {
				ret = -EFAULT;
				goto out;
			}
		}
		done += k;
		cond_resched();
	}
out:
	kvfree(buf);
	return ret;
}

static long uvirtio_export_ioctl(struct file *file, unsigned int cmd,
				 unsigned long arg)
{
	if (cmd != UV_EXPORT_PIXELS)
		return -ENOTTY;
	return uvirtio_export_pixels(file->private_data,
				     (const void __user *)arg);
}

/* Takes up to @max events off @r's queue into @ev; @gone: none will come. */
static unsigned int uvirtio_export_take(struct uvirtio_export_reader *r,
					struct uvirtio_export_event *ev,
					size_t max, bool *gone)
{
	unsigned int n, i;

	spin_lock(&r->qlock);
	n = min_t(size_t, r->n, max);
	for (i = 0; i < n; i++)
		ev[i] = r->q[(r->first + i) % UVIRTIO_EXPORT_QUEUE];
	r->first = (r->first + n) % UVIRTIO_EXPORT_QUEUE;
	r->n -= n;
	*gone = r->gone && !r->n;
	spin_unlock(&r->qlock);
	return n;
}

static bool uvirtio_export_ready(struct uvirtio_export_reader *r)
{
	bool ret;

	spin_lock(&r->qlock);
	ret = r->n || r->gone;
	spin_unlock(&r->qlock);
	return ret;
}

static ssize_t uvirtio_export_read(struct file *file, char __user *buf,
				   size_t count, loff_t *ppos)
{
	struct uvirtio_export_event ev[UVIRTIO_EXPORT_READ_BATCH];
	struct uvirtio_export_reader *r = file->private_data;
	size_t max = count / sizeof(ev[0]), done = 0;
	unsigned int n;
	bool gone;
	int ret;

	if (!max)
		return -EINVAL;
	for (;;) {
		n = uvirtio_export_take(r, ev, min(max, ARRAY_SIZE(ev)), &gone);
		if (n)
			break;
		if (gone)
			return -ENODEV;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(r->wait,
					       uvirtio_export_ready(r));
		if (ret)
			return ret;
	}
	/* What was taken is the caller's: a fault loses it, as evdev's. */
	while (n) {
		if (copy_to_user(buf + done * sizeof(ev[0]), ev,
				 n * sizeof(ev[0])))
			return done ? done * sizeof(ev[0]) : -EFAULT;
		done += n;
		max -= n;
		n = max ? uvirtio_export_take(r, ev,
					      min(max, ARRAY_SIZE(ev)),
					      &gone) : 0;
	}
	return done * sizeof(ev[0]);
}

static __poll_t uvirtio_export_poll(struct file *file, poll_table *wait)
{
	struct uvirtio_export_reader *r = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &r->wait, wait);
	spin_lock(&r->qlock);
	if (r->n)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (r->gone)
		mask |= EPOLLHUP;
	spin_unlock(&r->qlock);
	return mask;
}

/* @r stops watching; the last reader takes the shadows with it. */
static void uvirtio_export_leave(struct uvirtio_export_reader *r)
{
	struct uvirtio_export *ex = r->ex;
	struct uvirtio_export_res *res;
	unsigned long id;

	mutex_lock(&ex->lock);
	list_del(&r->node);
	WRITE_ONCE(ex->nr_readers, ex->nr_readers - 1);
	if (!ex->nr_readers)
		xa_for_each(&ex->res, id, res)
			uvirtio_export_unshadow(ex, res);
	mutex_unlock(&ex->lock);
}

static int uvirtio_export_release(struct inode *inode, struct file *file)
{
	struct uvirtio_export_reader *r = file->private_data;

	uvirtio_export_leave(r);
	/* May be the device's last reference, and free @ex. */
	uvirtio_put_device(r->udev);
	kfree(r);
	return 0;
}

static const struct file_operations uvirtio_export_fops = {
	.owner		= THIS_MODULE,
	.read		= uvirtio_export_read,
	.poll		= uvirtio_export_poll,
	.release	= uvirtio_export_release,
	.unlocked_ioctl	= uvirtio_export_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/*
 * A file that watches @head, its first event the head's mode. The caller
 * holds a reference to the device, which the file takes over when this
 * returns its descriptor.
 */
int uvirtio_export_open(struct uvirtio_export *ex, u32 head)
{
	struct uvirtio_export_reader *r;
	struct uvirtio_export_event ev;
	int fd;

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->ex = ex;
	r->udev = ex->udev;
	r->head = head;
	init_waitqueue_head(&r->wait);
	spin_lock_init(&r->qlock);

	mutex_lock(&ex->lock);
	if (ex->gone) {
		mutex_unlock(&ex->lock);
		kfree(r);
		return -ENODEV;
	}
	list_add_tail(&r->node, &ex->readers);
	WRITE_ONCE(ex->nr_readers, ex->nr_readers + 1);
	uvirtio_export_mode(&ex->scan[head], &ev);
	uvirtio_export_queue(r, &ev);
	mutex_unlock(&ex->lock);

	fd = anon_inode_getfd("[uvirtio-export]", &uvirtio_export_fops, r,
			      O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		uvirtio_export_leave(r);
		kfree(r);
	}
	return fd;
}
