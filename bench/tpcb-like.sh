#!/usr/bin/env bash
# TPC-B-like transactions with pgbench's own driver (custom script: the
# default pgbench transaction), FlintDB vs PostgreSQL 15, same machine,
# same run, both durable (WAL + fsync at commit). `pgbench -i` needs COPY,
# ALTER TABLE … ADD PRIMARY KEY and indexes, which FlintDB does not have
# yet, so the tables are created here without keys on BOTH systems (every
# UPDATE is a sequential scan on both) and kept small: ACCOUNTS=10000
# rows, 1 branch, 10 tellers. CLIENTS=8, SECONDS=20 by default.
source "$(dirname "$0")/common.sh"
accounts=${ACCOUNTS:-10000}; clients=${CLIENTS:-8}; seconds=${SECONDS_RUN:-20}
start_flintdb 128
start_postgres 128MB
cat > "$work/tpcb.sql" <<SQL
\set aid random(1, $accounts)
\set bid 1
\set tid random(1, 10)
\set delta random(-5000, 5000)
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);
END;
SQL
for port in "$FLINT_PORT" "$PG_PORT"; do
  q "$port" "CREATE TABLE pgbench_branches (bid int4 NOT NULL, bbalance int4, filler char(88))"
  q "$port" "CREATE TABLE pgbench_tellers (tid int4 NOT NULL, bid int4, tbalance int4, filler char(84))"
  q "$port" "CREATE TABLE pgbench_accounts (aid int4 NOT NULL, bid int4, abalance int4, filler char(84))"
  q "$port" "CREATE TABLE pgbench_history (tid int4, bid int4, aid int4, delta int4, mtime timestamp, filler char(22))"
  q "$port" "INSERT INTO pgbench_branches VALUES (1, 0, '')"
  q "$port" "INSERT INTO pgbench_tellers VALUES (1,1,0,''),(2,1,0,''),(3,1,0,''),(4,1,0,''),(5,1,0,''),(6,1,0,''),(7,1,0,''),(8,1,0,''),(9,1,0,''),(10,1,0,'')"
  q "$port" "INSERT INTO pgbench_accounts VALUES (1, 1, 0, '')"
  n=1; while [ "$n" -lt "$accounts" ]; do q "$port" "INSERT INTO pgbench_accounts SELECT aid + $n, 1, 0, '' FROM pgbench_accounts WHERE aid + $n <= $accounts"; n=$((n * 2)); done
done
run_pgbench() {
  pgbench -n -f "$work/tpcb.sql" -c "$clients" -j 2 -T "$seconds" -h 127.0.0.1 -p "$1" -U postgres postgres 2>&1 \
    | grep -E "^tps|failed|aborted" | sed 's/^/  /'
}
check() {
  local a h
  a=$(q "$1" "SELECT sum(abalance) FROM pgbench_accounts")
  h=$(q "$1" "SELECT coalesce(sum(delta), 0), count(*) FROM pgbench_history")
  echo "  sum(abalance) $a; sum(delta)|history rows $h"
}
echo "FlintDB:";    run_pgbench "$FLINT_PORT"; check "$FLINT_PORT"
echo "PostgreSQL:"; run_pgbench "$PG_PORT";    check "$PG_PORT"
