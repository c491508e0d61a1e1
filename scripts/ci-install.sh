#!/usr/bin/env bash
# Installs what CI needs beyond Swift: PostgreSQL 15, headless Chromium with its
# driver, CJK fonts (screenshots of Chinese pages) and Python Selenium.
# Idempotent and quick when everything is present; quiet unless something fails.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
log="$(mktemp -t ci-install.XXXXXX.log)"
trap 'rm -f "$log"' EXIT

# Runs a command with its output captured; shows the output only on failure.
quietly() {
    if ! "$@" >"$log" 2>&1; then
        echo "ci-install: FAILED: $*" >&2
        cat "$log" >&2
        exit 1
    fi
}

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

wanted=(postgresql chromium chromium-driver fonts-noto-cjk curl)
# pip itself may be absent on a minimal Debian python3.
if ! python3 -m pip --version >/dev/null 2>&1; then
    wanted+=(python3-pip)
fi

missing=()
for pkg in "${wanted[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} > 0)); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "ci-install: missing ${missing[*]} and not root; install them or rerun as root" >&2
        exit 1
    fi
    echo "ci-install: apt-get install ${missing[*]}"
    quietly apt-get update -qq
    quietly apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Python tools: Selenium drives the browser tests, Schemathesis fuzzes the API from its
# OpenAPI document (scripts/fuzz-api.sh), python-docx and openpyxl read the documents.
pip_install() {
    local module=$1 package=$2
    python3 -c "import $module" >/dev/null 2>&1 && return 0
    echo "ci-install: pip install $package"
    # Debian's own python3 is "externally managed" (PEP 668); a pyenv/venv one is not.
    if ! python3 -m pip install --quiet "$package" >"$log" 2>&1; then
        if grep -q externally-managed-environment "$log"; then
            quietly python3 -m pip install --quiet --break-system-packages "$package"
        else
            echo "ci-install: FAILED: python3 -m pip install $package" >&2
            cat "$log" >&2
            exit 1
        fi
    fi
    python3 -c "import $module" || { echo "ci-install: $module still not importable" >&2; exit 1; }
}
pip_install selenium selenium
pip_install schemathesis 'schemathesis>=4,<5'
pip_install requests requests
# Independent readers of what Yixian writes: its .docx and .xlsx documents are opened by them in the smoke test.
pip_install docx python-docx
pip_install openpyxl openpyxl

for exe in /usr/bin/chromium /usr/bin/chromedriver /usr/bin/pg_ctlcluster /usr/bin/psql; do
    [[ -x $exe ]] || { echo "ci-install: $exe missing after install" >&2; exit 1; }
done
echo "ci-install: ok"
