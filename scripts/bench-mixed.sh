#!/usr/bin/env bash
# A working day in miniature: 32 readers over 我的进度, the school and unit compliance pages and the
# integrity page, first alone and then beside writers posting contacts at a steady rate; the plain
# route measured in the same run as the reference. Bounded, loopback only, stops by itself.
#
# Usage: scripts/bench-mixed.sh [standard|large] [seconds per phase, default 20] [writes per second, default 5]
#        [seconds of the phase with writes, default the same as the others: 600 gives the issue's memory run]
# Needs wrk (apt-get install wrk); YIXIAN_BENCH_PERF=<file> also records a perf profile of the phase with writes. The generated demo database is kept in .build-release/bench-<scale>/
# and copied for each run, so only the first run pays for generating it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scale=${1:-large}
seconds=${2:-20}
rate=${3:-5}
write_seconds=${4:-$seconds}
# YIXIAN_BENCH_BIN=<binary>: measure that build instead (an A/B against a previous binary).
if [[ -n ${YIXIAN_BENCH_BIN:-} ]]; then
  bin=$YIXIAN_BENCH_BIN
else
  swift build -c release --scratch-path .build-release --product yixian >/dev/null
  bin="$(swift build -c release --scratch-path .build-release --show-bin-path)/yixian"
fi
cache=.build-release/bench-$scale
if [[ ! -f $cache/bench.sqlite ]]; then
  echo "generating the $scale demo into $cache (once)…"
  rm -rf "$cache" && mkdir -p "$cache"
  YIXIAN_SQLITE_PATH="$cache/bench.sqlite" YIXIAN_DATA_DIR="$cache" LOG_LEVEL=error "$bin" demo --scale "$scale" | tail -n 1
fi
dir=$(mktemp -d -t yixian-mixed.XXXXXX)
cp -a "$cache/." "$dir/"
port=18091
base="http://127.0.0.1:$port"
export YIXIAN_SQLITE_PATH="$dir/bench.sqlite" YIXIAN_DATA_DIR="$dir" LOG_LEVEL=error
# Server on core 0, load on core 1 when taskset exists: the two otherwise steal from each other.
pin_server=() pin_load=()
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then pin_server=(taskset -c 0); pin_load=(taskset -c 1); fi
if curl -fs -o /dev/null "$base/healthz"; then echo "port $port is already serving: stop that server first" >&2; exit 1; fi
cadre=$("$bin" token create --user cadre --name bench-mixed | tail -n 1)
office=$("$bin" token create --user office --name bench-mixed | tail -n 1)
# Another cadre writes: a reader's own writes are always counted fresh, other readers may get an
# answer up to YIXIAN_STALE_READ_MS old (README), which is what keeps reads cheap under writes.
writer_token=$("$bin" token create --user leader --name bench-mixed | tail -n 1)
started=$(date +%s.%N)
YIXIAN_RATE_LIMIT=off "${pin_server[@]}" "$bin" serve --hostname 127.0.0.1 --port "$port" >"$dir/server.log" 2>&1 &
pid=$!
writer=
trap '[[ -n $writer ]] && kill $writer 2>/dev/null; kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"; true' EXIT
until curl -fs -o /dev/null "$base/healthz"; do sleep 0.05; done
ready=$(date +%s.%N)
first=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $office" "$base/compliance")
unit=$(sqlite3 "$YIXIAN_SQLITE_PATH" "select u.code from units u join cadres c on c.unit_id = u.id join users s on s.cadre_id = c.id where s.username = 'cadre'")
printf '== %s demo: serve ready after %.2f s; first page view (school compliance) %.3f s\n' "$scale" "$(echo "$ready - $started" | bc)" "$first"

cat >"$dir/pages.lua" <<LUA
local pages = {
  {"/progress", "$cadre"}, {"/compliance", "$office"}, {"/compliance/units/$unit", "$office"}, {"/integrity", "$office"},
}
local n = 0
request = function()
  n = n + 1
  local page = pages[(n % #pages) + 1]
  return wrk.format("GET", page[1], { ["Authorization"] = "Bearer " .. page[2] })
end
LUA
read_pages() {
  "${pin_load[@]}" wrk -t1 -c32 -d"${1:-$seconds}s" --timeout 30s --latency -s "$dir/pages.lua" "$base" |
    grep -E "Requests/sec|Latency  |99%|Non-2xx|timeout" | sed 's/^/   /'
}
echo "== plain route GET /healthz (32 connections, ${seconds} s)"
"${pin_load[@]}" wrk -t1 -c32 -d"${seconds}s" --latency "$base/healthz" | grep -E "Requests/sec|99%" | sed 's/^/   /'
echo "== 4 pages in rotation, 32 readers, no writes (${seconds} s)"
read_pages
start=$(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%SZ)
end=$(date -u -d '-1 hours' +%Y-%m-%dT%H:%M:%SZ)
body='{"kind":"face-to-face","start":"'$start'","end":"'$end'","place":"图书馆","participantCount":3,"summary":"bench"}'
(
  interval=$(echo "scale=3; 1 / $rate" | bc)
  while true; do
    "${pin_load[@]}" curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -X POST -H "Authorization: Bearer $writer_token" \
      -H 'Content-Type: application/json' -d "$body" "$base/api/v1/contacts" >>"$dir/posts.txt" &
    sleep "$interval"
  done
) &
writer=$!
# The server's memory every 15 s while the writes go on: the peak and the last are reported.
( while kill -0 $pid 2>/dev/null; do ps -o rss= -p $pid >>"$dir/rss.txt"; sleep 15; done ) &
sampler=$!
echo "== the same pages with a contact POST ${rate}/s beside them (${write_seconds} s)"
# YIXIAN_BENCH_PERF=file: a CPU profile of the server while the writes go on (perf report -i file).
if [[ -n ${YIXIAN_BENCH_PERF:-} ]]; then perf record -F 999 -g -p $pid -o "$YIXIAN_BENCH_PERF" -- sleep "$write_seconds" >/dev/null 2>&1 & fi
read_pages "$write_seconds"
kill $writer $sampler 2>/dev/null; writer=
sleep 1
awk '{ n++; if ($1 == 201) ok++; if ($2 > max) max = $2; sum += $2 } END {
  printf "   POSTs: %d sent, %d created, mean %.3f s, max %.3f s\n", n, ok, sum / n, max }' "$dir/posts.txt"
echo "   server RSS: $(( $(ps -o rss= -p $pid) / 1024 )) MB at the end, peak $(( $(sort -n "$dir/rss.txt" | tail -n 1) / 1024 )) MB while writing; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
