#!/bin/sh
# dracut pre-mount hook (sourced): run the checks, then power off.
sh /usr/bin/uvtest-run
/usr/bin/uvtest-util poweroff
