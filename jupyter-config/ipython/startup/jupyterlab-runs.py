# jupyterlab-runs: records the runs of the notebooks that this environment's Jupyter kernels execute, with no
# browser too (nbclient, papermill, `jupyter execute`; docs/CAPTURE.md, "Headless runs").
#
# The jupyterlab_runs wheel installs this file as <prefix>/etc/ipython/startup/jupyterlab-runs.py, a name no other
# file has, and pip removes it with the package. IPython runs it in every shell of the environment, into the user's
# namespace: it defines nothing there, does nothing outside a kernel (a terminal IPython), and imports the package
# from where it is installed, never from the notebook's folder, which a kernel puts first on sys.path (a
# `jupyterlab_runs.py` there would otherwise run at every kernel start).


def _jupyterlab_runs_load():
    import importlib.machinery
    import importlib.util
    import os
    import sys

    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return  # not a Jupyter kernel
    if "jupyterlab_runs" not in sys.modules:
        here = os.path.realpath(os.getcwd())
        installed = [entry for entry in sys.path if entry and os.path.realpath(entry) != here]
        spec = importlib.machinery.PathFinder.find_spec("jupyterlab_runs", installed)
        if spec is None or spec.loader is None:
            return
        package = importlib.util.module_from_spec(spec)
        sys.modules["jupyterlab_runs"] = package
        try:
            spec.loader.exec_module(package)
        except BaseException:
            sys.modules.pop("jupyterlab_runs", None)
            raise
    shell.extension_manager.load_extension("jupyterlab_runs")


try:
    _jupyterlab_runs_load()
except Exception as error:  # a failing startup file would stop IPython running the ones after it
    import sys as _sys

    print(f"jupyterlab-runs: the run recorder is not loaded: {error!r}", file=_sys.stderr)
    del _sys
finally:
    del _jupyterlab_runs_load
