#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs in the booted test system as uvtest.service, after multi-user.target,
# and reports what a user sees as TAP on the serial port
# (test-vm/guest/uvtest-lib.sh). Files for the host (screenshots, logs)
# are written as a tar archive onto the second disk, /dev/vdb. Every step
# is bounded.
#
# Kernel command line: uvtest.mode=WxH (the mode to expect),
# uvtest.x=1 (Xorg), uvtest.weston=1 (Weston), uvtest.conf=WxH (what
# /etc/uvirtio.conf says), uvtest.resize=WxH (uvirtio-boot resize while
# each server runs), uvtest.head2=WxH (the second head that uvirtio.gpu=
# gives: unplugged before Xorg, plugged while it runs, shown by Weston),
# uvtest.storm=1 (1,000 resizes and 200 unplug/plug cycles of head 0
# while Weston runs), uvtest.vnc=PASSWORD (uvirtio-vnc enabled as README
# says, with that password, on QEMU's user network: the host's real VNC
# clients look and type at each step, which the host is told of on the
# serial port and says it has done on the second one, ttyS1),
# uvtest.purged=1 (uvirtio's packages installed, then purged: no display),
# uvtest.sb=1 (booted with Secure Boot on, DKMS's key enrolled),
# uvtest.refused=1 (and the initramfs's uvirtio.ko signed with a key no
# one enrolled: refused, the boot goes on without a display).
set -u
OUT=/run/uvtest/out
rm -rf /run/uvtest && mkdir -p "$OUT"

UVTEST_CONSOLE=/dev/ttyS0
. /usr/lib/uvtest/uvtest-lib.sh

MODE=$(arg uvtest.mode)
MODE=${MODE:-1024x768}
W=${MODE%x*}
H=${MODE#*x}
# The size at 96 dpi as xrandr shows it: the EDID's detailed timing's mm.
MM="$(((W * 254 + 480) / 960))mm x $(((H * 254 + 480) / 960))mm"
RESIZE=$(arg uvtest.resize)
HEAD2=$(arg uvtest.head2)
CONN=/sys/class/drm/card0-Virtual-1
# DRM's atomic state (cursor plane, CRTC modes) is read from debugfs.
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
VNC_PASS=$(arg uvtest.vnc)

# finish: the logs, the kernel's state and the results for the host (the
# second disk), then power off.
finish() {
    dmesg > "$OUT/dmesg.txt"
    journalctl -b -o short-monotonic --no-pager > "$OUT/journal.txt" 2>&1
    check_kernel
    tar -cf /dev/vdb -C "$OUT" . 2> /dev/null
    check "the results reached the second disk" test $? = 0
    sync
    tap_end
    systemctl poweroff --no-block
    exit 0
}

# -- the system --------------------------------------------------------------
# (is-system-running would wait for this very service: not used.)
check "the boot reached multi-user.target" systemctl is-active multi-user.target
failed=$(systemctl list-units --state=failed --no-legend --plain 2> /dev/null |
    awk '{ print $1 }' | tr '\n' ' ')
check "no unit failed (${failed:-none})" test -z "$failed"
check "the root file system is the virtio-blk disk /dev/vda" \
    test "$(findmnt -n -o SOURCE /)" = /dev/vda

# -- after apt-get purge: a system without a display, and nothing of it -------
if [ "$(arg uvtest.purged)" = 1 ]; then
    check "no uvirtio device (/sys/devices/platform/uvirtio.*)" \
        sh -c '! ls -d /sys/devices/platform/uvirtio.* 2> /dev/null'
    check "no DRM device (/dev/dri/card0)" test ! -e /dev/dri/card0
    check "no framebuffer (/dev/fb0)" test ! -e /dev/fb0
    check "the uvirtio module is not loaded" test ! -e /sys/module/uvirtio
    check "modinfo finds no uvirtio module for $(uname -r)" sh -c '! modinfo uvirtio'
    check "uvirtio-boot is not installed" sh -c '! command -v uvirtio-boot'
    check "the initramfs ran no uvirtio-boot (dmesg)" sh -c '! dmesg | grep -q uvirtio'
    finish
fi

# -- Secure Boot: the firmware's word, the kernel's lockdown, the MOK ---------
if [ "$(arg uvtest.sb)" = 1 ]; then
    info "mokutil --sb-state: $(mokutil --sb-state 2>&1 | tr '\n' ' ')"
    info "lockdown: $(cat /sys/kernel/security/lockdown 2>&1)"
    check "mokutil --sb-state says SecureBoot enabled" \
        sh -c 'mokutil --sb-state 2>&1 | grep -qx "SecureBoot enabled"'
    check "the kernel is locked down (/sys/kernel/security/lockdown)" \
        grep -Eq '\[(integrity|confidentiality)\]' /sys/kernel/security/lockdown
    check "DKMS's key is enrolled (mokutil --test-key /var/lib/dkms/mok.pub)" \
        sh -c 'mokutil --test-key /var/lib/dkms/mok.pub 2>&1 | grep -q "already enrolled"'
fi
if [ "$(arg uvtest.refused)" = 1 ]; then
    dmesg > "$OUT/dmesg.txt"
    check "the kernel unpacked the whole initramfs (no 'Initramfs unpacking failed')" \
        sh -c "! grep -q 'Initramfs unpacking failed' '$OUT/dmesg.txt'"
    check "the uvirtio module is not loaded" test ! -e /sys/module/uvirtio
    check "no DRM device (/dev/dri/card0)" test ! -e /dev/dri/card0
    # Debian's kernel enforces module signatures under Secure Boot.
    check "the kernel refused it (dmesg: Loading of module with unavailable key is rejected)" \
        grep -q 'Loading of module with unavailable key is rejected' "$OUT/dmesg.txt"
    said=$(grep -c 'uvirtio-boot: cannot load the uvirtio module' "$OUT/dmesg.txt")
    check "the hook said so in one line ($said)" test "$said" = 1
    info "$(grep -m1 'uvirtio-boot: ' "$OUT/dmesg.txt")"
    check "naming Secure Boot and mokutil --import" \
        grep -q 'uvirtio-boot: cannot load the uvirtio module: the kernel refused its signature: under Secure Boot.*mokutil --import' \
        "$OUT/dmesg.txt"
    # DKMS's module without its signature (the trailer the kernel's sign-file
    # appends: the signature, 12 bytes of its length, the magic string).
    ko=/lib/modules/$(uname -r)/updates/dkms/uvirtio.ko
    size=$(stat -c %s "$ko")
    siglen=$(od -An -tu1 -j $((size - 32)) -N 4 "$ko" |
        awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
    head -c $((size - 40 - siglen)) "$ko" > /run/uvtest/uvirtio-unsigned.ko
    check "a copy of uvirtio.ko without its signature has no signer (modinfo)" \
        sh -c 'test -z "$(modinfo -F signer /run/uvtest/uvirtio-unsigned.ko)"'
    insmod /run/uvtest/uvirtio-unsigned.ko > /run/uvtest/insmod.txt 2>&1
    info "insmod: $(cat /run/uvtest/insmod.txt)"
    check "the kernel refuses it too: insmod says Key was rejected by service" \
        grep -q "Key was rejected by service" /run/uvtest/insmod.txt
    check "and its log says Loading of unsigned module is rejected" \
        sh -c 'dmesg | grep -q "Loading of unsigned module is rejected"'
    check "and it is still not loaded" test ! -e /sys/module/uvirtio
    finish
fi

# -- the display, made in the initramfs --------------------------------------
dev=$(ls -d /sys/devices/platform/uvirtio.* 2> /dev/null | head -n 1)
check "a uvirtio device exists (${dev:-none})" test -n "$dev"
vdev=$(ls -d "$dev"/virtio* 2> /dev/null | head -n 1)
drv=$(readlink "$vdev/driver" 2> /dev/null)
check "virtio_gpu is bound to it (${drv##*/})" test "${drv##*/}" = virtio_gpu
check "card0 is on uvirtio" card_on card0 "$dev"
check "connector Virtual-1 is connected" grep -qx connected "$CONN/status"
pref=$(head -n 1 "$CONN/modes" 2> /dev/null)
check "its preferred mode is $MODE (got $pref)" test "$pref" = "$MODE"
fbsize=$(cat /sys/class/graphics/fb0/virtual_size 2> /dev/null)
check "/dev/fb0 is ${W}x${H} (virtual_size $fbsize)" test "$fbsize" = "$W,$H"
check "/dev/fb0 is 32 bpp" grep -qx 32 /sys/class/graphics/fb0/bits_per_pixel
check "fb0 is virtio_gpu's (/proc/fb)" grep -q "^0 virtio_gpu" /proc/fb
con=
for v in /sys/class/vtconsole/vtcon*; do
    grep -q "frame buffer" "$v/name" && grep -qx 1 "$v/bind" && con=$v
done
check "fbcon is bound to the console (${con##*/})" test -n "$con"
if [ -n "$HEAD2" ]; then
    check "connector Virtual-2 is connected" \
        grep -qx connected /sys/class/drm/card0-Virtual-2/status
    check "its preferred mode is $HEAD2" \
        test "$(head -n 1 /sys/class/drm/card0-Virtual-2/modes)" = "$HEAD2"
fi
uvirtio-boot list > "$OUT/list.txt" 2>&1
while IFS= read -r l; do info "list $l"; done < "$OUT/list.txt"
if [ "$(arg uvtest.sb)" = 1 ]; then
    check "the uvirtio module is loaded, signed by DKMS's key (modinfo)" \
        sh -c 'test -e /sys/module/uvirtio &&
            test "$(modinfo -F signer uvirtio)" = "DKMS module signing key"'
fi
check "uvirtio-boot list shows one sticky gpu, driver-ok" \
    test "$(grep -c 'gpu(16) .* sticky .*driver-ok' "$OUT/list.txt")" = 1

# The tool ran once, in the initramfs: its message and virtio_gpu's are
# older than the switch to the real root (systemd's userspace timestamp).
dmesg > "$OUT/dmesg.txt"
usec=$(systemctl show -p UserspaceTimestampMonotonic --value)
switch=$(awk -v u="$usec" 'BEGIN { printf "%.6f", u / 1000000 }')
created=$(grep -c 'uvirtio-boot: created virtio-gpu' "$OUT/dmesg.txt")
check "uvirtio-boot created the display once ($created times)" test "$created" = 1
stamp() { # the first dmesg timestamp of a line matching $1
    grep -m1 "$1" "$OUT/dmesg.txt" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'
}
t_tool=$(stamp 'uvirtio-boot: created virtio-gpu')
t_drm=$(stamp 'Initialized virtio_gpu')
info "times tool=$t_tool drm=$t_drm switch_root=$switch"
before() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 < b + 0) }'; }
check "the display was created in the initramfs (${t_tool}s, before switch_root at ${switch}s)" \
    before "$t_tool" "$switch"
check "virtio_gpu initialized in the initramfs (${t_drm}s)" before "$t_drm" "$switch"
check "the initramfs's uvirtio-boot logged no error" \
    sh -c "! grep -q 'uvirtio-boot: .*\(cannot\|refused\|not \|missing\|outside\)' $OUT/dmesg.txt"

# The module came from DKMS, for this kernel.
kver=$(uname -r)
dkms status > "$OUT/dkms.txt" 2> /dev/null
while IFS= read -r l; do info "dkms $l"; done < "$OUT/dkms.txt"
# (DKMS 3 says "uvirtio/VERSION, KVER, ...", DKMS 2.8 "uvirtio, VERSION, KVER, ...".)
check "dkms status: uvirtio is installed for $kver" \
    grep -q "^uvirtio[/,].*, $kver, .*: installed" "$OUT/dkms.txt"
modpath=$(modinfo -n uvirtio 2> /dev/null)
check "uvirtio.ko is DKMS's ($modpath)" \
    sh -c "case '$modpath' in /lib/modules/$kver/updates/dkms/uvirtio.ko*) ;; *) exit 1 ;; esac"
check "the loaded module is that file (srcversion)" test \
    "$(cat /sys/module/uvirtio/srcversion 2> /dev/null)" = \
    "$(modinfo -F srcversion uvirtio 2> /dev/null)"
conf=$(arg uvtest.conf)
if [ -n "$conf" ]; then
    check "/etc/uvirtio.conf says uvirtio.gpu=$conf" \
        grep -qx "uvirtio.gpu=$conf" /etc/uvirtio.conf
fi

# -- fbcon: the login prompt on tty1 -----------------------------------------
check "getty@tty1 is running" wait_for 30 systemctl is-active getty@tty1.service
check "tty1 is the console in front" grep -qx tty1 /sys/class/tty/tty0/active
check "tty1 shows the login prompt (/dev/vcs1)" \
    wait_for 30 grep -aq 'uvtest login:' /dev/vcs1
shot_fb() { # shot_fb NAME: /dev/fb0 as raw XRGB, for the host to convert
    echo "$(cat /sys/class/graphics/fb0/virtual_size | tr , ' ') 32 $(cat /sys/class/graphics/fb0/stride)" \
        > "$OUT/$1.geometry"
    head -c $(($(cat /sys/class/graphics/fb0/stride) * H)) /dev/fb0 > "$OUT/$1.raw"
    # tty1's rows, columns and cursor, to find the prompt's pixels.
    od -An -tu1 -N4 /dev/vcsa1 > "$OUT/$1.cursor"
}
shot_fb console

# -- uvirtio-vnc, with real clients on the host ------------------------------
# (host_step: the host, test-vm/os.sh, runs its clients for a step.)
vnc_setup() {
    # Still pictures: the clients' and the guest's own are compared.
    echo 0 > /sys/class/graphics/fbcon/cursor_blink
    check "uvirtio-vnc --listen 0.0.0.0 without --password-file exits 2, saying why" \
        sh -c 'timeout 10 uvirtio-vnc --listen 0.0.0.0 2> /tmp/vnc.err
               test $? = 2 && grep -q "without --password-file" /tmp/vnc.err'
    remote_setup
    # What README says: a password, another address, then enable it.
    printf '%s\n' "$VNC_PASS" > /etc/uvirtio-vnc.pass
    chmod 600 /etc/uvirtio-vnc.pass
    echo 'UVIRTIO_VNC_OPTS="--listen 0.0.0.0 --password-file /etc/uvirtio-vnc.pass"' \
        > /etc/default/uvirtio-vnc
    check "systemctl enable --now uvirtio-vnc" systemctl enable --now uvirtio-vnc
    check "uvirtio-vnc listens on 0.0.0.0 port 5900 with a password" \
        wait_for 10 sh -c "journalctl -u uvirtio-vnc | grep -q 'on 0.0.0.0 port 5900, with a password'"
    # Its uinput devices, for Xorg and Weston to find.
    check "uvirtio-vnc's keyboard and pointer are input devices" \
        wait_for 10 sh -c "grep -c 'uvirtio-vnc' /proc/bus/input/devices | grep -qx 2"
    shot_fb console-vnc
    host_step console || return
    # The host logged in on tty1 through noVNC and typed a command.
    check "noVNC's keys logged in on tty1 and ran 'echo uvtest-\$((6*7))-typed'" \
        wait_for 10 grep -aq 'uvtest-42-typed' /dev/vcs1
    check "root is logged in on tty1" sh -c "who | grep -q '^root *tty1'"
    shot_fb typed
}
# The mode head 0's CRTC shows (DRM's state in debugfs): fb0 keeps the
# size it was made with, fbcon sets smaller modes on it.
crtc0_is() { # crtc0_is WxH
    test "$(awk '/^crtc\[/ { c = ($2 == "crtc-0") }
        c && $1 == "mode:" { print $5 "x" $9; exit }' \
        /sys/kernel/debug/dri/0/state)" = "$1"
}
# After the display servers: a client's SetDesktopSize resizes the head.
vnc_resize() {
    # Weston's part may have left head 0 at $RESIZE: fbcon at $MODE first.
    uvirtio-boot resize 0 "$MODE"
    check "fbcon's mode is $MODE before the client's resize" wait_for 10 crtc0_is "$MODE"
    host_step resize || return
    check "the client's SetDesktopSize made Virtual-1's preferred mode 800x600" \
        test "$(head -n 1 $CONN/modes)" = 800x600
    check "and fbcon's mode is 800x600 within 10 s" wait_for 10 crtc0_is 800x600
    check "uvirtio-boot resize 0 $MODE (back)" uvirtio-boot resize 0 "$MODE"
    check "fbcon's mode is ${MODE} again within 10 s" wait_for 10 crtc0_is "$MODE"
    check "uvirtio-vnc still runs, never restarted" sh -c \
        "systemctl is-active -q uvirtio-vnc &&
         test \"\$(systemctl show -p NRestarts --value uvirtio-vnc)\" = 0"
    journalctl -u uvirtio-vnc --no-pager > "$OUT/uvirtio-vnc.txt" 2>&1
    check "uvirtio-vnc logged the client's 800x600" \
        grep -q 'a client asked for 800x600' "$OUT/uvirtio-vnc.txt"
    check "uvirtio-vnc's log has no warning (libgcrypt's: not initialized)" \
        sh -c "! grep -qi warning $OUT/uvirtio-vnc.txt"
}
[ -n "$VNC_PASS" ] && vnc_setup

# stop_server NAME PID: SIGTERM, then a clean exit within 20 s.
stop_server() {
    local rc
    kill -TERM "$2"
    if wait_for 20 sh -c "! kill -0 $2"; then
        wait "$2"
        rc=$?
        check "$1 exits on SIGTERM with status 0 (got $rc)" test $rc = 0
    else
        notok "$1 exits on SIGTERM within 20 s"
        kill -KILL "$2" 2> /dev/null
    fi
}

# -- Xorg ----------------------------------------------------------------------
# cursor_at X Y STATE: in DRM's state (debugfs), the cursor plane has a
# framebuffer, its hotspot at X,Y (virtio_gpu: plane-0 is the primary,
# plane-1 the cursor).
cursor_at() {
    awk -v px="$1" -v py="$2" '/^plane\[/ { c = ($2 == "plane-1") }
        c && /fb=[1-9]/ { f = 1 }
        c && /crtc-pos=/ { split($0, a, "+"); x = a[2]; y = a[3] }
        END { exit !(f && x > px - 64 && x <= px && y > py - 64 && y <= py) }' "$3"
}
# The host's clients see Xorg's picture; noVNC's pointer moves Xorg's.
xorg_vnc() {
    sleep 1
    timeout 30 xwd -root -silent -out "$OUT/xorg-vnc.xwd"
    host_step xorg || return
    check "noVNC's pointer move reached Xorg: the pointer is at 500,300" \
        sh -c "timeout 20 xdotool getmouselocation | grep -q '^x:500 y:300 '"
    sleep 1
    cat /sys/kernel/debug/dri/0/state > "$OUT/drm-state-vnc.txt" 2> /dev/null
    check "the cursor plane shows the cursor at 500,300" \
        cursor_at 500 300 "$OUT/drm-state-vnc.txt"
}
# uvirtio-boot resize while Xorg runs: RandR tells the clients, xrandr
# lists the new preferred mode (+) and --auto applies it.
xorg_resize() {
    timeout 60 xev -root -event randr > "$OUT/xev.txt" 2>&1 &
    local xev=$!
    sleep 1
    check "uvirtio-boot resize 0 $RESIZE (Xorg running)" uvirtio-boot resize 0 "$RESIZE"
    check "xrandr lists $RESIZE as Virtual-1's preferred mode within 5 s" \
        wait_for 5 sh -c "timeout 20 xrandr | grep -Eq '^ +$RESIZE .*\+'"
    check "Xorg sent the clients a RandR notify" \
        wait_for 5 grep -q 'RRNotify\|RRScreenChangeNotify' "$OUT/xev.txt"
    check "xrandr --output Virtual-1 --auto" timeout 20 xrandr --output Virtual-1 --auto
    check "xrandr: $RESIZE is the current mode (*)" \
        sh -c "timeout 20 xrandr | grep -Eq '^ +$RESIZE .*\*'"
    kill "$xev" 2> /dev/null
    # Back to $MODE the same way: the monitor first (the EDID of a smaller
    # mode does not list it), then Xorg.
    check "uvirtio-boot resize 0 $MODE (back)" uvirtio-boot resize 0 "$MODE"
    check "xrandr lists $MODE as preferred again within 5 s" \
        wait_for 5 sh -c "timeout 20 xrandr | grep -Eq '^ +$MODE .*\+'"
    check "xrandr --output Virtual-1 --auto: $MODE is the current mode again" \
        sh -c "timeout 20 xrandr --output Virtual-1 --auto &&
               timeout 20 xrandr | grep -Eq '^ +$MODE .*\*'"
}
# Head 1 plugged while Xorg runs: xrandr lists Virtual-2 connected, its
# mode preferred (Xorg leaves it off until a client turns it on).
virtual2_preferred() { # xrandr lists Virtual-2 connected, $HEAD2 with +
    timeout 20 xrandr | awk -v m="$HEAD2" '
        /^Virtual-2 connected/ { on = 1; next } /^[^ ]/ { on = 0 }
        on && $1 == m && /\+/ { f = 1 } END { exit !f }'
}
xorg_plug() {
    check "uvirtio-boot plug 0 1 $HEAD2 (Xorg running)" uvirtio-boot plug 0 1 "$HEAD2"
    check "xrandr lists Virtual-2 connected, $HEAD2 preferred, within 5 s" \
        wait_for 5 virtual2_preferred
    check "xrandr: Virtual-1 is still connected at ${MODE}" \
        sh -c "timeout 20 xrandr | grep -q '^Virtual-1 connected .*${MODE}+0+0'"
}
run_xorg() {
    local xpid
    export DISPLAY=:0
    # Xorg starts on head 0 alone; head 1 comes while it runs.
    if [ -n "$HEAD2" ]; then
        check "uvirtio-boot unplug 0 1 (before Xorg)" uvirtio-boot unplug 0 1
        check "Virtual-2 is disconnected" wait_for 5 \
            grep -qx disconnected /sys/class/drm/card0-Virtual-2/status
    fi
    rm -f /tmp/.X11-unix/X0 /tmp/.X0-lock
    Xorg :0 vt2 -noreset -nolisten tcp -logfile "$OUT/Xorg.0.log" \
        > "$OUT/Xorg.out" 2>&1 &
    xpid=$!
    if ! wait_for 60 timeout 10 xdpyinfo; then
        notok "Xorg started and answers (see Xorg.0.log)"
        kill -KILL $xpid 2> /dev/null
        return
    fi
    ok "Xorg started and answers"
    check "Xorg uses the modesetting driver on /dev/dri/card0" \
        grep -q 'modeset(0): using drv /dev/dri/card0' "$OUT/Xorg.0.log"
    # (It tries the fbdev and vesa drivers too, which this system lacks.
    # Xorg 1.20, Debian 11's, logs as an error that glamor was not tried
    # on llvmpipe, Mesa's software GL, and draws without it: that error
    # is let pass only after that reason.)
    local known='Failed to load module "\(fbdev\|vesa\)"' also=
    if grep -q 'modeset(0): Refusing to try glamor on llvmpipe' "$OUT/Xorg.0.log"; then
        known="$known\\|modeset(0): glamor initialization failed\$"
        also=" and glamor's refusal of llvmpipe"
    fi
    check "Xorg logged no error ((EE)) but the absent fallback drivers$also" \
        sh -c "! grep '^\[.*\] (EE)' $OUT/Xorg.0.log | grep -v '$known'"
    timeout 20 xrandr > "$OUT/xrandr.txt" 2>&1
    while IFS= read -r l; do info "xrandr $l"; done < <(head -n 4 "$OUT/xrandr.txt")
    check "xrandr: Virtual-1 is connected at ${MODE}" \
        grep -q "^Virtual-1 connected .*${MODE}+0+0" "$OUT/xrandr.txt"
    check "xrandr: ${MODE} is the current mode (*)" \
        grep -Eq "^ +${MODE} .*\*" "$OUT/xrandr.txt"
    # The monitor as the EDID describes it.
    check "Xorg read the monitor's name from its EDID (uvirtio)" \
        grep -q 'Monitor name: uvirtio' "$OUT/Xorg.0.log"
    check "xrandr: Virtual-1 is $MM (96 dpi)" \
        grep -q "^Virtual-1 connected .* $MM\$" "$OUT/xrandr.txt"
    [ -n "$RESIZE" ] && xorg_resize
    [ -n "$HEAD2" ] && xorg_plug
    # A client draws: the root window's colour, and a window.
    check "xsetroot paints the root window #204080" timeout 20 xsetroot -solid '#204080'
    xlogo -geometry 200x150+40+60 > /dev/null 2>&1 &
    check "xlogo maps a window" timeout 20 xdotool search --sync --name xlogo
    # The cursor moves, drawn by the cursor plane (a hardware cursor). The
    # server shows no cursor until a client defines one, as desktops do.
    check "xsetroot defines the root cursor (left_ptr)" \
        timeout 20 xsetroot -cursor_name left_ptr
    [ -n "$VNC_PASS" ] && xorg_vnc
    check "xdotool moves the pointer" timeout 20 xdotool mousemove 300 200
    check "the pointer is at 300,200" \
        sh -c "timeout 20 xdotool getmouselocation | grep -q '^x:300 y:200 '"
    sleep 1
    cat /sys/kernel/debug/dri/0/state > "$OUT/drm-state-x.txt" 2> /dev/null
    # virtio_gpu's planes: plane-0 is the primary, plane-1 the cursor.
    check "the cursor plane shows the cursor at the pointer (hardware cursor)" \
        cursor_at 300 200 "$OUT/drm-state-x.txt"
    sleep 1
    check "xwd takes a screenshot" timeout 30 xwd -root -silent -out "$OUT/xorg.xwd"
    stop_server Xorg $xpid
    check "Xorg's log ends cleanly" grep -q 'Server terminated successfully' "$OUT/Xorg.0.log"
    unset DISPLAY
}

# -- Weston --------------------------------------------------------------------
# weston_current OUTPUT MODE: Weston's log lists MODE as OUTPUT's current
# mode, in that output's own list.
weston_current() {
    awk -v o="Output $1 (crtc" -v m="$2@" '
        index($0, o) { on = 1; next } on && !/^ / { on = 0 }
        on && index($0, m) && /current/ { f = 1 } END { exit !f }' "$OUT/weston.log"
}

# 1,000 resizes and 200 unplug/plug cycles of head 0 while Weston runs,
# with uvirtio-boot as a user runs it: Weston still runs and shows head 0
# again, and slab is back within 1 MiB (check_kernel and the host look
# for reports). Weston is $wpid. The resizes come back to back; each
# unplug and plug waits until Weston has taken it in and drawn (Weston 10
# aborts, "atomic_flip_handler: Assertion `output->atomic_complete_pending'
# failed", when an output comes back before the flip it had pending when
# it went: README).
_weston_more() { # the log has more than $_n lines with $_pat
    test "$(grep -c "$_pat" "$OUT/weston.log")" -gt "$_n"
}
_weston_took() { # _weston_more within 10 s, looked at every 50 ms
    _t=200
    until _weston_more; do
        _t=$((_t - 1))
        [ "$_t" -gt 0 ] || return 1
        sleep 0.05
    done
}
weston_storm() {
    local i m bad=0 late=0 s0 enabled _pat _n
    uvirtio-boot resize 0 "$MODE"
    sync && echo 3 > /proc/sys/vm/drop_caches
    s0=$(slab_kb)
    enabled=$(grep -c "Output 'Virtual-1' enabled" "$OUT/weston.log")
    for i in $(seq 250); do
        for m in 1280x720 800x600 1920x1080 "$MODE"; do
            uvirtio-boot resize 0 "$m" 2>> "$OUT/storm.err" || bad=$((bad + 1))
        done
    done
    check "1000 resizes of head 0 with Weston running ($bad refused)" test $bad = 0
    bad=0
    for i in $(seq 200); do
        kill -0 "$wpid" 2> /dev/null || { late=$((late + 1)) && break; }
        _pat="Output 'Virtual-1' no heads left" _n=$(grep -c "$_pat" "$OUT/weston.log")
        uvirtio-boot unplug 0 0 2>> "$OUT/storm.err" || bad=$((bad + 1))
        _weston_took || late=$((late + 1))
        _pat="Output 'Virtual-1' enabled" _n=$(grep -c "$_pat" "$OUT/weston.log")
        uvirtio-boot plug 0 0 "$MODE" 2>> "$OUT/storm.err" || bad=$((bad + 1))
        _weston_took || late=$((late + 1))
        sleep 0.2
    done
    check "200 unplug/plug cycles of head 0 with Weston running ($bad refused)" test $bad = 0
    check "Weston took in each unplug and plug within 10 s ($late late, ran $i cycles)" test $late = 0
    check "Weston still runs after the storm" kill -0 "$wpid"
    enabled_again() {
        test "$(grep -c "Output 'Virtual-1' enabled" "$OUT/weston.log")" -gt "$enabled"
    }
    check "Weston enabled Virtual-1 again after the storm" wait_for 20 enabled_again
    connected_at_mode() {
        grep -qx connected "$CONN/status" && test "$(head -n 1 "$CONN/modes")" = "$MODE"
    }
    check "Virtual-1 is connected at $MODE after the storm" wait_for 10 connected_at_mode
    slab_grew_at_most 1024 "$s0"
}
# The host's clients see Weston's picture, weston-simple-shm stopped so
# that it holds still (and the panel's clock hidden: weston.ini). The
# guest's own is the CRTC's framebuffer, read before and after the host's
# step: a picture that moved between them is said as such. (The
# screenshooter's PNG takes the client's X byte for alpha; simple-shm's
# cross shows where it is 0.)
weston_vnc() {
    local util=/usr/local/lib/uvtest/uvtest-util
    kill -STOP $cpid
    sleep 1
    check "uvtest-util reads the scanout's framebuffer through DRM" sh -c \
        "$util scanout /dev/dri/card0 $OUT/weston-scanout.raw > $OUT/weston-scanout.geometry"
    host_step weston
    check "Weston's picture held still while the host's client read it" sh -c \
        "$util scanout /dev/dri/card0 $OUT/weston-after.raw > /dev/null &&
            cmp -s $OUT/weston-scanout.raw $OUT/weston-after.raw"
    rm -f "$OUT/weston-after.raw"
    kill -CONT $cpid
}
run_weston() {
    local wpid cpid shot
    export XDG_RUNTIME_DIR=/run/uvtest/xdg WAYLAND_DISPLAY=uvtest-0
    mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
    # The panel's clock off: it changes each minute, and the pictures
    # compared (the guest's against a VNC client's) are taken moments apart.
    printf '[shell]\nclock-format=none\n' > /run/uvtest/weston.ini
    weston --backend=drm-backend.so --use-pixman --tty=3 \
        --config=/run/uvtest/weston.ini \
        --continue-without-input --debug --idle-time=0 \
        --socket="$WAYLAND_DISPLAY" --log="$OUT/weston.log" \
        > "$OUT/weston.out" 2>&1 &
    wpid=$!
    if ! wait_for 60 test -S "$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY"; then
        notok "Weston started with the DRM backend (see weston.log)"
        kill -KILL $wpid 2> /dev/null
        return
    fi
    ok "Weston started with the DRM backend"
    check "Weston drives Virtual-1 at ${MODE}" \
        wait_for 20 grep -q "Output 'Virtual-1' enabled" "$OUT/weston.log"
    check "Weston's output mode is ${MODE}" weston_current Virtual-1 "$MODE"
    check "Weston read the EDID (monitor 'uvirtio', serial '00000000')" \
        grep -q "head 'Virtual-1' .*model 'uvirtio', serial '00000000'" "$OUT/weston.log"
    if [ -n "$HEAD2" ]; then
        check "Weston drives Virtual-2 too" \
            wait_for 20 grep -q "Output 'Virtual-2' enabled" "$OUT/weston.log"
        check "Weston's Virtual-2 mode is ${HEAD2}" weston_current Virtual-2 "$HEAD2"
        check "Weston read Virtual-2's EDID (serial '00000001')" \
            grep -q "head 'Virtual-2' .*model 'uvirtio', serial '00000001'" "$OUT/weston.log"
    fi
    if [ -n "$RESIZE" ]; then
        check "uvirtio-boot resize 0 $RESIZE (Weston running)" uvirtio-boot resize 0 "$RESIZE"
        sleep 3
        # What Weston does with the hotplug, said (README), not judged.
        grep -i "virtual-1\|hotplug\|head" "$OUT/weston.log" | tail -n 6 |
            while IFS= read -r l; do info "weston after resize: $l"; done
        check "Weston still runs after the resize" kill -0 $wpid
    fi
    [ "$(arg uvtest.storm)" = 1 ] && weston_storm
    weston-simple-shm > "$OUT/simple-shm.out" 2>&1 &
    cpid=$!
    sleep 3
    check "weston-simple-shm draws (still running after 3 s)" kill -0 $cpid
    (cd "$OUT" && timeout 30 weston-screenshooter) > "$OUT/screenshooter.out" 2>&1
    shot=$(ls "$OUT"/wayland-screenshot-*.png 2> /dev/null | head -n 1)
    check "weston-screenshooter takes a screenshot" test -n "$shot"
    [ -n "$shot" ] && mv "$shot" "$OUT/weston.png"
    [ -n "$VNC_PASS" ] && weston_vnc
    kill -TERM $cpid 2> /dev/null
    stop_server Weston $wpid
    unset XDG_RUNTIME_DIR WAYLAND_DISPLAY
}

[ "$(arg uvtest.x)" = 1 ] && run_xorg
[ "$(arg uvtest.weston)" = 1 ] && run_weston

# The console comes back after the display servers.
if [ "$(arg uvtest.x)" = 1 ] || [ "$(arg uvtest.weston)" = 1 ]; then
    info "vt in front after them: $(cat /sys/class/tty/tty0/active)"
    chvt 1
    check "chvt 1 brings tty1 back" grep -qx tty1 /sys/class/tty/tty0/active
    check "fbcon is bound, at ${MODE}" sh -c \
        "grep -qx 1 $con/bind &&
         test \"\$(cat /sys/class/graphics/fb0/virtual_size)\" = $W,$H"
    check "tty1 still shows the login prompt" grep -aq 'uvtest login:' /dev/vcs1
fi
[ -n "$VNC_PASS" ] && vnc_resize
finish
