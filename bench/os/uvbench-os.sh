#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench's remote-console figures, in the real Debian system
# (test-vm/os.sh's image), run instead of its checks by uvtest.service.
# The host (bench/bench) measures each VNC server with its client
# (bench/vncbench) when told to on the serial port; the guest measures
# the server's CPU time meanwhile and prints it as
#   UVBENCH: SERVER SIZE SCREEN KEY VALUE
# Setup steps are TAP lines (UVTEST: ...), as the test system's.
#
# Kernel command line: uvbench.servers=S1,S2 (uvirtio-vnc, x11vnc: served
# from this guest on port 5900, one at a time; qemu-vnc: QEMU's own, on
# the host, nothing to start here), uvbench.size=WxH (the display's
# size), uvtest.vnc=PASSWORD (os_vnc_boot's).
set -u
UVTEST_CONSOLE=/dev/ttyS0
. /usr/lib/uvtest/uvtest-lib.sh

SERVERS=$(arg uvbench.servers)
SIZE=$(arg uvbench.size)
PASS=$(arg uvtest.vnc)
# Seconds a client stays connected to a still screen; the CPU time is
# taken over the last 10 of them.
STILL=16

figure_line() { echo "UVBENCH: $*" > /dev/ttyS0; }

# A client on port 5900 is connected (ESTABLISHED, /proc/net/tcp).
client_on() { awk '$2 ~ /:170C$/ && $4 == "01" { f = 1 } END { exit !f }' /proc/net/tcp; }
listening() { awk '$2 ~ /:170C$/ && $4 == "0A" { f = 1 } END { exit !f }' /proc/net/tcp; }
not_listening() { ! listening; }
cpu_ms() { # user and system time of PID, ms
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) * 1000 / hz }' \
        "/proc/$1/stat"
}

# start_server SERVER SCREEN: sets SPID (empty for qemu-vnc).
start_server() {
    SPID=
    case "$1:$2" in
    uvirtio-vnc:*)
        uvirtio-vnc --listen 0.0.0.0 --password-file /etc/uvirtio-vnc.pass \
            > "/run/uvbench-$1-$2.log" 2>&1 &
        SPID=$! ;;
    # x11vnc serves a framebuffer console by reading /dev/fb0 (-rawfb),
    # and an X display through Xlib: both polled.
    x11vnc:*)
        # shellcheck disable=SC2046
        x11vnc $([ "$2" = fbcon ] && echo -rawfb console || echo -display :0) \
            -rfbport 5900 -rfbauth /etc/x11vnc.pass -forever -shared -quiet \
            > "/run/uvbench-$1-$2.log" 2>&1 &
        SPID=$! ;;
    qemu-vnc:*) return 0 ;;
    esac
    check "$1 on $2 listens on port 5900" wait_for 20 listening
}

stop_server() {
    [ -n "$SPID" ] || return 0
    kill -TERM "$SPID" 2> /dev/null
    wait_for 10 sh -c "! kill -0 $SPID" || kill -KILL "$SPID" 2> /dev/null
    wait "$SPID" 2> /dev/null
    SPID=
    wait_for 10 not_listening
}

# still SERVER SCREEN: the host's client takes the bytes of STILL seconds
# of this screen; the server's CPU time over 10 of them, here.
still() {
    local t0 t1
    host_step_start vncbench "$1" "$SIZE" "$2" bytes "$STILL"
    if [ -n "$SPID" ] && wait_for 30 client_on; then
        sleep 3
        t0=$(cpu_ms "$SPID")
        sleep 10
        t1=$(cpu_ms "$SPID")
        if client_on && [ -n "$t0" ] && [ -n "$t1" ]; then
            figure_line "$1 $SIZE $2 cpu_ms $((t1 - t0))"
        else
            figure_line "$1 $SIZE $2 cpu_ms none the-client-left"
        fi
    fi
    host_step_wait vncbench "$1" "$SIZE" "$2" bytes "$STILL"
}

# The servers' passwords: uvirtio-vnc's file holds it as text, x11vnc's
# is its own format.
printf '%s\n' "$PASS" > /etc/uvirtio-vnc.pass
chmod 600 /etc/uvirtio-vnc.pass
x11vnc -storepasswd "$PASS" /etc/x11vnc.pass > /dev/null 2>&1
remote_setup
check "tty1 shows the login prompt" wait_for 30 grep -aq 'login:' /dev/vcs1
info "size $(cat /sys/class/graphics/fb0/virtual_size), servers $SERVERS"

# fbcon: the login prompt, its cursor blinking (as it does by default):
# /dev/fb0 changes within a second, before and while each server runs.
fb_changes() {
    local a b i
    a=$(md5sum < /dev/fb0)
    for i in 1 2 3 4 5 6 7 8 9 10; do
        sleep 0.1
        b=$(md5sum < /dev/fb0)
        [ "$a" != "$b" ] && return 0
    done
    return 1
}
for s in ${SERVERS//,/ }; do
    check "fbcon's cursor blinks (/dev/fb0 changes within a second)" fb_changes
    start_server "$s" fbcon
    still "$s" fbcon
    check "fbcon's cursor blinked while $s ran" fb_changes
    stop_server
done

# Xorg: uvbench-x's window over the whole screen.
export DISPLAY=:0
rm -f /tmp/.X11-unix/X0 /tmp/.X0-lock
Xorg :0 vt2 -noreset -nolisten tcp -logfile /run/Xorg.0.log > /dev/null 2>&1 &
xpid=$!
check "Xorg started and answers" wait_for 60 timeout 10 xdpyinfo
check "xrandr: the screen is $SIZE" sh -c "timeout 20 xrandr | grep -q 'current ${SIZE/x/ x }'"
xsetroot -solid '#204080'
client() { # client MODE: uvbench-x MODE, the only one running
    [ -n "${upid-}" ] && kill "$upid" 2> /dev/null && wait "$upid" 2> /dev/null
    uvbench-x "$1" > /run/uvbench-x.log 2>&1 &
    upid=$!
    check "uvbench-x $1 is ready" wait_for 20 grep -q ready /run/uvbench-x.log
}
for s in ${SERVERS//,/ }; do
    client key
    start_server "$s" xorg
    still "$s" xorg
    host_step vncbench "$s" "$SIZE" xorg latency 30
    client flip
    host_step vncbench "$s" "$SIZE" xorg rate 10
    stop_server
done
kill "$upid" 2> /dev/null
kill -TERM "$xpid"
wait_for 20 sh -c "! kill -0 $xpid" || kill -KILL "$xpid" 2> /dev/null

dmesg > /run/dmesg.txt
check "dmesg has no kernel report (a warning, bug, oops or call trace)" \
    sh -c "! grep -E 'WARNING:|BUG:|Oops|Call Trace' /run/dmesg.txt"
tap_end
systemctl poweroff --no-block
