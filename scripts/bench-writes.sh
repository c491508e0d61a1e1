#!/usr/bin/env bash
# Durable contact POSTs from 32 concurrent clients (SQLite, synchronous=FULL), next to the plain route
# of the same server in the same run; optionally the same for a reference binary (the previous build),
# alternating, so the two are compared on one noisy machine. Each run checks that every 201 left a row.
#
# Usage: scripts/bench-writes.sh [rounds, default 2] [reference binary]
# Needs wrk (apt-get install wrk). Loopback only; every server stops when the script ends.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/bench-lib.sh
rounds=${1:-2}
reference=${2:-}
swift build -c release --scratch-path .build-release --product yixian >/dev/null
current="$(swift build -c release --scratch-path .build-release --show-bin-path)/yixian"
port=18092
base="http://127.0.0.1:$port"
pin_server=() pin_load=()
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then pin_server=(taskset -c 0); pin_load=(taskset -c 1); fi
pid= dir=
trap '[[ -n $pid ]] && kill $pid 2>/dev/null; [[ -n $dir ]] && rm -rf "$dir"; true' EXIT

measure() {
  local label=$1 bin=$2
  dir=$(mktemp -d -t yixian-writes.XXXXXX)
  export YIXIAN_SQLITE_PATH="$dir/bench.sqlite" YIXIAN_DATA_DIR="$dir" LOG_LEVEL=error
  YIXIAN_RATE_LIMIT=off "${pin_server[@]}" "$bin" serve --demo --hostname 127.0.0.1 --port "$port" >"$dir/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do curl -fs -o /dev/null "$base/healthz" && break; sleep 0.2; done
  local token
  token=$("$bin" token create --user cadre --name bench-writes | tail -n 1)
  bench_contact_post "$dir/post.lua" "$token" bench-writes
  cat >>"$dir/post.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("REQUESTS %d ERRORS %d\n", summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
  local healthz post
  healthz=$("${pin_load[@]}" wrk -t1 -c32 -d8s "$base/healthz" | awk '/Requests\/sec/ { print $2 }')
  post=$("${pin_load[@]}" wrk -t1 -c32 -d10s --latency -s "$dir/post.lua" "$base/api/v1/contacts")
  local rate p99 requests errors rows
  rate=$(awk '/Requests\/sec/ { print $2 }' <<<"$post")
  p99=$(awk '/ 99%/ { print $2 }' <<<"$post")
  requests=$(awk '/^REQUESTS/ { print $2 }' <<<"$post")
  errors=$(awk '/^REQUESTS/ { print $4 }' <<<"$post")
  rows=$(sqlite3 "$YIXIAN_SQLITE_PATH" "select count(*) from contact_records where summary = 'bench-writes'")
  printf '%-9s /healthz %8s req/s · POST %8s req/s (%5.1f %%) · p99 %8s · %s answered, %s errors, %s rows\n' \
    "$label" "$healthz" "$rate" "$(echo "scale=3; 100 * $rate / $healthz" | bc)" "$p99" "$requests" "$errors" "$rows"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  rm -rf "$dir"; dir=
}

echo "== contact POSTs, 32 clients, SQLite synchronous=FULL; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for ((round = 1; round <= rounds; round++)); do
  [[ -n $reference ]] && measure reference "$reference"
  measure current "$current"
done
