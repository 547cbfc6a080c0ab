#!/usr/bin/env bash
# Installs what a fresh machine lacks for building, running and testing
# jupyterlab-runs: Debian's Chromium (the browser of the UI tests; Playwright
# cannot download its own here), the pinned Python environment build/venvs/dev
# from PyPI (requirements/dev.txt), and the npm dependencies of the repository
# and of the folders named as arguments. Safe to run again: each step is
# skipped when already done, and redone when its lock file changed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The browser and the fonts the screenshots are taken with.
APT_PACKAGES=(chromium fonts-dejavu-core)

not_installed() {
  local pkg
  for pkg in "$@"; do
    [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = 'install ok installed' ] || echo "$pkg"
  done
}

ensure_apt_packages() {
  [ -x /usr/bin/chromium ] && [ -z "$(not_installed "${APT_PACKAGES[@]}")" ] && return 0
  [ -r /etc/debian_version ] ||
    die "Install Chromium at /usr/bin/chromium and the DejaVu fonts (this script installs them on Debian)."
  local missing
  missing=$(not_installed "${APT_PACKAGES[@]}" | tr '\n' ' ')
  if [ "$(id -u)" -ne 0 ]; then
    die "Missing Debian packages: $missing
Install them as root:  sudo apt-get install -y $missing"
  fi
  export DEBIAN_FRONTEND=noninteractive
  say "Installing Debian packages: $missing"
  apt-get update -qq >"$BUILD/apt-update.log" 2>&1 || die "apt-get update failed; see build/apt-update.log"
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >"$BUILD/apt-install.log" 2>&1 ||
    die "apt-get install failed; see build/apt-install.log"
}

# `npm ci` wipes node_modules, so run it only when the lockfile changed since
# the last successful install in that folder.
ensure_npm_packages() {
  local dir=$1 stamp sum
  stamp="$dir/node_modules/.runs-lock.sha256"
  sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then return 0; fi
  say "npm ci in ${dir/#$REPO/.}"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $dir"
  echo "$sum" >"$stamp"
}

mkdir -p "$BUILD"
command -v "$BASE_PYTHON" >/dev/null || die "No $BASE_PYTHON on PATH: install Python 3.9+ with venv and pip (or set RUNS_BASE_PYTHON)."
ensure_apt_packages
ensure_venv dev
ensure_npm_packages "$REPO"
for dir in "$@"; do ensure_npm_packages "$REPO/$dir"; done
