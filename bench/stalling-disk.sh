#!/bin/bash
# Runs nimo-server ($NIMO_STALL_BIN, with this script's arguments) on a disk
# that stalls: every 40th fsync or fdatasync of the process is held for
# 400 ms (strace's fault injection), like the slow runs' disk on this
# machine, whose fsync probe saw single stalls of 0.5–1.9 s. SIGTERM is
# passed on to the server, which strace would otherwise leave running.
set -u
strace -f -qq --seccomp-bpf -o /dev/null -e trace=fsync,fdatasync \
  -e inject=fsync,fdatasync:delay_exit=400000:when=40+40 -- "$NIMO_STALL_BIN" "$@" &
tracer=$!
stop() { pkill -TERM -P "$tracer"; wait "$tracer"; }
trap stop TERM INT
wait "$tracer"
