"""JupyterLab Runs: records notebook runs and lists them in a JupyterLab sidebar.

This package ships the prebuilt JupyterLab extension. The kernel helper API,
used from notebooks to describe a run, arrives with run capture.

Only the standard library is imported here, so importing the package is cheap
in any kernel.
"""

from ._version import __version__

__all__ = ["__version__"]


def _jupyter_labextension_paths():
    """Tell JupyterLab where the prebuilt extension is installed."""
    return [{"src": "labextension", "dest": "jupyterlab-runs"}]
