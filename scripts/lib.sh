# Shared shell pieces for start.sh, test.sh and setup.sh. Sourced, not run.
# Everything the project builds or writes at run time lives under build/ so a
# clone stays clean and nothing lands in the home directory.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$REPO/build"
# The machine's Python makes the virtualenvs; everything then runs in one of them:
# build/venvs/dev (requirements/dev.txt) unless a stage says otherwise.
BASE_PYTHON=${RUNS_BASE_PYTHON:-python3}
VENVS="$BUILD/venvs"
VENV="$VENVS/dev"
PY="$VENV/bin/python"

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

# install_venv DIR LOCK: a new virtualenv in DIR (whatever was there goes)
# holding exactly what the lock file LOCK pins. Its pip output goes to DIR.log.
install_venv() {
  local dir=$1 lock=$2
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  "$BASE_PYTHON" -m venv "$dir" || die "$BASE_PYTHON -m venv failed (Debian's Python needs python3-venv)"
  "$dir/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$lock" >"$dir.log" 2>&1 ||
    die "pip could not install ${lock#"$REPO"/}; see ${dir#"$REPO"/}.log"
}

# ensure_venv NAME: makes build/venvs/NAME from requirements/NAME.txt, once, and
# again whenever that lock file or the Python that made it changes. Prints
# nothing when the environment is up to date.
ensure_venv() {
  local name=$1 dir="$VENVS/$1" lock="$REPO/requirements/$1.txt" stamp sum
  [ -f "$lock" ] || die "No lock file $lock"
  stamp="$dir/.runs-lock.sha256"
  sum=$( { sha256sum "$lock" | cut -d' ' -f1; "$BASE_PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && [ -x "$dir/bin/python" ]; then return 0; fi
  say "Installing build/venvs/$name from requirements/$name.txt"
  install_venv "$dir" "$lock"
  echo "$sum" >"$stamp"
}

# The development install of the extension template, in a virtualenv:
# `pip install -e .` (the package, editable, and what the wheel adds to an
# environment: the IPython config that loads the helper in every kernel), then
# `jupyter labextension develop --overwrite .` (which in JupyterLab 4.6 hands
# over to `jupyter-builder develop`): a link from the venv's
# share/jupyter/labextensions to jupyterlab_runs/labextension, so the Lab
# loads each new build. Needs a build first (`npm run build`).
develop_extension() {
  local venv=${1:-$VENV} out link
  # Install again when the package is missing or was installed before the wheel carried its IPython startup file
  # (it then carried etc/ipython/ipython_kernel_config.json, which pip removes when it reinstalls).
  if ! "$venv/bin/python" -c 'import importlib.metadata as m; m.version("jupyterlab_runs")' 2>/dev/null ||
    [ ! -e "$venv/etc/ipython/startup/jupyterlab-runs.py" ]; then
    say "pip install -e . into ${venv#"$REPO"/}"
    # `jupyter-builder develop` made this a link to the source tree's labextension: pip, uninstalling the files its
    # record lists there, would delete the build through it.
    link="$venv/share/jupyter/labextensions/jupyterlab-runs"
    [ -L "$link" ] && rm "$link"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -e "$REPO" >"$venv.editable.log" 2>&1 || {
      tail -20 "$venv.editable.log" >&2
      return 1
    }
  fi
  out=$("$venv/bin/jupyter-builder" develop --overwrite "$REPO" 2>&1) || {
    printf '%s\n' "$out" >&2
    return 1
  }
}

# Fail early, and clearly, when a port we need is taken.
require_free_port() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    die "Port $1 on 127.0.0.1 is already in use. Stop whatever listens there, or set RUNS_LAB_PORT."
  fi
}
