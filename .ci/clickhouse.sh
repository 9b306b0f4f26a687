#!/usr/bin/env bash
# ClickHouse for the collector's store test suite, sourced by .ci/run:
#   clickhouse_install   Debian's clickhouse-server package (release 18.16 on bookworm)
#   clickhouse_start     a private server on 127.0.0.1 only, files in a temporary folder;
#                        exports CANDOR_TEST_CLICKHOUSE (its URL) and CANDOR_TEST_CLICKHOUSE_DATA
#   clickhouse_stop      stops it and removes its folder (also run by the EXIT trap)

clickhouse_install() {
  if ! command -v clickhouse-server >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server >/dev/null
  fi
}

clickhouse_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

clickhouse_start() {
  CLICKHOUSE_DIR="$(mktemp -d -t candor-ci-clickhouse.XXXXXX)"
  local http tcp
  http="$(clickhouse_free_port)"
  tcp="$(clickhouse_free_port)"
  cat >"$CLICKHOUSE_DIR/users.xml" <<'XML'
<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
XML
  cat >"$CLICKHOUSE_DIR/config.xml" <<XML
<yandex>
  <logger><level>warning</level><log>$CLICKHOUSE_DIR/log/server.log</log><errorlog>$CLICKHOUSE_DIR/log/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <path>$CLICKHOUSE_DIR/data/</path>
  <tmp_path>$CLICKHOUSE_DIR/tmp/</tmp_path>
  <user_files_path>$CLICKHOUSE_DIR/user_files/</user_files_path>
  <format_schema_path>$CLICKHOUSE_DIR/format_schemas/</format_schema_path>
  <users_config>$CLICKHOUSE_DIR/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>0</uncompressed_cache_size>
  <timezone>UTC</timezone>
</yandex>
XML
  clickhouse-server --config-file="$CLICKHOUSE_DIR/config.xml" >"$CLICKHOUSE_DIR/stdout.log" 2>&1 &
  CLICKHOUSE_PID=$!
  export CANDOR_TEST_CLICKHOUSE="http://127.0.0.1:$http"
  export CANDOR_TEST_CLICKHOUSE_DATA="$CLICKHOUSE_DIR/data"
  local i
  for i in $(seq 1 120); do
    if curl -sf "$CANDOR_TEST_CLICKHOUSE/?query=SELECT%20version()" >"$CLICKHOUSE_DIR/version" 2>/dev/null; then
      echo "clickhouse-server $(cat "$CLICKHOUSE_DIR/version") on $CANDOR_TEST_CLICKHOUSE (pid $CLICKHOUSE_PID)"
      return 0
    fi
    if ! kill -0 "$CLICKHOUSE_PID" 2>/dev/null; then
      break
    fi
    sleep 0.5
  done
  echo "clickhouse-server did not start:" >&2
  cat "$CLICKHOUSE_DIR/stdout.log" "$CLICKHOUSE_DIR/log/error.log" >&2 2>/dev/null || true
  return 1
}

clickhouse_stop() {
  if [ -n "${CLICKHOUSE_PID:-}" ] && kill -0 "$CLICKHOUSE_PID" 2>/dev/null; then
    kill "$CLICKHOUSE_PID" 2>/dev/null || true
    local i
    for i in $(seq 1 60); do
      kill -0 "$CLICKHOUSE_PID" 2>/dev/null || break
      sleep 0.5
    done
    kill -9 "$CLICKHOUSE_PID" 2>/dev/null || true
    wait "$CLICKHOUSE_PID" 2>/dev/null || true
  fi
  CLICKHOUSE_PID=
  if [ -n "${CLICKHOUSE_DIR:-}" ]; then
    rm -rf "$CLICKHOUSE_DIR"
    CLICKHOUSE_DIR=
  fi
}
