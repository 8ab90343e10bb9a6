#!/usr/bin/env bash
# Acceptance check of the hardened front: 1,000,000 malformed frames (half
# pipelined after authentication, half garbage before it) against a running
# release FlintDB on loopback, with a canary client querying throughout;
# prints the server's memory before, at peak and after, and that it still
# runs.  Usage: bench/hostile-frames.sh [FRAMES]
source "$(dirname "$0")/common.sh"
frames=${1:-1000000}
start_flintdb 64
rss() { awk '/VmRSS/ {print $2}' "/proc/$flint_pid/status"; }
before=$(rss)
echo "RSS before: ${before} KiB"
# Three floods in a row show whether memory keeps growing (a leak) or the
# allocator reuses what earlier ones freed.
for round in 1 2 3; do
  python3 "$root/bench/hostile-frames.py" "$FLINT_PORT" "$frames"
  sleep 3
  echo "RSS after flood $round: $(rss) KiB"
done
kill -0 "$flint_pid" && echo "server still running"
q "$FLINT_PORT" "select 'canary after floods: ' || 1"
