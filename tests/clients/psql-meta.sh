#!/usr/bin/env bash
# psql's meta-commands against FlintDB and a throwaway PostgreSQL 15, on the
# same objects, roles and grants: the outputs must be identical. Covers
# \dt \d \di \dn \dn+ \du \dp and \d TABLE (psql runs PostgreSQL 15's
# catalog queries for each). Installs psql and PostgreSQL 15 if missing;
# skips cleanly when PostgreSQL cannot be installed.
#
#   tests/clients/psql-meta.sh        (run by .ci/run)
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v psql >/dev/null || apt-get install -y -qq postgresql-client >/dev/null
source tests/clients/flintdb-server.sh
on_exit='scripts/throwaway-postgres.sh stop "$tmp/pg" >/dev/null 2>&1'
if ! pg_port=$(scripts/throwaway-postgres.sh start "$tmp/pg"); then
  echo "SKIP: PostgreSQL 15 is not available here"
  exit 0
fi
flintdb_start

cat > "$tmp/meta.sql" <<'SQL'
CREATE TABLE accounts (id int PRIMARY KEY, owner varchar(20) NOT NULL DEFAULT 'x', balance numeric(10,2), note text);
CREATE UNIQUE INDEX accounts_owner_note ON accounts (owner, note);
CREATE INDEX accounts_recent ON accounts (balance DESC) WHERE note IS NOT NULL;
CREATE TABLE "Mixed Case" (a bigint, b boolean DEFAULT true, c timestamptz, d bytea);
CREATE ROLE reader LOGIN CONNECTION LIMIT 3;
CREATE ROLE team NOLOGIN;
CREATE ROLE maker CREATEDB CREATEROLE;
GRANT team TO reader;
GRANT SELECT ON accounts TO reader;
GRANT UPDATE (balance), SELECT (id) ON accounts TO team;
GRANT INSERT ON "Mixed Case" TO team WITH GRANT OPTION;
GRANT ALL ON accounts TO maker;
REVOKE DELETE ON accounts FROM maker;
CREATE VIEW rich AS SELECT id, owner FROM accounts WHERE balance > 100;
\dt
\d
\dv
\d rich
\di
\dn
\dn+
\du
\dp
\d accounts
\d "Mixed Case"
\d accounts_pkey
SQL

PGPASSWORD= psql -X -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -f "$tmp/meta.sql" >"$tmp/pg.out" 2>&1
psql -X -h 127.0.0.1 -p "$port" -U postgres -d postgres -f "$tmp/meta.sql" >"$tmp/flintdb.out" 2>&1
if diff -u "$tmp/pg.out" "$tmp/flintdb.out"; then
  echo "psql meta-commands: FlintDB's output is PostgreSQL 15's ($(grep -c . "$tmp/pg.out") lines)"
else
  echo "FAIL: psql meta-commands differ from PostgreSQL 15 (- PostgreSQL, + FlintDB)"
  exit 1
fi
