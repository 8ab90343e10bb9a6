#!/usr/bin/env bash
# Client drivers against a plain (loopback, trusted) FlintDB: today the
# psycopg 3 suite (tests/clients/psycopg_suite.py). Installs psycopg if
# missing.
#
#   tests/clients/drivers.sh        (run by .ci/run)
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -c "import psycopg" 2>/dev/null || pip install -q "psycopg[binary]>=3.1" >/dev/null
source tests/clients/flintdb-server.sh
flintdb_start
FLINTDB_PORT=$port python3 tests/clients/psycopg_suite.py
