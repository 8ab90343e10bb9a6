#!/usr/bin/env bash
# Runs SQLite's sqllogictest corpus (../shared/slt) against fresh FlintDB
# servers over the simple and the extended query protocol (side by side, a
# server each), prints each run's per-directory table, and compares file by
# file with PostgreSQL 15's baseline (../shared/slt/BASELINE-pg15.tsv): exits 1 if a file that
# PostgreSQL passes fails on FlintDB. Skips cleanly (exit 0) when
# ../shared/slt is absent. Installs sqllogictest-bin if missing.
#
#   sql-tests/run-corpus.sh                 the fast CI gate (@ci-gate.txt)
#   sql-tests/run-corpus.sh test/           every file of the corpus
#   PROTOCOLS=simple sql-tests/run-corpus.sh   one protocol only
#   PROFILE=release ...                      a release build of FlintDB
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
slt=$root/../shared/slt
if [ ! -x "$slt/run-corpus.sh" ]; then
  echo "SKIP: ../shared/slt is not here"
  exit 0
fi
command -v sqllogictest >/dev/null || [ -x "$HOME/.cargo/bin/sqllogictest" ] ||
  cargo install -q --locked sqllogictest-bin
profile=${PROFILE:-debug}
# (debug: as tests/clients/flintdb-server.sh, the build `cargo test` made.)
if [ "$profile" = release ]; then cargo build -q --release --bin flintdb; else cargo test -q --no-run --test check; fi
tmp=$(mktemp -d)
servers=()
trap 'for s in "${servers[@]}"; do kill "$s" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(@ci-gate.txt)
protocols=(${PROTOCOLS:-simple extended})

# Each protocol gets its own server and data directory, and the runs go
# side by side (one file at a time each, in a database of its own that the
# runner creates and drops: CREATE/DROP DATABASE are FlintDB's too).
run_protocol() {
  local protocol=$1 port engine=postgres out=$tmp/$1
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  [ "$protocol" = extended ] && engine=postgres-extended
  timeout 3600 "target/$profile/flintdb" serve --data-dir "$tmp/data-$protocol" \
    --listen "127.0.0.1:$port" >"$tmp/server-$protocol.log" 2>&1 &
  local server=$!
  for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done
  (cd "$slt" && ENGINE=$engine RESET=${RESET:-createdb} JOBS=1 TIMEOUT=${TIMEOUT:-600} OUTDIR=$out \
    ./run-corpus.sh 127.0.0.1 "$port" postgres postgres "${targets[@]}") >"$out.log" 2>&1 || true
  if ! kill -0 "$server" 2>/dev/null; then
    echo "FlintDB stopped during the $protocol run" >"$tmp/$protocol.died"
  fi
  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null || true
}

runs=()
for protocol in "${protocols[@]}"; do
  run_protocol "$protocol" &
  runs+=($!)
done
wait "${runs[@]}"

failed=0
for protocol in "${protocols[@]}"; do
  out=$tmp/$protocol
  echo "== sqllogictest corpus over the $protocol protocol (${targets[*]})"
  sed -n '/^directory/,$p' "$out.log"
  if [ -e "$tmp/$protocol.died" ]; then
    cat "$tmp/$protocol.died"; tail -20 "$tmp/server-$protocol.log"; failed=1
  fi
  # Files PostgreSQL 15 passes that FlintDB does not.
  regressions=$(awk -F'\t' 'NR==FNR { if ($2 == "PASS") pg[$1] = 1; next }
      { f = $2; sub(".*/slt/test/", "", f); if ((f in pg) && $3 != "PASS") print "  " f " (" $3 ")" }' \
    "$slt/BASELINE-pg15.tsv" "$out/results.tsv")
  if [ -n "$regressions" ]; then
    echo "files PostgreSQL 15 passes that FlintDB fails over the $protocol protocol:"
    echo "$regressions"
    failed=1
  fi
done
exit $failed
