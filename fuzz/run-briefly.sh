#!/usr/bin/env bash
# Builds the fuzz targets and runs each for a fixed number of inputs with
# a fixed seed (repeatable). Skips (exit 0) without a nightly toolchain.
#   fuzz/run-briefly.sh [RUNS]      (default 300000 per target)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-300000}
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "SKIP: no nightly toolchain for cargo fuzz"
  exit 0
fi
command -v cargo-fuzz >/dev/null || cargo install -q cargo-fuzz --locked
# No AddressSanitizer: FlintDB forbids unsafe code, and without it the
# build (most of this script's time) and the runs are much faster.
cargo +nightly fuzz build -O --sanitizer none
for target in startup_packet frontend_messages scram_and_sql; do
  echo "== fuzz $target ($runs inputs)"
  cargo +nightly fuzz run -O --sanitizer none "$target" -- -runs="$runs" -seed=1 -rss_limit_mb=2048 2>&1 | grep -E '^(Done|==)|panicked|SUMMARY' || true
  # A crash leaves an artifact and a non-zero exit; grep above hides the
  # exit code, so check for artifacts.
  if compgen -G "fuzz/artifacts/$target/*" >/dev/null; then
    echo "FAIL: fuzz/artifacts/$target/ holds a crashing input"
    exit 1
  fi
done
