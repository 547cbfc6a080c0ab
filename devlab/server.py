#!/usr/bin/python3
"""Serve the devlab JupyterLab frontend (devlab/build/) with Debian's
jupyter_server through jupyterlab_server's LabServerApp.

    /usr/bin/python3 devlab/server.py --port 8888 --root-dir DIR \
        [--labextensions-path DIR]... [--token T | --no-auth] [--state-dir DIR]

Debian ships jupyter_server and jupyterlab_server but no JupyterLab, and PyPI
is out of reach: this is the small part of `jupyter lab` we need. Works with
jupyter_server 1.x (Debian 12) and 2.x (Debian 13). Build first:
`node devlab/build.mjs`.
"""
import argparse
import importlib.util
import json
import os
import secrets
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.join(HERE, "build")

# Plugins whose server side is missing here (see README.md).
DISABLED_PLUGINS = [
    # Need the jupyter_lsp server extension (and @jupyterlab/lsp-extension).
    "@jupyterlab/notebook-extension:language-server",
    "@jupyterlab/fileeditor-extension:language-server",
    # Polls /lab/api/news and /lab/api/update, which only jupyterlab provides.
    "@jupyterlab/apputils-extension:announcements",
]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Serve the devlab JupyterLab build.")
    p.add_argument("--port", type=int, default=8888)
    p.add_argument("--root-dir", default=os.getcwd(), help="folder shown in the file browser")
    p.add_argument(
        "--labextensions-path",
        action="append",
        metavar="DIR",
        help="folder of prebuilt extensions (repeatable); default: jupyter_path('labextensions')",
    )
    p.add_argument(
        "--state-dir",
        default=os.path.normpath(os.path.join(HERE, "..", "build", "jupyter")),
        help="Jupyter runtime/data/config dirs, settings and workspaces",
    )
    auth = p.add_mutually_exclusive_group()
    auth.add_argument("--token", help="auth token (default: a random one)")
    auth.add_argument(
        "--no-auth", action="store_true", help="empty token and no XSRF check (UI tests)"
    )
    return p.parse_args(argv)


ARGS = parse_args()
STATE = os.path.abspath(ARGS.state_dir)

# Must happen before any jupyter import: jupyter_core reads these at import
# and call time. Keeps runtime files, kernels' IPython profile, settings and
# workspaces out of the home directory.
for _var, _sub in [
    ("JUPYTER_RUNTIME_DIR", "runtime"),
    ("JUPYTER_DATA_DIR", "data"),
    ("JUPYTER_CONFIG_DIR", "config"),
    ("IPYTHONDIR", "ipython"),
]:
    if not os.environ.get(_var):
        os.environ[_var] = os.path.join(STATE, _sub)
# ipykernel's debugger otherwise warns about frozen modules on every start.
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

from jupyter_server import version_info as SERVER_VERSION  # noqa: E402
from jupyter_server.base.handlers import APIHandler, JupyterHandler  # noqa: E402
from jupyterlab_server import LabServerApp  # noqa: E402
from tornado import web, websocket  # noqa: E402

SERVER_2 = SERVER_VERSION[0] >= 2


def _app_version():
    try:
        with open(os.path.join(BUILD, "static", "package.json"), encoding="utf-8") as f:
            return json.load(f)["version"]
    except (OSError, ValueError, KeyError):
        return ""


class MeHandler(APIHandler):
    """jupyter_server 1.x lacks GET /api/me (2.x identity API), which the
    JupyterLab 4 user manager polls: answer like 2.x's default identity
    provider, granting every permission asked for."""

    @web.authenticated
    def get(self):
        user = self.current_user
        name = user if isinstance(user, str) and user else "anonymous"
        try:
            asked = json.loads(self.get_argument("permissions", "{}") or "{}")
        except ValueError as e:
            raise web.HTTPError(400, "permissions should be a JSON dict") from e
        identity = {
            "username": name,
            "name": "Anonymous",
            "display_name": "Anonymous",
            "initials": "A",
            "avatar_url": None,
            "color": None,
        }
        perms = {res: list(actions) for res, actions in asked.items()}
        self.finish(json.dumps({"identity": identity, "permissions": perms}))


class EventsSubscribeHandler(JupyterHandler, websocket.WebSocketHandler):
    """jupyter_server 1.x lacks the 2.x event bus websocket that JupyterLab 4
    opens at start: accept it and never send anything (1.x emits no events)."""

    async def get(self, *args, **kwargs):
        if self.current_user is None:
            raise web.HTTPError(403)
        await super().get(*args, **kwargs)

    def on_message(self, message):
        pass


class DevLabApp(LabServerApp):
    # name "lab": URLs /lab, /lab/api/..., /static/lab/ like real JupyterLab.
    name = "lab"
    app_name = "JupyterLab"
    app_version = _app_version()
    # Do not load other server extensions: on Debian 13 the packaged
    # jupyterlab 4.0 / notebook extensions would claim /lab too.
    load_other_extensions = False
    # jupyter_server 2.x serves terminals through a separate extension
    # (1.x has them built in, through terminado).
    if SERVER_2 and importlib.util.find_spec("jupyter_server_terminals"):
        serverapp_config = {"jpserver_extensions": {"jupyter_server_terminals": True}}
    app_settings_dir = os.path.join(BUILD, "app-settings")
    schemas_dir = os.path.join(BUILD, "schemas")
    static_dir = os.path.join(BUILD, "static")
    templates_dir = os.path.join(BUILD, "templates")
    themes_dir = os.path.join(BUILD, "themes")
    user_settings_dir = os.path.join(STATE, "lab", "user-settings")
    workspaces_dir = os.path.join(STATE, "lab", "workspaces")

    def initialize_handlers(self):
        serverapp = self.serverapp
        settings = serverapp.web_app.settings
        # What `jupyter lab` adds to the page config (jupyterlab/labapp.py).
        page_config = settings.setdefault("page_config_data", {})
        page_config["token"] = TOKEN
        page_config["exposeAppInBrowser"] = True  # window.jupyterapp for tests
        page_config["devMode"] = False
        page_config["buildAvailable"] = False  # no `jupyter lab build` here
        page_config["buildCheck"] = False
        page_config["quitButton"] = serverapp.quit_button
        page_config["allow_hidden_files"] = serverapp.contents_manager.allow_hidden
        page_config["notebookVersion"] = json.dumps(list(SERVER_VERSION))
        page_config["news"] = {"disabled": True}

        # The page config from disk (page_config.json files) would replace a
        # disabledExtensions list set above: merge ours in last, by hook.
        def hook(handler, config):
            disabled = set(config.get("disabledExtensions") or [])
            disabled.update(DISABLED_PLUGINS)
            # Without terminals terminal-extension warns in the console. Read
            # at request time: the terminals extension may load after us.
            if not handler.settings.get("terminals_available", False):
                disabled.add("@jupyterlab/terminal-extension")
            config["disabledExtensions"] = sorted(disabled)
            return config

        settings["page_config_hook"] = hook

        if not SERVER_2:
            self.handlers.extend(
                [
                    (r"/api/me", MeHandler),
                    (r"/api/events/subscribe", EventsSubscribeHandler),
                ]
            )
        super().initialize_handlers()


def _jupyter_server_extension_points():
    # jupyter_server loads the app through this module (it is __main__).
    return [{"module": __name__, "app": DevLabApp}]


TOKEN = "" if ARGS.no_auth else (ARGS.token if ARGS.token is not None else secrets.token_hex(24))


def main():
    if not os.path.exists(os.path.join(BUILD, "templates", "index.html")):
        sys.exit("devlab is not built: run `node devlab/build.mjs` first")
    if ARGS.labextensions_path:
        DevLabApp.labextensions_path = [os.path.abspath(p) for p in ARGS.labextensions_path]
    # else LabConfig's default: jupyter_path('labextensions'), as `jupyter lab`
    # (includes <sys.prefix>/share/jupyter/labextensions of a venv).

    token_trait = "IdentityProvider.token" if SERVER_2 else "ServerApp.token"
    argv = [
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={ARGS.port}",
        "--ServerApp.port_retries=0",  # fail instead of silently moving
        f"--ServerApp.root_dir={os.path.abspath(ARGS.root_dir)}",
        "--ServerApp.open_browser=False",
        "--ServerApp.allow_root=True",
        "--ServerApp.answer_yes=True",  # Ctrl+C stops without a prompt
        f"--{token_trait}={TOKEN}",
    ]
    if ARGS.no_auth:
        argv.append("--ServerApp.disable_check_xsrf=True")

    serverapp = DevLabApp.initialize_server(argv=argv)
    url = f"http://127.0.0.1:{serverapp.port}/lab?token={TOKEN}"
    # Runs once the IO loop is running, i.e. the socket is listening.
    serverapp.io_loop.add_callback(lambda: print(f"Lab ready: {url}", flush=True))
    serverapp.start()


if __name__ == "__main__":
    main()
