#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dracut pre-trigger hook (sourced): create the uvirtio display before
# udev's coldplug so that DRM, fbdev and fbcon come up in the initramfs.
# rd.uvirtio=0 turns it off. uvirtio-boot logs its own messages and never
# blocks; its exit status must not stop the boot.

if getargbool 1 rd.uvirtio; then
    /usr/sbin/uvirtio-boot || :
else
    info "uvirtio: off (rd.uvirtio=0)"
fi
