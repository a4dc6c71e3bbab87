#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the bench initramfs (dracut pre-mount hook, the end of the
# initramfs) and prints "UVBENCH: KEY VALUE..." lines on the console for
# bench/bench, then the kernel log. From the command line:
#   uvbench.boot=1      only the boot's times (kernel log clock, s): /init
#                       started, fb0 registered, this hook reached
#   uvbench.path=PATH   the display is made here, not at boot: the time
#                       from the call that makes it (uvirtio's create, a
#                       driver's bind, vkms's load; its modules loaded
#                       before) to card0 and fb0 usable (uvirtio's and
#                       the limit's: REMAKES times more, destroyed
#                       between), the kernel memory it took, then fbcon
#                       scrolling, page flips, cursor updates, profiles
#                       (perf) of one second of flips and of legacy
#                       cursor image changes, and a resize where the
#                       path has one.
#                       PATH: uvirtio limit virtio-gpu-pci bochs vkms
#                       (limit: the benchmark's limit build of uvirtio)
#   uvbench.pairs=N     with uvirtio and limit: then both builds in turn
#                       N times, each pair the other build first, each
#                       turn its display made again and timed, then its
#                       flips and cursor image changes ("bench paired
#                       BUILD ..."): in the same boot, the host's noise
#                       falls on both alike, and the order evens out
#                       over the two paths' boots

UVTEST_PREFIX=UVBENCH
# The limit build of uvirtio (module-setup.sh installs it there).
LIMIT_KO=/usr/lib/uvbench/uvirtio-limit.ko
# What it says in the kernel log when it loads (kernel/core.c).
LIMIT_SAYS="uvirtio: the benchmark's limit build"
# uvirtio's and the limit build's display is made this many times more
# per boot, each after the last was destroyed ("bench remade ..."): their
# device-ready target is 2 ms apart, finer than one timing per boot tells
# on a noisy host. The other paths are timed once per boot.
REMAKES=4
. /usr/lib/uvtest/uvtest-lib.sh

# The kernel log's time (s) of the first line that matches $1.
klog_time() {
    dmesg | sed -n "s#^\[ *\([0-9]*\.[0-9]*\)\] .*$1.*#\1#p" | head -n 1
}

# Kernel memory (kB) once udev is idle, a second later, with the page
# cache dropped: unreclaimable slab, and shmem, which holds DRM's dumb and
# fbdev buffers.
meminfo() {
    udevadm settle --timeout=30
    sleep 1
    sync
    echo 3 > /proc/sys/vm/drop_caches
    awk '/^(SUnreclaim|Shmem):/ { sub(":", "", $1); printf " %s %s", $1, $2 }' /proc/meminfo
}

# The modules MODULE needs, loaded, but not MODULE itself.
load_deps() {
    for _m in $(modprobe --show-depends "$1" | awk '$1 == "insmod" { print $2 }'); do
        _m=${_m##*/}
        _m=${_m%%.ko*}
        [ "$_m" = "$1" ] || modprobe "$_m"
    done
}

# load_build uvirtio|limit: that build of uvirtio.ko loaded (the limit:
# as bench/bench built it with UVIRTIO_LIMIT=1).
load_build() {
    if [ "$1" = uvirtio ]; then
        modprobe uvirtio
    else
        _said=$(dmesg | grep -c "$LIMIT_SAYS")
        load_deps uvirtio && insmod "$LIMIT_KO" &&
            [ "$(dmesg | grep -c "$LIMIT_SAYS")" -gt "$_said" ]
    fi
}

# Loads the modules of PATH and sets MAKE to the call that makes its
# display, GROW to the one that makes its monitor 1920x1080 when it lists
# no such mode, and RESIZE to the call that makes its monitor 1280x720
# (uvbench runs MAKE and RESIZE without a shell). QEMU's virtio-gpu
# resizes when a VNC viewer asks: a byte on the second serial port has
# bench/qemu-resize.py ask.
prepare() {
    _dev=
    GROW=
    RESIZE=
    REMAKE=
    case "$1" in
    uvirtio | limit)
        load_build "$1" && modprobe virtio_gpu || return 1
        MAKE="uvirtio-boot create gpu width=1024 height=768"
        REMAKE=1
        ;;
    virtio-gpu-pci)
        echo 0 > /sys/bus/virtio/drivers_autoprobe
        modprobe virtio_gpu || return 1
        for _d in /sys/bus/virtio/devices/*; do
            grep -qx 0x0010 "$_d/device" && _dev=${_d##*/}
        done
        [ -n "$_dev" ] || return 1
        MAKE="write /sys/bus/virtio/drivers_probe $_dev"
        stty -F /dev/ttyS1 115200 raw -echo 2> /dev/null &&
            RESIZE="write /dev/ttyS1 r"
        ;;
    bochs)
        echo 0 > /sys/bus/pci/drivers_autoprobe
        modprobe bochs 2> /dev/null || modprobe bochs-drm || return 1
        for _d in /sys/bus/pci/devices/*; do
            [ "$(cat "$_d/class")" = 0x030000 ] && _dev=${_d##*/}
        done
        [ -n "$_dev" ] || return 1
        MAKE="write /sys/bus/pci/drivers_probe $_dev"
        ;;
    vkms)
        load_deps vkms || return 1
        MAKE="modprobe vkms"
        ;;
    *)
        return 1
        ;;
    esac
}

# profile WHAT ARGS...: one second of "uvbench ARGS" under perf (the
# software clock: TCG has no PMU), every CPU: "profile WHAT samples N",
# then one "profile_sym WHAT PERCENT COMM DSO SYMBOL" line per symbol.
# perf finds no module files here and puts modules' symbols in
# [kernel.kallsyms]: their module, from /proc/kallsyms, is given as their
# DSO instead.
profile() {
    _what=$1
    shift
    echo 0 > /proc/sys/kernel/kptr_restrict
    echo -1 > /proc/sys/kernel/perf_event_paranoid
    # -D: not uvbench's set-up (the modeset, the buffers drawn), which
    # ends within its warm-up (300 ms or more).
    if ! perf record -q -D 250 -e cpu-clock -a -o /tmp/perf.data -- \
        uvbench "$@" > /tmp/uvbench.out 2> /tmp/perf.log; then
        say "profile $_what none perf record failed: $(tail -n 1 /tmp/perf.log)"
        return
    fi
    # What the path cannot do (bochs's cursor) has no profile.
    _none=$(sed -n 's/^bench .* none //p' /tmp/uvbench.out | head -n 1)
    if [ -n "$_none" ]; then
        say "profile $_what none $_none"
        rm -f /tmp/perf.data
        return
    fi
    say "profile $_what samples $(perf report -i /tmp/perf.data --stdio -q -n --sort comm 2> /dev/null |
        awk '{ n += $2 } END { print n + 0 }')"
    perf report -i /tmp/perf.data --stdio -q --no-children --sort comm,dso,sym \
        --percent-limit 0.01 2> /dev/null |
        awk -v what="$_what" 'FNR == NR { if ($4 ~ /^\[/) mod[$3] = $4; next }
            NF >= 5 {
                sub("%", "", $1)
                if ($3 == "[kernel.kallsyms]" && ($5 in mod)) $3 = mod[$5]
                $1 = $1
                print "UVBENCH: profile_sym", what, $0
            }' /proc/kallsyms - > /dev/console
    rm -f /tmp/perf.data
}

bench() { # bench ARGS...: uvbench's lines on the console
    uvbench "$@" 2>&1 | sed 's/^/UVBENCH: /' > /dev/console
}

# bench_as WORDS ARGS...: uvbench's figures as "bench WORDS ...".
bench_as() {
    _words=$1
    shift
    uvbench "$@" 2>&1 | sed "s/^bench /UVBENCH: bench $_words /" > /dev/console
}

# The id of the one uvirtio device there is.
uvirtio_id() {
    uvirtio-boot list | awk 'NR == 2 { print $1 }'
}

# remade WORDS [BUILD]: uvirtio's display destroyed (and BUILD of
# uvirtio.ko loaded in place of the one there is), then made again and
# timed as the first, its figures as "bench WORDS ...".
remade() {
    uvirtio-boot destroy "$(uvirtio_id)" || return 1
    wait_for 10 test ! -e /dev/dri/card0 -a ! -e /dev/fb0 || return 1
    udevadm settle --timeout=30
    if [ -n "${2-}" ]; then
        rmmod uvirtio && load_build "$2" || return 1
    fi
    sleep 1
    # shellcheck disable=SC2086
    bench_as "$1" ready 10000 $MAKE
}

# remake: uvirtio's display destroyed and made again REMAKES times; GROW
# and RESIZE for the last one.
remake() {
    _i=0
    while [ $_i -lt $REMAKES ]; do
        remade remade || return 1
        _i=$((_i + 1))
    done
    _id=$(uvirtio_id)
    # Its EDID lists no mode above the monitor's own.
    GROW="uvirtio-boot resize $_id 1920x1080"
    RESIZE="uvirtio-boot resize $_id 1280x720"
}

# turn BUILD: BUILD's display made in its place and timed, then what the
# targets against the limit build judge: flips at 1024x768, legacy and
# atomic cursor image changes, then its monitor grown and flips at
# 1920x1080; all as "bench paired BUILD ...".
turn() {
    remade "paired $1" "$1" || return 1
    bench_as "paired $1" flip 1024x768 1 2
    bench_as "paired $1" cursor 1 2 legacy_image
    bench_as "paired $1" cursor 1 2 atomic_image
    uvirtio-boot resize "$(uvirtio_id)" 1920x1080 > /dev/null && sleep 1 || return 1
    bench_as "paired $1" flip 1920x1080 1 2
}

# both_in_turn PATH: uvbench.pairs times both builds in turn, the other one
# first.
both_in_turn() {
    _other=limit
    [ "$1" = uvirtio ] || _other=uvirtio
    _pairs=$(arg uvbench.pairs)
    _i=0
    while [ $_i -lt "${_pairs:-0}" ]; do
        turn "$_other" && turn "$1" || return 1
        _i=$((_i + 1))
    done
}

run_path() {
    _path=$1
    if ! prepare "$_path"; then
        say "error cannot prepare $_path"
        return
    fi
    say "mem before$(meminfo)"
    # shellcheck disable=SC2086
    bench ready 10000 $MAKE
    say "mem after$(meminfo)"
    if [ -n "$REMAKE" ] && ! remake; then
        say "error cannot destroy and make $_path's display again"
        return
    fi
    say "modules $(awk '{ printf "%s:%s ", $1, $2 }' /proc/modules)"
    bench scroll /dev/tty1 10000
    bench flip 1024x768 2 5
    profile 1024x768 flip 1024x768 1 1
    if [ -n "$GROW" ]; then
        # shellcheck disable=SC2086
        $GROW && sleep 1
    fi
    bench flip 1920x1080 2 5
    bench cursor 1 3
    profile legacy_image cursor 1 1 legacy_image
    if [ -n "$RESIZE" ]; then
        # shellcheck disable=SC2086
        bench resize 1280x720 10000 $RESIZE
    fi
    if [ -n "$REMAKE" ] && ! both_in_turn "$_path"; then
        say "error cannot make both builds in turn"
    fi
}

echo 1 > /proc/sys/kernel/printk
echo "uvbench: the end of the initramfs" > /dev/kmsg
if [ -n "$(arg uvbench.boot)" ]; then
    udevadm settle --timeout=30
    _init=$(klog_time 'Run /init as init process')
    _fb=$(klog_time 'fb0: .*frame buffer device')
    _end=$(klog_time 'uvbench: the end of the initramfs')
    say "boot init_s ${_init:-none} fb_s ${_fb:-none} end_s ${_end:-none}"
else
    run_path "$(arg uvbench.path)"
fi
say "dmesg-begin"
dmesg > /dev/console
say "dmesg-end"
say "done"
