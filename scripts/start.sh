#!/usr/bin/env bash
# `npm start`: install what is missing, build the extension and the Lab, and
# serve the demo folder on 127.0.0.1 with the extension loaded as a prebuilt
# extension (the way a pip-installed one is loaded).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT=${RUNS_LAB_PORT:-8888}
DEMO="$BUILD/demo"

bash "$REPO/scripts/setup.sh"
require_free_port "$PORT"

say "Building the extension"
(cd "$REPO" && npm run --silent build)
link_dev_extension
say "Building the Lab (skipped when nothing changed)"
node "$REPO/devlab/build.mjs" --if-needed

# The demo is copied once, so running and saving it never changes the repo.
if [ ! -d "$DEMO" ]; then
  cp -r "$REPO/demo" "$DEMO"
fi

use_state_dir "$BUILD/jupyter"
TOKEN=${RUNS_LAB_TOKEN:-$("$PY" -c 'import secrets; print(secrets.token_hex(24))')}
say "Serving $DEMO (Ctrl+C stops the server)"
exec "$PY" "$REPO/devlab/server.py" --port "$PORT" --root-dir "$DEMO" \
  --state-dir "$BUILD/jupyter" --labextensions-path "$BUILD/labextensions" --token "$TOKEN"
