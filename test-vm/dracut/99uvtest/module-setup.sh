#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dracut module "uvtest": the test harness of test-vm/ (never for users).
# UVTEST_BIN names the folder with the guest binaries built by test-vm.

check() {
    return 255
}

depends() {
    echo uvirtio
}

installkernel() {
    hostonly='' instmods virtio_pci virtio_blk virtio_console
}

install() {
    inst_multiple modetest timeout dd grep sed cat ls readlink sleep head \
        tail tr dmesg sh find mount rm mkdir rmdir awk touch sync sort
    inst_simple "$UVTEST_BIN/uvtest-util" /usr/bin/uvtest-util
    inst_simple "$UVTEST_BIN/uvirtio-vga" /usr/bin/uvirtio-vga
    inst_simple "$UVTEST_BIN/uvtest-ioctl" /usr/bin/uvtest-ioctl
    inst_simple "$UVTEST_BIN/uvtest-stress" /usr/bin/uvtest-stress
    inst_multiple rmmod
    inst_simple "$moddir/uvtest-run.sh" /usr/bin/uvtest-run
    inst_hook cmdline 99 "$moddir/parse-uvtest.sh"
    inst_hook pre-trigger 05 "$moddir/uvtest-break.sh"
    inst_hook pre-mount 99 "$moddir/uvtest-hook.sh"
}
