#!/usr/bin/env bash
# 30,000 students (≈ 75,000 memberships) imported from .xlsx end to end — parse, validate and write
# in one transaction into a fresh SQLite file — next to openpyxl merely reading the same file
# (read-only mode, iterating every row), in the same run. Rounds alternate between the two.
#
# Usage: scripts/bench-import.sh [rounds, default 3]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=${1:-3}
swift build -c release --scratch-path .build-release --product yixian >/dev/null
bin="$(swift build -c release --scratch-path .build-release --show-bin-path)/yixian"
python3 -c "import openpyxl" 2>/dev/null || pip install -q openpyxl
dir=$(mktemp -d -t yixian-import.XXXXXX)
trap 'rm -rf "$dir"' EXIT
export YIXIAN_SQLITE_PATH="$dir/bench.sqlite" YIXIAN_DATA_DIR="$dir" LOG_LEVEL=error
"$bin" bench import --keep "$dir" --rounds 0 >/dev/null   # the file and the units and collectives it refers to
cat >"$dir/openpyxl_read.py" <<'PY'
import sys, time, openpyxl
start = time.perf_counter()
book = openpyxl.load_workbook(sys.argv[1], read_only=True)
rows = sum(1 for _ in book.active.iter_rows(values_only=True))
book.close()
print(f"{time.perf_counter() - start:.3f} {rows}")
PY
yixian=() openpyxl=()
for ((round = 1; round <= rounds; round++)); do
  yixian+=("$("$bin" bench import --keep "$dir" --rounds 1 | awk '/^xlsx import/ { print $3 }')")
  openpyxl+=("$(python3 "$dir/openpyxl_read.py" "$dir/students.xlsx" | cut -d' ' -f1)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
y=$(median "${yixian[@]}") o=$(median "${openpyxl[@]}")
echo "== 30,000 students from .xlsx ($(du -k "$dir/students.xlsx" | cut -f1) KB), $rounds rounds, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   Yixian import end to end: ${yixian[*]} s (median $y)"
echo "   openpyxl read-only iteration: ${openpyxl[*]} s (median $o)"
echo "   ratio Yixian / openpyxl: $(echo "scale=2; $y / $o" | bc)"
