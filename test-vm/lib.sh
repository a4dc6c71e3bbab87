# SPDX-License-Identifier: GPL-2.0
# Shared by test-vm/check, test-vm/demo and bench/bench (sourced, bash):
# what a test VM needs on this machine, the guest kernel, the build, the
# initramfs, a boot.

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SEED=${UVIRTIO_SEED:-$SRC/../shared/seed}
CACHE=${UVIRTIO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/uvirtio}
WORK=${UVIRTIO_WORK:-$SRC/build/test-vm}
BOOT_TIMEOUT=${UVIRTIO_BOOT_TIMEOUT:-180}
HOST_PACKAGES="qemu-system-x86 dracut-core musl-tools libdrm-tests sparse kmod edid-decode
cpio gcc make python3 udev file libdrm-dev pkg-config gnuplot-nox libvncserver-dev
debhelper dh-dkms lintian
libx11-dev xvfb x11vnc"

# What a guest log must not have: warnings, oopses and what the kernel's
# checkers report (test-vm/check and bench/bench scan for it).
BAD='WARNING:|BUG:|Oops|Call Trace|unknown parameter|suspected memory leak'

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

# The Debian mirror this machine's own apt sources name for bookworm.
debian_mirror() {
    local f line types= uris= suites=
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -e "$f" ] || continue
        while read -r line; do
            set -- $line
            [ "${1-}" = deb ] || continue
            case "${2-}" in \[*) shift ;; esac
            [ "${3-}" = bookworm ] && echo "$2" && return 0
        done < "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -e "$f" ] || continue
        # deb822: stanzas separated by blank lines
        while IFS= read -r line || [ -n "$types$uris" ]; do
            case "$line" in
            Types:*) types=${line#Types:} ;;
            URIs:*) uris=${line#URIs:} ;;
            Suites:*) suites=" ${line#Suites:} " ;;
            "")
                if [[ " $types " == *" deb "* && "$suites" == *" bookworm "* ]]; then
                    set -- $uris
                    echo "$1"
                    return 0
                fi
                types= uris= suites=
                [ -n "$line" ] || continue
                ;;
            esac
        done < <(cat "$f"; echo)
    done
    return 1
}

# Adds bookworm-backports from the same mirror to apt (priority 100: it
# never replaces bookworm's packages unless asked).
enable_backports() {
    local list=/etc/apt/sources.list.d/uvirtio-bookworm-backports.sources mirror
    apt-cache policy 2> /dev/null | grep -q 'bookworm-backports' && return 0
    [ "$(id -u)" = 0 ] || die "bookworm-backports is not in apt's sources (run as root)"
    mirror=$(debian_mirror) || die "cannot find this machine's Debian mirror in its apt sources"
    log "adding bookworm-backports ($list)"
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
        "$mirror" > "$list"
    apt-get update -q > "$WORK/apt-update.log" 2>&1 ||
        die "apt-get update failed: see $WORK/apt-update.log"
}

# foreign_apt SUITE COMMAND...: apt-get or apt-cache for a Debian suite
# this machine's sources lack (unstable for the mainline source, bullseye
# for 5.10), from the same mirror, with sources and lists of its own in the
# cache (read again when a day old): the suite never enters this
# machine's sources.
foreign_apt() {
    local suite=$1 cmd=$2 dir=$CACHE/apt-$1 mirror opts
    shift 2
    mkdir -p "$dir/lists/partial" "$dir/cache" "$dir/archives/partial"
    if [ ! -e "$dir/sources.list" ]; then
        mirror=$(debian_mirror) || die "cannot find this machine's Debian mirror"
        echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
            > "$dir/sources.list"
    fi
    opts=(-q -o Dir::Etc::SourceList="$dir/sources.list"
        -o Dir::Etc::SourceParts=/nonexistent -o Dir::State::Lists="$dir/lists"
        -o Dir::Cache="$dir/cache" -o Dir::Cache::archives="$dir/archives")
    if [ -z "$(find "$dir/lists" -name "*_${suite}_*Packages*" -mtime -1 2> /dev/null)" ]; then
        apt-get "${opts[@]}" update > "$WORK/apt-$suite.log" 2>&1 ||
            die "cannot read Debian $suite's package lists: see $WORK/apt-$suite.log"
    fi
    "$cmd" "${opts[@]}" "$@"
}

# in_root ROOT COMMAND...: runs in a Debian tree (the real system's, the
# Debian 11 build root) with /proc, /sys and /dev bound (unmounted again whatever happens).
in_root() {
    local root=$1 m rc
    shift
    for m in proc sys dev dev/pts; do
        mkdir -p "$root/$m"
        mount --bind "/$m" "$root/$m" || { os_umount "$root"; return 1; }
    done
    DEBIAN_FRONTEND=noninteractive LC_ALL=C chroot "$root" "$@"
    rc=$?
    os_umount "$root"
    return $rc
}

os_umount() {
    local m
    for m in dev/pts dev sys proc; do
        mountpoint -q "$1/$m" && umount -l "$1/$m"
    done
    return 0
}

# rm_tree DIR...: removes cached trees, first unmounting whatever a run
# that was stopped left bound beneath them (in_root's /dev, kmake's
# source tree): rm -rf would go through a bind and delete the host's.
rm_tree() {
    local d m
    for d in "$@"; do
        [ -e "$d" ] || continue
        findmnt -rn -o TARGET | awk -v d="$d/" 'index($0, d) == 1' | sort -r |
            while read -r m; do umount -l "$m"; done
        rm -rf --one-file-system "$d"
    done
}

# debian_release SUITE [APT...]: the release Debian's metapackage
# linux-image-amd64 in SUITE depends on, read by this machine's apt or by
# APT (foreign_apt bullseye).
debian_release() {
    local suite=$1 version
    shift
    version=$("$@" apt-cache madison linux-image-amd64 2> /dev/null |
        awk -v s="$suite/main" '$0 ~ " " s " " { print $3; exit }')
    [ -n "$version" ] || return 1
    "$@" apt-cache depends "linux-image-amd64=$version" 2> /dev/null |
        sed -n 's/.*Depends: linux-image-\(.*-amd64\)$/\1/p' | head -n 1
}

# Sets KVER (and KSERIES, what the runner prints) for a kernel named by
# series (5.10, 6.1, 6.12, mainline) or by Debian release (6.1.0-56-amd64).
resolve_kernel() {
    local want=$1
    KSERIES=$want
    case "$want" in
    *-amd64) KVER=$want ;;
    6.1)
        apt-cache madison linux-image-amd64 2> /dev/null | grep -q ' 6\.1\.' ||
            apt-get update -q > "$WORK/apt-update.log" 2>&1
        KVER=$(debian_release bookworm-security || debian_release bookworm) ||
            die "cannot find Debian 12's 6.1 kernel package (apt-get update?)"
        ;;
    6.12)
        enable_backports
        KVER=$(debian_release bookworm-backports) ||
            die "cannot find the 6.12 kernel in bookworm-backports"
        case "$KVER" in 6.12.*) ;; *) die "bookworm-backports has $KVER, not 6.12" ;; esac
        ;;
    5.10)
        KVER=$(debian_release bullseye foreign_apt bullseye) ||
            die "cannot find Debian 11's 5.10 kernel in bullseye's package lists"
        case "$KVER" in 5.10.*) ;; *) die "bullseye has $KVER, not 5.10" ;; esac
        ;;
    mainline)
        resolve_mainline
        MAINLINE_CONFIGS="mainline.config display.config"
        ;;
    debug)
        resolve_mainline
        KVER=$KVER-debug
        MAINLINE_CONFIGS="mainline.config debug.config"
        ;;
    *) die "unknown kernel '$want' (5.10, 6.1, 6.12, mainline, debug, or a release such as 6.1.0-56-amd64)" ;;
    esac
    [ -n "$KVER" ] || die "no kernel release for '$want'"
}

# The newest linux-source-X.Y in Debian unstable: MAINLINE_PKG, its version
# and the release our build of it gets (LOCALVERSION in mainline.config).
resolve_mainline() {
    MAINLINE_PKG=$(foreign_apt unstable apt-cache search --names-only '^linux-source-[0-9.]+$' |
        awk '{ print $1 }' | sort -V | tail -n 1)
    [ -n "$MAINLINE_PKG" ] || die "no linux-source package in Debian unstable"
    MAINLINE_VERSION=$(foreign_apt unstable apt-cache show "$MAINLINE_PKG" |
        sed -n 's/^Version: //p' | sort -V | tail -n 1)
    KVER=${MAINLINE_VERSION%%-*}-uvirtio
}

# Builds the mainline kernel from Debian's source with the fragments of
# test-vm/ in MAINLINE_CONFIGS (mainline.config, and debug.config for the
# debug kernel) into the cache, once per version: bzImage, modules, and the
# build tree the module builds against (about 25 minutes on two cores).
build_mainline() {
    local kdir=$CACHE/kernels/$KVER src deb frag missing sum
    src=$kdir/src
    KIMAGE=$kdir/root/boot/vmlinuz-$KVER
    KMODDIR=$kdir/root/lib/modules/$KVER
    KBUILD=$src
    # The cached build stands for the fragments it was configured with.
    sum=$(cd "$SRC/test-vm" && cat $MAINLINE_CONFIGS | md5sum)
    [ -e "$kdir/.done" ] && [ "$(cat "$kdir/.done")" = "$sum" ] && return 0
    need_packages flex bison bc libelf-dev libssl-dev xz-utils dwarves
    rm -rf "$kdir" && mkdir -p "$kdir/root/boot"
    log "fetching $MAINLINE_PKG $MAINLINE_VERSION from Debian unstable"
    (cd "$kdir" && foreign_apt unstable apt-get download "$MAINLINE_PKG=$MAINLINE_VERSION") \
        > "$kdir/download.log" 2>&1 || die "cannot download $MAINLINE_PKG: see $kdir/download.log"
    deb=$(ls "$kdir"/linux-source-*.deb)
    mkdir -p "$kdir/deb" && dpkg-deb -x "$deb" "$kdir/deb" && rm -f "$deb"
    mkdir -p "$src"
    tar -xf "$kdir"/deb/usr/src/linux-source-*.tar.* -C "$src" --strip-components=1 ||
        die "cannot unpack $MAINLINE_PKG"
    rm -rf "$kdir/deb"
    log "building $KVER (bzImage and modules, about 25 minutes on two cores)"
    (cd "$src" && make -s defconfig &&
        scripts/kconfig/merge_config.sh -m .config \
            $(for frag in $MAINLINE_CONFIGS; do echo "$SRC/test-vm/$frag"; done) &&
        make -s olddefconfig) > "$kdir/build.log" 2>&1 ||
        die "kernel configuration failed: see $kdir/build.log"
    # Every option asked for must have taken (a dependency may refuse one).
    missing=$(for frag in $MAINLINE_CONFIGS; do
        grep -E '^CONFIG_[A-Z0-9_]+=[ym]$' "$SRC/test-vm/$frag"; done |
        while read -r opt; do grep -qx "$opt" "$src/.config" || echo "$opt"; done)
    [ -z "$missing" ] || die "the kernel's configuration lacks:" $missing
    make -C "$src" -j"$(nproc)" bzImage modules >> "$kdir/build.log" 2>&1 ||
        die "kernel build failed: see $kdir/build.log"
    [ "$(make -s -C "$src" kernelrelease)" = "$KVER" ] ||
        die "the kernel built as $(make -s -C "$src" kernelrelease), not $KVER"
    make -C "$src" INSTALL_MOD_PATH="$kdir/root" modules_install >> "$kdir/build.log" 2>&1 ||
        die "modules_install failed: see $kdir/build.log"
    cp "$src/arch/x86/boot/bzImage" "$KIMAGE"
    echo "$sum" > "$kdir/.done"
}

# Debian 11's build root for KVER (a 5.10 release): debootstrap bullseye
# with its own compiler (gcc-10, through linux-compiler-gcc-10-x86), the
# kernel's headers, sparse and what make install builds with, cached.
# Modules for 5.10 are built in it (kmake), as a Debian 11 user's DKMS
# builds them; bullseye's packages never enter this machine's system.
# Sets BUILD_ROOT.
bullseye_root() {
    local dir=$CACHE/buildroot/bullseye-$KVER mirror log
    BUILD_ROOT=$dir/root
    [ -e "$dir/.done" ] && return 0
    need_packages debootstrap
    mirror=$(debian_mirror) || die "cannot find this machine's Debian mirror in its apt sources"
    # One build root at a time: older ones go.
    rm_tree "$CACHE"/buildroot/bullseye-* && mkdir -p "$dir"
    log=$dir/build.log
    log "building Debian 11's build root for $KVER in $dir: a few minutes"
    debootstrap --variant=minbase --components=main bullseye "$BUILD_ROOT" "$mirror" \
        > "$log" 2>&1 || die "debootstrap bullseye failed: see $log"
    in_root "$BUILD_ROOT" apt-get install -y -q --no-install-recommends make gcc \
        libc6-dev sparse kmod musl-tools pkg-config libvncserver-dev libgcrypt20-dev \
        "linux-headers-$KVER" >> "$log" 2>&1 ||
        die "installing the build root's packages failed: see $log"
    touch "$dir/.done"
}

# kmake MAKE-ARGUMENT...: make for the guest kernel (its modules, make
# install): in its Debian 11 build root for 5.10 (BUILD_ROOT), with this
# tree and the work folder bound at their own paths; here otherwise.
kmake() {
    [ -n "${BUILD_ROOT-}" ] || { make "$@"; return; }
    local dirs=("$SRC") d rc
    case "$WORK/" in "$SRC"/*) ;; *) dirs+=("$WORK") ;; esac
    for d in "${dirs[@]}"; do
        mkdir -p "$BUILD_ROOT$d"
        mountpoint -q "$BUILD_ROOT$d" || mount --bind "$d" "$BUILD_ROOT$d" ||
            die "cannot bind $d into $BUILD_ROOT"
    done
    in_root "$BUILD_ROOT" make "$@"
    rc=$?
    for d in "${dirs[@]}"; do umount -l "$BUILD_ROOT$d"; done
    return $rc
}

# compiled_by ROOT OBJECT: OBJECT's .comment names the gcc of the Debian
# tree ROOT, and no other compiler (a module built by this machine's gcc
# names GCC 12); says what it names.
compiled_by() {
    local want have
    want=$(in_root "$1" gcc --version 2> /dev/null | sed -n '1s/^gcc \(([^)]*) [^ ]*\).*/GCC: \1/p')
    have=$(readelf -p .comment "$2" 2> /dev/null | grep -o 'GCC: ([^)]*) [^ ]*' | sort -u)
    printf '%s' "$(echo ${have:-no .comment})"
    [ -n "$want" ] && [ "$have" = "$want" ]
}

# The guest kernel: headers installed here (for 5.10, in Debian 11's build
# root), image and modules extracted into the cache (not installed: no
# initramfs or bootloader work on this host). The mainline kernel is built
# instead.
fetch_kernel() {
    local kdir=$CACHE/kernels/$KVER deb apt=()
    BUILD_ROOT=
    case "$KSERIES" in
    mainline | debug)
        build_mainline
        return
        ;;
    esac
    case "$KVER" in
    5.10.*)
        bullseye_root
        apt=(foreign_apt bullseye)
        ;;
    *) need_packages "linux-headers-$KVER" ;;
    esac
    KBUILD=/lib/modules/$KVER/build
    KIMAGE=$kdir/root/boot/vmlinuz-$KVER
    KMODDIR=$kdir/root/lib/modules/$KVER
    if [ ! -e "$kdir/.done" ]; then
        log "fetching linux-image-$KVER"
        rm -rf "$kdir" && mkdir -p "$kdir/root"
        (cd "$kdir" && "${apt[@]}" apt-get download -q "linux-image-$KVER" \
            > "$kdir/download.log" 2>&1) ||
            die "cannot download linux-image-$KVER: see $kdir/download.log"
        deb=$(ls "$kdir"/linux-image-*.deb)
        dpkg-deb -x "$deb" "$kdir/root" && rm -f "$deb"
        touch "$kdir/.done"
    fi
    [ -e "$KIMAGE" ] || die "no kernel image in $kdir"
}

# Builds the tool, the module for KVER from clean with W=1 and sparse (its
# output in $MODULE_LOG; with KCOV's coverage on kernels that have it, for
# the guided fuzzer: UVIRTIO_KCOV=1, which no user's build sets), the
# misbehaving test driver of test-vm/kmod (TEST_KMOD), every guest program of test-vm/guest/ into
# $BIN (the uvtest initramfs installs all of $BIN) and the seed's sample,
# when it is beside this tree.
build_all() {
    local out=$WORK/build.log c
    BIN=$WORK/guest-bin
    MODULE_LOG=$WORK/module-build.log
    rm -rf "$BIN" && mkdir -p "$BIN"
    make -C "$SRC" tool > "$out" 2>&1 || { cat "$out"; die "tool build failed"; }
    kmake -C "$SRC/kernel" KDIR="$KBUILD" clean > /dev/null 2>&1
    kmake -C "$SRC/kernel" KDIR="$KBUILD" W=1 C=1 UVIRTIO_KCOV=1 > "$MODULE_LOG" 2>&1 ||
        { cat "$MODULE_LOG"; die "module build failed for $KVER"; }
    kmake -C "$KBUILD" M="$SRC/test-vm/kmod" clean > /dev/null 2>&1
    kmake -C "$KBUILD" M="$SRC/test-vm/kmod" W=1 C=1 modules >> "$MODULE_LOG" 2>&1 ||
        { cat "$MODULE_LOG"; die "test-vm/kmod build failed for $KVER"; }
    TEST_KMOD=$SRC/test-vm/kmod/uvtest_drv.ko
    for c in "$SRC"/test-vm/guest/*.c; do
        c=${c##*/}
        # Debian has no static LibVNCClient: its client links dynamically
        # (the initramfs gets the libraries with it).
        link=-static
        grep -q '<rfb/rfbclient.h>' "$SRC/test-vm/guest/$c" && link=-lvncclient
        gcc -O2 -Wall -Wextra -Werror -pthread -I"$SRC/include/uapi" \
            -I"$SRC/tool" -ffunction-sections -Wl,--gc-sections \
            -o "$BIN/${c%.c}" "$SRC/test-vm/guest/$c" "$SRC/tool/profile.c" \
            $link >> "$out" 2>&1 ||
            { cat "$out"; die "$c does not build"; }
    done
    cp "$SRC/build/uvirtio-vnc" "$BIN/" || die "uvirtio-vnc was not built"
    if [ -e "$SEED/uvirtio-vga.c" ]; then
        gcc -static -O2 -I"$SRC/include/uapi" -o "$BIN/uvirtio-vga" \
            "$SEED/uvirtio-vga.c" > "$WORK/sample-build.log" 2>&1
    fi
}

# The seed's 2020 sample client is not part of this tree: it is beside it
# in ../shared/seed/ (UVIRTIO_SEED) where the project's shared folder is.
have_sample() {
    [ -e "$SEED/uvirtio-vga.c" ]
}
SAMPLE_ABSENT="the 2020 sample is not beside this tree"

# dracut_image OUT "MODULES" [DRACUT OPTION...]: dracut, as a user runs it
# but with no configuration of this machine, for KVER's modules in
# KMODDIR, with the dracut modules of this tree: 90uvirtio (or the one
# UVIRTIO_DRACUT_MODULE names), 99uvtest and 99uvbench. The machine's own
# modules are linked one by one, never the ones of the same names, so
# that an installed, maybe older 90uvirtio is not used and nothing is
# written outside the build folder. The dracut modules find the tool,
# profiles and guest programs through UVIRTIO_BOOT, UVIRTIO_PROFILES,
# UVTEST_BIN, UVTEST_LIB, UVBENCH and UVBENCH_LIMIT.
dracut_image() {
    local out=$1 modules=$2 base=$WORK/dracut f
    shift 2
    rm -rf "$base" && mkdir -p "$base/modules.d" "$WORK/empty"
    for f in /usr/lib/dracut/*; do
        [ "${f##*/}" = modules.d ] || ln -s "$f" "$base/"
    done
    for f in /usr/lib/dracut/modules.d/*; do
        case "${f##*/}" in
        90uvirtio | 99uvtest | 99uvbench) ;;
        *) ln -s "$f" "$base/modules.d/" ;;
        esac
    done
    ln -s "${UVIRTIO_DRACUT_MODULE:-$SRC/initramfs-hook/dracut/90uvirtio}" "$base/modules.d/90uvirtio"
    ln -s "$SRC/test-vm/dracut/99uvtest" "$base/modules.d/99uvtest"
    ln -s "$SRC/bench/dracut/99uvbench" "$base/modules.d/99uvbench"
    dracutbasedir=$base UVIRTIO_BOOT=${UVIRTIO_BOOT:-$SRC/build/uvirtio-boot} \
        UVIRTIO_PROFILES=${UVIRTIO_PROFILES:-$SRC/profiles} UVTEST_BIN=$BIN \
        UVTEST_LIB=$SRC/test-vm/guest/uvtest-lib.sh UVBENCH=${UVBENCH-} \
        UVBENCH_LIMIT=${UVBENCH_LIMIT-} \
        dracut --force --no-hostonly --no-hostonly-cmdline --no-compress \
        --no-early-microcode --conf /dev/null --confdir "$WORK/empty" \
        --kmoddir "$KMODDIR" --modules "$modules" "$@" "$out" "$KVER" > "$out.log" 2>&1
}

# guest_module KO: KMODDIR's updates/ gets KO (uvirtio.ko) as the only
# uvirtio.ko, or none when KO is empty, and the test driver TEST_KMOD
# when it was built; depmod runs.
guest_module() {
    rm -f "$KMODDIR"/updates/uvirtio.ko* "$KMODDIR"/updates/uvtest_drv.ko
    [ -z "$1" ] || install -D -m 0644 "$1" "$KMODDIR/updates/${1##*/}"
    [ -z "${TEST_KMOD-}" ] ||
        install -D -m 0644 "$TEST_KMOD" "$KMODDIR/updates/${TEST_KMOD##*/}"
    depmod -b "${KMODDIR%/lib/modules/*}" "$KVER" ||
        die "depmod failed for the guest's modules"
}

# make_initramfs OUT [ROOT]: the test initramfs, made by the real dracut
# with the uvtest module of test-vm/ (or TEST_MODULE: uvbench of bench/)
# and the uvirtio module, tool, profiles and uvirtio.ko of this tree, or
# as installed under ROOT by make install.
make_initramfs() {
    local out=$1 root=${2-}
    if [ -n "$root" ]; then
        guest_module "$(ls "$root/lib/modules/$KVER/updates/"uvirtio.ko* | head -n 1)"
        UVIRTIO_DRACUT_MODULE=$root/usr/lib/dracut/modules.d/90uvirtio \
            UVIRTIO_BOOT=$root/usr/sbin/uvirtio-boot \
            UVIRTIO_PROFILES=$root/usr/share/uvirtio/profiles \
            dracut_image "$out" "bash base udev-rules uvirtio ${TEST_MODULE:-uvtest}"
    else
        guest_module "$SRC/kernel/uvirtio.ko"
        dracut_image "$out" "bash base udev-rules uvirtio ${TEST_MODULE:-uvtest}"
    fi || { tail -n 30 "$out.log"; die "dracut failed: see $out.log"; }
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

# The kernel log of a guest must hold a whole case: 16 MiB, so that the
# final dmesg of a long run still starts at the boot.
LOG_BUF=log_buf_len=16M
# What every guest's kernel command line starts with: both consoles, a
# panic ends the boot (and, with -no-reboot, QEMU), and so does an oops
# (a dead worker would otherwise hold the run until its timeout; the
# oops is on the serial console first), that log buffer.
GUEST_ARGS="console=tty0 console=ttyS0 panic=-1 oops=panic $LOG_BUF"

# What the guest's kernel prints as it starts the initramfs: before this
# line no code of this project has run in the guest.
INIT_LINE='Run /init as init process'

# qemu_boot LOG SECONDS KERNEL INITRD "CMDLINE" [QEMU OPTION...]: one
# headless boot with no display device and the serial console in LOG;
# fails on a timeout. The one QEMU command line of test-vm and bench.
# KERNEL "-" boots the firmware instead (the QEMU OPTIONs give it and
# what it boots; INITRD and CMDLINE unused). QEMU_MACHINE: the machine
# type (default pc), QEMU_MEM: MiB (default 1024). INIT_DEADLINE: if the
# kernel has not printed INIT_LINE within that many seconds, QEMU is
# stopped, the vCPUs' registers are left in LOG.regs and this returns 3.
qemu_boot() {
    local log=$1 seconds=$2 kernel=$3 initrd=$4 cmdline=$5 accel=$ACCEL direct=()
    local mon=() pid rc waited=0 hung=0
    shift 5
    [ "$kernel" = - ] ||
        direct=(-kernel "$kernel" -initrd "$initrd" -append "$GUEST_ARGS $cmdline")
    # Multi-threaded TCG sometimes oopses a loaded guest's early boot
    # (int3 while patching kernel text): one host thread runs both vCPUs.
    [ "$ACCEL" = tcg ] && accel=tcg,thread=single
    if [ -n "${INIT_DEADLINE-}" ]; then
        # A monitor on two FIFOs (QEMU opens both read-write: no reader
        # or writer needs to be there) to read the registers of a hang.
        rm -f "$log.mon.in" "$log.mon.out" "$log.regs"
        mkfifo "$log.mon.in" "$log.mon.out" || return
        mon=(-monitor "pipe:$log.mon")
    fi
    : > "$log"
    timeout "$seconds" qemu-system-x86_64 -accel "$accel" -nodefaults \
        -no-user-config -machine "${QEMU_MACHINE:-pc}" -m "${QEMU_MEM:-1024}" -smp 2 \
        -vga none -display none -no-reboot "${direct[@]}" \
        -serial "file:$log" "${mon[@]}" "$@" > "$log.qemu" 2>&1 &
    pid=$!
    while [ -n "${INIT_DEADLINE-}" ] && ! grep -qaF "$INIT_LINE" "$log" &&
        kill -0 "$pid" 2> /dev/null; do
        if [ "$waited" -ge "$INIT_DEADLINE" ]; then
            printf 'info registers -a\n' > "$log.mon.in"
            timeout 5 cat "$log.mon.out" | tr -d '\r' > "$log.regs"
            kill "$pid"
            hung=1
            break
        fi
        sleep 1
        waited=$((waited + 1))
    done
    wait "$pid"
    rc=$?
    rm -f "$log.mon.in" "$log.mon.out"
    [ "$hung" = 0 ] || rc=3
    return $rc
}

# boot_vm LOG INITRD "CMDLINE" [DISK]: the test initramfs on the guest
# kernel (no root file system), with DISK as a virtio disk and
# BOOT_DEVICES (QEMU options, for make bench); BOOT_TIMEOUT seconds.
boot_vm() {
    local log=$1 initrd=$2 cmdline=$3 disk=${4-} drive=()
    [ -n "$disk" ] && drive=(-drive "file=$disk,format=raw,if=virtio")
    # shellcheck disable=SC2086
    qemu_boot "$log" "$BOOT_TIMEOUT" "$KIMAGE" "$initrd" \
        "root=uvtest rd.shell=0 rd.emergency=poweroff $cmdline" \
        "${drive[@]}" ${BOOT_DEVICES-}
}

# fb_to_png RAW "W H BPP STRIDE" PNG: the guest's /dev/fb0 as a picture.
fb_to_png() {
    python3 "$SRC/test-vm/fb2png.py" "$1" $2 "$3"
}
