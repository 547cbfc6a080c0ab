#!/usr/bin/env bash
# `npm run test:faults`: the fault, fuzz and security suite. Installs and builds
# what it needs, then runs
#   - the unit-level fuzz of store files, names and metric values (jest),
#   - the fault specs of ui-tests/faults/ (each starts, kills and restarts its
#     own Jupyter server on RUNS_FAULTS_PORT, default 8880, and 8881),
#   - the planted-secrets spec (the UI tests' Lab, RUNS_LAB_PORT, default 8899),
# each appending its rows to build/faults/results.jsonl, and prints one table.
# Exits non-zero if anything failed. Arguments go to the fault specs' run.
#
# `npm test` runs it as its last stage with RUNS_FAULTS_JEST_REPORT set to its
# unit tests' jest report: the build, the fuzz and the secrets spec have run
# by then (writing their rows), so only the fault specs run here.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export RUNS_FAULT_RESULTS="$BUILD/faults/results.jsonl"
JEST_REPORT=${RUNS_FAULTS_JEST_REPORT:-}
STARTED=$SECONDS
STATUS=0
mkdir -p "$BUILD/faults"

if [ -z "$JEST_REPORT" ]; then
  rm -f "$RUNS_FAULT_RESULTS"
  bash "$REPO/scripts/setup.sh" ui-tests || exit 1
  say "── build"
  (cd "$REPO" && npm run --silent build) && develop_extension || die "the build failed"
  say "── fuzz"
  JEST_REPORT="$BUILD/faults/fuzz.json"
  (cd "$REPO" && npx jest src/__tests__/fuzz- --json --outputFile="$JEST_REPORT") || STATUS=1
fi

# A row for each fuzz spec of many small cases (the store-file fuzz reports
# its own, with its figures).
"$PY" - "$JEST_REPORT" "$RUNS_FAULT_RESULTS" <<'PY' || STATUS=1
import json, sys
NAMES = {
    "fuzz-names.spec.ts": ("hostile notebook/run names and ids (store library)",
                           "nothing written outside the store folder; names given back exactly or refused"),
    "fuzz-metrics.spec.ts": ("odd metric values (store library)",
                             "NaN, ±Infinity, 1e308, strings, booleans: stored and charted, or refused with a message"),
}
try:
    with open(sys.argv[1]) as f:
        report = json.load(f)
except (OSError, ValueError):
    print("the fuzz specs wrote no report")
    sys.exit(1)
with open(sys.argv[2], "a") as out:
    for suite in report["testResults"]:
        name = suite["name"].rsplit("/", 1)[-1]
        if name not in NAMES:
            continue
        cases = suite["assertionResults"]
        failed = [c["fullName"] for c in cases if c["status"] != "passed"]
        fault, checked = NAMES[name]
        out.write(json.dumps({
            "fault": fault, "checked": f"{len(cases)} cases: {checked}",
            "result": "FAILED" if failed or suite["status"] != "passed" else "passed",
            "logged": None, "stored": None, "lost": None, "files": None, "torn": None,
            "planted": None, "leaked": None, "exceptions": 0,
            "notes": [f"failed: {c}" for c in failed[:5]], "error": None,
            "seconds": round((suite["endTime"] - suite["startTime"]) / 1000),
        }) + "\n")
PY

say "── faults"
(cd "$REPO/ui-tests" && npx playwright test -c playwright.faults.config.js "$@") || STATUS=1

if [ -z "${RUNS_FAULTS_JEST_REPORT:-}" ]; then
  say "── secrets"
  (cd "$REPO/ui-tests" && npx playwright test tests/secrets.spec.ts --reporter=list) || STATUS=1
fi

echo
say "Faults, fuzz and secrets ($((SECONDS - STARTED))s)"
"$PY" - "$RUNS_FAULT_RESULTS" <<'PY' || STATUS=1
import json, sys
try:
    with open(sys.argv[1]) as f:
        rows = [json.loads(line) for line in f if line.strip()]
except OSError:
    rows = []
if not rows:
    print("no spec reported a result")
    sys.exit(1)
show = lambda value: "-" if value is None else f"{value:,}" if isinstance(value, int) else str(value)
def secrets(r):
    return "-" if r.get("planted") is None else f'{r["planted"]}/{r.get("leaked")}'
head = ["fault", "result", "logged", "stored", "lost", "files", "torn", "secrets planted/stored", "exceptions", "time"]
table = [head] + [
    [r["fault"], r["result"], show(r.get("logged")), show(r.get("stored")), show(r.get("lost")),
     show(r.get("files")), show(r.get("torn")), secrets(r), show(r.get("exceptions")), f'{r["seconds"]}s']
    for r in rows
]
widths = [max(len(line[i]) for line in table) for i in range(len(head))]
for n, line in enumerate(table):
    print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
    if n == 0:
        print("  ".join("-" * width for width in widths))
print()
for r in rows:
    print(f'{r["fault"]}: checked: {r["checked"]}')
    for note in ([f'error: {r["error"]}'] if r.get("error") else []) + r.get("notes", []):
        print(f'  {note}')
sys.exit(1 if any(r["result"] != "passed" for r in rows) else 0)
PY
exit "$STATUS"
