# Shared shell pieces for start.sh, test.sh and setup.sh. Sourced, not run.
# Everything the project builds or writes at run time lives under build/ so a
# clone stays clean and nothing lands in the home directory.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$REPO/build"
# Debian's Python has jupyter_server & co; the `python3` on PATH may be another one.
PY=/usr/bin/python3

say() { printf '\033[1m[runs]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[runs] %s\033[0m\n' "$*" >&2; exit 1; }

# Jupyter and IPython state for servers and kernels we start.
use_state_dir() {
  local dir=$1
  mkdir -p "$dir"/{runtime,data,config,ipython}
  export JUPYTER_RUNTIME_DIR="$dir/runtime" JUPYTER_DATA_DIR="$dir/data"
  export JUPYTER_CONFIG_DIR="$dir/config" IPYTHONDIR="$dir/ipython"
  export PYDEVD_DISABLE_FILE_VALIDATION=1
}

# Prebuilt extensions are found the way a real JupyterLab finds them:
# <labextensions dir>/<package name>/package.json. The development build is
# linked there, as `jupyter labextension develop` would do.
link_dev_extension() {
  mkdir -p "$BUILD/labextensions"
  ln -sfn "$REPO/jupyterlab_runs/labextension" "$BUILD/labextensions/jupyterlab-runs"
}

# Fail early, and clearly, when a port we need is taken.
require_free_port() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    die "Port $1 on 127.0.0.1 is already in use. Stop whatever listens there, or set RUNS_LAB_PORT."
  fi
}
