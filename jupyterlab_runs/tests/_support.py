"""Shared pieces of the Python tests: an isolated Jupyter environment, a fake comm, simulated executions."""

import ast
import contextlib
import io
import json
import os
import sys
import tempfile
import types

TESTS = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(TESTS)
REPO = os.path.dirname(PACKAGE)
HELPER_PATH = os.path.join(PACKAGE, "helper.py")
CORPUS_PATH = os.path.join(TESTS, "secrets_corpus.json")

# Nothing the tests run may write to the home directory.
SCRATCH = tempfile.mkdtemp(prefix="jupyterlab-runs-tests-")
for variable, folder in (("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTER_DATA_DIR", "data"), ("IPYTHONDIR", "ipython")):
    os.environ[variable] = os.path.join(SCRATCH, folder)
    os.makedirs(os.environ[variable], exist_ok=True)
os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"

# The kernels the tests start (jupyter_client, nbclient) run this interpreter, whatever kernelspecs the machine has:
# they ask for this kernelspec, written to the scratch data folder.
KERNEL_NAME = "jupyterlab-runs-tests"
_spec_folder = os.path.join(os.environ["JUPYTER_DATA_DIR"], "kernels", KERNEL_NAME)
os.makedirs(_spec_folder, exist_ok=True)
with open(os.path.join(_spec_folder, "kernel.json"), "w", encoding="utf-8") as _spec:
    json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
               "display_name": "Python 3 (jupyterlab-runs tests)", "language": "python"}, _spec)  # fmt: skip


def load_corpus():
    """The shared redaction corpus (``secrets_corpus.json``)."""
    with open(CORPUS_PATH, encoding="utf-8") as corpus:
        return json.load(corpus)


class FakeComm:
    """Stands in for an ipykernel Comm: records what the helper sends."""

    def __init__(self, comm_id="comm-1"):
        self.comm_id = comm_id
        self.sent = []
        self.message_callback = None
        self.close_callback = None

    def send(self, data):
        json.dumps(data, allow_nan=False)  # what jupyter_client does: must be strict JSON
        self.sent.append(data)

    def on_msg(self, callback):
        self.message_callback = callback

    def on_close(self, callback):
        self.close_callback = callback

    def messages(self, type_):
        """The messages of one type sent, in order."""
        return [message for message in self.sent if message["type"] == type_]

    def events(self):
        """Every event sent, in order."""
        return [event for message in self.sent if message["type"] == "events" for event in message["events"]]

    def receive(self, data):
        """Deliver a frontend → kernel message."""
        self.message_callback({"content": {"comm_id": self.comm_id, "data": data}})


class CapturedOutput(io.StringIO):
    """A stdout whose ``write`` can be shadowed per instance, like ipykernel's OutStream."""


def execute(recorder, namespace, source, cell_id=None, output=None):
    """Run ``source`` in ``namespace`` the way IPython does (last expression is the result), with the helper's
    begin/finish hooks and output tee around it. Printed text goes to ``output``. Returns the result object."""
    output = output if output is not None else CapturedOutput()
    with contextlib.redirect_stdout(output):
        return _execute(recorder, namespace, source, cell_id)


def _execute(recorder, namespace, source, cell_id):
    info = types.SimpleNamespace(raw_cell=source, cell_id=cell_id, silent=False, store_history=True)
    recorder.begin_execution(info, source, namespace)
    if recorder.execution is not None:
        recorder._start_tees()
    result = types.SimpleNamespace(
        error_in_exec=None, error_before_exec=None, result=None, execution_count=recorder.exec_count
    )
    try:
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, "<cell>", "exec"), namespace)
        if last is not None:
            result.result = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
    except SyntaxError as error:
        result.error_before_exec = error
    except BaseException as error:  # KeyboardInterrupt included, as in IPython
        result.error_in_exec = error
    recorder._stop_tees()
    recorder.finish_execution(result, namespace)
    return result


def kinds(events):
    return [event["kind"] for event in events]


def of_kind(events, kind):
    return [event for event in events if event["kind"] == kind]


def params_by_name(events):
    """``{name: param event}`` (the last one per name)."""
    return {event["name"]: event for event in of_kind(events, "param")}


def points(events, name):
    """``[(value, step, exec), ...]`` of metric ``name`` over all its events."""
    return [(p[0], p[1], p[3]) for event in of_kind(events, "metric") if event["name"] == name for p in event["points"]]
