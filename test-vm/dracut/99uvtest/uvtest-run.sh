#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test initramfs (dracut pre-mount hook, before any
# switch_root) and reports what a user would see as TAP on the console
# (test-vm/guest/uvtest-lib.sh). uvtest.case=NAME on the command line
# runs case_NAME below ('-' read as '_'); test-vm/check's table says
# which cases boot with which command line. A new case is a row there
# and a function here.

. /usr/lib/uvtest/uvtest-lib.sh

uvirtio_dev() { ls -d /sys/devices/platform/uvirtio.* 2> /dev/null | head -n 1; }
connector() { echo /sys/class/drm/card0-Virtual-1; }
connector_n() { echo /sys/class/drm/card0-Virtual-"$1"; }

# The display at $1 (WxH): device, driver, connector, mode, EDID (unless
# $2 is no-edid), fb0, fbcon.
check_display() {
    _mode=$1
    _w=${_mode%x*}
    _h=${_mode#*x}
    _dev=$(uvirtio_dev)
    check "a uvirtio device exists (${_dev:-none})" test -n "$_dev"
    _vdev=$(ls -d "$_dev"/virtio* 2> /dev/null | head -n 1)
    check "it is a virtio-gpu (device id 0x0010)" \
        grep -qx 0x0010 "$_vdev/device"
    _drv=$(readlink "$_vdev/driver" 2> /dev/null)
    check "virtio_gpu is bound to it (${_drv##*/})" \
        test "${_drv##*/}" = virtio_gpu
    check "card0 is on uvirtio ($(readlink -f /sys/class/drm/card0/device))" \
        card_on card0 "$_dev"
    check "connector Virtual-1 is connected" \
        grep -qx connected "$(connector)/status"
    _pref=$(head -n 1 "$(connector)/modes" 2> /dev/null)
    say "demo connector Virtual-1 $(cat "$(connector)/status" 2> /dev/null)"
    say "demo mode $_pref"
    check "preferred mode is $_mode (got $_pref)" test "$_pref" = "$_mode"
    check "/dev/dri/card0 exists" test -c /dev/dri/card0
    _fb=$(uvtest-util fbinfo /dev/fb0 2> /dev/null)
    say "demo fb0 $_fb"
    # With several heads fbdev shows the console on each, at the smallest
    # head's size (uvtest.fb=).
    _fbm=$(arg uvtest.fb)
    _fbm=${_fbm:-$_mode}
    check "/dev/fb0 is ${_fbm} at 32 bpp (got $_fb)" \
        test "${_fb% *}" = "${_fbm%x*} ${_fbm#*x} 32"
    check "fb0 is virtio_gpu's (/proc/fb)" grep -q "^0 virtio_gpu" /proc/fb
    _con=
    for _v in /sys/class/vtconsole/vtcon*; do
        grep -q "frame buffer" "$_v/name" && grep -qx 1 "$_v/bind" && _con=$_v
    done
    check "fbcon is bound to the console (${_con##*/})" test -n "$_con"
    check "uvirtio-boot list shows a sticky gpu, driver-ok" \
        sh -c 'uvirtio-boot list | grep -q "gpu(16) .* sticky .*driver-ok"'
    # The 2020 sample gives no heads: no EDID.
    [ "$2" = no-edid ] || check_edid 1 "$_mode" "$(arg uvtest.cm)"
    _param=$(arg uvirtio.gpu)
    if [ -n "$_param" ]; then
        check "the module got uvirtio.gpu=$_param as its parameter gpu" \
            grep -qx "$_param" /sys/module/uvirtio/parameters/gpu
    fi
}

# check_edid N WxH [CM]: Virtual-N's EDID is well formed, names the
# monitor and prefers WxH; its size is CM ("W cm x H cm"; 96 dpi's when
# not given).
check_edid() {
    _e="$(connector_n "$1")/edid"
    check "Virtual-$1's EDID passes edid-decode --check" \
        sh -c "edid-decode --check '$_e' | grep -qx 'EDID conformity: PASS'"
    check "Virtual-$1's EDID names the monitor 'uvirtio'" \
        sh -c "edid-decode '$_e' | grep -qF \"Display Product Name: 'uvirtio'\""
    check "Virtual-$1's EDID prefers $2" \
        sh -c "edid-decode '$_e' | grep -qF 'DTD 1: $(printf '%5s' "${2%x*}")x${2#*x} '"
    _cm=$3
    if [ -z "$_cm" ]; then
        _w=${2%x*}
        _h=${2#*x}
        _cm="$(((_w * 254 + 4800) / 9600)) cm x $(((_h * 254 + 4800) / 9600)) cm"
    fi
    _cm=$(echo "$_cm" | tr + ' ')
    check "Virtual-$1's EDID says $_cm" \
        sh -c "edid-decode '$_e' | grep -qF 'Maximum image size: $_cm'"
    # What xrandr shows as "... mm x ... mm": DRM's cm times 10.
    _mm=$(echo "$_cm" | awk '{ print $1 * 10 "x" $4 * 10 }')
    check "a client sees Virtual-$1 as $_mm mm (got $(client_mm "$1"))" \
        test "$(client_mm "$1")" = "$_mm"
}

fb_is() { # fb_is W H: /dev/fb0 has that size
    _fb=$(uvtest-util fbinfo /dev/fb0 2> /dev/null)
    test "${_fb% * *}" = "$1 $2"
}

expect_rc() { # expect_rc RC COMMAND...: the tool's documented exit status
    _want=$1
    shift
    "$@" > /dev/null 2>&1
    _rc=$?
    if [ "$_rc" = "$_want" ]; then
        ok "'$*' exits $_want"
    else
        notok "'$*' exits $_want (got $_rc)"
    fi
}

# The ABI tests (uvtest-ioctl, TAP), then a display's whole life.
check_lifecycle() {
    run_tap 300 ioctl uvtest-ioctl

    check "uvirtio-boot destroy 0 removes the boot's display" uvirtio-boot destroy 0
    udevadm settle --timeout=30
    check "/dev/fb0 and card0 went with it" \
        test ! -e /dev/fb0 -a ! -e /sys/class/drm/card0 -a -z "$(uvirtio_dev)"
    _id=$(uvirtio-boot create gpu width=800 height=600)
    check "uvirtio-boot create gpu width=800 height=600 prints its id ($_id)" \
        test "$_id" = 0
    udevadm settle --timeout=30
    check "/dev/fb0 is 800x600" fb_is 800 600
    check "two displays at once: a second gpu is created" \
        sh -c 'uvirtio-boot create gpu width=640 height=480 | grep -qx 1'
    udevadm settle --timeout=30
    check "the second display is card1 on uvirtio.1" \
        card_on card1 /sys/devices/platform/uvirtio.1
    check "uvirtio-boot destroy 1" uvirtio-boot destroy 1
    expect_rc 1 uvirtio-boot destroy 4242
    expect_rc 2 uvirtio-boot destroy abc
    expect_rc 2 uvirtio-boot frobnicate
    expect_rc 2 uvirtio-boot create gpu width
    expect_rc 3 uvirtio-boot create nosuch
    expect_rc 3 uvirtio-boot create gpu width=1
    expect_rc 3 uvirtio-boot create gpu depth=24
    expect_rc 0 uvirtio-boot --version
    check "uvirtio-boot --help names the subcommands" \
        sh -c 'uvirtio-boot --help | grep -q "destroy ID"'

    check "rmmod uvirtio with a sticky display bound to fbcon" rmmod uvirtio
    udevadm settle --timeout=30
    check "the display went with the module" \
        test ! -e /dev/fb0 -a -z "$(uvirtio_dev)" -a ! -e /sys/module/uvirtio
    check "uvirtio-boot loads the module again and makes the display" uvirtio-boot
    udevadm settle --timeout=30
    check "/dev/fb0 is 1024x768 again" fb_is 1024 768
    check "uvirtio-boot run again makes no second display" \
        sh -c 'uvirtio-boot && test ! -e /sys/devices/platform/uvirtio.1'
}

# DRM's atomic state of the virtio_gpu device (debugfs), or nothing.
drm_state() {
    mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
    for _d in /sys/kernel/debug/dri/*; do
        grep -q virtio_gpu "$_d/name" 2> /dev/null && [ -r "$_d/state" ] &&
            echo "$_d/state" && return
    done
}

# modetest prints a 'freq:' line each 60 flips; a case wants two.
MODETEST_FREQ_LINES=2

# modetest_run LOG ARGS...: modetest on virtio_gpu in the background, its
# input after 6 s and, when it flips pages (-v), once it has also printed
# MODETEST_FREQ_LINES 'freq:' lines, 30 s at most: on the debug kernel beside
# another guest, setting the mode alone can take half of the 6 s. _rc its
# exit status. Meanwhile uvtest-util reads the cursor plane every 20 ms
# for 5 s (modetest -C shows its cursor for about a second, and the debug
# kernel is slow): _cur holds the places where a plane showed a 64x64
# framebuffer, each once.
modetest_run() {
    _log=$1
    shift
    _state=$(drm_state)
    _want=0
    case " $* " in *" -v "*) _want=$MODETEST_FREQ_LINES ;; esac
    : > "$_log"
    (
        sleep 6
        _end=$(($(date +%s) + 24))
        while [ "$(grep -c '^freq:' "$_log")" -lt "$_want" ] &&
            [ "$(date +%s)" -lt "$_end" ]; do
            sleep 0.2
        done
        echo
    ) | timeout 60 modetest -M virtio_gpu "$@" > "$_log" 2>&1 &
    _pid=$!
    _cur=$(uvtest-util cursor "${_state:-/nonexistent}" 5000 2> /dev/null)
    wait $_pid
    _rc=$?
    [ "$_rc" = 0 ] || tail -n 20 "$_log" | while IFS= read -r _l; do info "modetest: $_l"; done
}

# The hardware cursor modetest -C set and moves, seen in DRM's state: a
# cursor ioctl that fails leaves modetest's exit status 0.
check_cursor() {
    _seen=$(echo $_cur | awk '{ n = NF } END { print n + 0 }')
    check "the cursor plane showed modetest's 64x64 cursor" test "$_seen" -ge 1
    info "cursor plane, places seen:" $_cur
    check "the cursor moved on its plane ($_seen places)" test "$_seen" -ge 2
}

# libdrm's modetest: set the mode with a hardware cursor, page-flip for a
# while, quit on input. Hangs show as a timeout or "select timed out".
# uvtest.modetest=split (the debug kernel) runs the flips and the cursor
# in two runs: DRM's legacy cursor path frees a CRTC state that a page
# flip's commit still reads (docs/robustness.md), which KASAN reports.
check_modetest() {
    _mode=$1
    if [ "$(arg uvtest.modetest)" = split ]; then
        modetest_run /tmp/cursor.log -s "Virtual-1:$_mode" -C
        check "modetest set $_mode with a cursor and moved it, exit 0 (rc $_rc)" \
            test "$_rc" = 0
        check_cursor
        modetest_run /tmp/modetest.log -s "Virtual-1:$_mode" -v
        _flips="modetest set $_mode and flipped pages"
    else
        modetest_run /tmp/modetest.log -s "Virtual-1:$_mode" -C -v
        _flips="modetest set $_mode with a cursor and flipped pages"
        check_cursor
    fi
    _freq=$(grep -c '^freq:' /tmp/modetest.log)
    info "modetest $(grep '^freq:' /tmp/modetest.log | tail -n 1)"
    check "$_flips, exit 0 (rc $_rc)" test "$_rc" = 0
    check "modetest flipped at least $((MODETEST_FREQ_LINES * 60)) pages ($_freq x 60)" \
        test "$_freq" -ge "$MODETEST_FREQ_LINES"
    check "no flip waited 3 s (no 'select timed out')" \
        sh -c "! grep -q 'timed out' /tmp/modetest.log"
}

# uvtest.parts= names the parts of the stress case to run (fuzz, kfuzz,
# lifecycle, faults; all when absent), so that a long run can be split
# over guests that run at once.
has_part() {
    _parts=$(arg uvtest.parts)
    case ",${_parts:-fuzz,kfuzz,replies,lifecycle,faults}," in *",$1,"*) return 0 ;; esac
    return 1
}

# has_support PART WHAT TEST...: whether this kernel has what PART needs.
# Without it, PART is a skip when the stress runs all its parts (make
# check: Debian's kernels have no KCOV or fault injection), and a failure
# when uvtest.parts= names it (make check-debug, whose kernel must have it).
has_support() {
    _part=$1
    _need=$2
    shift 2
    "$@" && return 0
    if [ -n "$(arg uvtest.parts)" ]; then
        notok "$_part: this kernel has $_need"
    else
        skip "$_part" "this kernel has no $_need (the debug kernel has)"
    fi
    return 1
}

# Hostile input and load (uvtest-stress), sizes from the command line;
# then rmmod with a file open, slab memory and kmemleak.
case_stress() {
    _seed=$(arg uvtest.seed)
    _calls=$(arg uvtest.calls)
    _cycles=$(arg uvtest.cycles)
    _gpu=$(arg uvtest.gpucycles)
    _threads=$(arg uvtest.threads)
    _slabmax=$(arg uvtest.slabkb)
    _limit=$(arg uvtest.limit)
    check "modprobe uvirtio" modprobe uvirtio
    check "modprobe virtio_gpu" modprobe virtio_gpu
    # The fuzzer's and the lifecycle's devices are of types no driver
    # binds, off the allow-list.
    check "any_type on" sh -c 'echo 1 > /sys/module/uvirtio/parameters/any_type'
    mount -t debugfs none /sys/kernel/debug 2> /dev/null
    _leaks=/sys/kernel/debug/kmemleak
    # Warm up DRM's and the module's caches, then measure.
    uvtest-stress lifecycle 1 16 2 2 > /dev/null 2>&1
    [ -e $_leaks ] && echo clear > $_leaks
    sync && echo 3 > /proc/sys/vm/drop_caches
    _slab0=$(slab_kb)
    cat /proc/slabinfo > /tmp/slab0 2> /dev/null
    if has_part fuzz; then
        run_tap "${_limit:-600}" fuzz uvtest-stress fuzz "$_seed" "$_calls"
        figure slab.objects_after_fuzz_kb "$(slab_kb)"
    fi
    if has_part kfuzz && has_support kfuzz KCOV test -e /sys/kernel/debug/kcov; then
        _kcalls=$(arg uvtest.kcalls)
        run_tap "${_limit:-600}" kfuzz uvtest-stress kfuzz "$_seed" "${_kcalls:-20000}"
    fi
    if has_part replies; then
        run_tap "${_limit:-600}" replies uvtest-stress replies "$_seed" \
            "$(arg uvtest.replies)"
    fi
    if has_part lifecycle; then
        run_tap "${_limit:-600}" lifecycle uvtest-stress lifecycle "$_seed" \
            "$_cycles" "$_gpu" "$_threads"
        figure slab.objects_after_lifecycle_kb "$(slab_kb)"
    fi
    if has_part faults && has_support faults "slab fault injection" \
        test -e /proc/self/fail-nth -a -d /sys/kernel/debug/failslab; then
        run_tap "${_limit:-600}" faults uvtest-stress faults
    fi
    # A file holds the module: rmmod must refuse, then work once it closes.
    exec 3<> /dev/uvirtio
    check "rmmod uvirtio is refused while a file is open" sh -c '! rmmod uvirtio'
    exec 3>&-
    check "rmmod uvirtio once it is closed" rmmod uvirtio
    check "modprobe uvirtio again" modprobe uvirtio
    sync && echo 3 > /proc/sys/vm/drop_caches
    sleep 1
    _slab1=$(slab_kb)
    # The caches that grew most (kB), to tell a leak from a cache.
    awk 'NR == FNR { if (FNR > 2) b[$1] = $2 * $4; next }
        FNR > 2 { d = ($2 * $4 - b[$1]) / 1024; if (d > 16) printf "%d %s\n", d, $1 }' \
        /tmp/slab0 /proc/slabinfo | sort -rn | head -n 8 | while read -r _kb _c; do
        info "stress: slab cache $_c grew by $_kb kB"
    done
    figure slab.objects_before_kb "$_slab0"
    figure slab.objects_after_kb "$_slab1"
    figure slab.unreclaimable_kb "$(awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo)"
    if [ -n "$_slabmax" ]; then
        check "allocated slab objects grew by at most $_slabmax kB ($_slab0 -> $_slab1 kB)" \
            test $((_slab1 - _slab0)) -le "$_slabmax"
    fi
    # On kernels with kmemleak (the debug kernel): a scan at the end.
    if [ -e $_leaks ]; then
        echo scan > $_leaks
        sleep 6
        echo scan > $_leaks
        _n=$(grep -c '^unreferenced object' $_leaks)
        figure kmemleak.reports "$_n"
        check "kmemleak found no leak ($_n)" test "$_n" = 0
        [ "$_n" = 0 ] || head -n 40 $_leaks | while IFS= read -r _l; do info "kmemleak: $_l"; done
    fi
}

# one_error TEXT: uvirtio-boot logged exactly one error, and it says TEXT
# (a grep -E pattern).
one_error() {
    _errs=$(dmesg --level=err | grep -c 'uvirtio-boot:')
    check "dmesg has one error from uvirtio-boot ($_errs)" test "$_errs" = 1
    check "it says '$1'" sh -c "dmesg --level=err | grep -Eq 'uvirtio-boot: .*$1'"
}

# uvtest.break=: uvtest-break.sh broke the system before uvirtio-boot; it
# said so once, and the boot went on to here.
case_broken() {
    _b=$(arg uvtest.break)
    case "$_b" in
    noko | truncated | garbage)
        case "$_b" in
        noko) one_error "cannot load the uvirtio module" ;;
        truncated) one_error "gpu.profile:[0-9]+: unknown keyword" ;;
        garbage) one_error "gpu.profile: not a text file" ;;
        esac
        check "no display was made" test -z "$(uvirtio_dev)" -a ! -e /dev/fb0
        ;;
    nogpu)
        one_error "no driver for gpu uvirtio.0"
        check "the device is there, without a driver or /dev/fb0" \
            test -n "$(uvirtio_dev)" -a ! -e /dev/fb0
        ;;
    rodev)
        # devtmpfs is one file system: the kernel cannot add /dev/uvirtio.
        check "/dev is read-only" sh -c '! touch /dev/uvtest-rw'
        one_error "/dev/uvirtio is missing \(is /dev a writable devtmpfs\?\)"
        check "no display was made" test -z "$(uvirtio_dev)"
        ;;
    nokmsg)
        # Its messages went to the console: the host counts them there.
        check "/dev/kmsg could not be opened" sh -c '! echo x > /dev/kmsg'
        say "console-once uvirtio-boot: cannot open /dev/kmsg"
        check_display 1024x768
        ;;
    *)
        notok "uvtest.break=$_b is a way to break the boot"
        ;;
    esac
}

# The console as the user sees it, for the host to turn into a PNG.
screenshot() {
    [ -b /dev/vda ] || return 0
    say "shot $(uvtest-util fbinfo /dev/fb0)"
    dd if=/dev/fb0 of=/dev/vda bs=64k 2> /dev/null
    sync
}

# The display uvirtio.gpu= asked for, at uvtest.mode=; with uvtest.msg=
# (words joined by '+'), the one error uvirtio-boot must have logged,
# else none. uvtest.modetest= runs modetest on it.
case_display() {
    _want=$(arg uvtest.mode)
    check_display "$_want"
    _msg=$(arg uvtest.msg | tr '+' ' ')
    if [ -n "$_msg" ]; then
        one_error "$_msg"
    else
        check "uvirtio-boot logged no error" \
            test "$(dmesg --level=err | grep -c 'uvirtio-boot:')" = 0
    fi
    _n=1
    for _h in $(arg uvtest.heads | tr , ' '); do
        check "Virtual-$_n is connected" grep -qx connected "$(connector_n $_n)/status"
        _got=$(head -n 1 "$(connector_n $_n)/modes" 2> /dev/null)
        check "Virtual-$_n prefers $_h (got $_got)" test "$_got" = "$_h"
        [ "$_n" = 1 ] || check_edid "$_n" "$_h"
        _n=$((_n + 1))
    done
    [ -z "$(arg uvtest.heads)" ] ||
        check "no Virtual-$_n" test ! -e "$(connector_n $_n)"
    # Something to see on the console for the screenshot.
    printf '\n uvirtio: a display for a VM without one (%s)\n\n' "$_want" > /dev/tty1
    screenshot
    [ -n "$(arg uvtest.modetest)" ] && check_modetest "$_want"
}

case_off() {
    check "no uvirtio device" test -z "$(uvirtio_dev)"
    check "no /dev/fb0" test ! -e /dev/fb0
    check "uvirtio-boot said why" \
        sh -c 'dmesg | grep -q "uvirtio-boot: uvirtio.gpu=off: no display created"'
}

case_lifecycle() {
    check_display 1024x768
    check_lifecycle
}

# A real driver that trusts its device, on devices with random features
# and config: it must bind, and come and go without a report.
case_driver_console() {
    check "modprobe uvirtio" modprobe uvirtio
    check "modprobe virtio_console" modprobe virtio_console
    run_tap 600 drivers uvtest-stress drivers 1 3 500
}

# The boot's display changed by uvirtio-boot resize, unplug and plug, as
# a user sees it; what fbcon does is said, not judged (README).
case_resize() {
    check_display 1024x768
    check "uvirtio-boot resize 0 1280x720" uvirtio-boot resize 0 1280x720
    check "Virtual-1 prefers 1280x720 within a second" wait_for 1 mode_is 1 1280x720
    check_edid 1 1280x720
    wait_for 5 fb_is 1280 720
    say "demo fb0-after-resize $(uvtest-util fbinfo /dev/fb0 2> /dev/null)"
    check "uvirtio-boot resize 0 1600x900@192dpi 0" uvirtio-boot resize 0 1600x900@192dpi 0
    check "Virtual-1 prefers 1600x900 within a second" wait_for 1 mode_is 1 1600x900
    check_edid 1 1600x900 "21 cm x 12 cm"
    check "uvirtio-boot unplug 0 0" uvirtio-boot unplug 0 0
    check "Virtual-1 is disconnected within a second" wait_for 1 head_is 1 disconnected
    check "uvirtio-boot plug 0 0 (the profile's 1024x768)" uvirtio-boot plug 0 0
    check "Virtual-1 is connected at 1024x768 within a second" wait_for 1 mode_is 1 1024x768
    check_edid 1 1024x768 "14 cm x 10 cm"

    printf 'device 3\n' > /tmp/console.profile
    _cid=$(uvirtio-boot create /tmp/console.profile 2> /dev/null)
    for _c in "2:resize" "2:resize 0" "2:resize abc 800x600" "2:resize 0 800x" \
        "2:resize 0 800x600 x" "2:unplug 0" "2:plug 0" "2:plug 0 1 2 3" \
        "3:resize 0 63x600" "3:resize 0 800x600@47dpi" "3:plug 0 0 8193x600" \
        "1:resize 4242 800x600" "1:resize 0 800x600 1" "1:unplug 0 16" \
        "1:resize $_cid 800x600"; do
        expect_rc "${_c%%:*}" uvirtio-boot ${_c#*:}
    done
    check "the error for a console names it" \
        sh -c "uvirtio-boot resize $_cid 800x600 2>&1 | grep -q 'it is a console device, not a virtio-gpu'"
    check "the error for head 1 says there is none" \
        sh -c "uvirtio-boot resize 0 800x600 1 2>&1 | grep -q 'has no such head'"
    check "the error for 63x600 gives the bounds" \
        sh -c "uvirtio-boot resize 0 63x600 2>&1 | grep -q '63x600 is outside 64x64..8192x8192'"
    check "the display is still 1024x768" mode_is 1 1024x768
    uvirtio-boot destroy "$_cid"
}

# 1,000 resizes and 200 unplug/plug cycles of the boot's display with
# fbcon alone on it: no kernel report, slab back within 1 MiB, and the
# display as it was.
case_resize_storm() {
    check_display 1024x768
    sync && echo 3 > /proc/sys/vm/drop_caches
    _slab0=$(slab_kb)
    run_tap 600 storm uvtest-heads storm 0 1000 200
    # A hang shows its blocked tasks on the console.
    (sleep 60; echo 7 > /proc/sys/kernel/printk; echo w > /proc/sysrq-trigger) &
    _dog=$!
    if wait_for 10 mode_is 1 1024x768; then
        ok "Virtual-1 is connected at 1024x768 after the storm"
    else
        notok "Virtual-1 is connected at 1024x768 after the storm"
    fi
    kill "$_dog" 2> /dev/null
    check "fbcon is still on /dev/fb0 at 1024x768" fb_is 1024 768
    slab_grew_at_most 1024 "$_slab0"
    check "uvirtio-boot destroy 0 after the storm" uvirtio-boot destroy 0
}

# A connector of the display's card: head_dir N is Virtual-N's sysfs folder.
head_dir() { ls -d /sys/class/drm/card*-Virtual-"$1" 2> /dev/null | head -n 1; }
head_mode() { head -n 1 "$(head_dir "$1")/modes" 2> /dev/null; }
head_is() { test "$(cat "$(head_dir "$1")/status" 2> /dev/null)" = "$2"; }
# Virtual-N's first mode as a client sees it (GETCONNECTOR, a full probe):
# sysfs lists only the modes that fit fbdev's framebuffer.
client_mode() {
    timeout 20 modetest -M virtio_gpu -c 2> /dev/null | awk -v c="Virtual-$1" '
        $4 == c { on = 1; next }
        on && $1 == "#0" { print $2; exit }
        on && $3 ~ /connected/ { exit }'
}
mode_is() { test "$(client_mode "$1")" = "$2"; }
client_mm() {
    timeout 20 modetest -M virtio_gpu -c 2> /dev/null |
        awk -v c="Virtual-$1" '$4 == c { print $5; exit }'
}
edid_says() { edid-decode "$(head_dir "$1")/edid" 2> /dev/null | grep -qF "$2"; }
# Whether DRM's state has CRTC crtc-N enabled (1) or not (0).
crtc_enabled() {
    awk -v c="crtc-$1" '$1 ~ /^crtc\[/ { on = ($2 == c) }
        on && $1 ~ /^enable=/ { print substr($1, 8); exit }' "$(drm_state)"
}
crtc_off() { test "$(crtc_enabled "$1")" = 0; }
crtc_on() { test "$(crtc_enabled "$1")" = 1; }

# Heads from UV_GPU_HEAD (uvtest-heads): what it refuses, then two heads
# with their EDID, a resize, an unplug and a plug, as a user sees them.
case_heads() {
    check "rd.uvirtio=0: uvirtio-boot made no device" test -z "$(uvirtio_dev)"
    check "modprobe uvirtio" modprobe uvirtio
    check "modprobe virtio_gpu" modprobe virtio_gpu
    run_tap 300 heads uvtest-heads check
    udevadm settle --timeout=30
    check "uvtest-heads check left no device" test -z "$(uvirtio_dev)"

    _id=$(uvtest-heads create 1920x1080@144 1280x1024)
    check "a virtio-gpu with heads 1920x1080@144dpi and 1280x1024 ($_id)" \
        test -n "$_id"
    udevadm settle --timeout=30
    wait_for 10 head_is 2 connected
    check "Virtual-1 is connected" head_is 1 connected
    check "Virtual-2 is connected" head_is 2 connected
    check "Virtual-1 prefers 1920x1080 ($(head_mode 1))" test "$(head_mode 1)" = 1920x1080
    check "Virtual-2 prefers 1280x1024 ($(head_mode 2))" test "$(head_mode 2)" = 1280x1024
    for _n in 1 2; do
        check "Virtual-$_n's EDID passes edid-decode --check" \
            sh -c "edid-decode --check '$(head_dir $_n)/edid' | grep -qx 'EDID conformity: PASS'"
        check "Virtual-$_n's EDID names the monitor 'uvirtio'" \
            edid_says $_n "Display Product Name: 'uvirtio'"
    done
    check "Virtual-1 is 34 cm x 19 cm (1920x1080 at 144 dpi)" \
        edid_says 1 "Maximum image size: 34 cm x 19 cm"
    check "Virtual-2 is 34 cm x 27 cm (1280x1024 at 96 dpi)" \
        edid_says 2 "Maximum image size: 34 cm x 27 cm"
    check "the two heads have serials of their own" \
        sh -c "! cmp -s '$(head_dir 1)/edid' '$(head_dir 2)/edid'"
    check "modetest lists 1920x1080 and the EDID's smaller modes" \
        sh -c "modetest -M virtio_gpu -c | grep -q ' 1920x1080 ' &&
               modetest -M virtio_gpu -c | grep -q ' 1280x720 '"

    udevadm monitor --kernel --property --subsystem-match=drm > /tmp/uevents 2>&1 &
    _mon=$!
    sleep 1
    check "uvtest-heads set $_id 0 1280x720 (a resize)" uvtest-heads set "$_id" 0 1280x720
    check "Virtual-1 prefers 1280x720 within a second" wait_for 1 mode_is 1 1280x720
    check "DRM sent its hotplug uevent" wait_for 2 grep -q '^HOTPLUG=1' /tmp/uevents
    check "Virtual-1's EDID follows: 1280x720 is its first detailed timing" \
        edid_says 1 "DTD 1:  1280x720"
    check "uvtest-heads set $_id 1 off (an unplug)" uvtest-heads set "$_id" 1 off
    check "Virtual-2 is disconnected within a second" wait_for 1 head_is 2 disconnected
    check "Virtual-2's CRTC is no longer scanned out" wait_for 5 crtc_off 1
    check "uvtest-heads set $_id 1 1600x900 (a plug)" uvtest-heads set "$_id" 1 1600x900
    check "Virtual-2 is connected again, preferring 1600x900" \
        wait_for 2 mode_is 2 1600x900
    kill "$_mon" 2> /dev/null

    for _bad in "$_id 2 800x600" "$_id 0 63x600" "4242 0 800x600"; do
        # shellcheck disable=SC2086
        check "uvtest-heads set $_bad is refused" sh -c "! uvtest-heads set $_bad 2> /dev/null"
    done
    check "uvirtio-boot destroy $_id" uvirtio-boot destroy "$_id"
    udevadm settle --timeout=30
    check "the display went with it" test -z "$(uvirtio_dev)"
}

# The seed's sample client makes the display, without uvirtio-boot.
case_sample() {
    check "rd.uvirtio=0: uvirtio-boot made no device" test -z "$(uvirtio_dev)"
    check "modprobe uvirtio" modprobe uvirtio
    check "the seed's sample uvirtio-vga runs" uvirtio-vga
    modprobe virtio_gpu
    udevadm settle --timeout=30
    check_display 1024x768 no-edid
}

# Time in centiseconds since boot; a device's card and virtio device.
uptime_cs() { awk '{ printf "%d", $1 * 100 }' /proc/uptime; }
# uvirtio.ID's DRM card, /sys/class/drm/cardN (see card_on).
card_of() {
    for _co in /sys/class/drm/card[0-9] /sys/class/drm/card[0-9][0-9]; do
        card_on "${_co##*/}" /sys/devices/platform/uvirtio."$1" && echo "$_co" && return
    done
}
vdev_of() { _vd=$(ls -d /sys/devices/platform/uvirtio."$1"/virtio* 2> /dev/null | head -n 1); echo "${_vd##*/}"; }
# The module's line for a device removed at the unplug deadline, its
# driver still holding it (kernel/core.c). How many devices went so,
# not a destroy's time, is the proof: the debug kernel under load took
# 5.3 s for a destroy whose driver let go.
REMOVED_ANYWAY='the driver did not let go of the device in time'
removed_anyway() { dmesg | grep -c "$REMOVED_ANYWAY"; }
# destroy_let_go ID: destroys uvirtio.ID, its driver letting go in time.
destroy_let_go() {
    _n=$(removed_anyway)
    _t0=$(uptime_cs)
    check "uvirtio-boot destroy $1" uvirtio-boot destroy "$1"
    _d=$(($(uptime_cs) - _t0))
    check "the driver let go before the 5 s deadline (none removed anyway; destroy took $_d cs)" \
        test "$(removed_anyway)" = "$_n"
}
# cs_after MARK TEXT: centiseconds, by the kernel log's own clock, from
# the line MARK (written to /dev/kmsg) to the first line after it that
# has TEXT; nothing if no such line.
cs_after() {
    dmesg | awk -v m="$1" -v x="$2" '
        { t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t) }
        !seen && index($0, m) { seen = 1; t0 = t; next }
        seen && index($0, x) { printf "%d", (t - t0) * 100; exit }'
}
# card_head ID N: the status file of the Nth connector of uvirtio.ID's
# card. 6.1 numbers a connector type across DRM devices (Virtual-1 of the
# first device, Virtual-2 of the next, ...); 6.12 and later per device.
card_head() {
    _ch=$(card_of "$1")
    _ch=$(ls -d "$_ch/${_ch##*/}"-Virtual-* 2> /dev/null |
        sort -t - -k 3 -n | sed -n "${2}p")
    echo "$_ch/status"
}
head_of_is() { grep -qx "$3" "$(card_head "$1" "$2")"; }
# crtcs_on N...: whether DRM's state has each CRTC crtc-N enabled.
crtcs_on() { for _cn in "$@"; do crtc_on "$_cn" || return 1; done; }

# The trust boundary, as a user sees it: a GET_EDID reply that would have
# virtio_gpu copy past edid[] gives no EDID; a driver unbound and bound
# again finds the device as new; displays held by DRM masters are removed
# against one deadline; a killed process's display goes without waiting;
# and once the kernel is locked down, any_type lets nothing through while
# the display still comes up.
case_trust() {
    check "rd.uvirtio=0: uvirtio-boot made no device" test -z "$(uvirtio_dev)"
    check "modprobe uvirtio" modprobe uvirtio
    check "modprobe virtio_gpu" modprobe virtio_gpu

    # The same EDID base block from an expectation, its size 128, then
    # 0xffff (past edid[]; in a reply UV_DEV_EXPECT cannot tell from any
    # other, as its type is RESP_OK_NODATA).
    _id=$(uvtest-heads edid-reply 128)
    check "a virtio-gpu whose GET_EDID reply says 128 bytes ($_id)" test -n "$_id"
    udevadm settle --timeout=30
    check "its Virtual-1 is connected" wait_for 10 head_of_is "$_id" 1 connected
    _e=$(card_head "$_id" 1)
    _e=${_e%/status}/edid
    check "Virtual-1 has that EDID (128 bytes in $_e)" \
        sh -c "test \"\$(wc -c < '$_e')\" = 128"
    check "uvirtio-boot destroy $_id" uvirtio-boot destroy "$_id"
    _id=$(uvtest-heads edid-reply 0xffff)
    check "a virtio-gpu whose GET_EDID reply says 0xffff bytes ($_id)" test -n "$_id"
    udevadm settle --timeout=30
    check "its Virtual-1 is connected" wait_for 10 head_of_is "$_id" 1 connected
    check "the module sent that reply with size 0" \
        sh -c "dmesg | grep -qF 'a GET_EDID reply of 65535 bytes does not fit edid[]: sent with size 0'"
    _e=$(card_head "$_id" 1)
    _e=${_e%/status}/edid
    check "so Virtual-1 has no EDID (0 bytes in $_e)" \
        sh -c "test \"\$(wc -c < '$_e')\" = 0"
    check "uvirtio-boot destroy $_id" uvirtio-boot destroy "$_id"

    # Unbound with both scanouts on, bound again with one head: the reset
    # must forget the first driver's scanouts, or the destroy waits for
    # a scanout no driver will turn off.
    _id=$(uvtest-heads create 1024x768 800x600)
    check "a virtio-gpu with two heads ($_id)" test -n "$_id"
    udevadm settle --timeout=30
    _v=$(vdev_of "$_id")
    check "both heads are connected" wait_for 10 head_of_is "$_id" 2 connected
    check "fbcon shows on both (CRTCs 0 and 1 on)" wait_for 10 crtcs_on 0 1
    # An unbind bypasses the unplug: nothing may draw meanwhile (README,
    # Limits), fbcon's first frames included.
    echo 0 > /sys/class/graphics/fbcon/cursor_blink
    sleep 1
    check "unbind virtio_gpu from $_v" \
        sh -c "echo $_v > /sys/bus/virtio/drivers/virtio_gpu/unbind"
    check "head 1 unplugged while no driver is bound" uvtest-heads set "$_id" 1 off
    check "bind virtio_gpu to $_v again" \
        sh -c "echo $_v > /sys/bus/virtio/drivers/virtio_gpu/bind"
    udevadm settle --timeout=30
    check "after the rebind Virtual-1 is connected" wait_for 10 head_of_is "$_id" 1 connected
    check "and Virtual-2 is not" head_of_is "$_id" 2 disconnected
    sleep 1
    echo 1 > /sys/class/graphics/fbcon/cursor_blink
    destroy_let_go "$_id"

    # A config space that says a display event is pending from the
    # start: the module's own events must still reach the driver, or the
    # destroy waits for a driver never told of the unplug.
    _id=$(uvtest-heads create-events 1024x768)
    check "a virtio-gpu created with events_read's DISPLAY bit set ($_id)" test -n "$_id"
    udevadm settle --timeout=30
    check "its Virtual-1 is connected" wait_for 10 head_of_is "$_id" 1 connected
    sleep 1
    destroy_let_go "$_id"

    # Three displays held as Xorg holds one: a DRM master on each, so
    # fbdev may not switch them off. Module removal must wait once, not
    # three times 5 s. A display removed while it is on leaves virtio_gpu
    # with the buffers of any command fbcon was drawing then, reported
    # (WARNING in drm_mm_takedown) when the card's last file closes: so
    # fbcon's cursor does not blink (nothing draws; Xorg has the console
    # in graphics mode), and the holder is never killed.
    echo 0 > /sys/class/graphics/fbcon/cursor_blink
    _ids=
    for _n in 1 2 3; do
        _ids="$_ids $(uvtest-heads create 1024x768)"
    done
    udevadm settle --timeout=30
    # shellcheck disable=SC2086
    set -- $_ids
    check "three virtio-gpus ($_ids)" test $# = 3
    for _i in "$@"; do
        check "uvirtio.$_i's Virtual-1 is connected ($(card_head "$_i" 1))" \
            wait_for 10 head_of_is "$_i" 1 connected
    done
    _c1=$(card_of "$1")
    _c2=$(card_of "$2")
    _c3=$(card_of "$3")
    uvtest-util hold "/dev/dri/${_c1##*/}" "/dev/dri/${_c2##*/}" \
        "/dev/dri/${_c3##*/}" > /tmp/held 2>&1 &
    check "uvtest-util hold holds them" wait_for 5 grep -qx held /tmp/held
    _n=$(removed_anyway)
    _t0=$(uptime_cs)
    check "rmmod uvirtio with the three displays held" rmmod uvirtio
    _d=$(($(uptime_cs) - _t0))
    info "trust: rmmod took $_d cs"
    check "it waited for the held displays (at least 4 s: $_d cs)" test "$_d" -ge 400
    # Three 5 s waits took 15.3 s on 6.1 (the module before issue 16);
    # one took 5.3 s there and 10.3 s on the debug kernel.
    check "against one deadline of 5 s, not three (under 14 s: $_d cs)" test "$_d" -lt 1400
    # Also what keeps removed_anyway honest: the line it counts exists.
    check "the module logged each held display removed anyway (3 lines)" \
        test "$(removed_anyway)" = "$((_n + 3))"
    check "modprobe uvirtio again" modprobe uvirtio

    # A killed process: its display goes at once, held or not.
    uvtest-heads hold 1024x768 > /tmp/hold 2> /dev/null &
    _pid=$!
    check "uvtest-heads hold made a display" wait_for 10 test -s /tmp/hold
    _id=$(cat /tmp/hold)
    udevadm settle --timeout=30
    check "its Virtual-1 is connected" wait_for 10 head_of_is "$_id" 1 connected
    _c1=$(card_of "$_id")
    uvtest-util hold "/dev/dri/${_c1##*/}" > /tmp/held 2>&1 &
    check "uvtest-util hold holds it" wait_for 5 grep -qx held /tmp/held
    # The removal, not the exit, is timed: the dying owner unbinds the
    # driver itself, which took 7.8 s on the debug kernel under load.
    # Waiting for the driver would log its line at the 5 s deadline.
    _vd=$(vdev_of "$_id")
    _mark="uvtest: kill -9 $_pid"
    echo "$_mark" > /dev/kmsg
    _t0=$(uptime_cs)
    kill -9 "$_pid"
    wait "$_pid" 2> /dev/null
    info "trust: the killed owner exited in $(($(uptime_cs) - _t0)) cs"
    _d=$(cs_after "$_mark" "$_vd: $REMOVED_ANYWAY")
    check "kill -9 of its owner removed the held display without waiting for the driver (its line ${_d:-missing}${_d:+ cs after the kill})" \
        test "${_d:-999}" -lt 200
    check "and its device is gone" wait_for 10 test ! -e "/sys/devices/platform/uvirtio.$_id"
    echo 1 > /sys/class/graphics/fbcon/cursor_blink

    # test-vm/kmod's driver: a kick after its reset, a head out of the
    # ring (the case fails on the kernel log's warnings, KASAN's too).
    check "modprobe uvtest_drv" modprobe uvtest_drv
    run_tap 60 standin uvtest-ioctl standin
    check "the device stopped the queue for the bad head" \
        sh -c "dmesg | grep -q 'requestq: malformed request 300: queue stopped until the driver resets the device'"
    check "and completed nothing: virtio_ring saw no id out of range" \
        sh -c "! dmesg | grep -q 'out of range'"
    check "rmmod uvtest_drv" rmmod uvtest_drv

    # A height drm_cvt_mode() would divide by zero for (an oops, so
    # late in the case: a module without the check loses no other fact).
    _id=$(uvtest-heads huge-mode)
    check "a virtio-gpu whose display info says 1024x4294967293 ($_id)" test -n "$_id"
    udevadm settle --timeout=30
    check "the module sent that mode disabled" \
        wait_for 10 sh -c "dmesg | grep -qF 'a display info reply gives scanout 0 1024x4294967293, outside 64x64..8192x8192: sent disabled'"
    check "so Virtual-1 is disconnected" wait_for 10 head_of_is "$_id" 1 disconnected
    check "uvirtio-boot destroy $_id" uvirtio-boot destroy "$_id"

    # Lockdown, last: it cannot be lifted. Debian's kernels have the
    # lockdown LSM; the mainline and debug kernels test-vm builds from
    # mainline.config have no securityfs and no lockdown.
    mount -t securityfs none /sys/kernel/security 2> /dev/null
    case "$(uname -r)" in
    *-uvirtio|*-uvirtio-debug)
        if [ ! -e /sys/kernel/security/lockdown ]; then
            skip lockdown "this kernel has no lockdown LSM (test-vm/mainline.config; Debian's have)"
            return
        fi ;;
    esac
    check "the kernel can be locked down (integrity)" \
        sh -c 'echo integrity > /sys/kernel/security/lockdown'
    check "it is ([integrity])" grep -qF '[integrity]' /sys/kernel/security/lockdown
    run_tap 60 lockdown uvtest-ioctl lockdown
    check "the lockdown said so in dmesg" \
        sh -c "dmesg | grep -q 'Lockdown: uvtest-ioctl: unsafe module parameters is restricted'"
    _id=$(uvtest-heads create 1280x720)
    check "locked down, a virtio-gpu display is still created ($_id)" test -n "$_id"
    udevadm settle --timeout=30
    check "and its Virtual-1 is connected" wait_for 10 head_of_is "$_id" 1 connected
}

# The frame export (UV_GPU_EXPORT) of the boot's display: its ABI,
# fbcon's pixels, a live resize, a DRM master's framebuffers seen exactly
# (damage, pixels, modes, nothing while idle), and a reader that outlives
# its device. The cursor does not blink: pixels are compared.
case_export() {
    check_display 1024x768
    echo 0 > /sys/class/graphics/fbcon/cursor_blink
    printf 'device 3\n' > /tmp/console.profile
    _cid=$(uvirtio-boot create /tmp/console.profile 2> /dev/null)
    check "a virtio-console to refuse ($_cid)" test -n "$_cid"
    run_tap 60 abi uvtest-export abi 0 "$_cid"
    uvirtio-boot destroy "$_cid"
    echo "uvtest: a line for fbcon to show" > /dev/tty1
    run_tap 60 fbcon uvtest-export fbcon 0 /dev/fb0

    uvtest-export watch 0 0 > /tmp/watch.log 2>&1 &
    _w=$!
    check "a watcher of head 0 is attached" wait_for 5 grep -qx attached /tmp/watch.log
    # fbdev keeps its framebuffer's size and shows a smaller mode from it.
    check "uvirtio-boot resize 0 800x600" uvirtio-boot resize 0 800x600
    check "the watcher got a MODE event of 800x600" \
        wait_for 5 grep -q '^mode 800 600 ' /tmp/watch.log
    run_tap 60 fbcon-800x600 uvtest-export fbcon 0 /dev/fb0
    check "uvirtio-boot resize 0 1024x768" uvirtio-boot resize 0 1024x768
    check "the watcher got a MODE event of 1024x768 after that" \
        wait_for 5 sh -c "sed -n '/^mode 800 600 /,\$p' /tmp/watch.log | grep -q '^mode 1024 768 '"
    kill "$_w"
    info "watcher: $(tr '\n' ',' < /tmp/watch.log)"

    _card=$(card_of 0)
    run_tap 120 draw uvtest-export draw 0 "/dev/dri/${_card##*/}"

    _id=$(uvtest-heads create 800x600)
    check "a second virtio-gpu ($_id)" test -n "$_id"
    udevadm settle --timeout=30
    check "its Virtual-1 is connected" wait_for 10 head_of_is "$_id" 1 connected
    run_tap 60 gone uvtest-export gone "$_id"
}

# uvirtio-vnc on the boot's display, reached on 127.0.0.1 by a LibVNCClient
# client: the picture in three encodings, keys and pointer through uinput,
# a client's resize, a password, a client sending garbage; then the
# device's end ends both servers watching it.
case_vnc() {
    check_display 1024x768
    echo 0 > /sys/class/graphics/fbcon/cursor_blink
    check "modprobe uinput" modprobe uinput
    check "modprobe evdev (the test reads the input events)" modprobe evdev
    echo uvtest-secret > /tmp/vnc.pass
    expect_rc 2 timeout 10 uvirtio-vnc --listen 10.0.2.15
    check "without a password it names the reason" \
        sh -c "timeout 10 uvirtio-vnc --listen 10.0.2.15 2>&1 | grep -q 'without --password-file'"
    expect_rc 2 timeout 10 uvirtio-vnc --port 70000
    expect_rc 2 timeout 10 uvirtio-vnc --listen nowhere
    expect_rc 1 timeout 10 uvirtio-vnc --device 4242
    uvirtio-vnc > /tmp/vnc.log 2>&1 &
    _v=$!
    check "uvirtio-vnc listens on 127.0.0.1:5900" \
        wait_for 10 grep -q 'on 127.0.0.1 port 5900' /tmp/vnc.log
    echo "uvtest: a line for the VNC clients" > /dev/tty1
    for _e in raw zlib tight; do
        run_tap 60 "view-$_e" uvtest-vnc view 5900 "$_e" /dev/fb0
    done
    run_tap 60 input uvtest-vnc input 5900
    run_tap 60 garbage uvtest-vnc garbage 5900 /dev/fb0
    check "uvirtio-vnc still runs" kill -0 "$_v"
    run_tap 60 resize uvtest-vnc resize 5900 800x600
    check "the head prefers 800x600" wait_for 5 mode_is 1 800x600
    run_tap 60 view-800x600 uvtest-vnc view 5900 zlib /dev/fb0

    uvirtio-vnc --port 5901 --password-file /tmp/vnc.pass > /tmp/vnc2.log 2>&1 &
    _pw=$!
    check "a second uvirtio-vnc, with a password, listens on 5901" \
        wait_for 10 grep -q 'port 5901, with a password' /tmp/vnc2.log
    run_tap 60 password uvtest-vnc password 5901 uvtest-secret
    # A port taken: one clear message, exit status 1.
    timeout 10 uvirtio-vnc --port 5901 > /tmp/vnc0.log 2>&1
    _rc=$?
    check "a third uvirtio-vnc on port 5901 exits 1 (rc $_rc)" test "$_rc" = 1
    check "saying it cannot listen there" \
        grep -q 'cannot listen on 127.0.0.1 port 5901' /tmp/vnc0.log

    # A hang shows its blocked tasks, and where uvirtio's are, on the
    # console.
    (sleep 60; echo 7 > /proc/sys/kernel/printk; echo w > /proc/sysrq-trigger
     echo l > /proc/sysrq-trigger
     info "vnc.log: $(tr '\n' '|' < /tmp/vnc.log | tail -c 1500)"
     info "vnc2.log: $(tr '\n' '|' < /tmp/vnc2.log | tail -c 600)"
     for _s in /proc/[0-9]*/stat; do
         read -r _l < "$_s" 2> /dev/null || continue
         case "$_l" in
         *uvirtio*|*kworker*)
             say "# stuck? $_l"
             sed 's/^/# stack /' "${_s%stat}stack" 2> /dev/null | while IFS= read -r _k; do say "$_k"; done ;;
         esac
     done) &
    _dog=$!
    check "uvirtio-boot destroy 0" uvirtio-boot destroy 0
    check "uvirtio-vnc ends when its device is gone" wait_for 10 sh -c "! kill -0 $_v"
    wait "$_v"
    _rc=$?
    check "with exit status 0 (rc $_rc)" test "$_rc" = 0
    kill "$_dog" 2> /dev/null
    check "saying why" grep -q 'device 0 is gone' /tmp/vnc.log
    check "and so does the second one" wait_for 10 sh -c "! kill -0 $_pw"
    info "uvirtio-vnc: $(tr '\n' '|' < /tmp/vnc.log | tail -c 600)"
}

# Facts on a quiet console; the whole kernel log follows them, then the
# plan.
echo 1 > /proc/sys/kernel/printk
udevadm settle --timeout=30
_case=$(arg uvtest.case | tr - _)
if [ -n "$_case" ] && command -v "case_$_case" > /dev/null; then
    "case_$_case"
else
    notok "uvtest.case=$(arg uvtest.case) names a case of uvtest-run.sh"
fi
check_kernel
say "dmesg-begin"
dmesg > /dev/console
say "dmesg-end"
echo 7 > /proc/sys/kernel/printk
tap_end
