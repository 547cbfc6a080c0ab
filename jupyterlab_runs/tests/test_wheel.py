"""The wheel in an environment that has IPython config of its own: it loads the helper in kernels and leaves the
user's files as they were, installed and uninstalled.

The wheel is built the way pip builds it (hatchling, pyproject.toml) from a copy of the package's files, with a
stand-in for the prebuilt labextension (this test is about what goes into ``etc/``), and installed with pip into a
fresh virtualenv whose kernels take ipykernel from this environment.
"""

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import unittest

from jupyterlab_runs.tests._support import REPO, SCRATCH

USER_CONFIG = '{\n  "InteractiveShellApp": {"exec_lines": ["users_own_setting = 42"]}\n}\n'
SHADOW = "open({marker!r}, 'w').close()\n"  # a jupyterlab_runs.py in the notebook's folder
PROBE = """\
import sys
print(getattr(sys.modules.get("jupyterlab_runs"), "__file__", None))
print(users_own_setting)
print(sorted(name for name in ("_jupyterlab_runs_load", "_sys") if name in dir()))
get_ipython().run_line_magic("runs", "status")
"""


def run(*command, **kwargs):
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, **kwargs)
    if done.returncode != 0:
        raise AssertionError(f"{command} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def build_wheel(folder):
    """Build the wheel from a copy of what a checkout holds for it; returns its path."""
    source = os.path.join(folder, "source")
    os.makedirs(source)
    for name in ("pyproject.toml", "package.json", "README.md", "LICENSE", "install.json"):
        shutil.copy(os.path.join(REPO, name), source)
    shutil.copytree(os.path.join(REPO, "jupyter-config"), os.path.join(source, "jupyter-config"))
    shutil.copytree(os.path.join(REPO, "jupyterlab_runs"), os.path.join(source, "jupyterlab_runs"),
                    ignore=shutil.ignore_patterns("tests", "labextension", "__pycache__"))  # fmt: skip
    labextension = os.path.join(source, "jupyterlab_runs", "labextension")
    os.makedirs(os.path.join(labextension, "static"))
    with open(os.path.join(labextension, "package.json"), "w") as file:
        json.dump({"name": "jupyterlab-runs"}, file)
    open(os.path.join(labextension, "static", "style.js"), "w").close()
    dist = os.path.join(folder, "dist")
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, source)
    [wheel] = os.listdir(dist)
    return os.path.join(dist, wheel)


class WheelTest(unittest.TestCase):
    def setUp(self):
        self.folder = os.path.realpath(tempfile.mkdtemp(dir=SCRATCH))
        self.addCleanup(shutil.rmtree, self.folder, True)
        self.venv = os.path.join(self.folder, "venv")
        run(sys.executable, "-m", "venv", "--without-pip", self.venv)
        self.python = os.path.join(self.venv, "bin", "python")
        self.user_config = os.path.join(self.venv, "etc", "ipython", "ipython_kernel_config.json")
        os.makedirs(os.path.dirname(self.user_config))
        with open(self.user_config, "w") as file:
            file.write(USER_CONFIG)
        # The venv's kernels import ipykernel from this environment (not its site folder: no .pth runs from it, so
        # the repository's editable jupyterlab_runs stays out), and the package only from their own site-packages.
        self.env = dict(os.environ, PYTHONPATH=sysconfig.get_paths()["purelib"])

    def pip(self, *args):
        return run(sys.executable, "-m", "pip", "--python", self.python, "--disable-pip-version-check", *args)

    def kernel_output(self, cwd):
        """What PROBE prints in a kernel of the venv started in ``cwd``."""
        from jupyter_client import KernelManager

        name = "jupyterlab-runs-wheel-test"
        spec = os.path.join(os.environ["JUPYTER_DATA_DIR"], "kernels", name)
        os.makedirs(spec, exist_ok=True)
        with open(os.path.join(spec, "kernel.json"), "w", encoding="utf-8") as file:
            json.dump({"argv": [self.python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                       "display_name": "the wheel's venv", "language": "python"}, file)  # fmt: skip
        manager = KernelManager(kernel_name=name)
        manager.start_kernel(cwd=cwd, env=self.env)
        self.addCleanup(manager.shutdown_kernel, now=True)
        client = manager.blocking_client()
        client.start_channels()
        self.addCleanup(client.stop_channels)
        client.wait_for_ready(timeout=60)
        texts = []

        def keep(message):
            if message["msg_type"] == "stream":
                texts.append(message["content"]["text"])
            elif message["msg_type"] == "error":
                texts.append("\n".join(message["content"]["traceback"]))

        client.execute_interactive(PROBE, output_hook=keep, timeout=60)
        return "".join(texts).splitlines()

    def test_install_loads_the_helper_in_kernels_and_uninstall_leaves_the_user_s_config(self):
        wheel = build_wheel(self.folder)
        with open(self.user_config, "rb") as file:
            before = file.read()
        self.pip("install", "--no-deps", "--no-index", wheel)
        with open(self.user_config, "rb") as file:
            self.assertEqual(file.read(), before, "installing leaves the user's config as it was")
        startup = os.path.join(self.venv, "etc", "ipython", "startup", "jupyterlab-runs.py")
        self.assertTrue(os.path.isfile(startup))

        # A kernel started in a notebook folder holding a jupyterlab_runs.py of its own.
        notebooks = os.path.join(self.folder, "notebooks")
        os.makedirs(notebooks)
        marker = os.path.join(self.folder, "shadow-ran")
        with open(os.path.join(notebooks, "jupyterlab_runs.py"), "w") as file:
            file.write(SHADOW.format(marker=marker))
        output = self.kernel_output(notebooks)
        site = sysconfig.get_paths(vars={"base": self.venv, "platbase": self.venv})["purelib"]
        self.assertEqual(output[0], os.path.join(site, "jupyterlab_runs", "__init__.py"), output)
        self.assertEqual(output[1], "42", "the user's config still applies")
        self.assertEqual(output[2], "[]", "the startup file leaves nothing in the user's namespace")
        self.assertIn("Tracking on", "\n".join(output[3:]))
        self.assertFalse(os.path.exists(marker), "the notebook folder's jupyterlab_runs.py never ran")

        # A terminal IPython of the venv does not load it.
        probe = "import sys; print('jupyterlab_runs' in sys.modules, 'users_own_setting' in dir())"
        terminal = run(self.python, "-m", "IPython", "--no-banner", "-c", probe, env=self.env, cwd=self.folder)
        self.assertEqual(terminal.split()[-2:], ["False", "False"])

        self.pip("uninstall", "--yes", "jupyterlab_runs")
        with open(self.user_config, "rb") as file:
            self.assertEqual(file.read(), before, "uninstalling leaves the user's config as it was")
        self.assertFalse(os.path.exists(startup))


if __name__ == "__main__":
    unittest.main()
