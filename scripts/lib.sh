# Shared by scripts/bench.sh and scripts/soak.sh (sourced): a free port on 127.0.0.1, and Debian's clickhouse-server
# started on free ports with its data under $work/clickhouse (sets chport and chpid; the caller stops it by PID).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
start_clickhouse() {
  local d="$work/clickhouse"
  mkdir -p "$d"/{data,tmp,user_files,format_schemas,log}
  chport=$(free_port)
  cat > "$d/config.xml" <<EOF
<yandex>
  <logger><level>warning</level><log>$d/log/server.log</log><errorlog>$d/log/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$chport</http_port><tcp_port>$(free_port)</tcp_port><interserver_http_port>$(free_port)</interserver_http_port>
  <path>$d/data/</path><tmp_path>$d/tmp/</tmp_path><user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile><default_database>default</default_database><timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size><max_concurrent_queries>100</max_concurrent_queries>
</yandex>
EOF
  /usr/sbin/clickhouse-server --config-file="$d/config.xml" > "$d/log/stdout.log" 2>&1 &
  chpid=$!
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$chport/ping" >/dev/null && return; sleep 0.2; done
  echo "clickhouse-server did not start"; cat "$d/log/stdout.log"; exit 1
}
