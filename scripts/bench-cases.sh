#!/usr/bin/env bash
# The case pages of the large university (≈ 3,000 cases this term) next to the plain route, in
# the same server run: the office's queue, the problem list, hot topics and the cases API.
# Usage: scripts/bench-cases.sh [seconds per route, default 10]   (needs wrk: apt-get install wrk)
# Release build in .build-release; the generated demo is kept in .build-release/bench-cases/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-10}
source scripts/bench-lib.sh
bench_release_bin
bench_large_server cases 18095
port=18095
echo "cases: $(sqlite3 "$YIXIAN_SQLITE_PATH" 'select count(*) from cases' 2>/dev/null || echo '?'); load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$token" >"$dir/auth.lua"
for path in healthz "cases" "problems" "cases/topics" "api/v1/cases?per=20" healthz; do
  curl -fs -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/$path"  # warm
  result=$(taskset -c 1 wrk -t1 -c16 -d"${seconds}s" --latency -s "$dir/auth.lua" "http://127.0.0.1:$port/$path" |
    awk '/Requests\/sec/{rps=$2} /50%/{p50=$2} /99%/{p99=$2} /Non-2xx/{bad=$5} END{printf "%s req/s, p50 %s, p99 %s%s", rps, p50, p99, bad ? ", non-2xx " bad : ""}')
  echo "GET /$path: $result"
done
