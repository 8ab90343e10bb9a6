#!/usr/bin/env bash
# Records of 1–8 KB: loads ROWS rows (default 1,000,000; ~4.5 GB) of
# (id bigint primary key, payload bytea) into FlintDB and PostgreSQL 15 on
# this machine (both durable, 256 MB buffer pool / shared_buffers), then
# 30 s of random point lookups by id from 8 clients, a full scan that reads
# every payload byte, and a stream of every row to the client (binary).
# Prints each system's figures and the FlintDB/PostgreSQL ratios.
# ROWS=… and SECONDS=… change the size and the lookup time.
source "$(dirname "$0")/common.sh"
rows=${ROWS:-1000000}
seconds=${SECONDS_LOOKUP:-30}
(cd "$root" && cargo build --release -q --example blobs)
start_flintdb 256
start_postgres 256MB
for name in FlintDB PostgreSQL; do
  port=$FLINT_PORT; [ "$name" = PostgreSQL ] && port=$PG_PORT
  line=$("$root/target/release/examples/blobs" 127.0.0.1 "$port" "$rows" "$seconds")
  echo "$name: $line"
  eval "$(echo "$line" | tr ' ' '\n' | sed "s/^/${name}_/")"
done
echo "FlintDB/PostgreSQL: load rows/s $(ratio "$FlintDB_load_rows_s" "$PostgreSQL_load_rows_s"), lookups/s $(ratio "$FlintDB_lookups_s" "$PostgreSQL_lookups_s"), p99 $(ratio "$FlintDB_p99_ms" "$PostgreSQL_p99_ms"), scan MB/s $(ratio "$FlintDB_scan_mb_s" "$PostgreSQL_scan_mb_s"), stream MB/s $(ratio "$FlintDB_stream_mb_s" "$PostgreSQL_stream_mb_s") (above 1 = FlintDB better, except p99)"
