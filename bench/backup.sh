#!/usr/bin/env bash
# Backup and restore, measured against PostgreSQL 15 on this machine in
# one run: pgbench scale $SCALE (10) plus $ROWS (200,000) rows of 1–8 KB
# random bytes (examples/blobs.rs), loaded into FlintDB and PostgreSQL;
# then `flintdb backup` against `pg_dump -Fc`, and `flintdb restore`
# (into a new database) against `pg_restore` (into a new database), at
# one job each and at $JOBS (2). MB/s are over the data's logical size
# (PostgreSQL's sum of pg_total_relation_size for the tables); ratios are
# PostgreSQL's time over FlintDB's (above 1: FlintDB faster). Also the
# size of each backup.
source "$(dirname "$0")/common.sh"
scale=${SCALE:-10}; rows=${ROWS:-200000}; jobs=${JOBS:-2}
(cd "$root" && cargo build --release -q && cargo build --release -q --example blobs)
start_flintdb 1024
start_postgres 1024MB
flint="$root/target/release/flintdb"
for p in "$FLINT_PORT" "$PG_PORT"; do
  pgbench -q -i -s "$scale" -h 127.0.0.1 -p "$p" -U postgres postgres >/dev/null 2>&1
  "$root/target/release/examples/blobs" 127.0.0.1 "$p" "$rows" 0 >/dev/null
done
data_mb=$(q "$PG_PORT" "SELECT round(sum(pg_total_relation_size(c.oid)) / 1048576.0, 1) FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public'")
echo "data: pgbench scale $scale + $rows blobs = $data_mb MB (PostgreSQL's relation sizes)"

secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>"$work/last.err" || { cat "$work/last.err" >&2; exit 1; }; e=$(date +%s.%N); python3 -c "print(f'{$e - $s:.2f}')"; }
mbps() { python3 -c "print(f'{$data_mb / $1:.0f}')"; }
size_mb() { du -sm "$1" | cut -f1; }
export PGHOST=127.0.0.1 PGUSER=postgres

printf "%-34s %8s %8s %9s\n" "" "seconds" "MB/s" "size MB"
for j in 1 "$jobs"; do
  fb=$(secs "$flint" backup --port "$FLINT_PORT" --dbname postgres --to "$work/flint-backup-$j" --jobs "$j" -q)
  printf "%-34s %8s %8s %9s\n" "flintdb backup --jobs $j" "$fb" "$(mbps "$fb")" "$(size_mb "$work/flint-backup-$j")"
  eval "fb_$j=$fb"
done
pd=$(secs pg_dump -p "$PG_PORT" -Fc -f "$work/pg.dump" postgres)
printf "%-34s %8s %8s %9s\n" "pg_dump -Fc" "$pd" "$(mbps "$pd")" "$(size_mb "$work/pg.dump")"
for j in 1 "$jobs"; do
  fr=$(secs "$flint" restore --port "$FLINT_PORT" --dbname "restored$j" --create --from "$work/flint-backup-1" --jobs "$j" -q)
  printf "%-34s %8s %8s\n" "flintdb restore --jobs $j" "$fr" "$(mbps "$fr")"
  eval "fr_$j=$fr"
  q "$PG_PORT" "CREATE DATABASE restored$j"
  pr=$(secs pg_restore -p "$PG_PORT" -d "restored$j" -j "$j" "$work/pg.dump")
  printf "%-34s %8s %8s\n" "pg_restore -j $j" "$pr" "$(mbps "$pr")"
  eval "pr_$j=$pr"
done
for t in pgbench_accounts blobs; do
  a=$(q "$FLINT_PORT" "SELECT count(*) FROM $t"); b=$(psql -X -At -h 127.0.0.1 -p "$FLINT_PORT" -U postgres -d restored1 -c "SELECT count(*) FROM $t")
  [ "$a" = "$b" ] || { echo "restore lost rows of $t: $a vs $b" >&2; exit 1; }
done
echo
echo "backup ratio (pg_dump -Fc time / flintdb backup time): jobs 1 $(ratio "$pd" "$fb_1"), jobs $jobs $(ratio "$pd" "$(eval echo \$fb_$jobs)")"
echo "restore ratio (pg_restore time / flintdb restore time): jobs 1 $(ratio "$pr_1" "$fr_1"), jobs $jobs $(ratio "$(eval echo \$pr_$jobs)" "$(eval echo \$fr_$jobs)")"
echo "size ratio (flintdb backup / pg_dump -Fc): $(ratio "$(size_mb "$work/flint-backup-1")" "$(size_mb "$work/pg.dump")")"
