# Sourced by the tests/clients scripts (run from the project root): builds
# FlintDB, makes $tmp (removed on exit, after running $on_exit if set),
# picks a free loopback $port, and defines
#   flintdb_start [serve options…]   start FlintDB on $port with data in
#                                    $tmp/data (stops by itself after 10
#                                    minutes, and on exit); sets $server_pid
# `cargo test` builds target/debug/flintdb with the dev-dependencies'
# features; `cargo build` would build every shared crate again without
# them (minutes in CI, right after `cargo test`). This is a no-op then.
cargo test -q --no-run --test check
tmp=$(mktemp -d)
chmod 755 "$tmp"
server_pid=
on_exit=
flintdb_cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$on_exit" ]; then eval "$on_exit" || true; fi
  rm -rf "$tmp"
}
trap flintdb_cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

flintdb_start() {
  timeout 600 target/debug/flintdb serve --data-dir "$tmp/data" --listen "127.0.0.1:$port" "$@" \
    >"$tmp/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "FlintDB did not start:"; cat "$tmp/server.log"; return 1
}
