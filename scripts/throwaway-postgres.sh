#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for tests and benchmarks, on a random loopback
# port in its own directory, trust authentication, C.UTF-8 collation.
#   scripts/throwaway-postgres.sh start DIR [extra postgres -c options...]  -> prints the port
#   scripts/throwaway-postgres.sh stop DIR
# Installs postgresql-15 with apt-get when missing; exits 3 if it cannot.
set -euo pipefail
bindir=/usr/lib/postgresql/15/bin
cmd=${1:?start|stop}; dir=${2:?directory}; shift 2
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
case "$cmd" in
  start)
    if [ ! -x "$bindir/initdb" ]; then
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null; } >&2 || exit 3
    fi
    mkdir -p "$dir"; chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    opts="-p $port -k $dir -c listen_addresses=127.0.0.1"
    for o in "$@"; do opts="$opts -c $o"; done
    as_postgres "$bindir/initdb -D $dir/data -U postgres --auth=trust --locale=C.UTF-8 --encoding=UTF8" >/dev/null
    as_postgres "$bindir/pg_ctl -D $dir/data -l $dir/pg.log -o '$opts' -w start" >/dev/null
    echo "$port"
    ;;
  stop)
    as_postgres "$bindir/pg_ctl -D $dir/data -m fast stop" >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
