#!/usr/bin/env bash
# Fuzzes every /api/v1 operation from the server's own OpenAPI document with Schemathesis,
# signed in as each kind of API user, and fails if any generated request gets a 5xx:
# bad input must be refused with a 4xx and a reason, never crash or 500.
#   scripts/fuzz-api.sh BASE_URL DATABASE YIXIAN_BINARY [MAX_EXAMPLES]
# DATABASE is the running server's: a SQLite path or a postgres:// URL; tokens are created there.
set -euo pipefail

base=${1:?base URL}
database=${2:?SQLite path or PostgreSQL URL of the running server}
yixian=${3:?path to the yixian binary}
examples=${4:-12}
out=${FUZZ_OUT:-artifacts}
mkdir -p "$out"

status=0
for user in office secretary cadre student; do
    if [[ $database == postgres://* || $database == postgresql://* ]]; then
        token=$(DATABASE_URL="$database" "$yixian" token create --user "$user" | tail -n 1)
    else
        token=$(env -u DATABASE_URL YIXIAN_SQLITE_PATH="$database" "$yixian" token create --user "$user" | tail -n 1)
    fi
    log="$out/fuzz-$user.log"
    echo "fuzz-api: as $user ($examples examples per operation, log $log)"
    # A fixed seed makes a failure reproducible with the same command.
    if python3 -m schemathesis.cli run "$base/api/v1/openapi.json" \
        --header "Authorization: Bearer $token" \
        --checks not_a_server_error \
        --max-examples "$examples" --seed 20190034 --workers 2 \
        --no-color >"$log" 2>&1; then
        grep -E '^ +[0-9]+ generated' "$log" || true
    else
        status=1
        echo "fuzz-api: server errors as $user:" >&2
        sed -n '/FAILURES/,/SUMMARY/p' "$log" | head -n 80 >&2
    fi
done
exit "$status"
