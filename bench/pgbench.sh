#!/usr/bin/env bash
# pgbench's own workload, unmodified: `pgbench -i` (client-side data
# generation through COPY FROM STDIN, VACUUM ANALYZE, primary keys; set
# INIT_STEPS=dtGvp for server-side generation) at SCALE (default 10),
# then the default TPC-B-like transaction for SECONDS_RUN (default 15)
# seconds with CLIENTS (default 8) clients in each query mode (simple,
# extended, prepared), FlintDB vs PostgreSQL 15 on the same machine in the
# same run, both durable (WAL + fsync at commit). Prints tps and the ratio,
# and checks that balances add up on both.
source "$(dirname "$0")/common.sh"
scale=${SCALE:-10}; clients=${CLIENTS:-8}; seconds=${SECONDS_RUN:-15}
start_flintdb 256
start_postgres 256MB
pgb() { pgbench -h 127.0.0.1 -p "$1" -U postgres "${@:2}" postgres 2>&1; }
tps() { grep -E "^tps" | sed -E 's/tps = ([0-9.]+).*/\1/'; }
for name in FlintDB PostgreSQL; do
  port=$FLINT_PORT; [ "$name" = PostgreSQL ] && port=$PG_PORT
  s=$(date +%s.%N); pgb "$port" -q -i -I "${INIT_STEPS:-dtgvp}" -s "$scale" >/dev/null; e=$(date +%s.%N)
  printf '%-10s init -s %s: %.2f s\n' "$name" "$scale" "$(python3 -c "print($e - $s)")"
done
for mode in simple extended prepared; do
  f=$(pgb "$FLINT_PORT" -n -M "$mode" -c "$clients" -j 2 -T "$seconds" | tps)
  p=$(pgb "$PG_PORT" -n -M "$mode" -c "$clients" -j 2 -T "$seconds" | tps)
  printf '%-9s FlintDB %8.1f tps   PostgreSQL %8.1f tps   ratio %s\n' "$mode" "$f" "$p" "$(ratio "$f" "$p")"
done
for name in FlintDB PostgreSQL; do
  port=$FLINT_PORT; [ "$name" = PostgreSQL ] && port=$PG_PORT
  echo "$name: sum(abalance) $(q "$port" "SELECT sum(abalance) FROM pgbench_accounts"), sum(bbalance) $(q "$port" "SELECT sum(bbalance) FROM pgbench_branches"), sum(delta) $(q "$port" "SELECT sum(delta) FROM pgbench_history")"
done
