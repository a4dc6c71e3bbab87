#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# dracut module "uvbench": what make bench runs in the guest (never for
# users). UVBENCH is uvbench, built by bench/bench; UVBENCH_LIMIT the
# limit build of uvirtio.ko, built by bench/bench; UVTEST_BIN the folder
# of test-vm's guest programs (uvtest-util), UVTEST_LIB the guest's shell
# library. perf is the host's (Debian's linux-perf).

check() {
    return 255
}

depends() {
    echo uvirtio
}

installkernel() {
    # The display paths uvirtio is compared with, where the kernel has them.
    hostonly='' instmods virtio_pci virtio_gpu
    # (bochs is bochs-drm until 5.11; one at a time, so that a missing one
    # leaves the others in.)
    for _m in bochs bochs-drm vkms; do
        hostonly='' instmods "$_m" 2> /dev/null
    done
    return 0
}

install() {
    inst_multiple dmesg sed awk cat sync sleep grep head cut tr stty tail insmod rmmod
    inst_binary "$UVBENCH" /usr/bin/uvbench
    inst_binary perf
    [ -z "${UVBENCH_LIMIT-}" ] || inst_simple "$UVBENCH_LIMIT" /usr/lib/uvbench/uvirtio-limit.ko
    inst_simple "$UVTEST_LIB" /usr/lib/uvtest/uvtest-lib.sh
    inst_simple "$UVTEST_BIN/uvtest-util" /usr/bin/uvtest-util
    inst_simple "$moddir/uvbench-run.sh" /usr/bin/uvbench-run
    inst_hook cmdline 99 "$moddir/parse-uvbench.sh"
    inst_hook pre-mount 99 "$moddir/uvbench-hook.sh"
}
