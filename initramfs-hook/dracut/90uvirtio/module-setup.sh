#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dracut module "uvirtio": a virtio-gpu display for VMs that have none.
# Sourced by dracut. Included only when asked: dracut --add uvirtio
#
# Installs uvirtio.ko, virtio_gpu and their dependencies, uvirtio-boot, its
# profiles, /etc/uvirtio.conf if there is one, and a pre-trigger hook that creates the display before udev's
# coldplug. The tests point UVIRTIO_BOOT and UVIRTIO_PROFILES at a source
# tree; installed, uvirtio-boot is found on PATH.

uvirtio_tool() {
    if [ -n "${UVIRTIO_BOOT-}" ]; then
        echo "$UVIRTIO_BOOT"
        return
    fi
    command -v uvirtio-boot 2> /dev/null && return
    for _d in /usr/local/sbin /usr/sbin /sbin; do
        [ -x "$_d/uvirtio-boot" ] && echo "$_d/uvirtio-boot" && return
    done
}

# called by dracut
check() {
    if [ -z "$(uvirtio_tool)" ]; then
        derror "uvirtio: uvirtio-boot not found (make install, or set UVIRTIO_BOOT)"
        return 1
    fi
    return 255
}

# called by dracut
depends() {
    return 0
}

# The modules the display needs, for the kernel at hand: uvirtio.ko (from
# DKMS or make install) and virtio_gpu. Without them this initramfs gets no
# display, with one warning, and is still made (as with initramfs-tools).
uvirtio_modules_found() {
    [ -n "$(find "${srcmods:-/lib/modules/$kernel}" -name 'uvirtio.ko*' 2> /dev/null | head -n 1)" ]
}

# called by dracut
installkernel() {
    uvirtio_modules_found || return 0
    if ! hostonly='' instmods uvirtio virtio_gpu; then
        dwarn "uvirtio: uvirtio.ko or virtio_gpu cannot be installed for kernel $kernel; this initramfs gets no display"
    fi
    return 0
}

# called by dracut (before installkernel)
install() {
    if ! uvirtio_modules_found; then
        dwarn "uvirtio: uvirtio.ko is not built for kernel $kernel (dkms install uvirtio/VERSION -k $kernel, or make install KVER=$kernel); this initramfs gets no display"
        return 0
    fi
    _tool=$(uvirtio_tool)
    # The tool looks for profiles where it was built to; put them there.
    _dest=$("$_tool" --profile-dir) || return 1
    _src=${UVIRTIO_PROFILES:-$_dest}
    inst_simple "$_tool" /usr/sbin/uvirtio-boot
    for _p in "$_src"/*.profile; do
        [ -e "$_p" ] || continue
        inst_simple "$_p" "$_dest/${_p##*/}"
    done
    [ -f "${dracutsysrootdir-}/etc/uvirtio.conf" ] && inst_simple /etc/uvirtio.conf
    inst_multiple modprobe
    inst_hook pre-trigger 10 "$moddir/uvirtio-hook.sh"
}
