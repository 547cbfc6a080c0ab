#!/usr/bin/env bash
# `npm run test:rtc`: real-time collaboration. jupyter-collaboration turns
# collaboration on for every JupyterLab of its environment, so it has its own,
# build/venvs/rtc (requirements/rtc.txt: the development one plus
# jupyter-collaboration), with the development build installed as in
# build/venvs/dev. Then the collaboration specs (ui-tests/rtc/): two users on
# one notebook. Needs a previous build (`npm run build`, or npm test's).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ensure_venv rtc
[ -f "$REPO/jupyterlab_runs/labextension/package.json" ] || (cd "$REPO" && npm run --silent build) || die "npm run build failed"
develop_extension "$VENVS/rtc" || die "jupyter labextension develop failed in build/venvs/rtc"
cd "$REPO/ui-tests" && npx playwright test -c playwright.rtc.config.js "$@"
