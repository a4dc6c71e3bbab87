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

# called by dracut
installkernel() {
    if ! hostonly='' instmods uvirtio virtio_gpu; then
        derror "uvirtio: uvirtio.ko or virtio_gpu is missing for kernel $kernel (make install KVER=$kernel)"
        return 1
    fi
}

# called by dracut
install() {
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
