#!/usr/bin/env bash
# Encryption at rest, measured: FlintDB with TDE off, FlintDB with TDE on
# (a KEK file) and PostgreSQL 15, side by side on this machine in one run,
# all durable, FlintDB --buffer-pool-mb $POOL_MB (default 1024) and
# PostgreSQL shared_buffers the same. Prints one table:
#   - pgbench -S (select-only) and TPC-B, -M prepared -c $CLIENTS (8),
#     $SECONDS_RUN (15) s each, scale $SCALE (10), $ROUNDS (3) interleaved
#     rounds, the median shown;
#   - the 1–8 KB blob load ($ROWS rows, default 200,000 ≈ 0.86 GiB) and a
#     full scan reading every payload byte (examples/blobs.rs), then the
#     same scan after a restart, every page read (and decrypted) afresh;
#   - recovery time after kill -9 following $SECONDS_RUN s of TPC-B
#     (the server's own "recovered from the write-ahead log … ms");
#   - the marker-scan counts (tests/encryption.rs, TDE off / on).
# Overhead targets (issue 21): TDE on ≥ 0.90× off on pgbench, ≥ 0.80× on
# scan MB/s.
source "$(dirname "$0")/common.sh"
scale=${SCALE:-10}; clients=${CLIENTS:-8}; seconds=${SECONDS_RUN:-15}
rows=${ROWS:-200000}; pool=${POOL_MB:-1024}; rounds=${ROUNDS:-3}
(cd "$root" && cargo build --release -q && cargo build --release -q --example blobs)
head -c 32 /dev/urandom > "$work/kek"

declare -A port pid
# start_flint NAME [extra args…]: FlintDB on a fresh port over $work/NAME
start_flint() {
  local name=$1; shift
  local p
  p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$root/target/release/flintdb" serve --data-dir "$work/$name" --listen "127.0.0.1:$p" \
    --buffer-pool-mb "$pool" "$@" >/dev/null 2>>"$work/$name.log" &
  pid[$name]=$!; port[$name]=$p
  for _ in $(seq 200); do psql -h 127.0.0.1 -p "$p" -U postgres -d postgres -c 'select 1' >/dev/null 2>&1 && return; sleep 0.05; done
  echo "FlintDB ($name) did not start" >&2; cat "$work/$name.log" >&2; exit 1
}
stop_all() { for n in "${!pid[@]}"; do kill "${pid[$n]}" 2>/dev/null; wait "${pid[$n]}" 2>/dev/null || true; done; }
trap 'stop_all; cleanup' EXIT

start_flint off
start_flint on --kek-file "$work/kek"
start_postgres "${pool}MB"
port[pg]=$PG_PORT
[ "$(q "${port[on]}" 'SHOW data_encryption')" = on ] || { echo "TDE is not on" >&2; exit 1; }

pgb() { pgbench -h 127.0.0.1 -p "$1" -U postgres "${@:2}" postgres 2>&1; }
tps() { grep -E "^tps" | sed -E 's/tps = ([0-9.]+).*/\1/'; }
declare -A r
for n in off on pg; do pgb "${port[$n]}" -q -i -s "$scale" >/dev/null; done
# $ROUNDS (3) interleaved rounds of each pgbench workload; the median counts.
declare -A runs
for round in $(seq "$rounds"); do
  for w in select tpcb; do
    for n in off on pg; do
      flag=; [ "$w" = select ] && flag=-S
      t=$(pgb "${port[$n]}" -n $flag -M prepared -c "$clients" -j 2 -T "$seconds" | tps)
      runs[$n,$w]="${runs[$n,$w]:-} $t"
      echo "round $round $w $n: $t tps"
    done
  done
done
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.0f}')" $1; }
for n in off on pg; do for w in select tpcb; do r[$n,$w]=$(median "${runs[$n,$w]}"); done; done
for n in off on pg; do
  line=$("$root/target/release/examples/blobs" 127.0.0.1 "${port[$n]}" "$rows" 1)
  r[$n,load]=$(echo "$line" | tr ' ' '\n' | sed -n 's/^load_mb_s=//p')
  r[$n,scan]=$(echo "$line" | tr ' ' '\n' | sed -n 's/^scan_mb_s=//p')
  echo "blobs $n: $line"
done

# Cold scan: restart each server so its buffer pool is empty (the OS page
# cache stays warm), then read every payload byte once with the warm
# scan's query: every page is read and, with TDE, decrypted.
mb=$(q "${port[off]}" "SELECT (sum(length(payload)) / 1e6)::int FROM blobs")
kill "${pid[off]}"; wait "${pid[off]}" 2>/dev/null || true; start_flint off
kill "${pid[on]}"; wait "${pid[on]}" 2>/dev/null || true; start_flint on --kek-file "$work/kek"
if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "/usr/lib/postgresql/15/bin/pg_ctl -D $work/pg/data -m fast -w restart" >/dev/null
else /usr/lib/postgresql/15/bin/pg_ctl -D "$work/pg/data" -m fast -w restart >/dev/null; fi
for n in off on pg; do
  secs=$(timed "${port[$n]}" "SELECT sum(get_byte(payload, length(payload) - 1)) FROM blobs")
  r[$n,cold]=$(python3 -c "print(f'{$mb / $secs:.1f}')")
done

# Recovery: TPC-B, kill -9, time the restart's WAL replay (not in a
# subshell: the restarted server must stay this shell's child).
recovery() {
  local name=$1; shift
  pgb "${port[$name]}" -n -M prepared -c "$clients" -j 2 -T "$seconds" >/dev/null
  kill -9 "${pid[$name]}"; wait "${pid[$name]}" 2>/dev/null || true
  local s e replay
  s=$(date +%s.%N); start_flint "$name" "$@"; e=$(date +%s.%N)
  replay=$(grep -a "recovered from the write-ahead log" "$work/$name.log" | tail -1 | sed -E 's/\x1b\[[0-9;]*m//g; s/.* ms=([0-9]+).*/\1/')
  r[$name,recovery]="$(python3 -c "print(f'{$e - $s:.2f}')") s to ready, replay ${replay:-?} ms"
}
recovery off
recovery on --kek-file "$work/kek"

markers=$(cd "$root" && cargo test --release -q --test encryption markers -- --nocapture 2>&1 | grep -E '^  ' || true)

row() { printf '| %-34s | %12s | %12s | %12s | %8s | %8s |\n' "$@"; }
row workload "TDE off" "TDE on" "PostgreSQL" "on/off" "on/PG"
row "---" "---" "---" "---" "---" "---"
for k in select:"pgbench -S -M prepared -c $clients (tps)" tpcb:"pgbench TPC-B -M prepared -c $clients (tps)" \
         load:"blob load $rows rows (MB/s)" scan:"blob full scan, warm (MB/s)" \
         cold:"blob full scan, cold pool (MB/s)"; do
  key=${k%%:*}; label=${k#*:}
  row "$label" "${r[off,$key]}" "${r[on,$key]}" "${r[pg,$key]}" "$(ratio "${r[on,$key]}" "${r[off,$key]}")" "$(ratio "${r[on,$key]}" "${r[pg,$key]}")"
done
echo
echo "recovery after kill -9 (TDE off): ${r[off,recovery]}"
echo "recovery after kill -9 (TDE on):  ${r[on,recovery]}"
echo "marker scan, placement: TDE off / TDE on occurrences on disk"
echo "$markers"
