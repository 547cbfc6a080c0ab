#!/usr/bin/env bash
# Makes the lock files again: for each requirements/NAME.in (or the ones named), a throw-away
# virtualenv gets what it asks for from PyPI, and `pip freeze` of it becomes requirements/NAME.txt.
# Run after changing a .in file; commit both. setup.sh then re-installs every environment whose
# lock changed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for input in "$REPO"/requirements/*.in; do names+=("$(basename "$input" .in)"); done
fi
for name in "${names[@]}"; do
  input="$REPO/requirements/$name.in"
  [ -f "$input" ] || die "No $input"
  scratch=$(mktemp -d)
  say "Locking requirements/$name.in"
  "$BASE_PYTHON" -m venv "$scratch/venv"
  (cd "$REPO/requirements" && "$scratch/venv/bin/pip" install --quiet --disable-pip-version-check -r "$input" 2> >(grep -v "is ignored: it is neither" >&2)) ||
    die "pip could not install requirements/$name.in"
  {
    echo "# The lock of requirements/$name.in for Python $("$scratch/venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])'): made by scripts/lock.sh; do not edit."
    "$scratch/venv/bin/pip" freeze --disable-pip-version-check
  } >"$REPO/requirements/$name.txt"
  rm -rf "$scratch"
done
