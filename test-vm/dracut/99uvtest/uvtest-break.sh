#!/bin/sh
# dracut pre-trigger hook 05 (sourced), before uvirtio's (10): breaks the
# system as uvtest.break= asks, to see uvirtio-boot cope and the boot go on.
#   noko      uvirtio.ko is missing      nogpu     virtio_gpu is missing
#   truncated the gpu profile is cut      garbage   the profile is binary junk
#   rodev     /dev is read-only           nokmsg    /dev/kmsg cannot be opened
_uvb_profile() { echo "$(/usr/sbin/uvirtio-boot --profile-dir)/gpu.profile"; }
case "$(getarg uvtest.break=)" in
noko) find /lib/modules -name 'uvirtio.ko*' -delete ;;
nogpu) find /lib/modules -name 'virtio-gpu.ko*' -delete ;;
truncated)
    head -c -60 "$(_uvb_profile)" > /tmp/uvb && cat /tmp/uvb > "$(_uvb_profile)"
    ;;
garbage) printf 'device \001\377\000junk\nexpect\n\377' > "$(_uvb_profile)" ;;
rodev) mount -o remount,ro /dev ;;
nokmsg) rm -f /dev/kmsg && mkdir /dev/kmsg ;;
esac
unset -f _uvb_profile
