#!/usr/bin/env bash
# Installs what a fresh Debian 12 or 13 machine lacks for building, running and
# testing jupyterlab-runs: Debian's Jupyter server, kernel and browser (there is
# no PyPI here, so no pip), and the npm dependencies of the three packages.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The Lab, its kernel, the wheel build and the browser: nothing works without these.
REQUIRED_APT_PACKAGES=(
  python3-jupyter-server python3-jupyterlab-server python3-ipykernel
  python3-nbformat python3-nbclient python3-hatchling python3-build python3-venv python3-pip
  chromium fonts-dejavu-core git
)
# What the demo and realistic test notebooks import. Installed when this Debian
# release has them; a missing one only limits those notebooks.
OPTIONAL_APT_PACKAGES=(
  python3-numpy python3-pandas python3-sklearn python3-xgboost python3-matplotlib
)

not_installed() {
  local pkg
  for pkg in "$@"; do
    [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = 'install ok installed' ] || echo "$pkg"
  done
}

has_candidate() {
  # Not a pipe into `grep -q`: under pipefail its early exit fails the pipe.
  local policy
  policy=$(apt-cache policy "$1" 2>/dev/null)
  [[ $policy == *"Candidate: "[!\(]* ]]
}

ensure_apt_packages() {
  [ -r /etc/debian_version ] || die "This needs a Debian 12 or 13 machine (no /etc/debian_version found)."
  local required optional pkg install=()
  required=$(not_installed "${REQUIRED_APT_PACKAGES[@]}" | tr '\n' ' ')
  optional=$(not_installed "${OPTIONAL_APT_PACKAGES[@]}" | tr '\n' ' ')
  [ -z "${required// /}${optional// /}" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    if [ -z "${required// /}" ]; then
      say "Not installed (the demo notebook may need them): $optional"
      return 0
    fi
    die "Missing Debian packages: $required
Install them as root:  sudo apt-get install -y $required $optional"
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >"$BUILD/apt-update.log" 2>&1 || die "apt-get update failed; see $BUILD/apt-update.log"
  read -ra install <<<"$required"
  for pkg in $optional; do
    if has_candidate "$pkg"; then install+=("$pkg"); else say "Debian $(cat /etc/debian_version) has no $pkg; skipping it"; fi
  done
  say "Installing Debian packages (Debian $(cat /etc/debian_version)): ${install[*]}"
  apt-get install -y -qq --no-install-recommends "${install[@]}" >"$BUILD/apt-install.log" 2>&1 ||
    die "apt-get install failed; see $BUILD/apt-install.log"
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
ensure_apt_packages
"$PY" -c 'import jupyter_server, jupyterlab_server, ipykernel' 2>/dev/null ||
  die "$PY cannot import jupyter_server, jupyterlab_server and ipykernel although the Debian packages are installed."
ensure_npm_packages "$REPO"
for dir in "$@"; do ensure_npm_packages "$REPO/$dir"; done
