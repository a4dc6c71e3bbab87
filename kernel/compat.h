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

#include <linux/slab.h>
#include <linux/version.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>

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
