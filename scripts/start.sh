#!/usr/bin/env bash
# `npm start`: install what is missing (build/venvs/dev from PyPI, npm
# packages, Chromium), build the extension, install it in the venv the way the
# extension template does (`jupyter labextension develop`), and serve the demo
# folder with PyPI's JupyterLab on 127.0.0.1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT=${RUNS_LAB_PORT:-8888}
DEMO="$BUILD/demo"

bash "$REPO/scripts/setup.sh"
require_free_port "$PORT"

say "Building the extension"
(cd "$REPO" && npm run --silent build)
develop_extension

# The demo is copied once, so running and saving it never changes the repo.
if [ ! -d "$DEMO" ]; then
  cp -r "$REPO/demo" "$DEMO"
fi

use_state_dir "$BUILD/jupyter"
TOKEN=${RUNS_LAB_TOKEN:-$("$PY" -c 'import secrets; print(secrets.token_hex(24))')}
say "Serving $DEMO at http://127.0.0.1:$PORT/lab?token=$TOKEN (Ctrl+C stops the server)"
# Run as root (as on CI machines) only with allow_root; nobody else needs it.
ALLOW_ROOT=()
[ "$(id -u)" -eq 0 ] && ALLOW_ROOT=(--allow-root)
exec "$VENV/bin/jupyter" lab --no-browser --ip=127.0.0.1 --port="$PORT" --port-retries=0 \
  --ServerApp.root_dir="$DEMO" --IdentityProvider.token="$TOKEN" "${ALLOW_ROOT[@]}"
