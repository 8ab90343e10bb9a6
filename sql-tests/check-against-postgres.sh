#!/usr/bin/env bash
# Runs every sql-tests/*.slt file against a throwaway PostgreSQL 15 as well
# as FlintDB, proving the expected results are PostgreSQL's. Skips (exit 0
# with a message) only when PostgreSQL 15 cannot be installed.
#   sql-tests/check-against-postgres.sh [--postgres-only]
# (--postgres-only: CI, whose `cargo test` has just run them on FlintDB)
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'scripts/throwaway-postgres.sh stop "$tmp/pg"; rm -rf "$tmp"' EXIT
if ! port=$(scripts/throwaway-postgres.sh start "$tmp/pg"); then
  echo "SKIP: PostgreSQL 15 is not available here"
  exit 0
fi
if [ "${1:-}" = --postgres-only ]; then export FLINTDB_SLT_POSTGRES_ONLY=1; fi
FLINTDB_TEST_PG="host=127.0.0.1 port=$port user=postgres dbname=postgres" cargo test --test sql
# The sqlx suite, unchanged, against PostgreSQL too (and FlintDB again: it
# takes a fraction of a second).
FLINTDB_TEST_PG="host=127.0.0.1 port=$port user=postgres dbname=postgres" cargo test --test sqlx
