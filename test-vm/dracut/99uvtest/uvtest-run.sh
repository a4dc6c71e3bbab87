#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test initramfs (dracut pre-mount hook, before any
# switch_root) and reports what a user would see, one line per fact:
#   UVTEST: ok - WHAT | UVTEST: not ok - WHAT | UVTEST: info KEY VALUE
# then "UVTEST: done". The case comes from uvtest.case= on the command line:
#   display WxH   the display uvirtio-boot made is up at WxH
#   off           uvirtio.gpu=off: no device
#   sample        the seed's sample client, without uvirtio-boot
#   lifecycle     the ioctl ABI, then destroy, create, rmmod and again
#   stress        uvtest-stress: fuzzer, lifecycle stress, fault injection
#   broken        uvtest.break= broke the boot; uvirtio-boot coped
#   driver-console  500 virtio_console devices with random config

say() { echo "UVTEST: $*" > /dev/console; }
ok() { say "ok - $*"; }
notok() { say "not ok - $*"; }
check() { # check WHAT COMMAND...
    _what=$1
    shift
    if "$@" > /dev/null 2>&1; then ok "$_what"; else notok "$_what"; fi
}

arg() { # value of NAME= on the kernel command line
    for _a in $(cat /proc/cmdline); do
        case "$_a" in "$1"=*) echo "${_a#*=}" ;; esac
    done
}

uvirtio_dev() { ls -d /sys/devices/platform/uvirtio.* 2> /dev/null | head -n 1; }
connector() { echo /sys/class/drm/card0-Virtual-1; }

# The display at $1 (WxH): device, driver, connector, mode, fb0, fbcon.
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
    _card=$(readlink -f /sys/class/drm/card0/device 2> /dev/null)
    check "card0 is on uvirtio ($_card)" test "$_card" = "$_dev"
    check "connector Virtual-1 is connected" \
        grep -qx connected "$(connector)/status"
    _pref=$(head -n 1 "$(connector)/modes" 2> /dev/null)
    say "info connector Virtual-1 $(cat "$(connector)/status" 2> /dev/null)"
    say "info mode $_pref"
    check "preferred mode is $_mode (got $_pref)" test "$_pref" = "$_mode"
    check "/dev/dri/card0 exists" test -c /dev/dri/card0
    _fb=$(uvtest-util fbinfo /dev/fb0 2> /dev/null)
    say "info fb0 $_fb"
    check "/dev/fb0 is ${_w}x${_h} at 32 bpp (got $_fb)" \
        test "${_fb% *}" = "$_w $_h 32"
    check "fb0 is virtio_gpu's (/proc/fb)" grep -q "^0 virtio_gpu" /proc/fb
    _con=
    for _v in /sys/class/vtconsole/vtcon*; do
        grep -q "frame buffer" "$_v/name" && grep -qx 1 "$_v/bind" && _con=$_v
    done
    check "fbcon is bound to the console (${_con##*/})" test -n "$_con"
    check "uvirtio-boot list shows a sticky gpu, driver-ok" \
        sh -c 'uvirtio-boot list | grep -q "gpu(16) .* sticky .*driver-ok"'
    check "all of it in the initramfs, before switch_root" \
        test -e /etc/initrd-release -a ! -e /sysroot/etc/os-release
    _param=$(arg uvirtio.gpu)
    if [ -n "$_param" ]; then
        check "the module got uvirtio.gpu=$_param as its parameter gpu" \
            grep -qx "$_param" /sys/module/uvirtio/parameters/gpu
    fi
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
    uvtest-ioctl > /tmp/ioctl.tap 2>&1
    check "uvtest-ioctl exits 0" test $? = 0
    while IFS= read -r _l; do
        case "$_l" in
        "ok "*) ok "ioctl: ${_l#ok * - }" ;;
        "not ok "*) notok "ioctl: ${_l#not ok * - }" ;;
        "Bail out!"*) notok "ioctl: $_l" ;;
        esac
    done < /tmp/ioctl.tap

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
        test "$(readlink -f /sys/class/drm/card1/device)" = /sys/devices/platform/uvirtio.1
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

# libdrm's modetest: set the mode with a hardware cursor, page-flip for a
# while, quit on input. Hangs show as a timeout or "select timed out".
# uvtest.modetest=split (the debug kernel) runs the flips and the cursor
# in two runs: DRM's legacy cursor path frees a CRTC state that a page
# flip's commit still reads (docs/robustness.md), which KASAN reports.
check_modetest() {
    _mode=$1
    _log=/tmp/modetest.log
    if [ "$(arg uvtest.modetest)" = split ]; then
        (sleep 6; echo) | timeout 60 modetest -M virtio_gpu \
            -s "Virtual-1:$_mode" -C > /tmp/cursor.log 2>&1
        _rc=$?
        check "modetest set $_mode with a cursor and moved it, exit 0 (rc $_rc)" \
            test "$_rc" = 0
        [ "$_rc" = 0 ] || sed 's/^/UVTEST: info modetest: /' /tmp/cursor.log |
            tail -n 20 > /dev/console
        _what="modetest set $_mode and flipped pages"
        _args=
    else
        _what="modetest set $_mode with a cursor and flipped pages"
        _args=-C
    fi
    (sleep 6; echo) | timeout 60 modetest -M virtio_gpu \
        -s "Virtual-1:$_mode" $_args -v > "$_log" 2>&1
    _rc=$?
    _freq=$(grep -c '^freq:' "$_log")
    say "info modetest $(grep '^freq:' "$_log" | tail -n 1)"
    check "$_what, exit 0 (rc $_rc)" test "$_rc" = 0
    check "modetest flipped at least 120 pages ($_freq x 60)" test "$_freq" -ge 2
    check "no flip waited 3 s (no 'select timed out')" \
        sh -c "! grep -q 'timed out' $_log"
    if [ "$_rc" != 0 ] || [ "$_freq" -lt 2 ]; then
        sed 's/^/UVTEST: info modetest: /' "$_log" | tail -n 20 > /dev/console
    fi
}

# Runs a TAP program bounded in time; its lines become ours, its figures
# info lines. What it says on stderr (progress) goes to the console at once.
# At the limit it gets SIGTERM, and uvtest-stress still reports.
run_tap() { # run_tap SECONDS PREFIX COMMAND...
    _t=$1
    _p=$2
    shift 2
    timeout "$_t" "$@" > /tmp/tap.log 2> /dev/console
    _rc=$?
    while IFS= read -r _l; do
        case "$_l" in
        "ok "*) ok "$_p: ${_l#ok * - }" ;;
        "not ok "*) notok "$_p: ${_l#not ok * - }" ;;
        "# figure "*) say "info figure ${_l#\# figure }" ;;
        "#"*) say "info $_p: ${_l#\# }" ;;
        "Bail out!"*) notok "$_p: $_l" ;;
        esac
    done < /tmp/tap.log
    check "$_p: '$*' exits 0 within ${_t} s (rc $_rc)" test "$_rc" = 0
}

# Bytes (kB) in allocated slab objects: a leak shows here, while freed
# objects in half-empty slabs (SUnreclaim) do not. Empty slabs are given
# back first. Socket buffers are left out: they hold the uevents that udev
# has yet to read, which on a loaded machine run to megabytes.
slab_kb() {
    # Devices go for good once udev has let go of them and RCU has run.
    udevadm settle --timeout=60
    sleep 3
    for _s in /sys/kernel/slab/*/shrink; do echo 1 > "$_s"; done 2> /dev/null
    awk 'NR > 2 && $1 !~ /^skbuff/ { t += $2 * $4 } END { printf "%d\n", t / 1024 }' \
        /proc/slabinfo
}

# uvtest.parts= names the parts of the stress case to run (fuzz, kfuzz,
# lifecycle, faults; all when absent), so that a long run can be split
# over guests that run at once.
has_part() {
    _parts=$(arg uvtest.parts)
    case ",${_parts:-fuzz,kfuzz,lifecycle,faults}," in *",$1,"*) return 0 ;; esac
    return 1
}

# Hostile input and load (uvtest-stress), sizes from the command line;
# then rmmod with a file open, slab memory and kmemleak.
check_stress() {
    _seed=$(arg uvtest.seed)
    _calls=$(arg uvtest.calls)
    _cycles=$(arg uvtest.cycles)
    _gpu=$(arg uvtest.gpucycles)
    _threads=$(arg uvtest.threads)
    _slabmax=$(arg uvtest.slabkb)
    _limit=$(arg uvtest.limit)
    check "modprobe uvirtio" modprobe uvirtio
    check "modprobe virtio_gpu" modprobe virtio_gpu
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
        say "info figure slab.objects_after_fuzz_kb $(slab_kb)"
    fi
    if ! has_part kfuzz; then
        : # another guest runs it
    elif [ -e /sys/kernel/debug/kcov ]; then
        _kcalls=$(arg uvtest.kcalls)
        run_tap "${_limit:-600}" kfuzz uvtest-stress kfuzz "$_seed" "${_kcalls:-20000}"
    else
        say "info kfuzz: this kernel has no KCOV (the debug kernel has)"
    fi
    if has_part lifecycle; then
        run_tap "${_limit:-600}" lifecycle uvtest-stress lifecycle "$_seed" \
            "$_cycles" "$_gpu" "$_threads"
        say "info figure slab.objects_after_lifecycle_kb $(slab_kb)"
    fi
    if ! has_part faults; then
        : # another guest runs them
    elif [ -e /proc/self/fail-nth ] && [ -d /sys/kernel/debug/failslab ]; then
        run_tap "${_limit:-600}" faults uvtest-stress faults
    else
        say "info faults: this kernel has no fault injection (the debug kernel has)"
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
    cat /proc/slabinfo | awk 'NR == FNR { if (FNR > 2) b[$1] = $2 * $4; next }
        FNR > 2 { d = ($2 * $4 - b[$1]) / 1024; if (d > 16) printf "%d %s\n", d, $1 }' \
        /tmp/slab0 - | sort -rn | head -n 8 | while read -r _kb _c; do
        say "info stress: slab cache $_c grew by $_kb kB"
    done
    say "info figure slab.objects_before_kb $_slab0"
    say "info figure slab.objects_after_kb $_slab1"
    say "info figure slab.unreclaimable_kb $(awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo)"
    if [ -n "$_slabmax" ]; then
        check "allocated slab objects grew by at most $_slabmax kB ($_slab0 -> $_slab1 kB)" \
            test $((_slab1 - _slab0)) -le "$_slabmax"
    fi
    if [ -e $_leaks ]; then
        echo scan > $_leaks
        sleep 6
        echo scan > $_leaks
        _n=$(grep -c '^unreferenced object' $_leaks)
        say "info figure kmemleak.reports $_n"
        check "kmemleak found no leak ($_n)" test "$_n" = 0
        [ "$_n" = 0 ] || head -n 40 $_leaks | sed 's/^/UVTEST: info kmemleak: /' > /dev/console
    fi
}

# uvtest.break=: uvtest-break.sh broke the system before uvirtio-boot; it
# said so once, and the boot went on to here.
check_broken() {
    _b=$1
    ok "the initramfs went on past uvirtio-boot (uvtest.break=$_b)"
    _errs=$(dmesg --level=err | grep -c 'uvirtio-boot:')
    case "$_b" in
    noko | truncated | garbage)
        case "$_b" in
        noko) _want="cannot load the uvirtio module" ;;
        truncated) _want="gpu.profile:[0-9]*: unknown keyword" ;;
        garbage) _want="gpu.profile: not a text file" ;;
        esac
        check "dmesg has one error from uvirtio-boot ($_errs)" test "$_errs" = 1
        check "it says '$_want'" sh -c "dmesg | grep -q 'uvirtio-boot: .*$_want'"
        check "no display was made" test -z "$(uvirtio_dev)" -a ! -e /dev/fb0
        ;;
    nogpu)
        check "dmesg has one error from uvirtio-boot ($_errs)" test "$_errs" = 1
        check "it says 'no driver for gpu uvirtio.0'" \
            sh -c "dmesg | grep -q 'uvirtio-boot: no driver for gpu uvirtio.0'"
        check "the device is there, without a driver or /dev/fb0" \
            test -n "$(uvirtio_dev)" -a ! -e /dev/fb0
        ;;
    rodev)
        # devtmpfs is one file system: the kernel cannot add /dev/uvirtio.
        check "/dev is read-only" sh -c '! touch /dev/uvtest-rw'
        check "dmesg has one error from uvirtio-boot ($_errs)" test "$_errs" = 1
        check "it says '/dev/uvirtio is missing (is /dev a writable devtmpfs?)'" \
            sh -c "dmesg | grep -qF '/dev/uvirtio is missing (is /dev a writable devtmpfs?)'"
        check "no display was made" test -z "$(uvirtio_dev)"
        ;;
    nokmsg)
        # Its messages went to the console; the host reads them there.
        check "/dev/kmsg could not be opened" sh -c '! echo x > /dev/kmsg'
        check_display 1024x768
        ;;
    esac
}

# The console as the user sees it, for the host to turn into a PNG.
screenshot() {
    [ -b /dev/vda ] || return 0
    say "info shot $(uvtest-util fbinfo /dev/fb0)"
    dd if=/dev/fb0 of=/dev/vda bs=64k 2> /dev/null
    sync
}

run() {
    udevadm settle --timeout=30
    _case=$(arg uvtest.case)
    case "$_case" in
    display)
        _want=$(arg uvtest.mode)
        check_display "$_want"
        # Something to see on the console for the screenshot.
        printf '\n uvirtio: a display for a VM without one (%s)\n\n' "$_want" > /dev/tty1
        screenshot
        [ -n "$(arg uvtest.modetest)" ] && check_modetest "$_want"
        ;;
    off)
        check "no uvirtio device" test -z "$(uvirtio_dev)"
        check "no /dev/fb0" test ! -e /dev/fb0
        check "uvirtio-boot said why" \
            sh -c 'dmesg | grep -q "uvirtio-boot: uvirtio.gpu=off: no display created"'
        ;;
    lifecycle)
        check_display 1024x768
        check_lifecycle
        ;;
    stress)
        check_stress
        ;;
    driver-console)
        # A real driver that trusts its device, on devices with random
        # features and config: it must come and go without a report.
        check "modprobe uvirtio" modprobe uvirtio
        check "modprobe virtio_console" modprobe virtio_console
        run_tap 600 drivers uvtest-stress drivers 1 3 500
        ;;
    broken)
        check_broken "$(arg uvtest.break)"
        ;;
    sample)
        check "rd.uvirtio=0: uvirtio-boot made no device" test -z "$(uvirtio_dev)"
        check "modprobe uvirtio" modprobe uvirtio
        check "the seed's sample uvirtio-vga runs" uvirtio-vga
        modprobe virtio_gpu
        udevadm settle --timeout=30
        check_display 1024x768
        ;;
    *)
        notok "unknown case '$_case'"
        ;;
    esac
    _msg=$(arg uvtest.msg)
    if [ -n "$_msg" ]; then
        _msg=$(echo "$_msg" | tr '+' ' ')
        check "dmesg has '$_msg' once" \
            sh -c "test \$(dmesg | grep -c -F '$_msg') = 1"
    fi
}

# Results on a quiet console; the whole kernel log follows them.
echo 1 > /proc/sys/kernel/printk
run
say "info dmesg-begin"
dmesg > /dev/console
say "info dmesg-end"
echo 7 > /proc/sys/kernel/printk
say "done"
