#!/usr/bin/env bash
# `npm test`: install what is missing (scripts/setup.sh: build/venvs/dev from
# PyPI, npm packages, Chromium), then lint, unit tests, the kernel helper's
# tests, UI tests in Debian's Chromium against PyPI's JupyterLab, server and
# kernel, the version matrix (scripts/matrix.sh: the wheel in JupyterLab 4.2,
# 4.4, 4.6 and Notebook 7), real-time collaboration, and the fault suite.
# Every stage runs even after an earlier one failed (a build failure skips the
# browser stages), and a closing summary says what passed. Exits non-zero when
# anything failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bash "$REPO/scripts/setup.sh" ui-tests || exit 1

RESULTS="$BUILD/test-results"
rm -rf "$RESULTS" "$BUILD/ui-tests/results.json" "$BUILD/faults" "$BUILD/matrix/results" "$BUILD/ui-tests-rtc/results.json" &&
  mkdir -p "$RESULTS" "$BUILD/faults"
# The fuzz, secrets and fault specs append their rows of the fault table here.
export RUNS_FAULT_RESULTS="$BUILD/faults/results.jsonl"
STAGES=()
FAILED=0
STARTED=$SECONDS

# stage NAME COMMAND...: runs one stage, timing it and remembering the outcome.
stage() {
  local name=$1 begin=$SECONDS
  shift
  say "── $name"
  if "$@"; then
    STAGES+=("$(printf '%-10s passed  %4ss' "$name" $((SECONDS - begin)))")
    return 0
  fi
  STAGES+=("$(printf '%-10s FAILED  %4ss' "$name" $((SECONDS - begin)))")
  FAILED=1
  return 1
}

build_all() {
  (cd "$REPO" && npm run --silent build) && develop_extension
}

cd "$REPO"
stage lint npm run --silent lint:check
stage unit npm run --silent test:unit -- --json --outputFile="$RESULTS/jest.json"
# The kernel helper's tests, with the venv's Python and a real ipykernel. A
# subshell, so their Jupyter state folders don't leak into later stages.
python_tests() (
  use_state_dir "$BUILD/python-tests/jupyter"
  "$PY" -m unittest discover -s jupyterlab_runs/tests -t "$REPO" 2>&1 | tee "$RESULTS/python.log"
)
stage python python_tests
if stage build build_all; then
  stage ui bash -c "cd '$REPO/ui-tests' && npx playwright test"
  stage matrix env RUNS_SKIP_SETUP=1 bash "$REPO/scripts/matrix.sh"
  stage rtc bash "$REPO/scripts/rtc.sh"
  # The fault suite (README, "Reliability"): its table closes the run.
  stage faults env RUNS_FAULTS_JEST_REPORT="$RESULTS/jest.json" bash "$REPO/scripts/faults.sh"
else
  for skipped in ui matrix rtc faults; do STAGES+=("$(printf '%-10s skipped (build failed)' "$skipped")"); done
fi

# Count test cases from the runners' JSON reports.
export RUNS_FAILED_LIST="$RESULTS/failed.txt"
read -r PASSED FAILED_TESTS < <("$PY" - "$RESULTS/jest.json" "$BUILD/ui-tests/results.json" "$RESULTS/python.log" "$BUILD/faults/report.json" "$BUILD/ui-tests-rtc/results.json" "$BUILD"/matrix/results/*.report.json <<'PY'
import json, os, re, sys
passed = failed = 0
names = []  # the failed tests, named in the summary: CI shows only the end of the log
def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None
jest = load(sys.argv[1])
if jest:
    passed += jest.get("numPassedTests", 0)
    failed += jest.get("numFailedTests", 0)
    for suite in jest.get("testResults", []):
        for case in suite.get("assertionResults", []):
            if case.get("status") == "failed":
                message = (case.get("failureMessages") or [""])[0].strip().splitlines()[:1]
                names.append(f"jest {case.get('fullName')}: {' '.join(message)[:300]}")
def playwright_failures(suite, where):
    for child in suite.get("suites", []):
        playwright_failures(child, where)
    for spec in suite.get("specs", []):
        for test in spec.get("tests", []):
            if test.get("status") == "unexpected":
                results = test.get("results") or [{}]
                error = (results[-1].get("error") or {}).get("message", "")
                error = re.sub(r"\x1b\[[0-9;]*m", "", error).strip().splitlines()[:1]
                names.append(f"{where} {spec.get('file')}:{spec.get('line')} {spec.get('title')}: {' '.join(error)[:300]}")
# The UI tests, the fault specs, the collaboration spec, the matrix entries.
for path in [sys.argv[2], sys.argv[4]] + sys.argv[5:]:
    report = load(path)
    if report:
        stats = report.get("stats", {})
        passed += stats.get("expected", 0) + stats.get("flaky", 0)
        failed += stats.get("unexpected", 0)
        for suite in report.get("suites", []):
            playwright_failures(suite, os.path.basename(os.path.dirname(path)) or "playwright")
try:
    with open(sys.argv[3]) as f:
        log = f.read()
except OSError:
    log = ""
ran = re.search(r"^Ran (\d+) tests? in", log, re.M)
if ran:
    bad = sum(int(n) for n in re.findall(r"(?:failures|errors)=(\d+)", log))
    passed += int(ran.group(1)) - bad
    failed += bad
    names += ["python " + line for line in re.findall(r"^(?:FAIL|ERROR): .*$", log, re.M)]
with open(os.environ["RUNS_FAILED_LIST"], "w") as out:
    out.write("".join(f"  {name}\n" for name in names))
print(passed, failed)
PY
)

echo
say "Summary ($((SECONDS - STARTED))s)"
printf '  %s\n' "${STAGES[@]}"
[ "$FAILED" -ne 0 ] && [ "$FAILED_TESTS" -eq 0 ] && FAILED_TESTS=1 # a failed lint or build counts too
if [ -s "$RUNS_FAILED_LIST" ]; then
  echo "failed:"
  cat "$RUNS_FAILED_LIST"
fi
echo "tests: $PASSED passed, $FAILED_TESTS failed"
exit "$FAILED"
