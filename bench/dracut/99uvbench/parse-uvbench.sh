#!/bin/sh
# dracut cmdline hook (sourced): the bench initramfs has no root file
# system; root=uvtest tells dracut's init that this is fine. It also loads
# rd.driver.pre= modules (vkms), as dracut's kernel-modules module would:
# the bench initramfs leaves that module and its drivers out.
[ "$root" = uvtest ] && rootok=1
for _m in $(getargs rd.driver.pre -d rdloaddriver=); do
    (
        IFS=,
        for _p in $_m; do
            modprobe "$_p"
        done
    )
done
