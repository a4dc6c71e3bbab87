/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels uvirtio builds on, in one place.
 *
 * Kbuild force-includes this header (-include) before every source file, so
 * the sources are written against the newest API and read as plain kernel
 * code. Each block names the kernel that changed the API.
 */
#ifndef _UVIRTIO_COMPAT_H
#define _UVIRTIO_COMPAT_H

#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_gpu.h>

/*
 * 5.11 ("mm/highmem: Provide kmap_local*"): before it, kmap_atomic() is
 * the short-lived mapping. uvirtio maps a page for one memcpy() or
 * memcmp(), never sleeping in between: either suits it.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#define kmap_local_page(page)	kmap_atomic(page)
#define kunmap_local(addr)	kunmap_atomic(addr)
#endif

/*
 * 5.11 ("drm/virtio: implement blob resources") added SET_SCANOUT_BLOB to
 * the uapi header, 5.16 ("drm/virtio: implement context init") the
 * header's ring_idx with VIRTIO_GPU_FLAG_INFO_RING_IDX. virtio_gpu of
 * kernels before them sends neither; the definitions are the virtio
 * spec's, for the model of the driver's commands (gpu.c, export.c).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#define VIRTIO_GPU_CMD_SET_SCANOUT_BLOB	0x010d

struct virtio_gpu_set_scanout_blob {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_rect r;
	__le32 scanout_id;
	__le32 resource_id;
	__le32 width;
	__le32 height;
	__le32 format;
	__le32 padding;
	__le32 strides[4];
	__le32 offsets[4];
};
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 16, 0)
#define VIRTIO_GPU_FLAG_INFO_RING_IDX	(1 << 1)
#endif

/* A response's ring_idx, its request's: the first byte of 5.10's padding. */
static inline void uvirtio_gpu_echo_ring_idx(struct virtio_gpu_ctrl_hdr *hdr,
					     const struct virtio_gpu_ctrl_hdr *req)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 16, 0)
	((u8 *)&hdr->padding)[0] = ((const u8 *)&req->padding)[0];
#else
	hdr->ring_idx = req->ring_idx;
#endif
}

/*
 * 5.19 ("virtio: introduce config op to synchronize vring callbacks"):
 * struct virtio_config_ops gained ->synchronize_cbs. Before it the core
 * never asks; UVIRTIO_OP_SYNCHRONIZE_CBS is the ops table's entry, or
 * nothing.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 19, 0)
#define UVIRTIO_OP_SYNCHRONIZE_CBS(fn)
#else
#define UVIRTIO_OP_SYNCHRONIZE_CBS(fn)	.synchronize_cbs = (fn),
#endif

/*
 * 6.11 ("virtio: pass virtqueue_info to find_vqs"): find_vqs() takes one
 * array of struct virtqueue_info instead of parallel arrays of callbacks,
 * names and ctx flags. Older kernels get the struct and an adapter that
 * builds the array and calls the transport's 6.11-style function (core.c;
 * not static, as every source file sees this header and only one defines
 * it).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
struct virtqueue_info {
	const char *name;
	vq_callback_t *callback;
	bool ctx;
};
#endif

int uvirtio_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
		     struct virtqueue *vqs[], struct virtqueue_info vqs_info[],
		     struct irq_affinity *desc);

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
static inline int uvirtio_find_vqs_compat(struct virtio_device *vdev,
					  unsigned int nvqs,
					  struct virtqueue *vqs[],
					  vq_callback_t *callbacks[],
					  const char * const names[],
					  const bool *ctx,
					  struct irq_affinity *desc)
{
	struct virtqueue_info *info;
	unsigned int i;
	int ret;

	info = kcalloc(nvqs, sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	for (i = 0; i < nvqs; i++) {
		info[i].name = names[i];
		info[i].callback = callbacks[i];
		info[i].ctx = ctx ? ctx[i] : false;
	}
	ret = uvirtio_find_vqs(vdev, nvqs, vqs, info, desc);
	kfree(info);
	return ret;
}

#define UVIRTIO_FIND_VQS	uvirtio_find_vqs_compat
#else
#define UVIRTIO_FIND_VQS	uvirtio_find_vqs
#endif

/*
 * struct virtio_driver gained ->shutdown in 2025 (virtio_gpu uses it to
 * unplug its DRM device). Tested at build time (Kbuild) so that backports
 * count too.
 */
static inline bool uvirtio_driver_has_shutdown(struct virtio_device *vdev)
{
#ifdef UVIRTIO_HAVE_DRIVER_SHUTDOWN
	bool ret;

	device_lock(&vdev->dev);
	ret = vdev->dev.driver && drv_to_virtio(vdev->dev.driver)->shutdown;
	device_unlock(&vdev->dev);
	return ret;
#else
	return false;
#endif
}

/*
 * Whether a virtqueue's descriptors hold DMA addresses rather than
 * physical ones. 6.5 ("virtio_ring: introduce virtqueue_dma_dev()") says
 * so; before it, with no VIRTIO_F_ACCESS_PLATFORM offered, the ring used
 * the DMA API exactly in a Xen domain (vring_use_dma_api()). Tested at
 * build time (Kbuild), for backports.
 */
#ifdef UVIRTIO_HAVE_VIRTQUEUE_DMA_DEV
static inline bool uvirtio_vq_uses_dma_api(struct virtqueue *vq)
{
	return virtqueue_dma_dev(vq);
}
#else
#include <xen/xen.h>

static inline bool uvirtio_vq_uses_dma_api(struct virtqueue *vq)
{
	return xen_domain();
}
#endif

#endif /* _UVIRTIO_COMPAT_H */
