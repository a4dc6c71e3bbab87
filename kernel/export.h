/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What gpu.c and export.c share: the commands the virtio-gpu model reads,
 * and the frame export's entry points (export.c).
 */
#ifndef _UVIRTIO_EXPORT_H
#define _UVIRTIO_EXPORT_H

#include <linux/virtio_gpu.h>

#include "internal.h"

/* The commands whose fields the model reads, as the driver sent them. */
union uvirtio_gpu_cmd {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_resource_create_2d create_2d;
	struct virtio_gpu_resource_unref unref;
	struct virtio_gpu_resource_attach_backing attach;
	struct virtio_gpu_resource_detach_backing detach;
	struct virtio_gpu_set_scanout set_scanout;
	struct virtio_gpu_set_scanout_blob set_scanout_blob;
	struct virtio_gpu_resource_flush flush;
	struct virtio_gpu_transfer_to_host_2d transfer_2d;
	struct virtio_gpu_cmd_get_edid get_edid;
};

struct uvirtio_export;

struct uvirtio_export *uvirtio_export_new(struct uvirtio_device *udev);
void uvirtio_export_free(struct uvirtio_export *ex);
void uvirtio_export_command(struct uvirtio_export *ex,
			    const struct uvirtio_chain *c,
			    const union uvirtio_gpu_cmd *cmd, u32 n);
bool uvirtio_export_command_now(struct uvirtio_export *ex,
				const union uvirtio_gpu_cmd *cmd);
void uvirtio_export_reset(struct uvirtio_export *ex);
void uvirtio_export_removed(struct uvirtio_export *ex);
int uvirtio_export_open(struct uvirtio_export *ex, u32 head);

#endif /* _UVIRTIO_EXPORT_H */
