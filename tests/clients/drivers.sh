#!/usr/bin/env bash
# Client drivers against a plain (loopback, trusted) FlintDB: today the
# psycopg 3 suite (tests/clients/psycopg_suite.py). Installs psycopg if
# missing.
#
#   tests/clients/drivers.sh        (run by .ci/run)
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c "import psycopg" 2>/dev/null || pip install -q "psycopg[binary]>=3.1" >/dev/null
cargo build -q --bin flintdb
tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
timeout 600 target/debug/flintdb serve --data-dir "$tmp/data" --listen "127.0.0.1:$port" \
  >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break
  sleep 0.1
done
FLINTDB_PORT=$port python3 tests/clients/psycopg_suite.py
