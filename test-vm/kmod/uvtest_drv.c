// SPDX-License-Identifier: GPL-2.0
/*
 * uvtest_drv: a virtio driver that does what a careful driver does not, so
 * that the test guest can show what uvirtio does then. For test-vm only;
 * it binds only to virtio id 0xfff1, which only uvirtio's any_type makes.
 *
 * The parameter "mode" (writable at run time) picks what the next probe
 * does with its one queue ("requestq") after virtio_device_ready() and
 * one 16-byte request:
 *  1 - resets the device, kicks the queue again, and fails the probe:
 *      the device's work item is queued after the reset;
 *  2 - publishes a request whose head is out of the ring (avail entry
 *      UVTEST_BAD_HEAD) and stays bound: the device must mark itself
 *      NEEDS_RESET, signal a config change and complete nothing, rather
 *      than complete the bad head (which virtio_ring reports as
 *      "id ... out of range" and breaks the queue).
 * The driver's config_changed notes the status it reads, for the log.
 */

#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

/* 5.17 brought virtio_reset_device(); before it drivers call the transport. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 17, 0)
static void virtio_reset_device(struct virtio_device *vdev)
{
	vdev->config->reset(vdev);
}
#endif

#define UVTEST_DEVICE_ID	0xfff1
#define UVTEST_BAD_HEAD		300	/* the ring holds 256 */

static int mode;
module_param(mode, int, 0644);
MODULE_PARM_DESC(mode, "1: kick after reset, fail probe; 2: bad head");

struct uvtest_drv {
	struct virtqueue *vq;
	void *buf;
};

static void uvtest_done(struct virtqueue *vq)
{
	unsigned int len;

	/* Nothing should complete in mode 2; in mode 1 nothing runs. */
	while (virtqueue_get_buf(vq, &len))
		dev_info(&vq->vdev->dev, "uvtest_drv: a request completed\n");
}

static void uvtest_config_changed(struct virtio_device *vdev)
{
	dev_info(&vdev->dev, "uvtest_drv: config changed, status %#x\n",
		 vdev->config->get_status(vdev));
}

static int uvtest_probe(struct virtio_device *vdev)
{
	struct uvtest_drv *d;
	struct scatterlist sg;
	const struct vring *vr;
	unsigned int slot;
	int ret;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->buf = kzalloc(16, GFP_KERNEL);
	if (!d->buf) {
		ret = -ENOMEM;
		goto err_free;
	}
	d->vq = virtio_find_single_vq(vdev, uvtest_done, "requestq");
	if (IS_ERR(d->vq)) {
		ret = PTR_ERR(d->vq);
		goto err_buf;
	}
	vdev->priv = d;
	sg_init_one(&sg, d->buf, 16);
	/* Made available before DRIVER_OK: the device looks only after. */
	ret = virtqueue_add_outbuf(d->vq, &sg, 1, d->buf, GFP_KERNEL);
	if (ret)
		goto err_del;
	if (READ_ONCE(mode) == 2) {
		vr = virtqueue_get_vring(d->vq);
		slot = (virtio16_to_cpu(vdev, vr->avail->idx) - 1) % vr->num;
		vr->avail->ring[slot] = cpu_to_virtio16(vdev, UVTEST_BAD_HEAD);
		dev_info(&vdev->dev, "uvtest_drv: published head %u\n",
			 UVTEST_BAD_HEAD);
	}
	virtio_device_ready(vdev);
	if (READ_ONCE(mode) == 1) {
		virtio_reset_device(vdev);
		/* After the reset: the device must not run its work item on. */
		virtqueue_kick(d->vq);
		ret = -EIO;
		goto err_del;
	}
	virtqueue_kick(d->vq);
	return 0;

err_del:
	vdev->config->del_vqs(vdev);
err_buf:
	kfree(d->buf);
err_free:
	kfree(d);
	return ret;
}

static void uvtest_remove(struct virtio_device *vdev)
{
	struct uvtest_drv *d = vdev->priv;

	virtio_reset_device(vdev);
	while (virtqueue_detach_unused_buf(d->vq))
		;
	vdev->config->del_vqs(vdev);
	kfree(d->buf);
	kfree(d);
}

static const struct virtio_device_id uvtest_ids[] = {
	{ UVTEST_DEVICE_ID, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, uvtest_ids);

static struct virtio_driver uvtest_driver = {
	.driver.name	= "uvtest_drv",
	.id_table	= uvtest_ids,
	.probe		= uvtest_probe,
	.remove		= uvtest_remove,
	.config_changed	= uvtest_config_changed,
};
module_virtio_driver(uvtest_driver);

MODULE_DESCRIPTION("A misbehaving virtio driver for uvirtio's tests");
MODULE_LICENSE("GPL");
