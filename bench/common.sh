# Shared by the bench/ scripts: build FlintDB, start it and a throwaway
# PostgreSQL 15 side by side on loopback, time SQL against each, clean up.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d /tmp/flintdb-bench.XXXXXX)
chmod 755 "$work"
flint_pid=
cleanup() {
  [ -n "$flint_pid" ] && kill "$flint_pid" 2>/dev/null && wait "$flint_pid" 2>/dev/null
  "$root/scripts/throwaway-postgres.sh" stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT
command -v psql >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-client-15 >/dev/null; }

# start_flintdb BUFFER_POOL_MB -> sets FLINT_PORT
start_flintdb() {
  (cd "$root" && cargo build --release -q)
  FLINT_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$root/target/release/flintdb" serve --data-dir "$work/flint" --listen "127.0.0.1:$FLINT_PORT" \
    --buffer-pool-mb "$1" 2>"$work/flint.log" &
  flint_pid=$!
  for _ in $(seq 100); do psql -h 127.0.0.1 -p "$FLINT_PORT" -U postgres -d postgres -c 'select 1' >/dev/null 2>&1 && return; sleep 0.1; done
  echo "FlintDB did not start" >&2; cat "$work/flint.log" >&2; exit 1
}

# start_postgres SHARED_BUFFERS -> sets PG_PORT
start_postgres() {
  PG_PORT=$("$root/scripts/throwaway-postgres.sh" start "$work/pg" "shared_buffers=$1")
}

# q PORT SQL: runs SQL quietly, fails loudly
q() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d postgres -At -c "$2"; }

# timed PORT SQL -> prints seconds
timed() {
  local s e
  s=$(date +%s.%N); q "$1" "$2" >/dev/null; e=$(date +%s.%N)
  python3 -c "print(f'{$e - $s:.3f}')"
}

ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
