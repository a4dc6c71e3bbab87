# SPDX-License-Identifier: GPL-2.0
# The guest side of test-vm's TAP (POSIX sh, sourced): by the test
# initramfs (test-vm/dracut/99uvtest/uvtest-run.sh), the real system's
# checks (test-vm/os/uvtest-os.sh) and the bench (bench/dracut/99uvbench/).
#
# Every line goes to $UVTEST_CONSOLE (default /dev/console) as
# "$UVTEST_PREFIX: LINE" (default UVTEST), and the host relays every one
# of them (relay_tap in test-vm/check). Facts are TAP, numbered here:
#   ok N - WHAT | not ok N - WHAT | ok N - WHAT # SKIP WHY | # COMMENT
# and tap_end closes with the plan "1..N": a guest that stops early has
# not met its plan. Lines that test-vm/demo reads say "demo KEY VALUE".

: "${UVTEST_PREFIX:=UVTEST}"
: "${UVTEST_CONSOLE:=/dev/console}"
_tap_n=0

say() { echo "$UVTEST_PREFIX: $*" > "$UVTEST_CONSOLE"; }
ok() {
    _tap_n=$((_tap_n + 1))
    say "ok $_tap_n - $*"
}
notok() {
    _tap_n=$((_tap_n + 1))
    say "not ok $_tap_n - $*"
}
skip() { # skip WHAT WHY
    _tap_n=$((_tap_n + 1))
    say "ok $_tap_n - $1 # SKIP $2"
}
info() { say "# $*"; }
figure() { say "# figure $1 $2"; }
tap_end() { say "1..$_tap_n"; }

check() { # check WHAT COMMAND...: ok when COMMAND succeeds
    _ck=$1
    shift
    if "$@" > /dev/null 2>&1; then ok "$_ck"; else notok "$_ck"; fi
}

arg() { # the value of NAME= on the kernel command line
    for _a in $(cat /proc/cmdline); do
        case "$_a" in "$1"=*) echo "${_a#*=}" ;; esac
    done
}

wait_for() { # wait_for SECONDS COMMAND...: polls until COMMAND succeeds
    _wf=$(($1 * 2))
    shift
    until "$@" > /dev/null 2>&1; do
        [ "$_wf" -le 0 ] && return 1
        _wf=$((_wf - 1))
        sleep 0.5
    done
}

# run_tap SECONDS PREFIX COMMAND...: a TAP program bounded in time; its
# facts become ours as "PREFIX: WHAT", its comments ours too, and it must
# exit 0 having met its plan. What it says on stderr (progress) goes to
# the console at once. At the limit it gets SIGTERM (uvtest-stress still
# reports).
run_tap() {
    _t=$1
    _p=$2
    shift 2
    timeout "$_t" "$@" > /tmp/tap.log 2> "$UVTEST_CONSOLE"
    _rc=$?
    _n=0
    _plan=
    while IFS= read -r _l; do
        case "$_l" in
        "ok "*" # SKIP "*)
            _n=$((_n + 1))
            _w=${_l#ok * - }
            skip "$_p: ${_w%% \# SKIP *}" "${_l##* \# SKIP }"
            ;;
        "ok "*) _n=$((_n + 1)) && ok "$_p: ${_l#ok * - }" ;;
        "not ok "*) _n=$((_n + 1)) && notok "$_p: ${_l#not ok * - }" ;;
        "1.."*) _plan=${_l#1..} ;;
        "Bail out!"*) notok "$_p: $_l" ;;
        "#"*) say "$_l" ;;
        *) info "$_p: $_l" ;;
        esac
    done < /tmp/tap.log
    check "$_p: '$*' exits 0 within ${_t} s (rc $_rc)" test "$_rc" = 0
    check "$_p: its plan was met ($_n of ${_plan:-no plan})" test "$_n" = "$_plan"
}

# card_on CARD DEV: DRM's CARD (card0) is on uvirtio's device DEV, or on
# DEV's virtio device, where 5.10's virtio_gpu puts it
# (drm_dev_alloc(..., &vdev->dev)).
card_on() {
    _c=$(readlink -f "/sys/class/drm/$1/device" 2> /dev/null)
    [ -n "$_c" ] && [ -n "$2" ] || return 1
    case "$_c" in "$2" | "$2"/virtio[0-9] | "$2"/virtio[0-9][0-9]) return 0 ;; esac
    return 1
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

# slab_grew_at_most KB BEFORE: the allocated slab objects now (kB, page
# cache dropped first) against BEFORE (slab_kb's, taken the same way), as
# the figures slab.objects_before_kb and slab.objects_after_kb, and the
# fact that they grew by at most KB.
slab_grew_at_most() {
    sync && echo 3 > /proc/sys/vm/drop_caches
    _slab_now=$(slab_kb)
    figure slab.objects_before_kb "$2"
    figure slab.objects_after_kb "$_slab_now"
    check "allocated slab objects grew by at most $1 kB ($2 -> $_slab_now kB)" \
        test $((_slab_now - $2)) -le "$1"
}

# The kernel's state at the end of a case: the log still starts at the
# boot (it did not wrap, so no report was lost), and the kernel is not
# tainted but by this out-of-tree, unsigned module (O 4096, E 8192): a
# warning (W), an oops (D), a bad page or a KASAN report (B) taint it.
check_kernel() {
    check "the kernel log starts at the boot (no report lost to a wrap)" \
        sh -c 'dmesg | head -n 1 | grep -q "Linux version"'
    _taint=$(cat /proc/sys/kernel/tainted)
    check "the kernel is not tainted but by an out-of-tree module (tainted=$_taint)" \
        test $((_taint & ~(4096 | 8192))) = 0
}

# -- the real system's remote console (bash only: test-vm/os/uvtest-os.sh,
# bench/os/uvbench-os.sh) -----------------------------------------------------
# remote_setup: the NIC up on QEMU's user network (the host forwards a
# loopback port to the guest's 5900), and fd 3 reading ttyS1, on which the
# host (test-vm/os.sh's os_vnc_boot) says "done STEP".
remote_setup() {
    exec 3< /dev/ttyS1
    stty -F /dev/ttyS1 raw -echo
    mkdir -p /etc/systemd/network
    printf '[Match]\nName=en*\n\n[Network]\nDHCP=ipv4\n' \
        > /etc/systemd/network/50-uvtest.network
    check "systemd-networkd starts" systemctl start systemd-networkd
    check "the NIC has QEMU's address 10.0.2.15 within 30 s" \
        wait_for 30 grep -q 10.0.2.15 /proc/net/fib_trie
}
# host_step STEP...: the host runs its clients for STEP and says when done;
# host_step_start and host_step_wait split it, for a guest that measures
# while the host's clients run.
host_step_start() { info "host-step $*"; }
host_step_wait() {
    while IFS= read -r -t 300 _hl <&3; do
        [ "$_hl" = "done $*" ] && return 0
    done
    notok "the host did its step $* within 300 s"
    return 1
}
host_step() { host_step_start "$@" && host_step_wait "$@"; }
