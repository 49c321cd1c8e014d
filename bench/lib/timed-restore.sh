#!/usr/bin/env bash
# A timing wrapper for a restore_command, for the benchmarks (bench/backup.sh):
#   restore_command = '.../timed-restore.sh LOG CMDFILE %f %p %r'
# CMDFILE holds the tool's own restore_command as PostgreSQL would run it (with %f, %p, %r, %%).
# The wrapper substitutes them as PostgreSQL does, runs the command with sh -c (as PostgreSQL does)
# and appends "<microseconds> <exit status> <file name>" to LOG, then exits with the command's
# status. The clock is bash's $EPOCHREALTIME (no fork), read right before and after the command:
# what is timed is the tool's restore_command, not this wrapper's own start.
export LC_ALL=C # $EPOCHREALTIME's decimal point
log=$1 cmdfile=$2 f=$3 p=$4 r=${5:-}
cmd=$(<"$cmdfile")
cmd=${cmd//%%/$'\x01'}
cmd=${cmd//%f/$f}
cmd=${cmd//%p/$p}
cmd=${cmd//%r/$r}
cmd=${cmd//$'\x01'/%}
t0=$EPOCHREALTIME
sh -c "$cmd"
rc=$?
t1=$EPOCHREALTIME
echo "$((10#${t1/./} - 10#${t0/./})) $rc $f" >>"$log"
exit "$rc"
