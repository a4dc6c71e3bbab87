# SPDX-License-Identifier: GPL-2.0
# Shared by test-vm/check and test-vm/demo (sourced, bash): what a test VM
# needs on this machine, the guest kernel, the build, the initramfs, a boot.

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEED=${UVIRTIO_SEED:-$SRC/../shared/seed}
CACHE=${UVIRTIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/uvirtio}
WORK=${UVIRTIO_WORK:-$SRC/build/test-vm}
BOOT_TIMEOUT=${UVIRTIO_BOOT_TIMEOUT:-180}
HOST_PACKAGES="qemu-system-x86 dracut-core musl-tools libdrm-tests sparse kmod
cpio gcc make python3 udev file"

die() {
    echo "test-vm: $*" >&2
    exit 1
}

log() {
    echo "# $*"
}

# Installs the Debian packages given that are missing (needs root).
need_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2> /dev/null |
            grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] ||
        die "missing packages: ${missing[*]} (run as root, or apt-get install them)"
    log "installing ${missing[*]}"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends "${missing[@]}" > "$WORK/apt.log" 2>&1; then
        apt-get update -q > "$WORK/apt-update.log" 2>&1 ||
            die "apt-get update failed: see $WORK/apt-update.log"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends "${missing[@]}" > "$WORK/apt.log" 2>&1 ||
            die "apt-get install ${missing[*]} failed: see $WORK/apt.log"
    fi
}

# Sets KVER for a kernel named by series (6.1) or by release (6.1.0-56-amd64).
resolve_kernel() {
    local want=$1 pkg
    case "$want" in
    *-amd64) KVER=$want ;;
    6.1)
        apt-cache show linux-image-amd64 > /dev/null 2>&1 ||
            apt-get update -q > "$WORK/apt-update.log" 2>&1
        pkg=$(apt-cache depends linux-image-amd64 2> /dev/null |
            sed -n 's/.*Depends: linux-image-\(6\.1\.[0-9-]*-amd64\)$/\1/p' |
            head -n 1)
        [ -n "$pkg" ] || die "cannot find Debian's 6.1 kernel package (apt-get update?)"
        KVER=$pkg
        ;;
    *) die "unknown kernel '$want' (use 6.1 or a release such as 6.1.0-56-amd64)" ;;
    esac
}

# The guest kernel: headers installed here, image and modules extracted into
# the cache (not installed: no initramfs or bootloader work on this host).
fetch_kernel() {
    local kdir=$CACHE/kernels/$KVER deb
    need_packages "linux-headers-$KVER"
    KIMAGE=$kdir/root/boot/vmlinuz-$KVER
    KMODDIR=$kdir/root/lib/modules/$KVER
    if [ ! -e "$kdir/.done" ]; then
        log "fetching linux-image-$KVER"
        rm -rf "$kdir" && mkdir -p "$kdir/root"
        (cd "$kdir" && apt-get download -q "linux-image-$KVER" \
            > "$kdir/download.log" 2>&1) ||
            die "cannot download linux-image-$KVER: see $kdir/download.log"
        deb=$(ls "$kdir"/linux-image-*.deb)
        dpkg-deb -x "$deb" "$kdir/root" && rm -f "$deb"
        touch "$kdir/.done"
    fi
    [ -e "$KIMAGE" ] || die "no kernel image in $kdir"
}

# Builds the tool, the module for KVER, the guest helpers and the seed's
# sample.
build_all() {
    local out=$WORK/build.log
    BIN=$WORK/bin
    mkdir -p "$BIN"
    make -C "$SRC" tool > "$out" 2>&1 || { cat "$out"; die "tool build failed"; }
    make -C "$SRC/kernel" KVER="$KVER" > "$out" 2>&1 ||
        { cat "$out"; die "module build failed for $KVER"; }
    gcc -static -O2 -Wall -o "$BIN/uvtest-util" "$SRC/test-vm/guest/uvtest-util.c" ||
        die "uvtest-util build failed"
    gcc -static -O2 -Wall -I"$SRC/include/uapi" -o "$BIN/uvtest-ioctl" \
        "$SRC/test-vm/guest/uvtest-ioctl.c" || die "uvtest-ioctl build failed"
    rm -f "$BIN/uvirtio-vga"
    if [ -e "$SEED/uvirtio-vga.c" ]; then
        gcc -static -O2 -I"$SRC/include/uapi" -o "$BIN/uvirtio-vga" \
            "$SEED/uvirtio-vga.c" > "$WORK/sample-build.log" 2>&1
    fi
}

# make_initramfs OUT [ROOT]: the test initramfs, made by the real dracut
# with the uvtest module of test-vm/ and the uvirtio module, tool, profiles
# and uvirtio.ko of this tree, or as installed under ROOT by make install.
make_initramfs() {
    local out=$1 root=${2-} base=$WORK/dracut f
    local mod=$SRC/initramfs-hook/dracut/90uvirtio tool=$SRC/build/uvirtio-boot
    local profiles=$SRC/profiles ko=$SRC/kernel/uvirtio.ko
    if [ -n "$root" ]; then
        mod=$root/usr/lib/dracut/modules.d/90uvirtio
        tool=$root/usr/sbin/uvirtio-boot
        profiles=$root/usr/share/uvirtio/profiles
        ko=$root/lib/modules/$KVER/updates/uvirtio.ko
    fi
    install -D -m 0644 "$ko" "$KMODDIR/updates/uvirtio.ko"
    depmod -b "${KMODDIR%/lib/modules/*}" "$KVER" ||
        die "depmod failed for the guest's modules"
    rm -rf "$base" && mkdir -p "$base/modules.d" "$WORK/empty"
    for f in /usr/lib/dracut/*; do
        [ "${f##*/}" = modules.d ] || ln -s "$f" "$base/"
    done
    ln -s /usr/lib/dracut/modules.d/* "$base/modules.d/"
    ln -s "$mod" "$base/modules.d/90uvirtio"
    ln -s "$SRC/test-vm/dracut/99uvtest" "$base/modules.d/99uvtest"
    dracutbasedir=$base UVIRTIO_BOOT=$tool \
        UVIRTIO_PROFILES=$profiles UVTEST_BIN=$BIN \
        dracut --force --no-hostonly --no-hostonly-cmdline --no-compress \
        --no-early-microcode --conf /dev/null --confdir "$WORK/empty" \
        --kmoddir "$KMODDIR" --modules "bash base udev-rules uvirtio uvtest" \
        "$out" "$KVER" > "$WORK/dracut.log" 2>&1 ||
        { tail -n 30 "$WORK/dracut.log"; die "dracut failed: see $WORK/dracut.log"; }
}

# TCG unless UVIRTIO_KVM=1 and a short probe boot under KVM finishes.
choose_accel() {
    ACCEL=tcg
    [ "${UVIRTIO_KVM:-0}" = 1 ] || return 0
    if [ -c /dev/kvm ] && timeout 30 qemu-system-x86_64 -accel kvm -nodefaults \
        -display none -m 256 -no-reboot -kernel "$KIMAGE" \
        -append "panic=-1 console=ttyS0" -serial none > /dev/null 2>&1; then
        ACCEL=kvm
    else
        log "KVM probe boot failed: using TCG"
    fi
}

# boot_vm LOG INITRD "CMDLINE" [DISK]: one headless boot with no display
# device; the serial console goes to LOG. Fails on a timeout.
boot_vm() {
    local log=$1 initrd=$2 cmdline=$3 disk=${4-} drive=()
    [ -n "$disk" ] && drive=(-drive "file=$disk,format=raw,if=virtio")
    timeout "$BOOT_TIMEOUT" qemu-system-x86_64 -accel "$ACCEL" -nodefaults \
        -no-user-config -machine pc -m 1024 -smp 2 -vga none -display none \
        -no-reboot -kernel "$KIMAGE" -initrd "$initrd" \
        -append "console=tty0 console=ttyS0 panic=-1 root=uvtest rd.shell=0 rd.emergency=poweroff $cmdline" \
        -serial "file:$log" "${drive[@]}" > "$log.qemu" 2>&1
}

# fb_to_png RAW "W H BPP STRIDE" PNG: the guest's /dev/fb0 as a picture.
fb_to_png() {
    python3 "$SRC/test-vm/fb2png.py" "$1" $2 "$3"
}
