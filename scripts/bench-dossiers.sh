#!/usr/bin/env bash
# 考核材料 on the large university, each figure beside a reference from the same run:
#   1. the core alone: every cadre's dossier as .docx, zipped, beside one engine evaluation
#      (`yixian bench dossiers`);
#   2. over HTTP, one cadre's dossier page and a unit's dossier beside GET /healthz (wrk);
#   3. the school's batch of 600 through the page (POST, poll, download), timed end to end;
#   4. the school dashboard beside /healthz, and drafting a college's semester summary and the
#      school's report to the party committee (one POST each, the first draft is the work).
# Usage: scripts/bench-dossiers.sh [seconds per route, default 8]   (needs wrk: apt-get install wrk)
# Release build in .build-release; the generated demo is kept in .build-release/bench-cases/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-8}
source scripts/bench-lib.sh
bench_release_bin
echo "== core (load: $(cut -d' ' -f1-3 /proc/loadavg))"
"$bin" bench dossiers
bench_large_server dossiers 18096
auth=(-H "Authorization: Bearer $token")
unit=$(sqlite3 "$YIXIAN_SQLITE_PATH" "select code from units where kind = 'college' order by code limit 1" 2>/dev/null || echo CS)
staff=$(sqlite3 "$YIXIAN_SQLITE_PATH" "select staff_number from cadres order by staff_number limit 1" 2>/dev/null || echo T0001)
echo "== HTTP (load: $(cut -d' ' -f1-3 /proc/loadavg)); cadre $staff, unit $unit"
printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$token" >"$dir/auth.lua"
for path in healthz "dossiers/cadres/$staff" "dossiers/units/$unit" dashboard healthz; do
  curl -fs -o /dev/null "${auth[@]}" "$base/$path"  # warm
  result=$(taskset -c 1 wrk -t1 -c8 -d"${seconds}s" --latency -s "$dir/auth.lua" "$base/$path" |
    awk '/Requests\/sec/{rps=$2} /50%/{p50=$2} /99%/{p99=$2} /Non-2xx/{bad=$5} END{printf "%s req/s, p50 %s, p99 %s%s", rps, p50, p99, bad ? ", non-2xx " bad : ""}')
  echo "GET /$path: $result"
done
echo "== the school's batch (load: $(cut -d' ' -f1-3 /proc/loadavg))"
start=$(date +%s.%N)
location=$(curl -fs -o /dev/null -w '%{redirect_url}' "${auth[@]}" -X POST --data 'period=&unit=' "$base/dossiers/batch" || true)
if [[ -z $location ]]; then
  term=$(curl -fs "${auth[@]}" "$base/dossiers" | grep -o 'value="term:[^"]*" selected' | head -n 1 | sed 's/value="\(term:[^"]*\)".*/\1/')
  location=$(curl -fs -o /dev/null -w '%{redirect_url}' "${auth[@]}" -X POST --data-urlencode "period=$term" --data 'unit=' "$base/dossiers/batch")
fi
for _ in $(seq 1 600); do
  curl -fs "${auth[@]}" "$location" | grep -q 'data-state="done"' && break
  sleep 0.1
done
curl -fs "${auth[@]}" -o "$dir/batch.zip" "$location/download"
end=$(date +%s.%N)
files=$(python3 -c "import zipfile,sys; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))" "$dir/batch.zip")
printf 'batch: %s documents, %.1f MB, %.2f s from POST to downloaded zip\n' "$files" "$(stat -c %s "$dir/batch.zip" | awk '{print $1/1e6}')" "$(echo "$end - $start" | bc)"
echo "== drafted documents (load: $(cut -d' ' -f1-3 /proc/loadavg))"
term=$(curl -fs "${auth[@]}" "$base/filings/documents" | grep -o '<option value="[^"]*"' | sed -n 's/<option value="\([0-9-]*\)"/\1/p' | head -n 1)
for form in "kind=semester-summary&unitCode=$unit" "kind=student-work-report"; do
  start=$(date +%s.%N)
  code=$(curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" -X POST --data "$form&termCode=$term" "$base/filings/documents")
  end=$(date +%s.%N)
  printf 'draft %s (%s): HTTP %s in %.0f ms\n' "${form%%&*}" "$term" "$code" "$(echo "($end - $start) * 1000" | bc)"
done
