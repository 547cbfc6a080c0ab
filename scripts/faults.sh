#!/usr/bin/env bash
# `npm run test:faults`: the fault suite. Builds what it needs, runs the
# Playwright specs of ui-tests/faults/ (each starts, kills and restarts its own
# Jupyter server on RUNS_FAULTS_PORT, default 8880), then prints one table
# from build/faults/results.jsonl. Exits non-zero if any spec failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RESULTS="$BUILD/faults/results.jsonl"
STARTED=$SECONDS
mkdir -p "$BUILD/faults" && rm -f "$RESULTS"

say "── build"
(cd "$REPO" && npm run --silent build) && link_dev_extension &&
  node "$REPO/devlab/build.mjs" --if-needed || die "the build failed"

say "── faults"
(cd "$REPO/ui-tests" && npx playwright test -c playwright.faults.config.js "$@")
STATUS=$?

echo
say "Faults ($((SECONDS - STARTED))s)"
"$PY" - "$RESULTS" <<'PY' || STATUS=1
import json, sys
try:
    with open(sys.argv[1]) as f:
        rows = [json.loads(line) for line in f if line.strip()]
except OSError:
    rows = []
if not rows:
    print("no fault spec reported a result")
    sys.exit(1)
show = lambda value: "-" if value is None else str(value)
head = ["fault", "checked", "result", "logged", "stored", "lost", "files", "torn", "exceptions", "time"]
table = [head] + [
    [r["fault"], r["checked"], r["result"], show(r["logged"]), show(r["stored"]), show(r["lost"]),
     show(r["files"]), show(r["torn"]), show(r["exceptions"]), f'{r["seconds"]}s']
    for r in rows
]
widths = [max(len(line[i]) for line in table) for i in range(len(head))]
for n, line in enumerate(table):
    print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
    if n == 0:
        print("  ".join("-" * width for width in widths))
for r in rows:
    for note in ([f'error: {r["error"]}'] if r["error"] else []) + r["notes"]:
        print(f'{r["fault"]}: {note}')
sys.exit(1 if any(r["result"] != "passed" for r in rows) else 0)
PY
exit "$STATUS"
