#!/usr/bin/env bash
# Starts a real CAS server (django-mama-cas, Tests/cas/) on the loopback interface, for the CAS
# sign-in tests and CI. Installs its pinned Python packages (Tests/cas/requirements.txt) into a
# cache folder the first time, migrates its SQLite database, creates or updates the given users,
# starts `manage.py runserver 127.0.0.1:PORT --noreload` in the background and waits until the
# login page answers. Prints only the CAS base URL on stdout, as its last line:
#     cas_url=$(bash scripts/start-cas.sh --port 18900 --user 20230001:secret)   # http://127.0.0.1:18900/cas
# Idempotent: with a server already running on that port it only updates the users.
#   --port N                 loopback port (default 18900)
#   --user NAME:PASSWORD     a user to create or update; repeatable (the password may contain ':')
#   --reset                  start from an empty database (stops a running server first)
#   --stop                   stop the server on that port and exit
# The server's PID and log are in $state (printed on stderr): ${TMPDIR:-/tmp}/yixian-cas-PORT/.
# Endpoints under the base URL: login, logout, validate (CAS 1), serviceValidate (CAS 2),
# p3/serviceValidate (CAS 3, with attributes username/full_name/short_name).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
project="$repo/Tests/cas"
port=18900
users=()
stop=false
reset=false

say() { echo "start-cas: $*" >&2; }
die() { say "$*"; exit 1; }

while (($# > 0)); do
    case $1 in
        --port) [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || die "--port needs a number"; port=$2; shift 2 ;;
        --port=*) port=${1#--port=}; [[ $port =~ ^[0-9]+$ ]] || die "--port needs a number"; shift ;;
        --user) [[ $# -ge 2 && $2 == ?*:?* ]] || die "--user needs NAME:PASSWORD"; users+=("$2"); shift 2 ;;
        --user=*) [[ ${1#--user=} == ?*:?* ]] || die "--user needs NAME:PASSWORD"; users+=("${1#--user=}"); shift ;;
        --stop) stop=true; shift ;;
        --reset) reset=true; shift ;;
        -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
done

python=${PYTHON:-python3}
state="${TMPDIR:-/tmp}/yixian-cas-$port"
pidfile="$state/server.pid"
log="$state/server.log"
base="http://127.0.0.1:$port/cas"

running_pid() {
    local pid
    [[ -f $pidfile ]] || return 1
    pid=$(<"$pidfile")
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    # A recycled PID is not ours: the process must be this project's runserver.
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "manage.py runserver 127.0.0.1:$port" || return 1
    echo "$pid"
}

stop_server() {
    local pid
    if pid=$(running_pid); then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        say "stopped the CAS server on port $port (pid $pid)"
    fi
    rm -f "$pidfile"
}

if $stop; then
    stop_server
    exit 0
fi

# Answers 200 with the login form: the server is up and can read its database.
login_page_answers() {
    "$python" - "$base/login" <<'PY' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
    sys.exit(0 if r.status == 200 and b'name="password"' in r.read() else 1)
PY
}

port_taken() {
    "$python" - "$port" <<'PY'
import socket, sys
with socket.socket() as s:
    s.settimeout(1)
    sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)
PY
}

command -v "$python" >/dev/null || die "$python not found"
"$python" -m pip --version >/dev/null 2>&1 || die "pip is missing for $python (scripts/ci-install.sh installs python3-pip)"

# --- packages: installed once per Python version and requirements file ---------------------------
pyver=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
cache="${YIXIAN_CAS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/yixian-cas}"
site="$cache/site-py$pyver"
stamp="$site/.requirements"
if ! cmp -s "$project/requirements.txt" "$stamp" 2>/dev/null; then
    say "installing $(grep -E '^[A-Za-z]' "$project/requirements.txt" | tr '\n' ' ')into $site"
    rm -rf "$site"
    mkdir -p "$cache"
    pip_log=$(mktemp -t start-cas-pip.XXXXXX)
    pip_install() { "$python" -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
        --target "$site" -r "$project/requirements.txt" "$@" >"$pip_log" 2>&1; }
    if ! pip_install; then
        # Debian's own python3 is "externally managed" (PEP 668); a pyenv/venv one is not.
        if ! grep -q externally-managed-environment "$pip_log" || ! pip_install --break-system-packages; then
            cat "$pip_log" >&2
            rm -f "$pip_log"
            rm -rf "$site"
            die "FAILED: pip install -r Tests/cas/requirements.txt"
        fi
    fi
    rm -f "$pip_log"
    cp "$project/requirements.txt" "$stamp"
fi
export PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}"
export CAS_STATE_DIR="$state"
export DJANGO_SETTINGS_MODULE=casserver.settings
manage() { (cd "$project" && "$python" manage.py "$@"); }

"$python" -c 'import django, mama_cas' 2>/dev/null \
    || die "django or mama_cas is not importable from $site; delete that folder and try again"

set_users() {
    if ((${#users[@]} > 0)); then
        manage casusers "${users[@]}" >"$state/users.log" 2>&1 || { cat "$state/users.log" >&2; die "FAILED: creating the users"; }
    fi
}

# --- already running: only the users change -------------------------------------------------------
if $reset; then
    stop_server
    rm -rf "$state"
elif pid=$(running_pid) && login_page_answers; then
    set_users
    say "already running on port $port (pid $pid, log $log)"
    echo "$base"
    exit 0
fi

# --- database and users ---------------------------------------------------------------------------
stop_server  # a pidfile of a dead or hung server
if port_taken; then
    die "port $port is already in use by another program"
fi
mkdir -p "$state"
manage migrate --noinput >"$state/migrate.log" 2>&1 || { cat "$state/migrate.log" >&2; die "FAILED: manage.py migrate"; }
set_users

# --- the server -----------------------------------------------------------------------------------
: >"$log"
# stdin, stdout and stderr are detached so that `$(start-cas.sh)` returns. It stays in the caller's
# process group, so a `timeout` that signals the caller's group ends it too.
(
    cd "$project"
    exec "$python" manage.py runserver "127.0.0.1:$port" --noreload </dev/null >>"$log" 2>&1
) &
pid=$!
echo "$pid" >"$pidfile"

deadline=$((SECONDS + 60))
until login_page_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
        tail -n 30 "$log" >&2
        rm -f "$pidfile"
        die "the CAS server exited before $base/login answered (log: $log)"
    fi
    if ((SECONDS >= deadline)); then
        tail -n 30 "$log" >&2
        stop_server
        die "$base/login did not answer within 60 s (log: $log)"
    fi
    sleep 0.2
done
say "CAS server up (pid $pid, log $log; stop: bash scripts/start-cas.sh --port $port --stop)"
echo "$base"
