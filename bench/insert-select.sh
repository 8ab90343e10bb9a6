#!/usr/bin/env bash
# Rows/s of a 1,000,000-row INSERT ... SELECT (three columns: int8, int4,
# text), FlintDB vs PostgreSQL 15 on the same machine in the same run.
# Both run with their durable defaults (WAL, fsync at commit).
source "$(dirname "$0")/common.sh"
rows=1048576
start_flintdb 128
start_postgres 128MB
for port in "$FLINT_PORT" "$PG_PORT"; do
  q "$port" "CREATE TABLE src (id int8, v int4, t text); CREATE TABLE dst (id int8, v int4, t text)"
  q "$port" "INSERT INTO src VALUES (1, 7, 'row payload text')"
  n=1
  while [ "$n" -lt "$rows" ]; do q "$port" "INSERT INTO src SELECT id + $n, v, t FROM src"; n=$((n * 2)); done
done
f=$(timed "$FLINT_PORT" "INSERT INTO dst SELECT * FROM src")
p=$(timed "$PG_PORT" "INSERT INTO dst SELECT * FROM src")
fs=$(timed "$FLINT_PORT" "SELECT count(*), sum(id), max(t) FROM dst")
ps=$(timed "$PG_PORT" "SELECT count(*), sum(id), max(t) FROM dst")
echo "INSERT ... SELECT of $rows rows:  FlintDB ${f}s ($(python3 -c "print(int($rows/$f))") rows/s)  PostgreSQL ${p}s ($(python3 -c "print(int($rows/$p))") rows/s)  FlintDB/PostgreSQL time ratio $(ratio "$f" "$p")"
echo "scan + aggregate of $rows rows:   FlintDB ${fs}s  PostgreSQL ${ps}s  ratio $(ratio "$fs" "$ps")"
