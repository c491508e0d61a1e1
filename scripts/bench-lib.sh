# Shared by the bench scripts: sourced, not run.
# bench_release_bin: builds the release binary into .build-release and sets $bin.
# bench_large_server NAME PORT: serves a copy of the cached large demo (generated once into
#   .build-release/bench-cases), pinned to core 0, and sets $dir, $pid, $token and $base;
#   the server and the copy go away when the script exits.
bench_release_bin() {
  swift build -c release --scratch-path .build-release --product yixian >/dev/null
  bin="$(swift build -c release --scratch-path .build-release --show-bin-path)/yixian"
}

bench_large_server() {
  local name=$1 port=$2 cache=.build-release/bench-cases
  if [[ ! -f $cache/bench.sqlite ]]; then
    mkdir -p "$cache"
    echo "generating the large demo into $cache (once)…"
    YIXIAN_SQLITE_PATH="$cache/bench.sqlite" YIXIAN_DATA_DIR="$cache" LOG_LEVEL=error "$bin" demo --scale large | tail -n 1
  fi
  dir=$(mktemp -d -t "yixian-bench-$name.XXXXXX")
  cp -a "$cache/." "$dir/"
  export YIXIAN_SQLITE_PATH="$dir/bench.sqlite" YIXIAN_DATA_DIR="$dir" LOG_LEVEL=error
  YIXIAN_RATE_LIMIT=off taskset -c 0 "$bin" serve --hostname 127.0.0.1 --port "$port" >"$dir/server.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 180); do curl -fs -o /dev/null "$base/healthz" && break; sleep 1; done
  token=$("$bin" token create --user office --name bench | tail -n 1)
}

# bench_contact_post FILE TOKEN SUMMARY: a wrk script POSTing one contact an hour long, ending an hour ago,
#   as the cadre whose token is given; SUMMARY marks the rows so they can be counted afterwards.
bench_contact_post() {
  local file=$1 token=$2 summary=$3 start end
  start=$(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ)
  end=$(date -u -d '-1 hours' +%Y-%m-%dT%H:%M:%SZ)
  cat >"$file" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
wrk.body = '{"kind":"face-to-face","start":"$start","end":"$end","place":"图书馆","participantCount":3,"summary":"$summary"}'
LUA
}
