#!/usr/bin/env bash
# Backups meet the outside world: the Parquet files `flintdb backup`
# writes are read by pyarrow and DuckDB, which must see the values psql
# prints and the manifest's row counts; and a backup to an S3-compatible
# store (moto, started here on 127.0.0.1 with path-style addressing and
# explicit credentials) restores into a fresh database, a table over
# 64 MiB included (multipart upload). Installs pyarrow, duckdb, moto and
# boto3 from PyPI.
#
#   tests/backup/interop.sh        (run by .ci/run)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
python3 -c "import pyarrow, duckdb, moto, boto3" 2>/dev/null ||
  pip install -q pyarrow duckdb "moto[server]" boto3 >/dev/null 2>&1

source tests/clients/flintdb-server.sh
flintdb_start
bin=target/debug/flintdb
psql_() { psql -X -q -h 127.0.0.1 -p "$port" -U postgres "$@"; }
failed=0
check() { if "$@"; then echo "ok - $*" | cut -c1-100; else echo "FAIL - $*" | cut -c1-100; failed=1; fi; }

psql_ -d postgres -v ON_ERROR_STOP=1 <<'SQL'
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE every_type (
  id int PRIMARY KEY, i2 int2, i8 int8, f4 float4, f8 float8, n numeric(12,3), nu numeric,
  t text, b bytea, bo bool, d date, ts timestamp, tz timestamptz, iv interval, u uuid,
  j json, jb jsonb, ai int[], at text[], m mood);
INSERT INTO every_type VALUES
 (1, -32768, 9223372036854775807, 1.5, 'NaN', -123456789.125, 'NaN', 'héllo 日本', '\xdeadbeef', true,
  '2024-02-29', '2024-01-01 12:00:00.123456', '2024-01-01 12:00:00+02', '1 year 2 mons 3 days 04:05:06.7',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": 1}', '{"b": [1, 2]}', '{1,NULL,3}', '{"a b",NULL}', 'ok'),
 (2, NULL, NULL, '-Infinity', 'Infinity', 0, 12345678901234567890.5, '', '', false,
  '1900-01-01', '1960-06-15 00:00:00', '1999-12-31 23:59:59.999999+00', '-3 days', NULL, 'null', '[]', '{}', '{}', 'sad'),
 (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SQL
"$bin" backup --host 127.0.0.1 --port "$port" --user postgres --dbname postgres --to "$tmp/dir" -q

# pyarrow and DuckDB read every file; the counts are the manifest's and
# the values are what psql prints.
psql_ -d postgres -At -F '|' -c "SELECT id, i2, i8, f4, f8, n, t, encode(b, 'hex'), bo, d, ts,
  tz, u, jb, m FROM every_type ORDER BY id" > "$tmp/psql.txt"
check python3 - "$tmp/dir" "$tmp/psql.txt" <<'PY'
import json, sys, math, pyarrow.parquet as pq, duckdb
root, expected = sys.argv[1], open(sys.argv[2]).read().splitlines()
manifest = json.load(open(f"{root}/manifest.json"))["contents"]
for f in manifest["databases"][0]["files"]:
    t = pq.read_table(f"{root}/{f['path']}")
    assert t.num_rows == f["rows"], (f, t.num_rows)
    n = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{root}/{f['path']}')").fetchall()[0][0]
    assert n == f["rows"], (f, n)
path = [f for f in manifest["databases"][0]["files"] if f["table"] == "public.every_type"][0]["path"]
def fmt(v):
    if v is None: return ""
    if isinstance(v, bool): return "t" if v else "f"
    if isinstance(v, float):
        if math.isnan(v): return "NaN"
        if math.isinf(v): return "Infinity" if v > 0 else "-Infinity"
        return repr(v).removesuffix(".0")
    if isinstance(v, (bytes, bytearray)): return v.hex()
    return str(v)
for engine in ("pyarrow", "duckdb"):
    if engine == "pyarrow":
        rows = pq.read_table(f"{root}/{path}").to_pylist()
    else:
        cur = duckdb.connect().execute(f"SELECT * FROM read_parquet('{root}/{path}') ORDER BY id")
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
    rows.sort(key=lambda r: r["id"])
    got = []
    for r in rows:
        ts = r["ts"].strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0").rstrip(".") if r["ts"] else ""
        tz = (r["tz"].strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0").rstrip(".") + "+00") if r["tz"] else ""
        n = "" if r["n"] is None else format(r["n"], "f")
        u = "" if r["u"] is None else str(r["u"]) if not isinstance(r["u"], bytes) else str(__import__("uuid").UUID(bytes=r["u"]))
        jb = "" if r["jb"] is None else json.dumps(json.loads(r["jb"]))
        got.append("|".join([fmt(r["id"]), fmt(r["i2"]), fmt(r["i8"]), fmt(r["f4"]), fmt(r["f8"]), n,
                             fmt(r["t"]), fmt(r["b"]), fmt(r["bo"]), fmt(r["d"]), ts, tz, u, jb, fmt(r["m"])]))
    for g, e in zip(got, expected):
        if g != e:
            print(f"{engine}: {g!r}\n  psql: {e!r}")
            sys.exit(1)
    assert len(got) == len(expected)
print("pyarrow and duckdb agree with psql")
PY

# S3: moto on a free port, a bucket made with boto3, credentials given.
s3_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
timeout 600 moto_server -H 127.0.0.1 -p "$s3_port" >"$tmp/moto.log" 2>&1 &
moto_pid=$!
on_exit="kill $moto_pid"
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$s3_port") 2>/dev/null && break; sleep 0.1; done
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
  AWS_ENDPOINT_URL="http://127.0.0.1:$s3_port" AWS_ALLOW_HTTP=true
python3 -c "import boto3; boto3.client('s3', endpoint_url='$AWS_ENDPOINT_URL').create_bucket(Bucket='backups')"
# 100,000 rows of 704 hex digits: over 64 MiB of data, a file of tens of
# MiB (S3 parts are 8 MiB).
payload=$(for i in $(seq 0 21); do printf "md5((g * 22 + %d)::text) || " "$i"; done; printf "%s" "''")
psql_ -d postgres -v ON_ERROR_STOP=1 -c "CREATE TABLE big AS SELECT g AS id, $payload AS payload FROM generate_series(1, 100000) g"
check test "$(psql_ -d postgres -At -c "SELECT sum(length(payload)) > 64 * 1048576 FROM big")" = t
"$bin" backup --host 127.0.0.1 --port "$port" --user postgres --dbname postgres --to s3://backups/nightly/1 -q
big_bytes=$(python3 -c "
import boto3, json
s3 = boto3.client('s3', endpoint_url='$AWS_ENDPOINT_URL')
m = json.loads(s3.get_object(Bucket='backups', Key='nightly/1/manifest.json')['Body'].read())
print(max(f['bytes'] for f in m['contents']['databases'][0]['files'] if f['table'] == 'public.big'))")
echo "public.big in S3: $big_bytes bytes"
check test "$big_bytes" -gt $((16 << 20))
check "$bin" backup verify s3://backups/nightly/1
"$bin" restore --host 127.0.0.1 --port "$port" --user postgres --dbname from_s3 --create --from s3://backups/nightly/1 -q
for q in "SELECT count(*), sum(length(payload)), md5(string_agg(payload, '' ORDER BY id)) FROM big" \
         "SELECT * FROM every_type ORDER BY id"; do
  check test "$(psql_ -d postgres -At -c "$q")" = "$(psql_ -d from_s3 -At -c "$q")"
done

# TLS with SCRAM, as libpq's variables ask: verify-full against the CA,
# and require.
certs/make-dev-certs.sh "$tmp/certs" >/dev/null
tls_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$tmp/tls.toml" <<TOML
tls_cert_file = "$tmp/certs/server.crt"
tls_key_file = "$tmp/certs/server.key"
superuser = "postgres"
superuser_password = "Backup-Tls-0123456789-abcdef"
[[hba]]
type = "hostssl"
database = "all"
user = "all"
address = "127.0.0.1/32"
method = "scram-sha-256"
TOML
timeout 600 "$bin" serve --data-dir "$tmp/tls-data" --listen "127.0.0.1:$tls_port" --config "$tmp/tls.toml" >"$tmp/tls.log" 2>&1 &
tls_pid=$!
on_exit="kill $moto_pid $tls_pid"
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$tls_port") 2>/dev/null && break; sleep 0.1; done
export PGPASSWORD="Backup-Tls-0123456789-abcdef" PGHOST=localhost PGPORT=$tls_port PGUSER=postgres
PGSSLMODE=verify-full PGSSLROOTCERT="$tmp/certs/ca.crt" psql -X -q -d postgres -c "CREATE TABLE over_tls AS SELECT g FROM generate_series(1, 1000) g"
check env PGSSLMODE=verify-full PGSSLROOTCERT="$tmp/certs/ca.crt" "$bin" backup --dbname postgres --to "$tmp/tls-backup" -q
check env PGSSLMODE=require "$bin" restore --dbname tls_copy --create --from "$tmp/tls-backup" -q
check test "$(PGSSLMODE=require psql -X -At -d tls_copy -c 'SELECT sum(g) FROM over_tls')" = 500500
if env PGSSLMODE=disable "$bin" backup --dbname postgres --to "$tmp/plain-backup" -q 2>/dev/null; then
  echo "FAIL - a hostssl-only server took a plaintext backup connection"; failed=1
else
  echo "ok - sslmode=disable refused by a hostssl-only server"
fi
exit $failed
