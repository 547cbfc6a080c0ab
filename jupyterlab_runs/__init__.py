"""JupyterLab Runs: records notebook runs and lists them in a JupyterLab sidebar.

This package ships the prebuilt JupyterLab extension and the kernel helper API::

    import jupyterlab_runs as runs

    runs.log_metric("loss", 0.25, step=3)
    runs.log_param("lr", 1e-3)
    runs.start_run("tuned")

The helper records runs with no code changes once the extension attaches it to a kernel; these calls add to what it
records. They also work without a frontend (a notebook executed by nbclient): events then go to the store's spool,
which the frontend imports. See docs/CAPTURE.md.

Only the standard library is imported here, so importing the package is cheap in any kernel.
"""

from . import helper
from ._version import __version__
from .helper import *  # noqa: F401,F403 -- the API is helper.__all__

__all__ = ["__version__", *helper.__all__]


def load_ipython_extension(shell):
    """Attach the helper in a kernel no frontend may ever attach to (nbclient, papermill, ``jupyter execute``).

    The wheel's IPython startup file (``etc/ipython/startup/jupyterlab-runs.py``) loads this extension in every
    kernel of the environment it is installed in, and ``%load_ext jupyterlab_runs`` does the same by hand. The
    settings come from the user's JupyterLab settings; events go to the store's spool while no frontend is
    attached (docs/CAPTURE.md, "Headless runs").
    """
    attach(helper.lab_settings(), shell=shell, headless=True)


def _jupyter_labextension_paths():
    """Tell JupyterLab where the prebuilt extension is installed."""
    return [{"src": "labextension", "dest": "jupyterlab-runs"}]
