// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-gpu device model: what a virtio-gpu's device side knows besides
 * the expectations user space gives.
 *
 * User space describes a display in one of two ways. The 2020 way: its
 * expectations answer GET_DISPLAY_INFO. Or it gives heads (UV_GPU_HEAD,
 * before UV_DEV_CREATE): this file then answers GET_DISPLAY_INFO and
 * GET_EDID from them (EDID from edid.c) and changes them at run time as a
 * monitor change does. Either way every command is answered
 * (RESP_OK_NODATA with its fence echoed when nothing else answers),
 * events_clear clears events_read, and the display is unplugged before
 * the device is removed.
 *
 * What virtio_gpu trusts is the module's, whatever user space says
 * (design.md, "Trust boundary"): the fence echoed in every header, the
 * display info's modes within UVIRTIO_GPU_MIN_SIDE..MAX_SIDE, a GET_EDID
 * size that fits edid[], and config space's events_read, events_clear
 * and num_capsets (0 at the start). The only device feature user space
 * may offer is VIRTIO_GPU_F_EDID.
 *
 * Locking:
 *  - uvirtio_gpu.lock (spinlock) protects @heads, read by the work item
 *    and written by UV_GPU_HEAD; nothing else is taken inside it.
 *  - scanouts_on and told are written by the work item (the ->answer
 *    hook) and cleared by ->reset, which runs with the work item stopped;
 *    unplugging is written only by uvirtio_gpu_unplug(); the others read
 *    them with READ_ONCE() (scanouts_on through atomic bit ops).
 *  - Config space is the core's, under its config_lock; so are events and
 *    events_seen, which the config hooks and the display event update.
 *  - event_work takes the core's vqs_lock to see the driver's free
 *    descriptors; it is cancelled only from the device's release, never
 *    under vqs_lock.
 */

#include <linux/bitops.h>
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/virtio_config.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "edid.h"
#include "export.h"

/*
 * uvirtio.gpu= is read by uvirtio-boot from /proc/cmdline; the module only
 * records it (a charp). A bare "uvirtio.gpu" makes kmod pass "gpu" with no
 * value, which a plain charp refuses with -EINVAL, and the module would not
 * load: it is taken as "" instead, and uvirtio-boot reports the missing
 * value.
 */
static int uvirtio_gpu_set(const char *val, const struct kernel_param *kp)
{
	return param_set_charp(val ?: "", kp);
}

static const struct kernel_param_ops uvirtio_gpu_ops = {
	.flags = KERNEL_PARAM_OPS_FL_NOARG,
	.set = uvirtio_gpu_set,
	.get = param_get_charp,
	.free = param_free_charp,
};

static char *gpu;
module_param_cb(gpu, &uvirtio_gpu_ops, &gpu, 0444);
__MODULE_PARM_TYPE(gpu, "charp");
MODULE_PARM_DESC(gpu,
		 "Display mode for uvirtio-boot (WIDTHxHEIGHT, off or 0; no value is taken as \"\"); the module only records it");

/* How often a display event waiting for ring space looks again. */
#define UVIRTIO_GPU_EVENT_RETRY_MS	5

/* One head as user space gave it; width 0: not connected; dpi 0: 96. */
struct uvirtio_gpu_mon {
	u32 width, height, dpi;
};

/* The heads a file sets up for the device it creates (its type_setup). */
struct uvirtio_gpu_setup {
	struct uvirtio_gpu_mon heads[UVIRTIO_GPU_MAX_HEADS];
};

struct uvirtio_gpu {
	struct uvirtio_device *udev;
	spinlock_t lock;
	bool own_display;		/* heads given: we answer for them */
	u32 nr_heads;			/* config's num_scanouts, at most 16 */
	struct uvirtio_gpu_mon heads[UVIRTIO_GPU_MAX_HEADS];

	/*
	 * Display events raised, and how many of them the driver had when
	 * it last read events_read; under the core's config_lock.
	 */
	u32 events, events_seen;
	struct delayed_work event_work;	/* signals an event */

	unsigned long scanouts_on;	/* bit n: scanout n shows a resource */
	bool unplugging;		/* no display is connected any more */
	bool told;			/* the driver has asked and been told */

	struct uvirtio_export *export;	/* what the heads show (export.c) */
};

/* SET_SCANOUT_BLOB names its scanout and resource where SET_SCANOUT does. */
static_assert(offsetof(struct virtio_gpu_set_scanout_blob, scanout_id) ==
	      offsetof(struct virtio_gpu_set_scanout, scanout_id));
static_assert(offsetof(struct virtio_gpu_set_scanout_blob, resource_id) ==
	      offsetof(struct virtio_gpu_set_scanout, resource_id));

/* struct virtio_gpu_resp_edid up to its edid[]. */
struct uvirtio_gpu_edid_head {
	struct virtio_gpu_ctrl_hdr hdr;
	__le32 size;
	__le32 padding;
};

static_assert(sizeof(struct uvirtio_gpu_edid_head) ==
	      offsetof(struct virtio_gpu_resp_edid, edid));

/* Whether a mode is one a head may have (UV_GPU_HEAD's bounds). */
static bool uvirtio_gpu_mode_ok(u32 width, u32 height)
{
	return width >= UVIRTIO_GPU_MIN_SIDE && width <= UVIRTIO_GPU_MAX_SIDE &&
	       height >= UVIRTIO_GPU_MIN_SIDE && height <= UVIRTIO_GPU_MAX_SIDE;
}

/*
 * Whether a GET_EDID reply's size fits the spec's edid[]: virtio_gpu
 * copies EDID blocks from edid[] up to it. The kernels tested here also
 * stop at the end of edid[] (6.1.192 does); a kernel without that bound
 * would copy ~32 KiB past it for a size of 0xffff.
 */
static bool uvirtio_gpu_edid_fits(__le32 size)
{
	return le32_to_cpu(size) <=
	       sizeof_field(struct virtio_gpu_resp_edid, edid);
}

static struct uvirtio_gpu *to_gpu(struct uvirtio_device *udev)
{
	return udev->type_data;
}

static u32 uvirtio_gpu_config_le32(struct uvirtio_device *udev, size_t off)
{
	unsigned long flags;
	__le32 val = 0;

	spin_lock_irqsave(&udev->config_lock, flags);
	if (udev->config_len >= off + sizeof(val))
		memcpy(&val, udev->config + off, sizeof(val));
	spin_unlock_irqrestore(&udev->config_lock, flags);
	return le32_to_cpu(val);
}

/*
 * Zeroes a field of struct virtio_gpu_config in the config space and in
 * the copy a reset restores, as far as user space gave it. Before the
 * device is registered.
 */
#define uvirtio_gpu_config_zero(udev, field)				\
	uvirtio_gpu_zero_at(udev,					\
			    offsetof(struct virtio_gpu_config, field),	\
			    sizeof_field(struct virtio_gpu_config, field))

static void uvirtio_gpu_zero_at(struct uvirtio_device *udev, size_t off,
				size_t len)
{
	if (off >= udev->config_len)
		return;
	len = min_t(size_t, len, udev->config_len - off);
	memset(udev->config + off, 0, len);
	memset(udev->config_init + off, 0, len);
}

/*
 * An EDID reply in the user's expectations must fit the spec's edid[]:
 * refused at once, with a clear error. Replies of other types, which the
 * driver reads as EDID all the same when they answer GET_EDID, are made
 * safe when they are given (uvirtio_gpu_check_reply()).
 */
static int uvirtio_gpu_check_rules(struct uvirtio_device *udev)
{
	struct uvirtio_gpu_edid_head resp;
	unsigned int i;

	for (i = 0; i < UVIRTIO_MAX_EXPECTS; i++) {
		uvirtio_expected_reply(udev->rules, i, (u8 *)&resp,
				       sizeof(resp));
		if (le32_to_cpu(resp.hdr.type) == VIRTIO_GPU_RESP_OK_EDID &&
		    !uvirtio_gpu_edid_fits(resp.size))
			return -EINVAL;
	}
	return 0;
}

/*
 * Signals a display event once the driver has taken every answer off its
 * control queue. virtio_gpu asks for the display info and EDIDs on each
 * event without waiting for the answers, and handles those answers in the
 * one worker that also frees the queue's descriptors: each display info
 * it takes off runs a hotplug there (fbdev's modeset), which queues
 * commands and, when the queue is full, waits for space only that worker
 * would free. Events signalled as soon as the last was cleared, or while
 * half the queue was free, still left dozens of display infos for one
 * pass of that worker, and their modesets filled the queue (seen on 6.1
 * and 6.12 after 1,000 resizes). Held back until the queue is drained, a
 * pass takes at most one or two.
 */
static void uvirtio_gpu_event_work(struct work_struct *work)
{
	struct uvirtio_gpu *g = container_of(to_delayed_work(work),
					     struct uvirtio_gpu, event_work);

	if (!uvirtio_vq_drained(g->udev, 0)) {
		schedule_delayed_work(&g->event_work,
			msecs_to_jiffies(UVIRTIO_GPU_EVENT_RETRY_MS));
		return;
	}
	virtio_config_changed(&g->udev->vdev);
}

static int uvirtio_gpu_init(struct uvirtio_device *udev, const void *setup)
{
	const struct uvirtio_gpu_setup *heads = setup;
	size_t scanouts = offsetof(struct virtio_gpu_config, num_scanouts);
	struct uvirtio_gpu *g;
	unsigned int i;
	int ret;

	ret = uvirtio_gpu_check_rules(udev);
	if (ret)
		return ret;
	/*
	 * No scanout (or no config space to count them): every virtio_gpu
	 * refuses to probe it, and 5.10's then frees its DRM device without
	 * the private data its release callback dereferences (an oops).
	 */
	if (!uvirtio_gpu_config_le32(udev, scanouts))
		return -EINVAL;
	g = kzalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
	if (!g)
		return -ENOMEM;
	g->export = uvirtio_export_new(udev);
	if (!g->export) {
		kfree(g);
		return -ENOMEM;
	}
	g->udev = udev;
	spin_lock_init(&g->lock);
	INIT_DELAYED_WORK(&g->event_work, uvirtio_gpu_event_work);
	g->nr_heads = min_t(u32, uvirtio_gpu_config_le32(udev, scanouts),
			    UVIRTIO_GPU_MAX_HEADS);
	/*
	 * Config fields that are the module's, whatever user space gave: the
	 * display events (a DISPLAY bit set from the start would keep the
	 * unplug's event from being signalled, and removal would wait for a
	 * driver never told), and no capability sets without VIRGL
	 * (virtio_gpu reads num_capsets whatever the features, allocates
	 * that many entries, a WARN past 4 MiB, and asks for each, waiting
	 * up to 5 s for every answer).
	 */
	uvirtio_gpu_config_zero(udev, events_read);
	uvirtio_gpu_config_zero(udev, events_clear);
	uvirtio_gpu_config_zero(udev, num_capsets);
	if (heads) {
		for (i = g->nr_heads; i < UVIRTIO_GPU_MAX_HEADS; i++) {
			if (heads->heads[i].width) {
				uvirtio_export_free(g->export);
				kfree(g);
				return -EINVAL;
			}
		}
		memcpy(g->heads, heads->heads, sizeof(g->heads));
		g->own_display = true;
		udev->features |= BIT_ULL(VIRTIO_GPU_F_EDID);
	}
	udev->type_data = g;
	return 0;
}

static void uvirtio_gpu_release(struct uvirtio_device *udev)
{
	struct uvirtio_gpu *g = to_gpu(udev);

	if (!g)
		return;
	cancel_delayed_work_sync(&g->event_work);
	uvirtio_export_free(g->export);
	kfree(g);
}

/*
 * The fence of request @req echoed in response header @hdr, as the driver
 * waits for it (cursor updates, blob flushes) and takes a response's fence
 * as every fence up to it signalled: flags FENCE and INFO_RING_IDX,
 * fence_id, ctx_id and ring_idx.
 */
static void uvirtio_gpu_echo_fence(struct virtio_gpu_ctrl_hdr *hdr,
				   const struct virtio_gpu_ctrl_hdr *req)
{
	const __le32 fence = cpu_to_le32(VIRTIO_GPU_FLAG_FENCE |
					 VIRTIO_GPU_FLAG_INFO_RING_IDX);

	hdr->flags = (hdr->flags & ~fence) | (req->flags & fence);
	hdr->fence_id = req->fence_id;
	hdr->ctx_id = req->ctx_id;
	uvirtio_gpu_echo_ring_idx(hdr, req);
}

/*
 * Writes a virtio-gpu response into the first writable descriptor: a
 * header of @type with the request's fence echoed, then @body. Returns
 * the bytes written, 0 if none.
 */
static u32 uvirtio_gpu_reply(const struct uvirtio_chain *c,
			     const struct virtio_gpu_ctrl_hdr *req, u32 type,
			     const void *body, u32 body_len)
{
	struct virtio_gpu_ctrl_hdr hdr = {};
	u32 size = sizeof(hdr) + body_len;

	if (!c->has_write || c->write.len < size)
		return 0;
	hdr.type = cpu_to_le32(type);
	uvirtio_gpu_echo_fence(&hdr, req);
	if (uvirtio_access(c->write.addr, &hdr, sizeof(hdr), UVIRTIO_WRITE) ||
	    (body_len && uvirtio_access(c->write.addr + sizeof(hdr),
					(void *)body, body_len,
					UVIRTIO_WRITE)))
		return 0;
	return size;
}

/* The core reads a command once for every callback (uvirtio_type.peek). */
static_assert(sizeof(union uvirtio_gpu_cmd) <= UVIRTIO_PEEK_MAX);

/*
 * The command of request @c where the core read it (the rest zero), and
 * its bytes in @n: 0 when it has none, and then a zero command. Not
 * copied: a copy per callback was a visible share of a cursor update's
 * CPU under TCG, where a memcpy() is a loop of helper calls.
 */
static const union uvirtio_gpu_cmd *
uvirtio_gpu_cmd_of(const struct uvirtio_chain *c, u32 *n)
{
	static const union uvirtio_gpu_cmd none;

	if (c->peek_len < sizeof(none.hdr)) {
		*n = 0;
		return &none;
	}
	*n = c->peek_len;
	return (const union uvirtio_gpu_cmd *)c->peek;
}

/* GET_DISPLAY_INFO: the heads connected; none when @off (unplugging). */
static u32 uvirtio_gpu_display_info(struct uvirtio_device *udev,
				    const struct uvirtio_chain *c,
				    const struct virtio_gpu_ctrl_hdr *req,
				    bool off)
{
	struct uvirtio_gpu *g = to_gpu(udev);
	struct virtio_gpu_resp_display_info info = {};
	const size_t body = sizeof(info) - sizeof(info.hdr);
	unsigned int i;

	spin_lock(&g->lock);
	for (i = 0; i < g->nr_heads && !off; i++) {
		if (!g->heads[i].width)
			continue;
		info.pmodes[i].r.width = cpu_to_le32(g->heads[i].width);
		info.pmodes[i].r.height = cpu_to_le32(g->heads[i].height);
		info.pmodes[i].enabled = cpu_to_le32(1);
	}
	spin_unlock(&g->lock);
	return uvirtio_gpu_reply(c, req, VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
				 &info.pmodes, body);
}

/*
 * GET_EDID: the head's EDID (edid.c), of size 0 for a head that has none
 * (not connected, or a mode no base block describes).
 */
static u32 uvirtio_gpu_edid(struct uvirtio_device *udev,
			    const struct uvirtio_chain *c,
			    const struct virtio_gpu_cmd_get_edid *req)
{
	struct uvirtio_gpu *g = to_gpu(udev);
	u32 head = le32_to_cpu(req->scanout), len = 0;
	struct uvirtio_gpu_mon mon = {};
	struct {
		__le32 size;
		__le32 padding;
		u8 edid[UVIRTIO_EDID_LEN];
	} body = {};

	spin_lock(&g->lock);
	if (head < g->nr_heads)
		mon = g->heads[head];
	spin_unlock(&g->lock);
	if (mon.width)
		len = uvirtio_edid(body.edid, mon.width, mon.height,
				   mon.dpi ?: UVIRTIO_GPU_DEFAULT_DPI,
				   (u32)udev->id << 8 | head);
	body.size = cpu_to_le32(len);
	return uvirtio_gpu_reply(c, &req->hdr, VIRTIO_GPU_RESP_OK_EDID, &body,
				 sizeof(body));
}

/*
 * Notes which scanouts show a resource (SET_SCANOUT, SET_SCANOUT_BLOB,
 * whose fields the model reads are SET_SCANOUT's); answers
 * GET_DISPLAY_INFO and GET_EDID for a device given heads, and
 * GET_DISPLAY_INFO with nothing connected once the display is being
 * unplugged.
 */
static bool uvirtio_gpu_answer(struct uvirtio_device *udev,
			       const struct uvirtio_chain *c, u32 *len)
{
	struct uvirtio_gpu *g = to_gpu(udev);
	const union uvirtio_gpu_cmd *cmd;
	u32 n, scanout;
	bool off;

	cmd = uvirtio_gpu_cmd_of(c, &n);
	if (!n)
		return false;
	if (!UVIRTIO_LIMIT_BUILD)
		uvirtio_export_command(g->export, c, cmd, n);
	switch (le32_to_cpu(cmd->hdr.type)) {
	case VIRTIO_GPU_CMD_SET_SCANOUT:
	case VIRTIO_GPU_CMD_SET_SCANOUT_BLOB:
		scanout = le32_to_cpu(cmd->set_scanout.scanout_id);
		if (n < sizeof(cmd->set_scanout) || scanout >= BITS_PER_LONG)
			return false;
		if (cmd->set_scanout.resource_id)
			set_bit(scanout, &g->scanouts_on);
		else
			clear_bit(scanout, &g->scanouts_on);
		return false;
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO:
		/* Told "nothing connected" only if that is what it got. */
		off = READ_ONCE(g->unplugging);
		if (!g->own_display && !off)
			return false;
		*len = uvirtio_gpu_display_info(udev, c, &cmd->hdr, off);
		if (off)
			WRITE_ONCE(g->told, true);
		return true;
	case VIRTIO_GPU_CMD_GET_EDID:
		if (!g->own_display || n < sizeof(cmd->get_edid))
			return false;
		*len = uvirtio_gpu_edid(udev, c, &cmd->get_edid);
		return true;
	}
	if (UVIRTIO_LIMIT_BUILD) {
		*len = uvirtio_gpu_reply(c, &cmd->hdr, VIRTIO_GPU_RESP_OK_NODATA,
					 NULL, 0);
		return true;
	}
	return false;
}

/*
 * In notify, every command but those for which export allocates (the
 * limit build exports nothing).
 */
static bool uvirtio_gpu_answer_now(struct uvirtio_device *udev,
				   const struct uvirtio_chain *c)
{
	const union uvirtio_gpu_cmd *cmd;
	u32 n;

	if (UVIRTIO_LIMIT_BUILD)
		return true;
	cmd = uvirtio_gpu_cmd_of(c, &n);
	return !n || uvirtio_export_command_now(to_gpu(udev)->export, cmd);
}

/* Every command gets a response: RESP_OK_NODATA, its fence echoed. */
static u32 uvirtio_gpu_unanswered(struct uvirtio_device *udev,
				  const struct uvirtio_chain *c)
{
	u32 n;

	return uvirtio_gpu_reply(c, &uvirtio_gpu_cmd_of(c, &n)->hdr,
				 VIRTIO_GPU_RESP_OK_NODATA, NULL, 0);
}

/*
 * GET_DISPLAY_INFO's modes from an expectation: a mode enabled with a side
 * outside UVIRTIO_GPU_MIN_SIDE..MAX_SIDE is sent disabled. virtio_gpu
 * gives an enabled mode's size, unchecked but for 0, to drm_cvt_mode(),
 * which divides by zero for a height of about 16 million and up.
 */
static void uvirtio_gpu_check_modes(struct uvirtio_device *udev,
				    const struct uvirtio_chain *c)
{
	const size_t at = offsetof(struct virtio_gpu_resp_display_info, pmodes);
	struct virtio_gpu_display_one pmodes[VIRTIO_GPU_MAX_SCANOUTS];
	bool changed = false;
	unsigned int i;

	if (c->write.len < sizeof(struct virtio_gpu_resp_display_info) ||
	    uvirtio_access(c->write.addr + at, pmodes, sizeof(pmodes),
			   UVIRTIO_READ))
		return;
	for (i = 0; i < ARRAY_SIZE(pmodes); i++) {
		u32 w = le32_to_cpu(pmodes[i].r.width);
		u32 h = le32_to_cpu(pmodes[i].r.height);

		if (!pmodes[i].enabled || uvirtio_gpu_mode_ok(w, h))
			continue;
		dev_warn_ratelimited(&udev->vdev.dev,
				     "a display info reply gives scanout %u %ux%u, outside %ux%u..%ux%u: sent disabled\n",
				     i, w, h, UVIRTIO_GPU_MIN_SIDE,
				     UVIRTIO_GPU_MIN_SIDE, UVIRTIO_GPU_MAX_SIDE,
				     UVIRTIO_GPU_MAX_SIDE);
		memset(&pmodes[i], 0, sizeof(pmodes[i]));
		changed = true;
	}
	if (changed)
		uvirtio_access(c->write.addr + at, pmodes, sizeof(pmodes),
			       UVIRTIO_WRITE);
}

/*
 * What an expectation wrote is made safe for virtio_gpu, which runs a
 * reply's handler whatever its type: the header's fence is the request's
 * (a larger fence_id would signal fences not yet done); GET_DISPLAY_INFO's
 * modes are sizes DRM can compute with; a GET_EDID reply's size fits
 * edid[] or is 0 (no EDID).
 */
static void uvirtio_gpu_check_reply(struct uvirtio_device *udev,
				    const struct uvirtio_chain *c, u32 len)
{
	struct uvirtio_gpu_edid_head resp;
	const union uvirtio_gpu_cmd *cmd;
	u32 n;

	cmd = uvirtio_gpu_cmd_of(c, &n);
	if (!n || !c->has_write)
		return;
	n = min_t(u32, c->write.len, sizeof(resp));
	if (n < sizeof(resp.hdr) ||
	    uvirtio_access(c->write.addr, &resp, n, UVIRTIO_READ))
		return;
	uvirtio_gpu_echo_fence(&resp.hdr, &cmd->hdr);
	if (le32_to_cpu(cmd->hdr.type) == VIRTIO_GPU_CMD_GET_EDID &&
	    n == sizeof(resp) && !uvirtio_gpu_edid_fits(resp.size)) {
		dev_warn_ratelimited(&udev->vdev.dev,
				     "a GET_EDID reply of %u bytes does not fit edid[]: sent with size 0\n",
				     le32_to_cpu(resp.size));
		resp.size = 0;
	}
	uvirtio_access(c->write.addr, &resp, n, UVIRTIO_WRITE);
	if (le32_to_cpu(cmd->hdr.type) == VIRTIO_GPU_CMD_GET_DISPLAY_INFO)
		uvirtio_gpu_check_modes(udev, c);
}

/* The driver read events_read: it has the events raised so far. */
static void uvirtio_gpu_config_read(struct uvirtio_device *udev,
				    unsigned int offset, unsigned int len)
{
	size_t events = offsetof(struct virtio_gpu_config, events_read);
	struct uvirtio_gpu *g = to_gpu(udev);

	if (offset <= events && offset + len >= events + sizeof(__le32))
		g->events_seen = g->events;
}

/*
 * events_clear is write-to-clear: the bits written there clear those of
 * events_read, and it reads as zero. A display event raised after the
 * driver read events_read is kept, and signalled again: the display info
 * the driver asked for may predate that change. Called with config_lock
 * held.
 */
static void uvirtio_gpu_config_written(struct uvirtio_device *udev,
				       unsigned int offset, unsigned int len)
{
	size_t events = offsetof(struct virtio_gpu_config, events_read);
	size_t clear = offsetof(struct virtio_gpu_config, events_clear);
	struct uvirtio_gpu *g = to_gpu(udev);
	__le32 read, bits;

	if (offset != clear || len != sizeof(bits) ||
	    udev->config_len < clear + sizeof(bits))
		return;
	memcpy(&read, udev->config + events, sizeof(read));
	memcpy(&bits, udev->config + clear, sizeof(bits));
	if (g->events != g->events_seen &&
	    (bits & cpu_to_le32(VIRTIO_GPU_EVENT_DISPLAY))) {
		bits &= ~cpu_to_le32(VIRTIO_GPU_EVENT_DISPLAY);
		schedule_delayed_work(&g->event_work, 0);
	}
	read &= ~bits;
	memcpy(udev->config + events, &read, sizeof(read));
	memset(udev->config + clear, 0, sizeof(bits));
}

/*
 * Tells the driver that its display changed, as a monitor change does:
 * VIRTIO_GPU_EVENT_DISPLAY in events_read, then a config change interrupt
 * (the driver then asks for the display info and EDIDs again). Returns
 * false, and does nothing, for a config without a scanout.
 */
static bool uvirtio_gpu_display_event(struct uvirtio_device *udev)
{
	size_t events = offsetof(struct virtio_gpu_config, events_read);
	size_t scanouts = offsetof(struct virtio_gpu_config, num_scanouts);
	const __le32 display = cpu_to_le32(VIRTIO_GPU_EVENT_DISPLAY);
	bool signal = false;
	unsigned long flags;
	__le32 val, nr = 0;

	spin_lock_irqsave(&udev->config_lock, flags);
	if (udev->config_len >= scanouts + sizeof(nr))
		memcpy(&nr, udev->config + scanouts, sizeof(nr));
	if (nr) {
		memcpy(&val, udev->config + events, sizeof(val));
		signal = !(val & display);
		val |= display;
		memcpy(udev->config + events, &val, sizeof(val));
		udev->config_generation++;
		to_gpu(udev)->events++;
	}
	spin_unlock_irqrestore(&udev->config_lock, flags);
	/*
	 * One event in flight: while the driver has yet to clear the last,
	 * it reads this change with it, or gets it signalled again when it
	 * clears (uvirtio_gpu_config_written()). Each is signalled once the
	 * driver has taken every answer off its control queue
	 * (uvirtio_gpu_event_work()).
	 */
	if (signal)
		schedule_delayed_work(&to_gpu(udev)->event_work, 0);
	return nr;
}

/*
 * The driver reset the device (an unbind, a failed probe): what it told
 * the model is forgotten, and the events it had are gone with the config
 * space the core restored. The monitors stay: they are user space's.
 */
static void uvirtio_gpu_reset(struct uvirtio_device *udev)
{
	struct uvirtio_gpu *g = to_gpu(udev);
	unsigned long flags;

	WRITE_ONCE(g->scanouts_on, 0);
	WRITE_ONCE(g->told, false);
	uvirtio_export_reset(g->export);
	spin_lock_irqsave(&udev->config_lock, flags);
	g->events = 0;
	g->events_seen = 0;
	spin_unlock_irqrestore(&udev->config_lock, flags);
}

/*
 * Whether the driver has let go of an unplugged display: it was told that
 * nothing is connected and turned every scanout off, or it no longer runs.
 */
static bool uvirtio_gpu_unplugged(struct uvirtio_device *udev)
{
	struct uvirtio_gpu *g = to_gpu(udev);

	if (!(READ_ONCE(udev->status) & VIRTIO_CONFIG_S_DRIVER_OK))
		return true;
	return READ_ONCE(g->told) && !READ_ONCE(g->scanouts_on);
}

/*
 * Unplugs the display of a virtio-gpu whose driver is running, as a
 * monitor is unplugged; the core then waits (uvirtio_gpu_unplugged())
 * until the driver has turned every scanout off and gone quiet.
 *
 * virtio_gpu drops, and so leaks, the buffers of a command that it builds
 * once its remove() has begun (drm_mm: "Memory manager not clean during
 * takedown"), and fbcon's cursor blink has it build one every 200 ms for as
 * long as the console's framebuffer is on a plane. With the display gone,
 * the fbdev helper has switched the CRTC off: the blink's damage then finds
 * no plane and builds no command, so the remove that follows cannot leak,
 * however slow the kernel. A driver held back by a DRM master (Xorg) does
 * not switch off; fbcon does not draw then, and the wait ends at its limit.
 */
static bool uvirtio_gpu_unplug(struct uvirtio_device *udev)
{
	if (!(READ_ONCE(udev->status) & VIRTIO_CONFIG_S_DRIVER_OK))
		return false;
	WRITE_ONCE(to_gpu(udev)->unplugging, true);
	/* Without a scanout the driver never asks. */
	return uvirtio_gpu_display_event(udev);
}

/* Checks a head from user space; @mon gets it. */
static int uvirtio_gpu_check_head(const struct uvirtio_gpu_head *h,
				  struct uvirtio_gpu_mon *mon)
{
	const u32 known = UVIRTIO_HEAD_F_DEVICE | UVIRTIO_HEAD_F_CONNECTED;

	if (memchr_inv(h->reserved, 0, sizeof(h->reserved)) ||
	    (h->flags & ~known) || h->head >= UVIRTIO_GPU_MAX_HEADS ||
	    (!(h->flags & UVIRTIO_HEAD_F_DEVICE) && h->dev_id))
		return -EINVAL;
	memset(mon, 0, sizeof(*mon));
	if (!(h->flags & UVIRTIO_HEAD_F_CONNECTED))
		return h->width || h->height || h->dpi ? -EINVAL : 0;
	if (!uvirtio_gpu_mode_ok(h->width, h->height) ||
	    (h->dpi && (h->dpi < UVIRTIO_GPU_MIN_DPI ||
			h->dpi > UVIRTIO_GPU_MAX_DPI)))
		return -EINVAL;
	mon->width = h->width;
	mon->height = h->height;
	mon->dpi = h->dpi;
	return 0;
}

/* A head takes @mon's mode; it keeps its DPI when none is given. */
static void uvirtio_gpu_mon_set(struct uvirtio_gpu_mon *head,
				const struct uvirtio_gpu_mon *mon)
{
	head->width = mon->width;
	head->height = mon->height;
	if (mon->dpi)
		head->dpi = mon->dpi;
}

/* UV_GPU_HEAD before UV_DEV_CREATE: the file keeps the head. */
static long uvirtio_gpu_setup_head(struct uvirtio_file *f, u32 head,
				   const struct uvirtio_gpu_mon *mon)
{
	struct uvirtio_gpu_setup *setup;
	long ret;

	ret = mutex_lock_interruptible(&f->lock);
	if (ret)
		return ret;
	if (f->state != UVIRTIO_NEW) {
		ret = -EBUSY;
		goto out;
	}
	if (!f->type_setup) {
		f->type_setup = kzalloc(sizeof(*setup), GFP_KERNEL_ACCOUNT);
		if (!f->type_setup) {
			ret = -ENOMEM;
			goto out;
		}
		f->setup_type = &uvirtio_gpu_type;
	}
	setup = f->type_setup;
	uvirtio_gpu_mon_set(&setup->heads[head], mon);
out:
	mutex_unlock(&f->lock);
	return ret;
}

/* UV_GPU_HEAD on a device: the monitor of @head changes. */
static long uvirtio_gpu_change_head(u32 id, u32 head,
				    const struct uvirtio_gpu_mon *mon)
{
	struct uvirtio_device *udev = uvirtio_get_device(id);
	struct uvirtio_gpu *g;
	long ret = 0;

	if (IS_ERR(udev))
		return PTR_ERR(udev);
	g = to_gpu(udev);
	if (udev->type != &uvirtio_gpu_type || !g->own_display ||
	    head >= g->nr_heads) {
		ret = -EINVAL;
		goto out;
	}
	if (READ_ONCE(udev->dying) || READ_ONCE(g->unplugging)) {
		ret = -ENODEV;
		goto out;
	}
	spin_lock(&g->lock);
	uvirtio_gpu_mon_set(&g->heads[head], mon);
	spin_unlock(&g->lock);
	uvirtio_gpu_display_event(udev);
out:
	uvirtio_put_device(udev);
	return ret;
}

long uvirtio_gpu_head_ioctl(struct uvirtio_file *f,
			    const struct uvirtio_gpu_head __user *arg)
{
	struct uvirtio_gpu_mon mon;
	struct uvirtio_gpu_head h;
	int ret;

	if (copy_from_user(&h, arg, sizeof(h)))
		return -EFAULT;
	ret = uvirtio_gpu_check_head(&h, &mon);
	if (ret)
		return ret;
	if (h.flags & UVIRTIO_HEAD_F_DEVICE)
		return uvirtio_gpu_change_head(h.dev_id, h.head, &mon);
	return uvirtio_gpu_setup_head(f, h.head, &mon);
}

/* The device is gone: the files that watch its heads are told. */
static void uvirtio_gpu_removed(struct uvirtio_device *udev)
{
	uvirtio_export_removed(to_gpu(udev)->export);
}

/* UV_GPU_EXPORT: a file that watches a head of a virtio-gpu. */
long uvirtio_gpu_export_ioctl(const struct uvirtio_gpu_export __user *arg)
{
	struct uvirtio_device *udev;
	struct uvirtio_gpu_export e;
	int ret;

	/* The screen is the guest's: checked again, for a file passed on. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (copy_from_user(&e, arg, sizeof(e)))
		return -EFAULT;
	if (e.flags || memchr_inv(e.reserved, 0, sizeof(e.reserved)))
		return -EINVAL;
	udev = uvirtio_get_device(e.dev_id);
	if (IS_ERR(udev))
		return PTR_ERR(udev);
	if (udev->type != &uvirtio_gpu_type || e.head >= to_gpu(udev)->nr_heads) {
		ret = -EINVAL;
		goto err;
	}
	ret = uvirtio_export_open(to_gpu(udev)->export, e.head);
	if (ret < 0)
		goto err;
	return ret;

err:
	uvirtio_put_device(udev);
	return ret;
}

const struct uvirtio_type uvirtio_gpu_type = {
	.device_id	= VIRTIO_ID_GPU,
	.peek		= sizeof(union uvirtio_gpu_cmd),
	.features	= BIT_ULL(VIRTIO_GPU_F_EDID),
	.init		= uvirtio_gpu_init,
	.release	= uvirtio_gpu_release,
	.answer		= uvirtio_gpu_answer,
	.check_reply	= uvirtio_gpu_check_reply,
	.unanswered	= uvirtio_gpu_unanswered,
	.config_read	= uvirtio_gpu_config_read,
	.config_written	= uvirtio_gpu_config_written,
	.reset		= uvirtio_gpu_reset,
	.unplug		= uvirtio_gpu_unplug,
	.unplugged	= uvirtio_gpu_unplugged,
	.removed	= uvirtio_gpu_removed,
	.answer_now	= uvirtio_gpu_answer_now,
};
