#!/usr/bin/env bash
# A 6-table join over tables of ROWS rows each (default 100,000), FlintDB
# vs PostgreSQL 15 on the same machine in the same run: a chain t1 ← t2 ←
# … ← t6 of foreign-key-like columns, every table ANALYZEd. Prints each
# system's planning time (EXPLAIN without ANALYZE, best of 5), the query's
# time (best of 3), the ratio, and both EXPLAIN ANALYZE outputs.
# KEY_STRIDE=1009 spreads the keys out (ids g·1009), so FlintDB's joins
# hash them instead of indexing an array by key (its path for dense ids).
source "$(dirname "$0")/common.sh"
rows=${ROWS:-100000}
k=${KEY_STRIDE:-1}
start_flintdb 512
start_postgres 512MB
setup="CREATE TABLE t1 (id int PRIMARY KEY, v int);
INSERT INTO t1 SELECT g * $k, g % 1000 FROM generate_series(1, $rows) g;"
for i in 2 3 4 5 6; do
  setup="$setup
CREATE TABLE t$i (id int PRIMARY KEY, p int, v int);
INSERT INTO t$i SELECT g * $k, ($rows + 1 - g) * $k, g % 97 FROM generate_series(1, $rows) g;"
done
setup="$setup
ANALYZE;"
query="SELECT count(*), sum(t6.v + t1.v) FROM t1
  JOIN t2 ON t2.p = t1.id JOIN t3 ON t3.p = t2.id JOIN t4 ON t4.p = t3.id
  JOIN t5 ON t5.p = t4.id JOIN t6 ON t6.p = t5.id WHERE t1.v < 500"
best() {  # best PORT N SQL -> fastest of N runs, seconds
  local b=999999 t
  for _ in $(seq "$2"); do t=$(timed "$1" "$3"); b=$(python3 -c "print(min($b, $t))"); done
  echo "$b"
}
for name in FlintDB PostgreSQL; do
  port=$FLINT_PORT; [ "$name" = PostgreSQL ] && port=$PG_PORT
  s=$(date +%s.%N); q "$port" "$setup" >/dev/null; e=$(date +%s.%N)
  printf '%-10s load of 6 x %s rows: %.1f s\n' "$name" "$rows" "$(python3 -c "print($e - $s)")"
done
echo "result FlintDB:    $(q "$FLINT_PORT" "$query")"
echo "result PostgreSQL: $(q "$PG_PORT" "$query")"
fp=$(best "$FLINT_PORT" 5 "EXPLAIN $query"); pp=$(best "$PG_PORT" 5 "EXPLAIN $query")
fq=$(best "$FLINT_PORT" 3 "$query"); pq=$(best "$PG_PORT" 3 "$query")
printf 'planning (EXPLAIN round trip): FlintDB %.1f ms, PostgreSQL %.1f ms\n' "$(python3 -c "print($fp*1000)")" "$(python3 -c "print($pp*1000)")"
printf 'query: FlintDB %.3f s, PostgreSQL %.3f s, ratio %s\n' "$fq" "$pq" "$(ratio "$fq" "$pq")"
echo "== EXPLAIN ANALYZE on FlintDB"; q "$FLINT_PORT" "EXPLAIN ANALYZE $query"
echo "== EXPLAIN ANALYZE on PostgreSQL"; q "$PG_PORT" "EXPLAIN ANALYZE $query"
