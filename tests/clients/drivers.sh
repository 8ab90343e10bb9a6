#!/usr/bin/env bash
# Each client driver's suite against a fresh FlintDB and then, unchanged,
# against a throwaway PostgreSQL 15, so "passes exactly as on PostgreSQL"
# is checked, not assumed: psycopg 3, psycopg2 with SQLAlchemy 2, asyncpg,
# node-postgres and pgJDBC. (tokio-postgres is the sql-tests' own client.)
# Installs what it needs: pip packages, npm packages (into
# target/clients-node), Debian's pgJDBC and a JRE.
#
#   tests/clients/drivers.sh        (run by .ci/run)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
here=$root/tests/clients

need_apt() { apt-get install -y -qq "$@" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "$@" >/dev/null; }; }
[ -f /usr/share/java/postgresql.jar ] || need_apt libpostgresql-jdbc-java
command -v java >/dev/null || need_apt default-jre-headless
python3 -c "import psycopg, psycopg2, asyncpg, sqlalchemy" 2>/dev/null ||
  pip install -q "psycopg[binary]>=3.1" psycopg2-binary asyncpg "SQLAlchemy>=2" >/dev/null 2>&1
node_dir=$root/target/clients-node
if [ ! -d "$node_dir/node_modules/pg-copy-streams" ]; then
  mkdir -p "$node_dir"
  (cd "$node_dir" && npm install --silent --no-audit --no-fund pg@8 pg-cursor pg-copy-streams >/dev/null)
fi

source tests/clients/flintdb-server.sh
flintdb_start
on_exit='scripts/throwaway-postgres.sh stop "$tmp/pg"'
pg_port=
if pg_port=$(scripts/throwaway-postgres.sh start "$tmp/pg"); then :; else
  echo "NOTE: PostgreSQL 15 is not available here; suites run against FlintDB only"
  pg_port=
fi

versions=$(python3 -c "import psycopg, psycopg2, asyncpg, sqlalchemy; print(f'psycopg {psycopg.__version__}, psycopg2 {psycopg2.__version__.split()[0]}, asyncpg {asyncpg.__version__}, SQLAlchemy {sqlalchemy.__version__}')")
versions="$versions, node-postgres $(node -p "require('$node_dir/node_modules/pg/package.json').version")"
jdbc=$(ls /usr/share/java/postgresql-4*.jar 2>/dev/null | head -1)
versions="$versions, pgJDBC $(basename "${jdbc:-postgresql-?.jar}" .jar | sed 's/^postgresql-//')"
echo "clients: $versions"

failed=()
run() {   # run NAME COMMAND...: the suite against FlintDB, then PostgreSQL
  local name=$1; shift
  for target in FlintDB PostgreSQL; do
    local p=$port
    if [ "$target" = PostgreSQL ]; then
      [ -n "$pg_port" ] || continue
      p=$pg_port
    fi
    if FLINTDB_PORT=$p NODE_PATH="$node_dir/node_modules" "$@" >"$tmp/out" 2>&1; then
      echo "PASS $name on $target ($(grep -c '^ok' "$tmp/out") checks)"
    else
      echo "FAIL $name on $target:"; sed 's/^/    /' "$tmp/out" | grep -v '^    ok' | tail -30
      failed+=("$name on $target")
    fi
  done
}
run psycopg python3 "$here/psycopg_suite.py"
run asyncpg python3 "$here/asyncpg_suite.py"
run "SQLAlchemy + psycopg2" python3 "$here/sqlalchemy_suite.py"
run node-postgres node "$here/node_pg_suite.js"
run pgJDBC java -cp /usr/share/java/postgresql.jar "$here/JdbcSuite.java"

if [ ${#failed[@]} -gt 0 ]; then
  echo "driver suites failed: ${failed[*]}"
  exit 1
fi
echo "driver suites: all passed"
