#!/usr/bin/env bash
# psql, psycopg and pgJDBC against FlintDB with TLS and SCRAM-SHA-256, as
# issue 7 asks: each connects with sslmode=require and sslmode=verify-full
# (against a CA made by certs/make-dev-certs.sh), and each rejection gets
# PostgreSQL's code: wrong password and unknown user 28P01, a plaintext
# client 28000 (the only rule is hostssl), verification against another
# CA fails on the client. Installs what it needs (psql, psycopg, pgJDBC).
#
#   tests/clients/tls-drivers.sh        (run by .ci/run)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
here=$root/tests/clients

need_apt() { apt-get install -y -qq "$@" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "$@" >/dev/null; }; }
command -v psql >/dev/null || need_apt postgresql-client
[ -f /usr/share/java/postgresql.jar ] || need_apt libpostgresql-jdbc-java
command -v java >/dev/null || need_apt default-jre-headless
python3 -c "import psycopg" 2>/dev/null || pip install -q "psycopg[binary]>=3.1" >/dev/null

source tests/clients/flintdb-server.sh

certs/make-dev-certs.sh "$tmp/certs" >/dev/null
certs/make-dev-certs.sh "$tmp/other" >/dev/null     # a CA the server does not use
password='Tls-Drivers-0123456789-abcdefghij'
cat > "$tmp/flintdb.toml" <<TOML
tls_cert_file = "$tmp/certs/server.crt"
tls_key_file = "$tmp/certs/server.key"
superuser = "postgres"
superuser_password = "$password"
auth_failure_delay_ms = 10
[[hba]]
type = "hostssl"
database = "all"
user = "all"
address = "127.0.0.1/32"
method = "scram-sha-256"
TOML
flintdb_start --config "$tmp/flintdb.toml"

export FLINTDB_PORT=$port FLINTDB_CA=$tmp/certs/ca.crt FLINTDB_OTHER_CA=$tmp/other/ca.crt
export FLINTDB_PASSWORD=$password
base="host=localhost port=$port dbname=postgres"
PGPASSWORD=$password psql -X -q "$base user=postgres sslmode=verify-full sslrootcert=$FLINTDB_CA" \
  -c "CREATE USER app PASSWORD 'app-secret-pw'" -c "CREATE USER nopass"

failures=0
check() { # name, expected sqlstate or "ok", command...
  local name=$1 want=$2; shift 2
  local got
  got=$("$@" 2>&1 | tail -1) || true
  if [ "$got" = "$want" ]; then
    echo "ok   $name"
  else
    echo "FAIL $name: want $want, got: $got"
    failures=$((failures + 1))
  fi
}

# libpq does not report the SQLSTATE of a failed connection, so psql's and
# psycopg's outcomes are read from PostgreSQL's message texts, which are
# unique to each code: 28P01 "password authentication failed for user",
# 28000 "no pg_hba.conf entry". pgJDBC reports the code itself.
sqlstate_of_message() {
  case "$1" in
    *"password authentication failed for user"*) echo 28P01 ;;
    *"no pg_hba.conf entry"*) echo 28000 ;;
    *"certificate verify failed"*) echo cert-rejected ;;
    *) echo "unexpected: $1" | tr '\n' ' ' ;;
  esac
}

psql_try() { # conninfo, password -> ok or SQLSTATE
  local out
  if out=$(PGPASSWORD=$2 psql -X -tA "$1" -c "SELECT 1" 2>&1); then
    echo ok
  else
    sqlstate_of_message "$out"
  fi
}

check "psql sslmode=require" ok psql_try "$base user=app sslmode=require" app-secret-pw
check "psql verify-full" ok psql_try "$base user=app sslmode=verify-full sslrootcert=$FLINTDB_CA" app-secret-pw
check "psql verify-full channel_binding=require" ok \
  psql_try "$base user=app sslmode=verify-full sslrootcert=$FLINTDB_CA channel_binding=require" app-secret-pw
check "psql wrong password" 28P01 psql_try "$base user=app sslmode=require" wrong
check "psql unknown user" 28P01 psql_try "$base user=nobody sslmode=require" wrong
check "psql user without a password" 28P01 psql_try "$base user=nopass sslmode=require" anything
check "psql plaintext" 28000 psql_try "$base user=app sslmode=disable" app-secret-pw
check "psql other CA" cert-rejected psql_try "$base user=app sslmode=verify-full sslrootcert=$FLINTDB_OTHER_CA" app-secret-pw

for case in require verify-full channel-binding wrong-password unknown-user no-password plaintext other-ca; do
  want=ok
  case $case in wrong-password|unknown-user|no-password) want=28P01 ;; plaintext) want=28000 ;; other-ca) want=cert-rejected ;; esac
  check "psycopg $case" "$want" python3 "$here/tls_psycopg.py" "$case"
done

for case in require verify-full wrong-password unknown-user no-password plaintext other-ca; do
  want=ok
  case $case in wrong-password|unknown-user|no-password) want=28P01 ;; plaintext) want=28000 ;; other-ca) want=cert-rejected ;; esac
  check "pgJDBC $case" "$want" java -cp /usr/share/java/postgresql.jar "$here/TlsJdbc.java" "$case"
done

if [ "$failures" -ne 0 ]; then
  echo "$failures driver checks failed; server log:"
  tail -20 "$tmp/server.log"
  exit 1
fi
echo "all driver TLS/SCRAM checks passed"
