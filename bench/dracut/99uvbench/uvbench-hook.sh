#!/bin/sh
# dracut pre-mount hook (sourced): measure, then power off.
sh /usr/bin/uvbench-run
/usr/bin/uvtest-util poweroff
