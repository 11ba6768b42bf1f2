#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and the benchmark, from Debian's binaries.
#
#   scripts/pg-throwaway.sh start [DIR]   start (or find running) and print `export DATABASE_URL=...`
#   scripts/pg-throwaway.sh env [DIR]     print `export DATABASE_URL=...` of the running server
#   scripts/pg-throwaway.sh stop [DIR]    stop the server and delete DIR
#
# Use:  eval "$(scripts/pg-throwaway.sh start /tmp/tsunagi-pg)"
#
# The cluster lives in DIR (default /tmp/tsunagi-pg-$UID), owned by the `postgres` system user
# when run as root (PostgreSQL refuses to run as root). It listens on a unix socket in DIR and on
# 127.0.0.1 at a free port, with fsync off: the data is not meant to survive. The app connects as
# the role `tsunagi` (not a superuser; CREATEDB so that the test runner can create its database),
# owner of the database `tsunagi`, with a random password.
set -euo pipefail

die() { echo "pg-throwaway: $*" >&2; exit 1; }
log() { echo "pg-throwaway: $*" >&2; }

cmd=${1:-}
dir=${2:-${TSUNAGI_PG_DIR:-/tmp/tsunagi-pg-$(id -u)}}
case "$cmd" in start | stop | env) ;; *) die "usage: $0 start|stop|env [DIR]" ;; esac
[[ "$dir" == /* ]] || dir="$PWD/$dir"
marker="$dir/.tsunagi-pg"
data="$dir/data"

find_bindir() {
  if [[ -n "${PG_BINDIR:-}" ]]; then
    echo "$PG_BINDIR"
    return
  fi
  local candidate
  candidate=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$candidate" && -x "$candidate/initdb" ]]; then
    echo "$candidate"
  elif command -v pg_config >/dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then
    pg_config --bindir
  else
    die "no PostgreSQL server binaries found (apt-get install postgresql)"
  fi
}

# Run a command as the owner of the cluster: `postgres` when we are root, else ourselves.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd "$dir" && runuser -u postgres -- "$@")
  else
    (cd "$dir" && "$@")
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

is_running() {
  [[ -f "$data/PG_VERSION" ]] && as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1
}

print_env() {
  [[ -f "$dir/env" ]] || die "no server set up in $dir"
  cat "$dir/env"
}

bindir=$(find_bindir)

case "$cmd" in
env)
  is_running || die "no server running in $dir"
  print_env
  ;;

stop)
  if [[ ! -e "$dir" ]]; then
    exit 0
  fi
  [[ -f "$marker" ]] || die "$dir was not made by this script; not touching it"
  if is_running; then
    as_owner "$bindir/pg_ctl" -D "$data" -m immediate -w stop >/dev/null
    log "stopped the server in $dir"
  fi
  rm -rf "$dir"
  ;;

start)
  if [[ -f "$marker" ]] && is_running; then
    log "already running in $dir"
    print_env
    exit 0
  fi
  if [[ -e "$dir" ]]; then
    # Left over from a run that was killed: start afresh.
    [[ -f "$marker" ]] || [[ -z "$(ls -A "$dir")" ]] || die "$dir exists and is not ours"
    rm -rf "$dir"
  fi
  mkdir -p "$dir"
  touch "$marker"
  chmod 700 "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "no postgres system user (apt-get install postgresql)"
    chown postgres: "$dir" "$marker"
  fi

  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  as_owner "$bindir/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  cat >>"$data/postgresql.conf" <<CONF

# tsunagi throwaway: speed over durability
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
shared_buffers = 256MB
log_min_messages = warning
CONF

  started=""
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$bindir/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port" start >/dev/null 2>&1; then
      started=1
      break
    fi
    log "could not start on port $port; trying another"
  done
  [[ -n "$started" ]] || { tail -n 20 "$dir/server.log" >&2; die "the server did not start"; }

  as_owner "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -X -q \
    -v ON_ERROR_STOP=1 -v pw="$password" >/dev/null <<'SQL'
CREATE ROLE tsunagi LOGIN CREATEDB NOSUPERUSER PASSWORD :'pw';
CREATE DATABASE tsunagi OWNER tsunagi;
SQL

  url="postgres://tsunagi:$password@127.0.0.1:$port/tsunagi"
  printf 'export DATABASE_URL=%q\n' "$url" >"$dir/env"
  chmod 600 "$dir/env"
  log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir"
  print_env
  ;;
esac
