#!/usr/bin/env bash
# Starts the Debian PostgreSQL 15 cluster (15/main) for tests, waits until it
# accepts connections, and makes sure role `yixian` (password `yixian`) and
# database `yixian_test` exist. Idempotent. Prints only the connection URL on
# stdout, so `url=$(scripts/start-postgres.sh)` works.
#   --reset   drop and recreate yixian_test (a clean slate for a test run)
set -euo pipefail

version=15
cluster=main
port=5432
url="postgres://yixian:yixian@127.0.0.1:${port}/yixian_test"

reset=false
for arg in "$@"; do
    case $arg in
        --reset) reset=true ;;
        *) echo "usage: $0 [--reset]" >&2; exit 2 ;;
    esac
done

say() { echo "start-postgres: $*" >&2; }

# initdb and the postgres superuser refuse root, so cluster work runs as `postgres`.
as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then
        # `su` without a login shell keeps our cwd, which postgres may not be able to read.
        (cd / && su postgres -s /bin/bash -c "$(printf '%q ' "$@")")
    else
        (cd / && sudo -n -u postgres "$@")
    fi
}
psql_admin() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@"; }

command -v pg_ctlcluster >/dev/null || { say "pg_ctlcluster not found; run scripts/ci-install.sh"; exit 1; }

# Containers start with an empty /run; the socket directory is normally made at boot.
if [[ $(id -u) -eq 0 ]]; then
    install -d -o postgres -g postgres -m 2775 /var/run/postgresql
fi

if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { found = 1 } END { exit !found }'; then
    say "creating cluster $version/$cluster"
    pg_createcluster --port "$port" "$version" "$cluster" >/dev/null
fi

actual_port=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { print $3 }')
if [[ $actual_port != "$port" ]]; then
    say "cluster $version/$cluster is configured for port $actual_port, expected $port"
    exit 1
fi

status=$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { print $4 }')
if [[ $status != online* ]]; then
    say "starting cluster $version/$cluster"
    if [[ $(id -u) -eq 0 ]]; then
        # pg_ctlcluster talks on stdout ("Removed stale pid file."); stdout carries only the URL.
        pg_ctlcluster "$version" "$cluster" start >&2
    else
        sudo -n pg_ctlcluster "$version" "$cluster" start >&2
    fi
fi

for _ in $(seq 1 60); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 1
done
pg_isready -q -h 127.0.0.1 -p "$port" || {
    say "PostgreSQL did not become ready on port $port within 60 s; log:"
    tail -n 30 "/var/log/postgresql/postgresql-${version}-${cluster}.log" >&2 || true
    exit 1
}

# Setting the password every time keeps a pre-existing role usable too.
psql_admin <<'SQL'
SELECT 'CREATE ROLE yixian LOGIN'
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'yixian') \gexec
ALTER ROLE yixian LOGIN PASSWORD 'yixian';
SQL

if $reset; then
    say "dropping database yixian_test"
    psql_admin -c 'DROP DATABASE IF EXISTS yixian_test WITH (FORCE)'
fi
psql_admin <<'SQL'
SELECT 'CREATE DATABASE yixian_test OWNER yixian'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'yixian_test') \gexec
SQL

echo "$url"
