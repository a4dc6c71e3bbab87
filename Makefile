# SPDX-License-Identifier: GPL-2.0
#
# make            build uvirtio-boot and uvirtio.ko (for KVER, default: running)
# make check      install what the tests need, run unit and VM tests on
#                 Debian 12's 6.1 and 6.12 (KERNEL=6.12 for one of them)
# make check-mainline  the same on the newest mainline Debian ships, built here
# make check-5.10 the initramfs suite on Debian 11's 5.10, the module built
#                 in a Debian 11 build root with its gcc-10, then a real
#                 Debian 11 system installed from the source tree
# make check-debug     the same on a debug build of it (KASAN, lockdep,
#                 kmemleak, fault injection), with the long fuzz and stress
# make bench      measure uvirtio against QEMU's virtio-gpu-pci, -vga std and
#                 vkms in one run, the remote console, then the packages
#                 (bench/packages): docs/benchmarks.md and docs/benchmarks.png
# make demo       boot a VM at 1920x1080 and show what the guest sees
# make vnc        build uvirtio-vnc (needs libvncserver-dev; make builds it
#                 when that is installed)
# make install    install module, tools, profiles, the initramfs hooks and
#                 uvirtio-vnc.service (disabled)
# make install-dkms  the same, with the module's sources for DKMS instead
# make install-dracut-conf  dracut adds uvirtio to every initramfs it makes
# make deb        the Debian packages uvirtio-dkms and uvirtio (debhelper,
#                 dh-dkms), in build/deb/
# make install-package  what the uvirtio package holds (debian/rules)

VERSION    := $(or $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf),$(error dkms.conf has no PACKAGE_VERSION="..."))
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
PROFILEDIR ?= $(PREFIX)/share/uvirtio/profiles
DRACUTDIR  ?= /usr/lib/dracut/modules.d
DRACUTCONFDIR ?= /etc/dracut.conf.d
ITOOLSDIR  ?= /usr/share/initramfs-tools
DKMSDIR    ?= /usr/src/uvirtio-$(VERSION)
UNITDIR    ?= /lib/systemd/system
MANDIR     ?= $(PREFIX)/share/man
DESTDIR    ?=
KVER       ?= $(shell uname -r)
KDIR       ?= /lib/modules/$(KVER)/build
B          := build

# The module's sources (kernel/Kbuild names its objects); not Kbuild's *.mod.c.
KERNEL_SRC := kernel/Makefile kernel/Kbuild \
	$(filter-out %.mod.c,$(wildcard kernel/*.c kernel/*.h))
TOOL_SRC   := tool/uvirtio-boot.c tool/cmdline.c tool/helper.c tool/profile.c
TOOL_HDR   := tool/cmdline.h tool/helper.h tool/profile.h include/uapi/linux/uvirtio.h
WARN       := -Wall -Wextra -Wshadow -Wformat=2 -Werror
# musl keeps the static binary small; glibc -static is the fallback.
MUSL_CC    := $(shell command -v musl-gcc 2>/dev/null)
ifneq ($(MUSL_CC),)
TOOL_CC    := $(MUSL_CC)
# musl-gcc hides /usr/include: give it only the kernel's uapi headers.
TOOL_INC   := -I$(B)/musl-include
else
TOOL_CC    := $(CC)
TOOL_INC   :=
endif
# noseparate-code: no page of padding between code and data (8 KiB less).
TOOL_CFLAGS := -Os -static $(WARN) -Iinclude/uapi -Itool $(TOOL_INC) \
	-ffunction-sections -fdata-sections -Wl,--gc-sections -Wl,-z,noseparate-code -s \
	-DUVIRTIO_VERSION='"$(VERSION)"' -DPROFILE_DIR='"$(PROFILEDIR)"'

# uvirtio-vnc links LibVNCServer: built when its headers are installed.
HAVE_VNC   := $(shell pkg-config --exists libvncserver 2>/dev/null && echo y)
VNC_CFLAGS  = $(shell pkg-config --cflags libvncserver)
VNC_LIBS    = $(shell pkg-config --libs libvncserver) -lgcrypt

all: tool module

tool: $(B)/uvirtio-boot $(if $(HAVE_VNC),$(B)/uvirtio-vnc)

vnc: $(B)/uvirtio-vnc

$(B)/uvirtio-vnc: tool/uvirtio-vnc.c include/uapi/linux/uvirtio.h
	@pkg-config --exists libvncserver || \
		{ echo "uvirtio-vnc needs LibVNCServer: apt-get install libvncserver-dev" >&2; exit 1; }
	@mkdir -p $(B)
	$(CC) -O2 $(WARN) $(CPPFLAGS) $(CFLAGS) -Iinclude/uapi $(VNC_CFLAGS) -o $@ \
		tool/uvirtio-vnc.c $(LDFLAGS) $(VNC_LIBS)

# linux/ioctl.h would redefine musl's _IO* macros: it becomes <sys/ioctl.h>.
$(B)/musl-include:
	mkdir -p $@/linux
	ln -sf /usr/include/linux/* $@/linux/
	rm -f $@/linux/ioctl.h
	echo '#include <sys/ioctl.h>' > $@/linux/ioctl.h
	ln -sfn /usr/include/asm-generic $@/asm-generic
	ln -sfn /usr/include/$(shell $(CC) -print-multiarch)/asm $@/asm

# The caller's flags (a package build's hardening) first: -Os stays.
TOOL_ALL_FLAGS = $(CPPFLAGS) $(CFLAGS) $(TOOL_CFLAGS) $(LDFLAGS)

# Rebuild when the flags (PREFIX, PROFILEDIR, CFLAGS) change.
$(B)/tool-flags: FORCE
	@mkdir -p $(B)
	@echo '$(TOOL_CC) $(TOOL_ALL_FLAGS)' | cmp -s - $@ || \
		echo '$(TOOL_CC) $(TOOL_ALL_FLAGS)' > $@

$(B)/uvirtio-boot: $(TOOL_SRC) $(TOOL_HDR) $(B)/tool-flags | $(if $(MUSL_CC),$(B)/musl-include)
	@mkdir -p $(B)
	$(TOOL_CC) $(TOOL_ALL_FLAGS) -o $@ $(TOOL_SRC)

# kernel/edid.c is the module's own, built for the host with tool/kshim.h.
$(B)/test-unit: tool/test-unit.c tool/cmdline.c tool/helper.c tool/profile.c $(TOOL_HDR) \
		kernel/edid.c kernel/edid.h tool/kshim.h dkms.conf Makefile
	@mkdir -p $(B)
	$(CC) -O1 -g $(WARN) -fsanitize=address,undefined -Iinclude/uapi -Itool \
		-include tool/kshim.h -c -o $(B)/edid-host.o kernel/edid.c
	$(CC) -O1 -g $(WARN) -fsanitize=address,undefined -Iinclude/uapi -Itool \
		-DUVIRTIO_VERSION='"$(VERSION)"' \
		-o $@ tool/test-unit.c tool/cmdline.c tool/helper.c tool/profile.c $(B)/edid-host.o

module:
	$(MAKE) -C kernel KDIR=$(KDIR)

unit: $(B)/test-unit
	$(B)/test-unit

check:
	test-vm/check $(if $(KERNEL),--kernel $(KERNEL))

check-mainline:
	test-vm/check --kernel mainline --no-os

check-5.10:
	test-vm/check --kernel 5.10

check-debug:
	test-vm/check --kernel debug --no-os --long --jobs 2

bench:
	bench/bench $(if $(KERNEL),--kernel $(KERNEL))
	bench/packages

demo:
	test-vm/demo

# install-man PAGE: man/PAGE in section 8, with the paths of this install.
define install-man
	install -d $(DESTDIR)$(MANDIR)/man8
	sed 's|@PROFILEDIR@|$(PROFILEDIR)|g; s|@UNITDIR@|$(UNITDIR)|g' man/$(1) > \
		$(DESTDIR)$(MANDIR)/man8/$(1)
	chmod 0644 $(DESTDIR)$(MANDIR)/man8/$(1)
endef

# Everything but the module: the tools, the profiles, both initramfs hooks,
# and uvirtio-vnc's unit, installed disabled (README: the remote console).
install-common: tool
	install -D -m 0755 $(B)/uvirtio-boot $(DESTDIR)$(SBINDIR)/uvirtio-boot
ifeq ($(HAVE_VNC),y)
	install -D -m 0755 $(B)/uvirtio-vnc $(DESTDIR)$(SBINDIR)/uvirtio-vnc
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(SBINDIR)|g' tool/uvirtio-vnc.service > \
		$(DESTDIR)$(UNITDIR)/uvirtio-vnc.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/uvirtio-vnc.service
	$(call install-man,uvirtio-vnc.8)
else
	@echo "uvirtio-vnc not installed: it needs libvncserver-dev to build" >&2
endif
	install -D -m 0644 profiles/gpu.profile $(DESTDIR)$(PROFILEDIR)/gpu.profile
	$(call install-man,uvirtio-boot.8)
	install -d $(DESTDIR)$(DRACUTDIR)/90uvirtio
	install -m 0755 initramfs-hook/dracut/90uvirtio/module-setup.sh \
		initramfs-hook/dracut/90uvirtio/uvirtio-hook.sh \
		$(DESTDIR)$(DRACUTDIR)/90uvirtio/
	install -D -m 0755 initramfs-hook/initramfs-tools/hooks/uvirtio \
		$(DESTDIR)$(ITOOLSDIR)/hooks/uvirtio
	install -D -m 0755 initramfs-hook/initramfs-tools/scripts/init-top/uvirtio \
		$(DESTDIR)$(ITOOLSDIR)/scripts/init-top/uvirtio

install: all install-common
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kernel INSTALL_MOD_DIR=updates \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	$(if $(DESTDIR),,depmod -a $(KVER))

# The module's sources where DKMS looks; then: dkms install uvirtio/$(VERSION)
install-dkms: install-common install-dkms-src

install-dkms-src:
	install -D -m 0644 dkms.conf $(DESTDIR)$(DKMSDIR)/dkms.conf
	install -D -m 0644 $(KERNEL_SRC) -t $(DESTDIR)$(DKMSDIR)/kernel
	install -D -m 0644 include/uapi/linux/uvirtio.h \
		$(DESTDIR)$(DKMSDIR)/include/uapi/linux/uvirtio.h

# Remembered: every initramfs dracut makes gets uvirtio, kernel updates
# too (dracut --add uvirtio is for one run only).
install-dracut-conf:
	install -D -m 0644 initramfs-hook/dracut/uvirtio.conf \
		$(DESTDIR)$(DRACUTCONFDIR)/uvirtio.conf

# What the uvirtio package holds, into DESTDIR: install-common in /usr, and
# the dracut configuration where packages put theirs, not in /etc: a
# conffile there would outlive the package's removal (until a purge) and
# make dracut fail, asked to add a module that is gone.
install-package:
	$(MAKE) install-common install-dracut-conf PREFIX=/usr UNITDIR=/lib/systemd/system \
		DRACUTCONFDIR=/usr/lib/dracut/dracut.conf.d

# The packages, built from a copy of the tree in build/deb (dpkg-buildpackage
# writes beside its source); the version is dkms.conf's, and
# debian/changelog's must be the same.
DEB_SRC := Makefile README.md dkms.conf debian docs include initramfs-hook kernel man profiles tool
deb:
	@v=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$(VERSION)" ] || \
		{ echo "debian/changelog says $$v, dkms.conf $(VERSION): make them agree" >&2; exit 1; }
	@dpkg-checkbuilddeps || \
		{ echo "install the packages named above (apt-get install ...) and run make deb again" >&2; exit 1; }
	rm -rf $(B)/deb && mkdir -p $(B)/deb/uvirtio-$(VERSION)
	cp -a $(DEB_SRC) $(B)/deb/uvirtio-$(VERSION)/
	cd $(B)/deb/uvirtio-$(VERSION) && dpkg-buildpackage -b -us -uc > ../build.log 2>&1 || \
		{ tail -n 30 ../build.log >&2; echo "dpkg-buildpackage failed: see $(B)/deb/build.log" >&2; exit 1; }
	@ls $(B)/deb/*.deb

clean:
	rm -rf $(B)
	$(MAKE) -C kernel KDIR=$(KDIR) clean 2>/dev/null || true

.PHONY: all tool vnc module unit check check-mainline check-5.10 check-debug bench demo install install-common \
	install-dkms install-dkms-src install-dracut-conf install-package deb clean FORCE
