"""The Jupyter server the UI tests, the fault suite, the benchmarks and the version matrix run against.

`jupyter lab --config ui-tests/jupyter_server_test_config.py` (or `jupyter notebook ...`), as the extension template's
ui-tests do: JupyterLab's galata settings (no token, no XSRF check, galata's in-page helper extension), then what
ui-tests/lab-server.js says through the environment: the port, the root folder, and nothing from the network.
Never use this configuration for anything but tests: it removes the server's protections.
"""

import os

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 -- `c` is the config object Jupyter passes in

c.ServerApp.ip = "127.0.0.1"
c.ServerApp.port = int(os.environ.get("RUNS_SERVER_PORT", "8899"))
c.ServerApp.root_dir = os.environ.get("RUNS_SERVER_ROOT", c.ServerApp.root_dir)
# Tests and CI run as root on these machines.
c.ServerApp.allow_root = True
# Notebook 7 shows its own app in the page too (galata sets it for JupyterLab only).
c.JupyterNotebookApp.expose_app_in_browser = True
# The machines reach no network but the package indexes: no news or update checks from the Lab.
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
