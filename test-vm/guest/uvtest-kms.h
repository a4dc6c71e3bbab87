/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest programs that drive a DRM card themselves share: its
 * first connected connector, as a display server finds it. Header only.
 */
#ifndef UVTEST_KMS_H
#define UVTEST_KMS_H

#include <stdint.h>
#include <sys/ioctl.h>
#include <libdrm/drm.h>
#include <libdrm/drm_mode.h>

#define KMS_MAX		16
#define KMS_MODES	64

/* A connector, the CRTC of the same index, and its modes (first: preferred). */
struct kms {
	uint32_t crtc, conn;
	struct drm_mode_modeinfo modes[KMS_MODES];
	unsigned int nr_modes;
};

/* The first connected connector of the DRM card @card: 0, or -1. */
static inline int kms_find(int card, struct kms *k)
{
	uint32_t crtcs[KMS_MAX], conns[KMS_MAX];
	struct drm_mode_card_res res = { 0 };
	unsigned int i;

	if (ioctl(card, DRM_IOCTL_MODE_GETRESOURCES, &res) ||
	    !res.count_crtcs || res.count_crtcs > KMS_MAX ||
	    res.count_connectors > KMS_MAX)
		return -1;
	res.crtc_id_ptr = (uintptr_t)crtcs;
	res.connector_id_ptr = (uintptr_t)conns;
	res.count_fbs = 0;
	res.count_encoders = 0;
	if (ioctl(card, DRM_IOCTL_MODE_GETRESOURCES, &res))
		return -1;
	for (i = 0; i < res.count_connectors; i++) {
		struct drm_mode_get_connector c = { .connector_id = conns[i] };

		if (ioctl(card, DRM_IOCTL_MODE_GETCONNECTOR, &c) ||
		    c.connection != 1 || !c.count_modes)
			continue;
		c.count_modes = c.count_modes < KMS_MODES ? c.count_modes :
							    KMS_MODES;
		c.modes_ptr = (uintptr_t)k->modes;
		c.count_props = 0;
		c.count_encoders = 0;
		if (ioctl(card, DRM_IOCTL_MODE_GETCONNECTOR, &c))
			return -1;
		k->nr_modes = c.count_modes;
		k->crtc = crtcs[i < res.count_crtcs ? i : 0];
		k->conn = conns[i];
		return 0;
	}
	return -1;
}

#endif /* UVTEST_KMS_H */
