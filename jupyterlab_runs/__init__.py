"""JupyterLab Runs: records notebook runs and lists them in a JupyterLab sidebar.

This package ships the prebuilt JupyterLab extension and the kernel helper API::

    import jupyterlab_runs as runs

    runs.log_metric("loss", 0.25, step=3)
    runs.log_param("lr", 1e-3)
    runs.start_run("tuned")

The helper records runs with no code changes once the extension attaches it to a kernel; these calls add to what it
records. They also work without a frontend: events then wait in the kernel's buffer. See docs/CAPTURE.md.

Only the standard library is imported here, so importing the package is cheap in any kernel.
"""

from . import helper
from ._version import __version__
from .helper import *  # noqa: F401,F403 -- the API is helper.__all__

__all__ = ["__version__", *helper.__all__]


def load_ipython_extension(shell):
    """``%load_ext jupyterlab_runs``: attach the helper without a frontend (events wait in the kernel's buffer)."""
    attach({}, shell=shell)


def _jupyter_labextension_paths():
    """Tell JupyterLab where the prebuilt extension is installed."""
    return [{"src": "labextension", "dest": "jupyterlab-runs"}]
