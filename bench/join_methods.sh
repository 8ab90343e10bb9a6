#!/usr/bin/env bash
# Join methods, FlintDB vs PostgreSQL 15 on the same machine in the same
# run: customers (ROWS, default 100,000) and orders (5 per customer),
# indexed on their keys and ANALYZEd. Each query runs REPEAT times (default
# 50) in one session; prints the mean time per query on FlintDB as planned,
# on FlintDB with only hash joins (enable_nestloop and enable_mergejoin
# off: its planner before index nested loops and merge joins), and on
# PostgreSQL, with the ratio to PostgreSQL, then FlintDB's plans.
source "$(dirname "$0")/common.sh"
rows=${ROWS:-100000}
repeat=${REPEAT:-50}
start_flintdb 512
start_postgres 512MB
setup="CREATE TABLE cust (id int PRIMARY KEY, name text, region int);
CREATE TABLE ord (id int PRIMARY KEY, cust_id int, amount int);
CREATE INDEX ord_cust ON ord (cust_id);
INSERT INTO cust SELECT g, 'customer ' || g, g % 10 FROM generate_series(1, $rows) g;
INSERT INTO ord SELECT g, (g::bigint * 7919) % $rows + 1, g % 997 FROM generate_series(1, 5 * $rows) g;
ANALYZE;"
for port in "$FLINT_PORT" "$PG_PORT"; do q "$port" "$setup" >/dev/null; done
names=(point range top10 top10desc recent all)
queries=(
  "SELECT o.id, c.name FROM ord o JOIN cust c ON c.id = o.cust_id WHERE o.id = 4242"
  "SELECT count(*), sum(o.amount) FROM cust c JOIN ord o ON o.cust_id = c.id WHERE c.id BETWEEN 1000 AND 1100"
  "SELECT c.id, o.amount FROM cust c JOIN ord o ON o.id = c.id ORDER BY c.id LIMIT 10"
  "SELECT c.id, o.amount FROM cust c JOIN ord o ON o.id = c.id ORDER BY c.id DESC LIMIT 10"
  "SELECT o.id, c.name FROM ord o JOIN cust c ON c.id = o.cust_id ORDER BY o.id DESC LIMIT 10"
  "SELECT count(*), sum(o.amount) FROM cust c JOIN ord o ON o.cust_id = c.id"
)
# per_query PORT PRELUDE SQL -> mean ms per run of SQL over REPEAT runs
per_query() {
  local file=$work/repeat.sql s e
  { echo "$2"; for _ in $(seq "$repeat"); do echo "$3;"; done; } >"$file"
  s=$(date +%s.%N)
  psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d postgres -f "$file" >/dev/null
  e=$(date +%s.%N)
  python3 -c "print(f'{($e - $s) * 1000 / $repeat:.2f}')"
}
hash_only="SET enable_nestloop = off; SET enable_mergejoin = off;"
printf '%-10s %12s %14s %14s %8s\n' query "FlintDB ms" "hash-only ms" "PostgreSQL ms" ratio
for i in "${!queries[@]}"; do
  sql=${queries[$i]}
  [ "$(q "$FLINT_PORT" "$sql")" = "$(q "$PG_PORT" "$sql")" ] || { echo "results differ: $sql" >&2; exit 1; }
  f=$(per_query "$FLINT_PORT" "" "$sql")
  h=$(per_query "$FLINT_PORT" "$hash_only" "$sql")
  p=$(per_query "$PG_PORT" "" "$sql")
  printf '%-10s %12s %14s %14s %8s\n' "${names[$i]}" "$f" "$h" "$p" "$(ratio "$f" "$p")"
done
for i in "${!queries[@]}"; do
  echo "== ${names[$i]}: FlintDB"; q "$FLINT_PORT" "EXPLAIN (COSTS OFF) ${queries[$i]}"
done
