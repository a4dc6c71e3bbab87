// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-gpu device model: what a virtio-gpu's device side knows besides
 * the expectations user space gives.
 *
 * User space (uvirtio-boot) describes the display in its expectations:
 * GET_DISPLAY_INFO's answer and the rest. This file adds what no fixed
 * reply can say: every command is answered (RESP_OK_NODATA with its fence
 * echoed when no expectation matches), events_clear clears events_read,
 * and the display is unplugged before the device is removed.
 *
 * Locking: scanouts_on and told are written only by the work item (the
 * ->answer hook), unplugging only by uvirtio_gpu_before_remove(); the
 * others read them with READ_ONCE() (scanouts_on through atomic bit ops).
 * Config space is the core's, under its config_lock.
 */

#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/virtio_config.h>
#include <linux/virtio_gpu.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "internal.h"

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

/* How long a virtio-gpu driver gets to turn its unplugged display off. */
#define UVIRTIO_GPU_UNPLUG_MS	5000

struct uvirtio_gpu {
	unsigned long scanouts_on;	/* bit n: scanout n shows a resource */
	bool unplugging;		/* no display is connected any more */
	bool told;			/* the driver has asked and been told */
};

static struct uvirtio_gpu *to_gpu(struct uvirtio_device *udev)
{
	return udev->type_data;
}

static int uvirtio_gpu_init(struct uvirtio_device *udev)
{
	udev->type_data = kzalloc(sizeof(struct uvirtio_gpu), GFP_KERNEL);
	return udev->type_data ? 0 : -ENOMEM;
}

static void uvirtio_gpu_release(struct uvirtio_device *udev)
{
	kfree(udev->type_data);
}

/*
 * Writes a virtio-gpu response of @size bytes (at most that of a display
 * info) into the first writable descriptor: @type, the rest zero, and the
 * request's fence echoed so that the driver's fence waits (cursor updates,
 * blob flushes) complete. Returns the bytes written, 0 if none.
 */
static u32 uvirtio_gpu_reply(const struct uvirtio_chain *c,
			     const struct virtio_gpu_ctrl_hdr *req, u32 type,
			     u32 size)
{
	struct virtio_gpu_resp_display_info resp = {};

	if (!c->has_write || c->write.len < size || size > sizeof(resp))
		return 0;
	resp.hdr.type = cpu_to_le32(type);
	resp.hdr.flags = req->flags & cpu_to_le32(VIRTIO_GPU_FLAG_FENCE |
						 VIRTIO_GPU_FLAG_INFO_RING_IDX);
	resp.hdr.fence_id = req->fence_id;
	resp.hdr.ctx_id = req->ctx_id;
	resp.hdr.ring_idx = req->ring_idx;
	if (uvirtio_access(c->write.addr, &resp, size, UVIRTIO_WRITE))
		return 0;
	return size;
}

/*
 * Reads the command of request @c into @req (at most a set_scanout, the
 * rest zero). Returns the bytes read, 0 when it has no command.
 */
static u32 uvirtio_gpu_read_cmd(const struct uvirtio_chain *c,
				struct virtio_gpu_set_scanout *req)
{
	u32 n = c->n ? min_t(u32, c->d[0].len, sizeof(*req)) : 0;

	memset(req, 0, sizeof(*req));
	if (n < sizeof(req->hdr) || (c->d[0].flags & VRING_DESC_F_WRITE) ||
	    uvirtio_access(c->d[0].addr, req, n, UVIRTIO_READ)) {
		memset(req, 0, sizeof(*req));
		return 0;
	}
	return n;
}

/*
 * Notes which scanouts show a resource (SET_SCANOUT), and once the display
 * is being unplugged answers GET_DISPLAY_INFO with nothing connected.
 */
static bool uvirtio_gpu_answer(struct uvirtio_device *udev,
			       const struct uvirtio_chain *c, u32 *len)
{
	struct uvirtio_gpu *g = to_gpu(udev);
	struct virtio_gpu_set_scanout req;
	u32 n = uvirtio_gpu_read_cmd(c, &req);
	u32 scanout;

	if (!n)
		return false;
	switch (le32_to_cpu(req.hdr.type)) {
	case VIRTIO_GPU_CMD_SET_SCANOUT:
		scanout = le32_to_cpu(req.scanout_id);
		if (n < sizeof(req) || scanout >= BITS_PER_LONG)
			return false;
		if (req.resource_id)
			set_bit(scanout, &g->scanouts_on);
		else
			clear_bit(scanout, &g->scanouts_on);
		return false;
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO:
		if (!READ_ONCE(g->unplugging))
			return false;
		*len = uvirtio_gpu_reply(c, &req.hdr,
					 VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
					 sizeof(struct virtio_gpu_resp_display_info));
		WRITE_ONCE(g->told, true);
		return true;
	}
	return false;
}

/* Every command gets a response: RESP_OK_NODATA, its fence echoed. */
static u32 uvirtio_gpu_unanswered(struct uvirtio_device *udev,
				  const struct uvirtio_chain *c)
{
	struct virtio_gpu_set_scanout req;

	uvirtio_gpu_read_cmd(c, &req);
	return uvirtio_gpu_reply(c, &req.hdr, VIRTIO_GPU_RESP_OK_NODATA,
				 sizeof(req.hdr));
}

/*
 * events_clear is write-to-clear: the bits written there clear those of
 * events_read, and it reads as zero. Called with config_lock held.
 */
static void uvirtio_gpu_config_written(struct uvirtio_device *udev,
				       unsigned int offset, unsigned int len)
{
	size_t events = offsetof(struct virtio_gpu_config, events_read);
	size_t clear = offsetof(struct virtio_gpu_config, events_clear);
	__le32 read, bits;

	if (offset != clear || len != sizeof(bits) ||
	    udev->config_len < clear + sizeof(bits))
		return;
	memcpy(&read, udev->config + events, sizeof(read));
	memcpy(&bits, udev->config + clear, sizeof(bits));
	read &= ~bits;
	memcpy(udev->config + events, &read, sizeof(read));
	memset(udev->config + clear, 0, sizeof(bits));
}

static bool uvirtio_gpu_display_off(struct uvirtio_device *udev)
{
	struct uvirtio_gpu *g = to_gpu(udev);

	return READ_ONCE(g->told) && !READ_ONCE(g->scanouts_on);
}

/*
 * Unplugs the display of a virtio-gpu whose driver is running, as a
 * monitor is unplugged, and waits until the driver has turned every
 * scanout off and gone quiet.
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
static void uvirtio_gpu_before_remove(struct uvirtio_device *udev)
{
	unsigned long limit = jiffies + msecs_to_jiffies(UVIRTIO_GPU_UNPLUG_MS);
	size_t events = offsetof(struct virtio_gpu_config, events_read);
	size_t scanouts = offsetof(struct virtio_gpu_config, num_scanouts);
	unsigned long flags;
	__le32 val, nr = 0;

	if (!(READ_ONCE(udev->status) & VIRTIO_CONFIG_S_DRIVER_OK))
		return;

	spin_lock_irqsave(&udev->config_lock, flags);
	if (udev->config_len >= scanouts + sizeof(nr))
		memcpy(&nr, udev->config + scanouts, sizeof(nr));
	if (nr) {
		memcpy(&val, udev->config + events, sizeof(val));
		val |= cpu_to_le32(VIRTIO_GPU_EVENT_DISPLAY);
		memcpy(udev->config + events, &val, sizeof(val));
		udev->config_generation++;
	}
	spin_unlock_irqrestore(&udev->config_lock, flags);
	/* Without a scanout the driver never asks. */
	if (!nr)
		return;

	WRITE_ONCE(to_gpu(udev)->unplugging, true);
	virtio_config_changed(&udev->vdev);
	if (!uvirtio_wait_quiet(udev, limit, uvirtio_gpu_display_off))
		dev_info(&udev->vdev.dev,
			 "the driver kept its display on; removing the device anyway\n");
}

const struct uvirtio_type uvirtio_gpu_type = {
	.device_id	= VIRTIO_ID_GPU,
	.init		= uvirtio_gpu_init,
	.release	= uvirtio_gpu_release,
	.answer		= uvirtio_gpu_answer,
	.unanswered	= uvirtio_gpu_unanswered,
	.config_written	= uvirtio_gpu_config_written,
	.before_remove	= uvirtio_gpu_before_remove,
};
