/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * uvirtio: virtio devices created from user space through /dev/uvirtio.
 *
 * Each open file of /dev/uvirtio describes one device: UV_DEV_EXPECT sets
 * the requests it expects and the replies it gives, UV_DEV_CREATE registers
 * it on the virtio bus. The module answers the driver's requests itself.
 *
 * UV_DEV_CREATE and UV_DEV_EXPECT, their numbers and their structures are
 * the ABI of the original 2020 patch and never change. Later features get
 * new ioctl numbers and structures whose reserved fields must be zero.
 */
#ifndef _UAPI_LINUX_UVIRTIO_H
#define _UAPI_LINUX_UVIRTIO_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Raised when an ioctl or a field is added; see UV_GET_API_VERSION. */
#define UVIRTIO_API_VERSION		3

#define UVIRTIO_MAX_CONFIG_LEN		1024
#define UVIRTIO_MAX_RULES		8
#define UVIRTIO_MAX_BLOCKS		8
#define UVIRTIO_MAX_EXPECTS		8
#define UVIRTIO_MAX_VQ_NAME		64
/* Sum of the rule lengths of one UV_DEV_EXPECT. */
#define UVIRTIO_MAX_EXPECT_DATA		(1U << 20)

/* Bit numbers for uvirtio_setup.flags. */
enum {
	/* Keep the device when the file that created it is closed. */
	UVIRTIO_DEV_FLAG_STICK = 0,
	UVIRTIO_DEV_FLAG_MAX
};

/**
 * struct uvirtio_setup - argument of UV_DEV_CREATE
 * @features: device feature bits to offer, from those the type allows
 *	(below). Of the transport bits (24-49) only VIRTIO_F_VERSION_1 may
 *	be given; it is offered whether given or not, and nothing else of
 *	the transport is (no packed or indirect rings, no event index, no
 *	ACCESS_PLATFORM).
 * @config_addr: user pointer to the device's config space.
 * @config_len: bytes at @config_addr, at most %UVIRTIO_MAX_CONFIG_LEN;
 *	the driver reads zeros past them. A reset restores them.
 * @flags: bits from 1 << UVIRTIO_DEV_FLAG_*; others are refused.
 * @id: virtio device id (VIRTIO_ID_*), not zero.
 *
 * In-kernel drivers trust their device, so only these types can be
 * created, each with the device features whose driver paths take any
 * reply safely; what a driver trusts in a reply is checked or made by the
 * module:
 *  - VIRTIO_ID_GPU (16): VIRTIO_GPU_F_EDID. Every response header echoes
 *    its request's fence; a display info mode enabled with a side outside
 *    UVIRTIO_GPU_MIN_SIDE..UVIRTIO_GPU_MAX_SIDE is sent disabled; a
 *    GET_EDID reply whose size passes the spec's edid[] is refused here
 *    (a RESP_OK_EDID expectation) or sent with size 0 (a reply of another
 *    type); config's events_read, events_clear and num_capsets are the
 *    module's (events of its own; no capability sets).
 *  - VIRTIO_ID_CONSOLE (3): VIRTIO_CONSOLE_F_SIZE; one port (no
 *    F_MULTIPORT), whose driver bounds the length of what it receives.
 * Any other type is refused with -EOPNOTSUPP unless the module parameter
 * any_type is set (development only; any device feature then), and even
 * then with -EPERM while the kernel is locked down.
 *
 * On success the ioctl returns the new device's uvirtio id (>= 0): its
 * parent is the platform device uvirtio.<id>, and UV_DEV_LIST and
 * UV_DEV_DESTROY name it by that id. Errors: -EFAULT, -EINVAL (a field
 * or feature not allowed), -EOPNOTSUPP, -EPERM (above), -ENOSPC (the
 * module parameter max_devices, default 64, exist already), -ENOMEM,
 * -EBUSY (the file created its device already), -ESHUTDOWN (the system
 * is going down).
 */
struct uvirtio_setup {
	__u64 features;
	__u64 config_addr;
	__u16 config_len;
	__u16 flags;
	__u32 id;
};

/**
 * struct uvirtio_block - one descriptor of an expected request
 * @len: the descriptor's length must equal this; 0 ends the block list.
 * @flags: the descriptor's flags must equal this (VRING_DESC_F_NEXT and
 *	VRING_DESC_F_WRITE only).
 * @unused: must be zero.
 * @data: user pointer to the bytes of all rules, one after another.
 * @rules: byte ranges inside the descriptor (@off + @len <= block @len);
 *	a rule with @len 0 ends the list. In a device-readable block each
 *	range must equal its bytes for the request to match; in a writable
 *	block the bytes are written there as the reply.
 *
 * Entries after the one that ends a list must be zero.
 */
struct uvirtio_block {
	__u32 len;
	__u16 flags;
	__u16 unused;
	__u64 data;
	struct {
		__u16 off;
		__u16 len;
	} rules[UVIRTIO_MAX_RULES];
};

/**
 * struct uvirtio_expect - argument of UV_DEV_EXPECT
 * @expects: up to %UVIRTIO_MAX_EXPECTS expectations; an empty @vq_name
 *	ends the list.
 * @expects.vq_name: NUL-terminated name of the virtqueue, as the driver
 *	names it ("control", "cursor" for virtio-gpu); zero after the NUL.
 * @expects.blocks: the first descriptors of a matching request, in order.
 *
 * A request matches the first expectation whose blocks all match its first
 * descriptors; the writable blocks' rules are then written as the reply.
 * A request that no expectation answers is completed with no data, except
 * on a virtio-gpu (device id 16), where it gets a VIRTIO_GPU_RESP_OK_NODATA
 * header that echoes the request's fence flag, fence_id, ctx_id and
 * ring_idx; and except a buffer that is only writable (a receive buffer),
 * which the device keeps until the driver resets it. Must be called before
 * UV_DEV_CREATE; a second call replaces the first.
 */
struct uvirtio_expect {
	struct {
		char vq_name[UVIRTIO_MAX_VQ_NAME];
		struct uvirtio_block blocks[UVIRTIO_MAX_BLOCKS];
	} expects[UVIRTIO_MAX_EXPECTS];
};

/**
 * struct uvirtio_destroy - argument of UV_DEV_DESTROY
 * @id: uvirtio id of the device.
 * @flags: must be zero.
 *
 * Only a device that no open file owns can be destroyed: a sticky device
 * whose creating file was closed. Others give -EBUSY; an unknown id
 * -ENOENT.
 */
struct uvirtio_destroy {
	__u32 id;
	__u32 flags;
};

/* uvirtio_dev_info.state bits */
#define UVIRTIO_STATE_OWNED	(1U << 0)	/* its creating file is open */

/**
 * struct uvirtio_dev_info - one device in the answer of UV_DEV_LIST
 * @id: uvirtio id (platform device uvirtio.<id>).
 * @device_id: virtio device id.
 * @index: virtio bus index: /sys/bus/virtio/devices/virtio<index>.
 * @flags: the UV_DEV_CREATE flags.
 * @status: the virtio status the driver set (VIRTIO_CONFIG_S_*).
 * @state: UVIRTIO_STATE_* bits.
 * @features: the features offered to the driver.
 * @reserved: zero.
 */
struct uvirtio_dev_info {
	__u32 id;
	__u32 device_id;
	__u32 index;
	__u16 flags;
	__u8 status;
	__u8 state;
	__u64 features;
	__u64 reserved[2];
};

/**
 * struct uvirtio_list - argument of UV_DEV_LIST
 * @devs_addr: user pointer to an array of struct uvirtio_dev_info.
 * @count: in: entries the array holds; out: devices that exist (more than
 *	were written when the array was too small).
 * @reserved: must be zero.
 */
struct uvirtio_list {
	__u64 devs_addr;
	__u32 count;
	__u32 reserved;
};

/* The heads of a virtio-gpu (UV_GPU_HEAD). */
#define UVIRTIO_GPU_MAX_HEADS		16
#define UVIRTIO_GPU_MIN_SIDE		64
#define UVIRTIO_GPU_MAX_SIDE		8192
#define UVIRTIO_GPU_DEFAULT_DPI		96
#define UVIRTIO_GPU_MIN_DPI		48
#define UVIRTIO_GPU_MAX_DPI		960

/* uvirtio_gpu_head.flags */
#define UVIRTIO_HEAD_F_DEVICE		(1U << 0)	/* change @dev_id */
#define UVIRTIO_HEAD_F_CONNECTED	(1U << 1)	/* a monitor is plugged */

/**
 * struct uvirtio_gpu_head - argument of UV_GPU_HEAD: one head (scanout) of
 *	a virtio-gpu, as a monitor plugged into it
 * @dev_id: with UVIRTIO_HEAD_F_DEVICE, the virtio-gpu to change (the id of
 *	uvirtio.<id>); else zero, and the head is that of the device this
 *	file creates next (before UV_DEV_CREATE, whose device must then be a
 *	virtio-gpu whose config space counts the head in num_scanouts).
 * @head: the head, from 0; less than UVIRTIO_GPU_MAX_HEADS and than the
 *	device's num_scanouts.
 * @flags: UVIRTIO_HEAD_F_*.
 * @width: with UVIRTIO_HEAD_F_CONNECTED, the width of its preferred mode,
 *	UVIRTIO_GPU_MIN_SIDE to UVIRTIO_GPU_MAX_SIDE; else zero.
 * @height: likewise.
 * @dpi: with UVIRTIO_HEAD_F_CONNECTED, the monitor's dots per inch, which
 *	give its physical size: UVIRTIO_GPU_MIN_DPI to UVIRTIO_GPU_MAX_DPI,
 *	or zero for the head's DPI so far (UVIRTIO_GPU_DEFAULT_DPI for a
 *	head that never had one); else zero.
 * @reserved: must be zero.
 *
 * A device given heads answers GET_DISPLAY_INFO and GET_EDID itself (its
 * expectations for them are not used) and offers VIRTIO_GPU_F_EDID; heads
 * not given are disconnected. Each head's EDID is the module's: a monitor
 * named "uvirtio", the serial (@dev_id << 8 | @head), the physical size
 * from @dpi, the preferred mode first; a mode that an EDID base block
 * cannot describe gets none (the driver keeps the display-info mode).
 *
 * On a device that exists, the change reaches the driver as a monitor
 * change does: VIRTIO_GPU_EVENT_DISPLAY in events_read and a config
 * change interrupt, then the new display info and EDID. Returns -ENOENT
 * for an unknown @dev_id, -ENODEV for a device being destroyed, -EINVAL
 * for a device that is not a virtio-gpu, a head it does not have or a
 * value out of range, -EBUSY without UVIRTIO_HEAD_F_DEVICE after
 * UV_DEV_CREATE.
 */
struct uvirtio_gpu_head {
	__u32 dev_id;
	__u32 head;
	__u32 flags;
	__u32 width;
	__u32 height;
	__u32 dpi;
	__u64 reserved[3];
};

/**
 * struct uvirtio_gpu_export - argument of UV_GPU_EXPORT: watch one head of
 *	a virtio-gpu and read its pixels, from outside the guest's display
 *	stack
 * @dev_id: the virtio-gpu (the id of uvirtio.<id>).
 * @head: the head (scanout), less than the device's num_scanouts.
 * @flags: must be zero.
 * @reserved: must be zero.
 *
 * Returns a new file descriptor (read-only, close-on-exec; O_NONBLOCK can
 * be set with fcntl()). read() gives it struct uvirtio_export_event
 * records: first a UVIRTIO_EXPORT_MODE event with the head's scanout as it
 * is; then, as the driver shows frames, a UVIRTIO_EXPORT_DAMAGE event for
 * each RESOURCE_FLUSH that touches the head's scanout, and a
 * UVIRTIO_EXPORT_MODE event each time the scanout changes size or format
 * or goes off (SET_SCANOUT; a driver that resets the device turns every
 * scanout off); last, UVIRTIO_EXPORT_GONE when the device is destroyed,
 * after which read() and UV_EXPORT_PIXELS fail with -ENODEV. poll() gives
 * EPOLLIN while an event waits, and EPOLLHUP once the device is gone.
 * UV_EXPORT_PIXELS on the file copies pixels of the scanout.
 *
 * A head that no file watches costs no copy and no event: the device only
 * keeps, for each resource of the driver, its size, format and where its
 * pages are. Nothing runs while the screen is idle.
 *
 * Errors: -EFAULT, -EINVAL (a field not zero, a device that is not a
 * virtio-gpu, a head it does not have), -ENOENT (no device @dev_id),
 * -ENODEV (it is being destroyed), -ENOMEM, -EMFILE.
 */
struct uvirtio_gpu_export {
	__u32 dev_id;
	__u32 head;
	__u32 flags;
	__u32 reserved[5];
};

/* uvirtio_export_event.type */
#define UVIRTIO_EXPORT_MODE		1
#define UVIRTIO_EXPORT_DAMAGE		2
#define UVIRTIO_EXPORT_GONE		3

/* uvirtio_export_event.flags */
#define UVIRTIO_EXPORT_EV_LOST		(1U << 0)	/* events were dropped */

/* Events that wait for read() on one export file, at most. */
#define UVIRTIO_EXPORT_QUEUE		64
/* Bytes of a pixel in every format a virtio-gpu scanout may have. */
#define UVIRTIO_EXPORT_CPP		4

/**
 * struct uvirtio_export_event - one event read() from an export file
 * @type: UVIRTIO_EXPORT_*.
 * @flags: UVIRTIO_EXPORT_EV_*: LOST on a MODE event that stands for the
 *	events a reader left waiting past UVIRTIO_EXPORT_QUEUE; it then
 *	reads the whole scanout again.
 * @seq: grows with every event of the head. UV_EXPORT_PIXELS names the
 *	scanout by the @seq of its MODE event.
 * @x: DAMAGE: the left of the rectangle that changed; otherwise 0.
 * @y: DAMAGE: its top; otherwise 0.
 * @width: DAMAGE: its width; MODE: the scanout's, 0 when it is off.
 * @height: likewise.
 * @format: MODE: the VIRTIO_GPU_FORMAT_* of the resource shown (each
 *	pixel UVIRTIO_EXPORT_CPP bytes), 0 when off; otherwise 0.
 * @reserved: zero.
 *
 * read() returns whole events, as many as wait and fit its buffer; a
 * buffer smaller than one event is -EINVAL.
 */
struct uvirtio_export_event {
	__u32 type;
	__u32 flags;
	__u64 seq;
	__u32 x;
	__u32 y;
	__u32 width;
	__u32 height;
	__u32 format;
	__u32 reserved[3];
};

/**
 * struct uvirtio_export_pixels - argument of UV_EXPORT_PIXELS on an
 *	export file
 * @mode_seq: the @seq of the last MODE event read.
 * @x: left of a rectangle of the scanout.
 * @y: its top.
 * @width: its width, not 0; @x + @width at most the scanout's width.
 * @height: likewise.
 * @stride: bytes from one row to the next at @addr, at least
 *	@width * UVIRTIO_EXPORT_CPP.
 * @flags: must be zero.
 * @addr: user pointer to @height rows of @stride bytes.
 * @reserved: must be zero.
 *
 * Copies the rectangle's pixels from the resource the head shows, in the
 * MODE event's format, as the driver last gave them to the device
 * (TRANSFER_TO_HOST_2D) since an export file was open: never half a
 * frame. A resource not transferred since then reads as its pages hold
 * it (the driver may be drawing meanwhile). Pixels a resource has no
 * pages for read as zero. A rectangle of up to 32 MiB is one frame.
 * Errors: -EFAULT, -EINVAL (a field out of range or not zero, the scanout
 * off), -ESTALE (the scanout changed after the MODE event of @mode_seq:
 * read the events), -ENODEV (the device is gone), -EINTR, -ENOMEM.
 */
struct uvirtio_export_pixels {
	__u64 mode_seq;
	__u32 x;
	__u32 y;
	__u32 width;
	__u32 height;
	__u32 stride;
	__u32 flags;
	__u64 addr;
	__u64 reserved;
};

#define UVIRTIO_IOCTL_BASE	'V'
/* The 2020 ABI. */
#define UV_DEV_CREATE		_IOW(UVIRTIO_IOCTL_BASE, 1, struct uvirtio_setup)
#define UV_DEV_EXPECT		_IOW(UVIRTIO_IOCTL_BASE, 2, struct uvirtio_expect)
/* API version 1. These work in any state of the file. */
#define UV_GET_API_VERSION	_IOR(UVIRTIO_IOCTL_BASE, 3, __u32)
#define UV_DEV_DESTROY		_IOW(UVIRTIO_IOCTL_BASE, 4, struct uvirtio_destroy)
#define UV_DEV_LIST		_IOWR(UVIRTIO_IOCTL_BASE, 5, struct uvirtio_list)
/* API version 2. */
#define UV_GPU_HEAD		_IOW(UVIRTIO_IOCTL_BASE, 6, struct uvirtio_gpu_head)
/* API version 3. UV_EXPORT_PIXELS is for the file UV_GPU_EXPORT returns. */
#define UV_GPU_EXPORT		_IOW(UVIRTIO_IOCTL_BASE, 7, struct uvirtio_gpu_export)
#define UV_EXPORT_PIXELS	_IOW(UVIRTIO_IOCTL_BASE, 8, struct uvirtio_export_pixels)

#endif /* _UAPI_LINUX_UVIRTIO_H */
