#!/usr/bin/env bash
# pgbench's TPC-B-like run through a kill -9: `pgbench -i -s SCALE`, then
# `pgbench -c 8 -j 2 -T SECONDS_RUN` with the server killed with SIGKILL
# KILL_AFTER seconds in (pgbench stops with a connection error, as against
# a crashed PostgreSQL). After restart (crash recovery), every committed
# transaction's four changes must agree: sum(abalance) = sum(tbalance) =
# sum(bbalance) = sum(delta of pgbench_history), and `flintdb check`
# finds every page and index sound. Then a second full run to the end
# must complete without errors and keep the sums equal (pgbench truncates
# pgbench_history when a run starts, so there the balances must have moved
# by exactly the run's sum(delta)).
source "$(dirname "$0")/common.sh"
scale=${SCALE:-10}; seconds=${SECONDS_RUN:-60}; kill_after=${KILL_AFTER:-20}
start_flintdb 256
pgb() { pgbench -h 127.0.0.1 -p "$FLINT_PORT" -U postgres "$@" postgres 2>&1; }
sums() {
  q "$FLINT_PORT" "SELECT (SELECT sum(abalance) FROM pgbench_accounts) || ' ' || (SELECT sum(tbalance) FROM pgbench_tellers) || ' ' || (SELECT sum(bbalance) FROM pgbench_branches) || ' ' || (SELECT coalesce(sum(delta), 0) FROM pgbench_history) || ' ' || (SELECT count(*) FROM pgbench_history)"
}
agree() { read -r a t b d n <<<"$1"; [ "$a" = "$t" ] && [ "$t" = "$b" ] && [ "$b" = "$d" ]; }
pgb -q -i -s "$scale" >/dev/null
pgb -c 8 -j 2 -T "$seconds" >"$work/run1.txt" &
bench=$!
sleep "$kill_after"
kill -9 "$flint_pid"; wait "$flint_pid" 2>/dev/null || true; flint_pid=
wait "$bench" || true
echo "killed after ${kill_after}s: pgbench says: $(grep -E 'processed|aborted|error' "$work/run1.txt" | head -2 | tr '\n' ' ')"
s=$(date +%s.%N)
"$root/target/release/flintdb" serve --data-dir "$work/flint" --listen "127.0.0.1:$FLINT_PORT" \
  --buffer-pool-mb 256 2>>"$work/flint.log" &
flint_pid=$!
for _ in $(seq 300); do psql -h 127.0.0.1 -p "$FLINT_PORT" -U postgres -d postgres -c 'select 1' >/dev/null 2>&1 && break; sleep 0.05; done
e=$(date +%s.%N)
printf 'restart with recovery: %.2f s\n' "$(python3 -c "print($e - $s)")"
after=$(sums)
echo "after kill -9: sum(abalance) sum(tbalance) sum(bbalance) sum(delta) history rows = $after"
agree "$after" || { echo "FAIL: sums disagree after the crash"; exit 1; }
out=$(pgb -c 8 -j 2 -T "$seconds")
echo "$out" | grep -E '^(number of failed|tps)' || true
echo "$out" | grep -qE 'number of failed transactions: 0' || { echo "FAIL: pgbench reported failures"; echo "$out" | tail -5; exit 1; }
final=$(sums)
echo "after a full ${seconds}s run: $final"
read -r a0 _ <<<"$after"; read -r a t b d n <<<"$final"
[ "$a" = "$t" ] && [ "$t" = "$b" ] && [ $((a - a0)) = "$d" ] || { echo "FAIL: sums disagree after the second run"; exit 1; }
kill "$flint_pid"; wait "$flint_pid" 2>/dev/null || true; flint_pid=
"$root/target/release/flintdb" check --data-dir "$work/flint" | tail -2
echo "OK"
