#!/usr/bin/env bash
# `npm run test:matrix`: the versions a user may run the extension in. Builds the
# wheel the way `pip install .` of a clean checkout does (hatch-jupyter-builder,
# `npm run build:prod`), then for each entry of MATRIX below installs it into a
# fresh virtualenv made from the entry's lock file and checks there:
#   - `jupyter labextension list` lists jupyterlab-runs as enabled and OK;
#   - the smoke spec (ui-tests/matrix/smoke.spec.ts) in Chromium against that
#     venv's `jupyter lab` or `jupyter notebook`: the Runs panel opens, a run is
#     recorded with `seed` as a parameter and a metric, a second run with
#     another seed, the run, the comparison and the snapshot open, and no
#     console error or warning outside the allow-list;
#   - in the newest Lab (the development lock, which has papermill and the
#     demo's libraries), what the wheel does for headless runs
#     (ui-tests/matrix/headless.spec.ts): papermill and `jupyter execute` of
#     the demo notebook are recorded and listed in the Runs panel.
# Prints the table "version -> result" (README, "Tested versions") and exits
# non-zero if an entry failed. Port: RUNS_MATRIX_PORT (8896). Entry names as
# arguments run only those (`npm run test:matrix -- notebook-7`);
# RUNS_MATRIX_WHEEL=path uses that wheel instead of building one.
# `npm test` runs it as a stage after the UI tests.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# name | lock file (requirements/NAME.txt) | app | specs | what a user has there
MATRIX=(
  "lab-4.2|lab-4.2|lab|smoke|JupyterLab 4.2.7, ipykernel 6.29.5, IPython 8.37 (the oldest)"
  "lab-4.4|lab-4.4|lab|smoke|JupyterLab 4.4.10, ipykernel 6.31.0"
  "lab-4.6|dev|lab|smoke headless|JupyterLab 4.6.6, ipykernel 7.4.0, papermill 2.7.0"
  "notebook-7|notebook-7|notebook|smoke|Notebook 7.6.5 (JupyterLab 4.6.6), ipykernel 7.4.0"
)

if [ $# -gt 0 ]; then
  chosen=()
  for row in "${MATRIX[@]}"; do
    for name in "$@"; do [[ $row == "$name|"* ]] && chosen+=("$row"); done
  done
  [ ${#chosen[@]} -gt 0 ] || die "No matrix entry named $*"
  MATRIX=("${chosen[@]}")
fi

WORK="$BUILD/matrix"
PORT=${RUNS_MATRIX_PORT:-8896}
rm -rf "$WORK/results" && mkdir -p "$WORK/results"
STARTED=$SECONDS

if [ -z "${RUNS_SKIP_SETUP:-}" ]; then
  bash "$REPO/scripts/setup.sh" ui-tests || exit 1
fi

# The wheel, from a copy of the working tree's files (what a clean checkout
# holds, with uncommitted changes) so the build leaves the repository's own
# development build alone. node_modules is linked in, not installed again.
build_wheel() {
  local src="$WORK/src"
  rm -rf "$src" "$WORK/dist" && mkdir -p "$src"
  (cd "$REPO" && git ls-files -z --cached --others --exclude-standard |
    tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$src" || return 1
  ln -s "$REPO/node_modules" "$src/node_modules"
  "$PY" -m build --wheel --outdir "$WORK/dist" "$src" >"$WORK/wheel.log" 2>&1 || {
    tail -30 "$WORK/wheel.log" >&2
    return 1
  }
}

if [ -n "${RUNS_MATRIX_WHEEL:-}" ]; then
  # A wheel built before, to try the entries again without building it again.
  WHEEL=$RUNS_MATRIX_WHEEL
else
  say "── building the wheel (python -m build: npm run build:prod in an isolated build environment)"
  begin=$SECONDS
  if ! build_wheel; then
    say "the wheel build failed; see build/matrix/wheel.log"
    exit 1
  fi
  WHEEL=$(ls "$WORK"/dist/*.whl)
  say "built $(basename "$WHEEL") in $((SECONDS - begin))s"
fi

# entry NAME LOCK APP SPECS: one matrix entry, its outcome in results/NAME.json.
entry() {
  local name=$1 lock=$2 app=$3 specs=$4 venv="$WORK/venvs/$1" begin=$SECONDS listed=false
  say "── $name: a fresh venv from requirements/$lock.txt, then the wheel"
  install_venv "$venv" "$REPO/requirements/$lock.txt"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "$WHEEL" >>"$venv.log" 2>&1 ||
    die "pip could not install the wheel into $venv; see $venv.log"
  # What `jupyter labextension list` says, without its colours.
  if "$venv/bin/jupyter" labextension list 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | tee "$WORK/results/$name.labextensions.txt" |
    grep -Eq "jupyterlab-runs v[0-9.]+ enabled OK"; then
    listed=true
  else
    say "$name: jupyter labextension list does not list jupyterlab-runs as enabled and OK:"
    cat "$WORK/results/$name.labextensions.txt"
  fi
  local files=()
  for spec in $specs; do files+=("matrix/$spec.spec.ts"); done
  (cd "$REPO/ui-tests" &&
    RUNS_MATRIX_NAME=$name RUNS_MATRIX_VENV=$venv RUNS_MATRIX_APP=$app RUNS_MATRIX_PORT=$PORT \
      npx playwright test -c playwright.matrix.config.js "${files[@]}")
  local status=$?
  "$PY" - "$name" "$status" "$listed" "$((SECONDS - begin))" "$WORK/results" <<'PY'
import json, sys
name, status, listed, seconds, results = sys.argv[1:]
try:
    with open(f"{results}/{name}.report.json") as f:
        stats = json.load(f).get("stats", {})
except (OSError, ValueError):
    stats = {}
with open(f"{results}/{name}.json", "w") as f:
    json.dump({"name": name, "ok": status == "0" and listed == "true", "listed": listed == "true",
               "passed": stats.get("expected", 0) + stats.get("flaky", 0), "failed": stats.get("unexpected", 0),
               "seconds": int(seconds)}, f)
PY
}

STATUS=0
for row in "${MATRIX[@]}"; do
  IFS='|' read -r name lock app specs what <<<"$row"
  entry "$name" "$lock" "$app" "$specs" || STATUS=1
done

echo
say "Version matrix ($((SECONDS - STARTED))s; the wheel $(basename "$WHEEL"))"
printf '  %-11s %-62s %s\n' "entry" "what the venv holds" "result"
for row in "${MATRIX[@]}"; do
  IFS='|' read -r name lock app specs what <<<"$row"
  result=$("$PY" - "$WORK/results/$name.json" <<'PY'
import json, sys
try:
    with open(sys.argv[1]) as f:
        r = json.load(f)
except (OSError, ValueError):
    print("FAILED (no result)")
    raise SystemExit
verdict = "passed" if r["ok"] else "FAILED"
listed = "" if r["listed"] else ", not listed OK by jupyter labextension list"
print(f'{verdict}: {r["passed"]} passed, {r["failed"]} failed{listed} ({r["seconds"]}s)')
PY
)
  [[ $result == passed* ]] || STATUS=1
  printf '  %-11s %-62s %s\n' "$name" "$what" "$result"
done
exit $STATUS
