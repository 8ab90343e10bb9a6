#!/usr/bin/env bash
# kill -9 loop: N cycles (default 200) of 16 clients writing to the real
# flintdb binary, SIGKILLed at a random moment and restarted; prints
# "N cycles, 0 lost, 0 partial; … slowest restart Xs". Loopback only,
# bounded: each cycle runs at most ~1 s of load.
set -euo pipefail
cd "$(dirname "$0")/.."
FLINTDB_KILL_CYCLES=${1:-200} cargo test --release --test kill -- --nocapture 2>&1 | grep -E "cycles|panicked|FAILED|test result"
