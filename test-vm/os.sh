# SPDX-License-Identifier: GPL-2.0
# Sourced by test-vm/check after lib.sh (bash): a real Debian 12 guest
# system (or Debian 11's, after os_suite bullseye), built with debootstrap
# and installed the way a user installs uvirtio (make install-dkms, dkms
# install, make install-dracut-conf or initramfs-tools), booted from a
# virtio-blk disk with no display device.

OS_SUITE=bookworm
# What the guest checks use; dracut is the initramfs generator of the base
# (the initramfs-tools variant swaps it, from packages downloaded here).
OS_PACKAGES="systemd-sysv udev kmod procps dbus dracut dkms gcc make libc6-dev
xserver-xorg-core xserver-xorg-input-libinput x11-xserver-utils x11-apps
x11-utils xdotool weston fonts-dejavu-core kbd libvncserver1 x11vnc"
OS_ITOOLS_PACKAGES="initramfs-tools initramfs-tools-core busybox klibc-utils
libklibc zstd"
# What uvirtio's packages pull in (make deb): downloaded only, so that the
# packages' own install must bring them.
OS_DEB_DEPENDS="openssl mokutil"
# The cloud variant's image has cloud-init (downloaded only, installed there).
OS_CLOUD_PACKAGES="cloud-init"

# os_suite bullseye: the guest system is Debian 11 instead, for its 5.10
# (KVER): Xorg 1.20, Weston 9, dracut 051, DKMS 2.8, and what README's
# "From the source tree" has a user install to build uvirtio there. It
# gets no kernel update (bullseye has no newer kernel), no packages of
# ours (they are built on Debian 12) and no cloud variant.
os_suite() {
    case "$1" in
    bullseye)
        OS_SUITE=bullseye
        OS_PACKAGES="$OS_PACKAGES musl-tools"
        OS_DEB_DEPENDS='' OS_CLOUD_PACKAGES='' OS_NEW_KVER=''
        ;;
    *) die "os_suite: no guest system for $1" ;;
    esac
}

# The base tree for KVER, built once and cached: debootstrap, this
# machine's apt sources (same mirror, with bookworm-backports; another
# suite's own from it), the kernel, its headers, dracut, Xorg, Weston. The
# initramfs-tools packages and the newer kernel OS_NEW_KVER (with headers)
# are downloaded into its apt cache for the second variant. Sets OS_BASE.
os_base() {
    local key dir mirror log later
    key=$(echo "$OS_SUITE $KVER $OS_NEW_KVER $OS_PACKAGES $OS_ITOOLS_PACKAGES $OS_DEB_DEPENDS $OS_CLOUD_PACKAGES" |
        md5sum | cut -c1-8)
    dir=$CACHE/os/$OS_SUITE-$KVER-$key
    OS_BASE=$dir/root
    [ -e "$dir/.done" ] && return 0
    need_packages debootstrap rsync e2fsprogs
    mirror=$(debian_mirror) || die "cannot find this machine's Debian mirror in its apt sources"
    # One base at a time: older ones go.
    rm_tree "$CACHE/os/$OS_SUITE"-*
    mkdir -p "$dir"
    log=$dir/build.log
    log "building the guest system ($OS_SUITE, $KVER, Xorg, Weston) in $dir: a few minutes"
    debootstrap --variant=minbase --components=main "$OS_SUITE" "$OS_BASE" "$mirror" \
        > "$log" 2>&1 || die "debootstrap failed: see $log"
    # The guest reads the same suites from the same mirror as this machine
    # (another suite: that suite, from the mirror).
    rm -f "$OS_BASE/etc/apt/sources.list"
    if [ "$OS_SUITE" = bookworm ]; then
        cp /etc/apt/sources.list.d/*.sources "$OS_BASE/etc/apt/sources.list.d/" 2> /dev/null
        cp /etc/apt/sources.list "$OS_BASE/etc/apt/" 2> /dev/null
    else
        echo "deb $mirror $OS_SUITE main" > "$OS_BASE/etc/apt/sources.list"
    fi
    # Keep the downloaded packages: the variants install from them offline.
    rm -f "$OS_BASE/etc/apt/apt.conf.d/docker-clean"
    echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' \
        > "$OS_BASE/etc/apt/apt.conf.d/01keep"
    # No service may start in the tree being built.
    printf '#!/bin/sh\nexit 101\n' > "$OS_BASE/usr/sbin/policy-rc.d"
    chmod 755 "$OS_BASE/usr/sbin/policy-rc.d"
    later="$OS_ITOOLS_PACKAGES $OS_DEB_DEPENDS $OS_CLOUD_PACKAGES"
    [ -z "$OS_NEW_KVER" ] || later="$later linux-image-$OS_NEW_KVER linux-headers-$OS_NEW_KVER"
    {
        in_root "$OS_BASE" apt-get update -q &&
            in_root "$OS_BASE" apt-get install -y -q --no-install-recommends \
                $OS_PACKAGES "linux-image-$KVER" "linux-headers-$KVER" &&
            if [ -n "${later// /}" ]; then
                in_root "$OS_BASE" apt-get install -y -q --no-install-recommends \
                    --download-only $later
            fi
    } >> "$log" 2>&1 || die "installing the guest's packages failed: see $log"
    rm -f "$OS_BASE/usr/sbin/policy-rc.d"
    os_configure "$OS_BASE"
    touch "$dir/.done"
}

# A headless test system: root on /dev/vda, a hostname, no password needed
# on the consoles (the checks run as a service), nothing periodic.
os_configure() {
    local root=$1 u
    echo uvtest > "$root/etc/hostname"
    printf '127.0.0.1 localhost\n127.0.1.1 uvtest\n' > "$root/etc/hosts"
    echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' > "$root/etc/fstab"
    in_root "$root" systemd-machine-id-setup > /dev/null 2>&1
    for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
        fstrim.timer dpkg-db-backup.timer systemd-timesyncd.service; do
        in_root "$root" systemctl mask "$u" > /dev/null 2>&1
    done
    in_root "$root" passwd -d root > /dev/null 2>&1
}

# os_image VARIANT [CONF]: the test system, from a copy of the base, with
# uvirtio installed as README says: dracut, its packages (make deb) with
# apt, whose trigger makes the initramfs; itools, initramfs-tools instead
# of dracut and uvirtio from the source tree (make install-dkms, dkms
# install, update-initramfs); purge, the packages installed, then purged;
# cloud, no uvirtio but cloud-init, for os_cloud_boot to install it;
# source, README's "From the source tree" with dracut, every step run in
# the guest's own system (its compiler, its DKMS, its dracut), and
# source-itools the same with initramfs-tools.
# CONF, if given, goes into /etc/uvirtio.conf first. dracut and itools
# then get a kernel update (OS_NEW_KVER), for which DKMS must build the
# module and the generator an initramfs with the display, by themselves.
# OS_HOOK, if set, is called with the tree last (make bench adds its own).
# Sets OS_ROOT and OS_DISK (an ext4 image made with mkfs.ext4 -d: no loop
# mount).
os_image() {
    local variant=$1 conf=${2-} version size log
    OS_ROOT=$WORK/os/$variant/root
    OS_DISK=$WORK/os/$variant/disk.img
    log=$WORK/os/$variant/install.log
    version=$(os_version)
    mkdir -p "$OS_ROOT"
    rsync -aHAX --delete "$OS_BASE/" "$OS_ROOT/" || die "cannot copy the guest system"
    : > "$log"
    os_step() { # os_step WHAT COMMAND...: one install step, logged and timed
        local what=$1 t0 rc
        shift
        echo "+ $*" >> "$log"
        t0=$(date +%s.%N)
        "$@" >> "$log" 2>&1
        rc=$?
        awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "# step took %.1f s\n", b - a }' >> "$log"
        result $((rc == 0)) "os-$variant/install: $what"
    }
    [ -n "$conf" ] && printf '# uvirtio settings; the kernel command line wins\n%s\n' \
        "$conf" > "$OS_ROOT/etc/uvirtio.conf"
    case "$variant" in
    itools | source-itools)
        # initramfs-tools replaces dracut, from the packages the base kept.
        os_step "apt-get install initramfs-tools (replacing dracut)" \
            in_root "$OS_ROOT" apt-get install -y -q --no-download \
            --no-install-recommends $OS_ITOOLS_PACKAGES dracut-
        ;;
    esac
    case "$variant" in
    dracut)
        os_deb_install
        ;;
    purge)
        os_files "$OS_ROOT" > "$WORK/os/$variant/files-before.txt"
        os_deb_install
        os_deb_purge
        ;;
    itools)
        os_step "make install-dkms DESTDIR=... PREFIX=/usr" \
            make -C "$SRC" install-dkms DESTDIR="$OS_ROOT" PREFIX=/usr
        os_step "dkms install uvirtio/$version builds the module for $KVER" \
            in_root "$OS_ROOT" dkms install "uvirtio/$version" -k "$KVER"
        os_step "update-initramfs -u (for $KVER)" \
            in_root "$OS_ROOT" update-initramfs -u -k "$KVER"
        ;;
    source | source-itools)
        # The tree as a clone of it has it, in root's home.
        os_copy_tree "$OS_ROOT/root/uvirtio"
        os_step "make install-dkms PREFIX=/usr (in the guest, by its gcc)" \
            in_root "$OS_ROOT" make -C /root/uvirtio install-dkms PREFIX=/usr
        os_step "dkms install uvirtio/$version builds the module for $KVER" \
            in_root "$OS_ROOT" dkms install "uvirtio/$version" -k "$KVER"
        os_step "uvirtio.ko was compiled by the guest's own gcc only" \
            compiled_by "$OS_ROOT" "$OS_ROOT/lib/modules/$KVER/updates/dkms/uvirtio.ko"
        if [ "$variant" = source ]; then
            os_step "make install-dracut-conf" \
                in_root "$OS_ROOT" make -C /root/uvirtio install-dracut-conf
            os_step "dracut -f --kver $KVER" in_root "$OS_ROOT" dracut -f --kver "$KVER"
        else
            os_step "update-initramfs -u (for $KVER)" \
                in_root "$OS_ROOT" update-initramfs -u -k "$KVER"
        fi
        os_initrd_display
        ;;
    cloud)
        os_step "apt-get install cloud-init" \
            in_root "$OS_ROOT" apt-get install -y -q --no-download \
            --no-install-recommends $OS_CLOUD_PACKAGES
        # The NoCloud seed only, as an image for one cloud names its own;
        # the image brings up its NIC itself (DHCP, systemd-networkd).
        printf 'datasource_list: [ NoCloud, None ]\nnetwork: {config: disabled}\n' \
            > "$OS_ROOT/etc/cloud/cloud.cfg.d/90-uvtest.cfg"
        printf '[Match]\nName=en*\n\n[Network]\nDHCP=ipv4\n' \
            > "$OS_ROOT/etc/systemd/network/50-uvtest.network"
        os_step "systemctl enable systemd-networkd" \
            in_root "$OS_ROOT" systemctl enable systemd-networkd
        ;;
    esac
    case "$variant" in
    dracut | itools) os_kernel_update ;;
    esac
    # The checks, as a service of the test system only; nothing else on the
    # serial port (a getty there would hang up the checks' output).
    ln -sf /dev/null "$OS_ROOT/etc/systemd/system/serial-getty@ttyS0.service"
    install -D -m 0755 "$SRC/test-vm/os/uvtest-os.sh" "$OS_ROOT/usr/local/lib/uvtest/uvtest-os.sh"
    install -D -m 0755 "$BIN/uvtest-util" "$OS_ROOT/usr/local/lib/uvtest/uvtest-util"
    install -D -m 0644 "$SRC/test-vm/guest/uvtest-lib.sh" "$OS_ROOT/usr/lib/uvtest/uvtest-lib.sh"
    install -D -m 0644 "$SRC/test-vm/os/uvtest.service" "$OS_ROOT/etc/systemd/system/uvtest.service"
    mkdir -p "$OS_ROOT/etc/systemd/system/multi-user.target.wants"
    ln -sf ../uvtest.service "$OS_ROOT/etc/systemd/system/multi-user.target.wants/uvtest.service"
    if [ "$variant" = cloud ]; then
        # The checks wait for cloud-init's install and its reboot.
        mkdir -p "$OS_ROOT/etc/systemd/system/uvtest.service.d"
        printf '[Unit]\nAfter=cloud-final.service\nConditionPathExists=/usr/sbin/uvirtio-boot\n' \
            > "$OS_ROOT/etc/systemd/system/uvtest.service.d/cloud.conf"
    fi
    [ -z "${OS_HOOK-}" ] || "$OS_HOOK" "$OS_ROOT"
    # (The cloud image keeps what the packages pull in: it has no mirror.)
    [ "$variant" = cloud ] || rm -f "$OS_ROOT"/var/cache/apt/archives/*.deb
    size=$(du -sm "$OS_ROOT" | cut -f1)
    rm -f "$OS_DISK"
    os_step "mkfs.ext4 -d makes the disk image (no loop mount)" \
        mkfs.ext4 -q -F -L uvtest -d "$OS_ROOT" "$OS_DISK" "$((size * 5 / 4 + 256))M"
}

# What README says first: the packages, with apt, from build/deb (make deb,
# run by test-vm/check). The uvirtio package's trigger makes the initramfs
# (dracut and initramfs-tools both answer it), with the display.
os_deb_install() {
    local debs="uvirtio-dkms_${version}_all.deb uvirtio_${version}_amd64.deb" d
    mkdir -p "$OS_ROOT/tmp/debs"
    for d in $debs; do cp "$SRC/build/deb/$d" "$OS_ROOT/tmp/debs/" || return 1; done
    # (Not --no-download, with which apt refuses local .deb files; what
    # they pull in is in apt's cache, downloaded with the base.)
    os_step "apt-get install ./uvirtio-dkms_${version}_all.deb ./uvirtio_${version}_amd64.deb" \
        in_root "$OS_ROOT" apt-get install -y -q $(printf ' /tmp/debs/%s' $debs)
    rm -rf "$OS_ROOT/tmp/debs"
    os_step "DKMS built uvirtio.ko for $KVER in the package's install" \
        sh -c "ls $OS_ROOT/lib/modules/$KVER/updates/dkms/uvirtio.ko*"
    os_step "openssl, which DKMS signs modules with, is installed" os_installed openssl
    os_step "DKMS signed uvirtio.ko with its own key (modinfo: DKMS module signing key)" \
        os_signed_by_dkms
    os_step "uvirtio-vnc.service is installed disabled" os_vnc_disabled
}
os_signed_by_dkms() {
    [ -f "$OS_ROOT/var/lib/dkms/mok.pub" ] &&
        [ "$(in_root "$OS_ROOT" sh -c "modinfo -F signer /lib/modules/$KVER/updates/dkms/uvirtio.ko*" \
            2> /dev/null)" = "DKMS module signing key" ]
}
os_installed() {
    [ "$(in_root "$OS_ROOT" dpkg-query -W -f '${Status}' "$1" 2> /dev/null)" = \
        "install ok installed" ]
}
os_vnc_disabled() {
    [ "$(in_root "$OS_ROOT" systemctl is-enabled uvirtio-vnc.service 2> /dev/null)" = disabled ]
}

# apt-get purge of both packages: no uvirtio file is left, every file the
# install added is gone or another package's (what it pulled in), and the
# initramfs made after it has no uvirtio.
os_deb_purge() {
    local dir=$WORK/os/$variant
    os_step "apt-get purge uvirtio uvirtio-dkms" \
        in_root "$OS_ROOT" apt-get purge -y -q uvirtio uvirtio-dkms
    os_step "dpkg -S uvirtio finds no file" os_not in_root "$OS_ROOT" dpkg -S uvirtio
    os_files "$OS_ROOT" > "$dir/files-after.txt"
    comm -13 "$dir/files-before.txt" "$dir/files-after.txt" > "$dir/files-added.txt"
    # (The base has one already: this machine's apt source for backports,
    # which test-vm names uvirtio-bookworm-backports.)
    os_step "no file or directory named *uvirtio* is left that was not there before" \
        os_not grep -i uvirtio "$dir/files-added.txt"
    os_step "every file the install added is gone or a package's (of $(wc -l < "$dir/files-added.txt"))" \
        os_files_owned "$dir/files-added.txt"
    os_step "the initramfs made after the purge has no uvirtio" \
        os_not os_initrd_has "$OS_ROOT/boot/initrd.img-$KVER" uvirtio
}
os_not() { ! "$@"; }

# os_files ROOT: the tree's files and directories, sorted; not the mount
# points' contents, nor apt's and dpkg's state, caches and logs.
os_files() {
    local p prune=()
    for p in proc sys dev run tmp var/cache var/log var/lib/apt var/lib/dpkg; do
        prune+=(-path "$1/$p" -prune -o)
    done
    find "$1" -xdev -mindepth 1 "${prune[@]}" -printf '%P\n' | sort
}

# os_files_owned LIST: each path of LIST (relative to OS_ROOT) belongs to
# an installed package, but for what the system makes itself (the
# initramfs, the linker's cache, systemd's and DKMS's state: DKMS's
# signing key stays, as the MOK enrolled for it does).
os_files_owned() {
    local left
    left=$(grep -Ev '^(boot/initrd\.img-|etc/ld\.so\.cache$|var/lib/(dkms|systemd|ucf)(/|$)|etc/systemd/system/)' "$1" |
        sed 's|^|/|' | in_root "$OS_ROOT" xargs -r dpkg -S 2>&1 >/dev/null |
        sed -n 's/^dpkg-query: no path found matching pattern //p')
    [ -z "$left" ] || { echo "not a package's: $left"; return 1; }
}

# A kernel update: DKMS builds the module, the generator's kernel hook
# makes the initramfs, and it must have the display, nothing run by hand.
os_kernel_update() {
    os_step "apt-get install linux-image-$OS_NEW_KVER and its headers" \
        in_root "$OS_ROOT" apt-get install -y -q --no-download \
        --no-install-recommends "linux-image-$OS_NEW_KVER" "linux-headers-$OS_NEW_KVER"
    os_step "DKMS built uvirtio.ko for the new kernel $OS_NEW_KVER by itself" \
        sh -c "ls $OS_ROOT/lib/modules/$OS_NEW_KVER/updates/dkms/uvirtio.ko*"
    os_step "the new kernel's initramfs has uvirtio-boot, uvirtio.ko and virtio_gpu" \
        os_initrd_has "$OS_ROOT/boot/initrd.img-$OS_NEW_KVER" $OS_DISPLAY_FILES
    os_initrd_display
}

# What an initramfs with the display holds.
OS_DISPLAY_FILES="usr/sbin/uvirtio-boot uvirtio\.ko virtio-gpu\.ko|virtio_gpu\.ko"

# os_initrd_display: KVER's initramfs has the display (and CONF's file).
os_initrd_display() {
    os_step "the initramfs has uvirtio-boot, uvirtio.ko and virtio_gpu" \
        os_initrd_has "$OS_ROOT/boot/initrd.img-$KVER" $OS_DISPLAY_FILES
    [ -z "$conf" ] || os_step "the initramfs has /etc/uvirtio.conf" \
        os_initrd_has "$OS_ROOT/boot/initrd.img-$KVER" etc/uvirtio.conf
}

# os_copy_tree DEST: this source tree's files as git has them (committed
# or not, nothing ignored: no build output), copied to DEST.
os_copy_tree() {
    git -C "$SRC" rev-parse --git-dir > /dev/null 2>&1 ||
        die "$SRC is not a git checkout: cannot tell its files from build output"
    rm -rf "$1" && mkdir -p "$1"
    git -C "$SRC" ls-files -z --cached --others --exclude-standard |
        rsync -a --from0 --files-from=- --ignore-missing-args "$SRC/" "$1/" ||
        die "cannot copy the source tree to $1"
}

os_version() { sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$SRC/dkms.conf"; }

# os_initrd_has INITRD PATTERN...: each (extended regex) names a file in it.
os_initrd_has() {
    local list p
    list=$(lsinitrd "$1" 2> /dev/null || lsinitramfs "$1" 2> /dev/null)
    [ -n "$list" ] || list=$(in_root "$OS_ROOT" lsinitrd "/boot/${1##*/}" 2> /dev/null ||
        in_root "$OS_ROOT" lsinitramfs "/boot/${1##*/}" 2> /dev/null)
    shift
    for p in "$@"; do
        echo "$list" | grep -Eq "$p" || { echo "not in the initramfs: $p"; return 1; }
    done
}

# os_boot LOG RESULTS "CMDLINE" [KVER [QEMU OPTION...]]: boots the test
# system (its disk as a snapshot: the image is never changed) with a
# results disk, no display.
os_boot() {
    local log=$1 results=$2 cmdline=$3 kver=${4:-$KVER}
    shift 4 2> /dev/null || shift $#
    truncate -s 0 "$results" && truncate -s 64M "$results"
    if [ -n "${OS_SB_VARS-}" ]; then
        os_sb_boot "$log" "$results" "$cmdline" "$kver" "$@"
        return
    fi
    QEMU_MEM=1536 qemu_boot "$log" "${UVIRTIO_OS_TIMEOUT:-600}" \
        "$OS_ROOT/boot/vmlinuz-$kver" "${OS_INITRD:-$OS_ROOT/boot/initrd.img-$kver}" \
        "root=/dev/vda rw $cmdline" \
        -drive "file=$OS_DISK,format=raw,if=virtio,snapshot=${OS_SNAPSHOT:-on}" \
        -drive "file=$results,format=raw,if=virtio" "$@"
}

# -- Secure Boot: firmware, shim, GRUB and the kernel all verified ----------
# The MOK list's owner GUID (shim's), for virt-fw-vars --add-mok.
OS_SB_SHIM_GUID=605dab50-e046-4300-abb6-3dd810dd8b23

# os_sb_setup: Debian's Secure Boot chain, unpacked into the cache from
# its packages (not installed: their scripts would set up this host's own
# boot loader): OVMF's firmware built for Secure Boot and its variables
# with Microsoft's keys enrolled and Secure Boot on, shim signed by
# Microsoft, GRUB signed by Debian. Then the variables with DKMS's key
# (OS_ROOT's /var/lib/dkms/mok.pub, made by the package's install) in
# shim's MokList, as `mokutil --import` and MokManager would leave them:
# OS_SB_VARS, copied fresh for each boot.
os_sb_setup() {
    local dir=$CACHE/secureboot d
    need_packages mtools dosfstools fdisk cpio
    enable_backports
    need_packages python3-virt-firmware
    if [ ! -e "$dir/.done" ]; then
        rm -rf "$dir" && mkdir -p "$dir/debs" "$dir/root"
        (cd "$dir/debs" && apt-get download -q ovmf shim-signed grub-efi-amd64-signed) \
            > "$dir/download.log" 2>&1 ||
            die "cannot download the Secure Boot packages: see $dir/download.log"
        for d in "$dir"/debs/*.deb; do dpkg-deb -x "$d" "$dir/root" || die "cannot unpack $d"; done
        rm -rf "$dir/debs"
        touch "$dir/.done"
    fi
    OS_SB_ROOT=$dir/root
    OS_SB_VARS=$WORK/os/sb/vars-mok.fd
    mkdir -p "$WORK/os/sb"
    virt-fw-vars -i "$OS_SB_ROOT/usr/share/OVMF/OVMF_VARS_4M.ms.fd" \
        --add-mok "$OS_SB_SHIM_GUID" "$OS_ROOT/var/lib/dkms/mok.pub" \
        -o "$OS_SB_VARS" > "$WORK/os/sb/vars.log" 2>&1
}

# os_sb_boot LOG RESULTS "CMDLINE" KVER [QEMU OPTION...]: os_boot through
# the firmware: q35 with SMM (OVMF's Secure Boot build needs it), shim as
# the removable-media loader of an EFI system partition on a disk of its
# own, GRUB beside it, then KVER's kernel and initramfs (OS_INITRD if set)
# from that partition with CMDLINE (grub.cfg). The disks are in os_boot's
# order (vda, vdb), that partition's third: -device, unlike if=virtio,
# takes PCI slots in the order given. Made without a loop mount:
# mkfs.fat -C, mtools, sfdisk on the image file.
os_sb_boot() {
    local log=$1 results=$2 cmdline=$3 kver=$4 dir
    shift 4
    dir=$(dirname "$log")/efi
    rm -rf "$dir" && mkdir -p "$dir"
    printf 'set timeout=0\nlinux /vmlinuz %s\ninitrd /initrd.img\nboot\n' \
        "$GUEST_ARGS root=/dev/vda rw $cmdline" > "$dir/grub.cfg"
    (
        set -e
        export MTOOLS_SKIP_CHECK=1
        mkfs.fat -C -F 32 -n ESP "$dir/esp.img" $((256 * 1024)) > /dev/null
        mmd -i "$dir/esp.img" ::/EFI ::/EFI/BOOT ::/EFI/debian
        mcopy -i "$dir/esp.img" "$OS_SB_ROOT/usr/lib/shim/shimx64.efi.signed" ::/EFI/BOOT/BOOTX64.EFI
        mcopy -i "$dir/esp.img" "$OS_SB_ROOT/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed" \
            ::/EFI/BOOT/grubx64.efi
        mcopy -i "$dir/esp.img" "$dir/grub.cfg" ::/EFI/debian/grub.cfg
        mcopy -i "$dir/esp.img" "$OS_ROOT/boot/vmlinuz-$kver" ::/vmlinuz
        mcopy -i "$dir/esp.img" "${OS_INITRD:-$OS_ROOT/boot/initrd.img-$kver}" ::/initrd.img
        truncate -s 258M "$dir/disk.img"
        printf 'label: gpt\nstart=2048, size=524288, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n' |
            sfdisk -q --no-reread --no-tell-kernel "$dir/disk.img"
        dd if="$dir/esp.img" of="$dir/disk.img" bs=1M seek=1 conv=notrunc,sparse status=none
        rm -f "$dir/esp.img"
        cp "$OS_SB_VARS" "$dir/vars.fd"
    ) > "$dir/make.log" 2>&1 || { echo "# cannot make the EFI disk: see $dir/make.log"; return 1; }
    QEMU_MACHINE=q35,smm=on QEMU_MEM=1536 qemu_boot "$log" "${UVIRTIO_OS_TIMEOUT:-600}" - - "" \
        -global driver=cfi.pflash01,property=secure,value=on \
        -drive "if=pflash,format=raw,unit=0,readonly=on,file=$OS_SB_ROOT/usr/share/OVMF/OVMF_CODE_4M.secboot.fd" \
        -drive "if=pflash,format=raw,unit=1,file=$dir/vars.fd" \
        -drive "file=$OS_DISK,format=raw,if=none,id=root,snapshot=${OS_SNAPSHOT:-on}" \
        -device virtio-blk-pci,drive=root \
        -drive "file=$results,format=raw,if=none,id=results" \
        -device virtio-blk-pci,drive=results \
        -drive "file=$dir/disk.img,format=raw,if=none,id=esp" \
        -device virtio-blk-pci,drive=esp,bootindex=0 "$@"
}

# os_sb_foreign_initrd OUT: the test system's initramfs with its uvirtio.ko
# signed by a key no one enrolled (made here), as an uncompressed archive
# appended to it (the kernel unpacks them in turn; the later file wins).
# The guest checks its kernel said nothing of the unpacking.
os_sb_foreign_initrd() {
    local out=$1 dir=$WORK/os/sb/foreign ko mod
    rm -rf "$dir" && mkdir -p "$dir/cpio"
    mod=$(cd "$OS_ROOT" && ls lib/modules/"$KVER"/updates/dkms/uvirtio.ko) || return 1
    openssl req -new -x509 -nodes -days 1 -subj "/CN=uvtest foreign key" -newkey rsa:2048 \
        -keyout "$dir/foreign.key" -outform DER -out "$dir/foreign.der" > /dev/null 2>&1 || return 1
    ko=$dir/cpio/usr/$mod
    mkdir -p "$(dirname "$ko")"
    # DKMS's signature off (the kernel reads the last one), then ours.
    python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
m = b"~Module signature appended~\n"
if d.endswith(m):
    n = struct.unpack(">I", d[-len(m) - 4:-len(m)])[0]
    d = d[:-len(m) - 12 - n]
open(sys.argv[2], "wb").write(d)' "$OS_ROOT/$mod" "$ko" || return 1
    "/usr/src/linux-headers-$KVER/scripts/sign-file" sha256 "$dir/foreign.key" \
        "$dir/foreign.der" "$ko" || return 1
    # The kernel looks for an archive's header at a multiple of 4 bytes,
    # skipping zeros: pad the first out to 512.
    cp "${OS_INITRD:-$OS_ROOT/boot/initrd.img-$KVER}" "$out" &&
        truncate -s $((($(stat -c %s "$out") + 511) / 512 * 512)) "$out" &&
        (cd "$dir/cpio" && find usr | cpio -o -H newc --quiet) >> "$out"
}

# -- cloud-init: README's user-data installs uvirtio at the first boot -------
# os_cloud_boot DIR: the cloud image's first boot, with its disk written:
# a NoCloud seed (cloud-localds) whose user-data is README's example, its
# apt repository this tree's packages (dpkg-scanpackages), served here and
# reached at QEMU's user network's host address. cloud-init installs them
# and reboots, which ends QEMU (-no-reboot). Sets OS_INITRD to the
# initramfs the guest made and OS_BOOT_OPTS to the seed and the NIC, for
# the next boot (the seed stays, as a cloud's datasource does).
os_cloud_boot() {
    local dir=$1 repo=$1/repo port http rc d
    rm -rf "$dir" && mkdir -p "$repo"
    for d in "uvirtio-dkms_$(os_version)_all.deb" "uvirtio_$(os_version)_amd64.deb"; do
        cp "$SRC/build/deb/$d" "$repo/" || return 1
    done
    (cd "$repo" && dpkg-scanpackages -m . > Packages 2> /dev/null) || return 1
    port=$(/usr/bin/python3 "$SRC/test-vm/vnc-host.py" free-port)
    os_cloud_user_data "http://10.0.2.2:$port" > "$dir/user-data" || return 1
    printf 'instance-id: uvtest-cloud-1\nlocal-hostname: uvtest\n' > "$dir/meta-data"
    cloud-localds "$dir/seed.img" "$dir/user-data" "$dir/meta-data" || return 1
    python3 -m http.server "$port" --bind 127.0.0.1 --directory "$repo" \
        > "$dir/http.log" 2>&1 &
    http=$!
    OS_BOOT_OPTS=(-drive "file=$dir/seed.img,format=raw,if=virtio,readonly=on"
        -netdev user,id=n0 -device virtio-net-pci,netdev=n0)
    OS_SNAPSHOT=off UVIRTIO_OS_TIMEOUT=${UVIRTIO_OS_TIMEOUT:-1800} \
        os_boot "$dir/serial.log" "$dir/results.disk" "loglevel=5" "$KVER" "${OS_BOOT_OPTS[@]}"
    rc=$?
    kill "$http" 2> /dev/null
    wait "$http" 2> /dev/null
    # The initramfs the guest made, out of its disk.
    OS_INITRD=$dir/initrd.img
    debugfs -R "dump /boot/initrd.img-$KVER $OS_INITRD" "$OS_DISK" > /dev/null 2>&1
    return $rc
}

# os_cloud_user_data URL: README's cloud-init example, its repository URL
# made URL (the one place of the example is README).
os_cloud_user_data() {
    sed -n '/^<!-- cloud-init user-data -->$/,/^```$/p' "$SRC/README.md" |
        sed '1,2d;$d' | sed "s|http://apt.example.internal/uvirtio|$1|" | grep . ||
        { echo "README.md has no cloud-init example" >&2; return 1; }
}

# -- the remote console, seen and driven by real clients on this host -------
# os_vnc_boot NAME DIR "CMDLINE" [KVER [QEMU OPTION...]]: os_boot with a
# NIC on QEMU's user network, the guest's port 5900 forwarded to a free
# port on this host's loopback only, and a second serial port (ttyS1) fed
# from a FIFO; the uvtest.vnc=1 of CMDLINE becomes uvtest.vnc=PASSWORD,
# one made here. The guest (uvtest-lib.sh's host_step) says "host-step
# STEP" on its serial port when it is ready for "$VNC_STEP NAME DIR/host
# PORT PASSWORD STEP" (default os_vnc_step), and waits for "done STEP" on
# ttyS1; os_vnc_step's results are TAP lines here, and its pictures are
# compared with the guest's own by os_vnc_compare after the boot.
os_vnc_boot() {
    local name=$1 dir=$2 cmdline=$3 kver=${4:-$KVER} port pass qpid drain seen=0 step rc
    shift 4 2> /dev/null || shift $#
    port=$(/usr/bin/python3 "$SRC/test-vm/vnc-host.py" free-port)
    pass=uvtest-$RANDOM
    mkdir -p "$dir/host"
    rm -f "$dir/ctl.in" "$dir/ctl.out" && mkfifo "$dir/ctl.in" "$dir/ctl.out"
    # A wrong password and the right one, in vncsnapshot's file format.
    x11vnc -storepasswd "$pass" "$dir/host/pass" > /dev/null 2>&1
    x11vnc -storepasswd "not-$pass" "$dir/host/wrong" > /dev/null 2>&1
    os_boot "$dir/serial.log" "$dir/results.disk" "${cmdline/uvtest.vnc=1/uvtest.vnc=$pass}" "$kver" \
        -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:5900" \
        -device virtio-net-pci,netdev=n0 \
        -chardev "pipe,id=ctl,path=$dir/ctl" -serial chardev:ctl "$@" &
    qpid=$!
    # Nothing reads what the guest writes on ttyS1; keep the FIFO drained.
    cat "$dir/ctl.out" > /dev/null &
    drain=$!
    while kill -0 $qpid 2> /dev/null; do
        step=$(grep -a 'UVTEST: # host-step ' "$dir/serial.log" 2> /dev/null |
            sed -n "$((seen + 1))s/.*host-step //p" | tr -d '\r')
        if [ -z "$step" ]; then
            sleep 1
            continue
        fi
        seen=$((seen + 1))
        "${VNC_STEP:-os_vnc_step}" "$name" "$dir/host" "$port" "$pass" "$step"
        timeout 10 sh -c "echo 'done $step' > '$dir/ctl.in'"
    done
    wait $qpid
    rc=$?
    kill $drain 2> /dev/null
    return $rc
}

# os_vnc_step NAME DIR PORT PASSWORD STEP: what the host's clients do
# while the guest waits: vncsnapshot (JPEG files only), noVNC in Chromium,
# a LibVNCClient program (uvtest-vnc built for this host) for the resize.
os_vnc_step() {
    local name=$1/vnc-$5 dir=$2 port=$3 pass=$4 step=$5 rc
    local browser=(/usr/bin/python3 "$SRC/test-vm/vnc-host.py" browser "$port" "$pass" "$dir")
    snapshot() { # snapshot PASSFILE OUT: vncsnapshot's picture, lossless on the wire
        timeout 60 vncsnapshot -quiet -nojpeg -passwd "$1" "127.0.0.1::$port" "$2" \
            > /dev/null 2>&1
    }
    case "$step" in
    console)
        snapshot "$dir/wrong" "$dir/wrong.jpg"
        rc=$?
        result "$([ $rc != 0 ] && [ ! -e "$dir/wrong.jpg" ] && echo 1 || echo 0)" \
            "$name: vncsnapshot with the wrong password is refused (rc $rc)"
        snapshot "$dir/pass" "$dir/console.jpg"
        result $(($? == 0)) "$name: vncsnapshot takes a screenshot"
        # Log in as root (no password on this test system), run a command.
        relay_tap "$name" < <(timeout 180 "${browser[@]}" shot console garbage \
            type 'root\n' sleep 4 type 'echo uvtest-$((6*7))-typed\n' settle shot typed)
        ;;
    xorg)
        snapshot "$dir/pass" "$dir/xorg.jpg"
        result $(($? == 0)) "$name: vncsnapshot takes a screenshot"
        relay_tap "$name" < <(timeout 120 "${browser[@]}" shot xorg move 500 300)
        ;;
    weston)
        snapshot "$dir/pass" "$dir/weston.jpg"
        result $(($? == 0)) "$name: vncsnapshot takes a screenshot"
        ;;
    resize)
        relay_tap "$name" < <(UVTEST_VNC_PASSWORD=$pass timeout 60 \
            "$WORK/uvtest-vnc-host" resize "$port" 800x600)
        ;;
    *) result 0 "$name: the guest asked for a step no one knows" ;;
    esac
}

# os_vnc_compare NAME DIR: the clients' pictures against the guest's own
# (fb0, xwd, the CRTC's framebuffer under Weston), every pixel exactly:
# noVNC's canvas (PNG) as it is, vncsnapshot's JPEG file against the
# guest's picture coded as vncsnapshot codes it (vnc-host.py same: that
# coding alone moves a channel by 1 or 2 at sharp edges). A blank picture
# of the guest's fails.
os_vnc_compare() {
    local name=$1 dir=$2 s shot clients client ext tol how out
    local fb2png=(python3 "$SRC/test-vm/fb2png.py")
    for s in console-vnc typed weston-scanout; do
        # shellcheck disable=SC2046
        "${fb2png[@]}" "$dir/out/$s.raw" $(cat "$dir/out/$s.geometry" 2> /dev/null) \
            "$dir/out/$s.png" > /dev/null 2>&1
    done
    "${fb2png[@]}" --xwd "$dir/out/xorg-vnc.xwd" "$dir/out/xorg-vnc.png" > /dev/null 2>&1
    # STEP:GUEST'S PICTURE:CLIENTS. (noVNC asks for JPEG in Tight at its
    # quality 6, which LibVNCServer uses for Weston's patterned background:
    # lossy by the client's choice, so noVNC looks at Weston in no step.)
    for s in console:console-vnc:novnc,vncsnapshot typed:typed:novnc \
        xorg:xorg-vnc:novnc,vncsnapshot weston:weston-scanout:vncsnapshot; do
        IFS=: read -r s shot clients <<< "$s"
        for client in ${clients//,/ }; do
            case $client in
            novnc) ext=png tol=0 how=exactly ;;
            vncsnapshot) ext=jpg tol=0 how="exactly, both coded as its JPEG file" ;;
            esac
            out=$(/usr/bin/python3 "$SRC/test-vm/vnc-host.py" same \
                "$dir/out/$shot.png" "$dir/host/$s.$ext" "$tol" 2>&1)
            result $(($? == 0)) "$name/vnc-$s: $client's picture is the guest's own, every pixel $how ($out)"
        done
    done
    # The browser's page, for README: the console after the typed command.
    cp "$dir/host/typed-page.png" "$SHOTS/${name#os/}-novnc.png" 2> /dev/null
    shot_check "$name/vnc: noVNC in Chromium, $SHOTS/${name#os/}-novnc.png" '$colours -ge 3' \
        python3 "$SRC/test-vm/fb2png.py" --png "$SHOTS/${name#os/}-novnc.png"
}
