#!/usr/bin/env bash
# Loads ~2 GB of 1 KB rows with a 64 MB buffer pool (64 MB shared_buffers
# for PostgreSQL 15; both durable: WAL and fsync at commit), then reads every byte back two ways: an
# aggregate over the whole table, and every row streamed to a client.
# Prints MB/s for both systems and the ratio. GB=… changes the size.
source "$(dirname "$0")/common.sh"
gb=${GB:-2}
target_rows=$((gb * 1024 * 1024))
payload=$(python3 -c "print('x' * 1000)")
start_flintdb 64
start_postgres 64MB
report() { python3 -c "print(f'{$1 / 1048576 / $2:.1f} MB/s')"; }
for name in FlintDB PostgreSQL; do
  port=$FLINT_PORT; [ "$name" = PostgreSQL ] && port=$PG_PORT
  q "$port" "CREATE TABLE big (id int8 NOT NULL, payload text)"
  q "$port" "INSERT INTO big VALUES (1, '$payload')"
  s=$(date +%s.%N); n=1
  while [ "$n" -lt "$target_rows" ]; do q "$port" "INSERT INTO big SELECT id + $n, payload FROM big"; n=$((n * 2)); done
  e=$(date +%s.%N)
  load=$(python3 -c "print(f'{$e - $s:.1f}')")
  bytes=$(q "$port" "SELECT sum(length(payload)) FROM big")
  scan=$(timed "$port" "SELECT count(*), sum(length(payload)), min(id), max(id) FROM big")
  s=$(date +%s.%N)
  streamed=$(psql -X -h 127.0.0.1 -p "$port" -U postgres -d postgres -At -c "SELECT id, payload FROM big" | wc -c)
  e=$(date +%s.%N)
  stream=$(python3 -c "print(f'{$e - $s:.1f}')")
  echo "$name: loaded $n rows ($((bytes / 1048576)) MB of payload) in ${load}s ($(report "$bytes" "$load")); full scan ${scan}s ($(report "$bytes" "$scan")); streamed $((streamed / 1048576)) MB to psql in ${stream}s ($(report "$streamed" "$stream"))"
  eval "${name}_load=$load ${name}_scan=$scan ${name}_stream=$stream"
done
echo "FlintDB/PostgreSQL time ratios: load $(ratio "$FlintDB_load" "$PostgreSQL_load"), scan $(ratio "$FlintDB_scan" "$PostgreSQL_scan"), stream $(ratio "$FlintDB_stream" "$PostgreSQL_stream")"
