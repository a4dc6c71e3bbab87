#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dracut module "uvtest": the test harness of test-vm/ (never for users).
# UVTEST_BIN names the folder of the guest programs test-vm built (every
# one of them is installed), UVTEST_LIB the guest's TAP library.

check() {
    return 255
}

depends() {
    echo uvirtio
}

# uvtest_drv: test-vm/kmod's misbehaving driver (case trust); uinput and
# evdev: uvirtio-vnc's input and its events (case vnc).
installkernel() {
    hostonly='' instmods virtio_pci virtio_blk virtio_console uvtest_drv uinput evdev
}

install() {
    inst_multiple modetest timeout dd grep sed cat ls readlink sleep head \
        tail tr dmesg sh find mount mountpoint rm mkdir rmdir awk touch sync \
        sort rmmod edid-decode cmp udevadm wc
    # inst_binary: uvirtio-vnc and uvtest-vnc bring their libraries.
    for _b in "$UVTEST_BIN"/*; do
        inst_binary "$_b" "/usr/bin/${_b##*/}"
    done
    inst_simple "$UVTEST_LIB" /usr/lib/uvtest/uvtest-lib.sh
    inst_simple "$moddir/uvtest-run.sh" /usr/bin/uvtest-run
    inst_hook cmdline 99 "$moddir/parse-uvtest.sh"
    inst_hook pre-trigger 05 "$moddir/uvtest-break.sh"
    inst_hook pre-mount 99 "$moddir/uvtest-hook.sh"
}
