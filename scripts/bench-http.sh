#!/usr/bin/env bash
# POST of a contact record next to a plain route of the same server, in the same run.
# Usage: scripts/bench-http.sh [debug|release]   (needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bench-lib.sh
config=${1:-release}
# A release build gets its own scratch folder so it never invalidates the debug build.
scratch=.build
[[ $config == release ]] && scratch=.build-release
swift build -c "$config" --scratch-path "$scratch" --product yixian >/dev/null
bin="$(swift build -c "$config" --scratch-path "$scratch" --show-bin-path)/yixian"
dir=$(mktemp -d -t yixian-bench.XXXXXX)
port=18090
export YIXIAN_SQLITE_PATH="$dir/bench.sqlite" YIXIAN_DATA_DIR="$dir" LOG_LEVEL=error
YIXIAN_RATE_LIMIT=off "$bin" serve --demo --hostname 127.0.0.1 --port "$port" >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 180); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 1; done
token=$("$bin" token create --user cadre --name bench | tail -n 1)
bench_contact_post "$dir/post.lua" "$token" bench
echo "== plain route GET /healthz (1 thread, 8 connections, 10 s)"
wrk -t1 -c8 -d10s --latency "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|99%|Non-2xx"
echo "== POST /api/v1/contacts (SQLite, synchronous=FULL; 1 thread, 8 connections, 10 s)"
wrk -t1 -c8 -d10s --latency -s "$dir/post.lua" "http://127.0.0.1:$port/api/v1/contacts" | grep -E "Requests/sec|99%|Non-2xx"
echo "records written: $(sqlite3 "$YIXIAN_SQLITE_PATH" 'select count(*) from contact_records where summary = "bench"' 2>/dev/null || echo '?')"
