#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dracut module "uvbench": what make bench runs in the guest (never for
# users). UVTEST_BIN names the folder with uvbench, built by bench/bench, and
# test-vm's uvtest-util.

check() {
    return 255
}

depends() {
    echo uvirtio
}

installkernel() {
    # The display paths uvirtio is compared with, where the kernel has them.
    hostonly='' instmods virtio_pci virtio_gpu
    hostonly='' instmods bochs vkms 2> /dev/null
    return 0
}

install() {
    inst_multiple dmesg sed awk cat sync sleep grep head cut tr
    inst_binary "$UVTEST_BIN/uvbench" /usr/bin/uvbench
    inst_simple "$UVTEST_BIN/uvtest-util" /usr/bin/uvtest-util
    inst_simple "$moddir/uvbench-run.sh" /usr/bin/uvbench-run
    inst_hook cmdline 99 "$moddir/parse-uvbench.sh"
    inst_hook pre-mount 99 "$moddir/uvbench-hook.sh"
}
