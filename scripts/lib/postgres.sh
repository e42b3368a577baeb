# shellcheck shell=bash
# Starts a throwaway PostgreSQL server on a free loopback port for the tests.
# PostgreSQL refuses to run as root, so the server runs as the `postgres` user.

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start_test_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  PG_TMP=$(mktemp -d /tmp/portcullis-pg.XXXXXX)
  PG_PORT=$(free_port)
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PG_TMP"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --no-locale >"$PG_TMP/initdb.log"
  "${as[@]}" "$bin/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_TMP -c fsync=off -c max_connections=200" start >/dev/null
  "${as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres portcullis_test
  PG_BIN=$bin
  PG_AS=("${as[@]}")
  export PORTCULLIS_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/portcullis_test"
  trap stop_test_postgres EXIT
  echo "PostgreSQL test server on port $PG_PORT"
}

stop_test_postgres() {
  if [ -n "${PG_TMP:-}" ]; then
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
    PG_TMP=
  fi
}
