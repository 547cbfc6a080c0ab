"""Integration: the helper in a real ipykernel, driven through jupyter_client like the frontend drives it.

The bootstrap is the exact code block of docs/CAPTURE.md, with the config and the helper's source filled in. One
kernel cannot import ``jupyterlab_runs`` (the helper is executed from source); another can (it is imported).
"""

import hashlib
import json
import os
import re
import tempfile
import time
import unittest
import uuid

from jupyterlab_runs.tests._support import (HELPER_PATH, KERNEL_NAME, REPO, SCRATCH, kinds, of_kind, params_by_name,
                                            points)  # fmt: skip

CONFIG = {
    "notebook_path": "story.ipynb",
    "store_folder": "jupyter-runs",
    "env_allowlist": ["RUNS_TEST_VISIBLE"],
    "metric_patterns": [],
    "output_cap_bytes": 1048576,
    "tracking": True,
}


def helper_source():
    """The helper as the frontend embeds it: its package modules registered first (buildutils/embed-helper.mjs)."""
    parts = ["import sys as _sys, types as _types\n"]
    for name in ("training", "placement", "derivation"):
        with open(os.path.join(REPO, "jupyterlab_runs", f"{name}.py"), encoding="utf-8") as module:
            full = f"jupyterlab_runs.{name}"
            parts.append(f"_module = _types.ModuleType({full!r})\n"
                         f"exec(compile({module.read()!r}, {'<' + full + '>'!r}, 'exec'), _module.__dict__)\n"
                         f"_sys.modules[{full!r}] = _module\n")  # fmt: skip
    parts.append("del _sys, _types, _module\n")
    with open(os.path.join(REPO, "jupyterlab_runs", "secret_rules.json"), encoding="utf-8") as rules:
        parts.append(f"_EMBEDDED_SECRET_RULES = {json.dumps(json.load(rules))!r}\n")  # and the secret rules
    with open(HELPER_PATH, encoding="utf-8") as source:
        return "".join(parts) + source.read()


def bootstrap_code(config=CONFIG, version=None):
    """CAPTURE.md's bootstrap with its three literals filled in as a frontend would (``version``: the helper's)."""
    with open(os.path.join(REPO, "docs", "CAPTURE.md"), encoding="utf-8") as doc:
        template = re.search(r"```python\n(def __jupyterlab_runs_attach.*?)```", doc.read(), re.DOTALL).group(1)
    source = helper_source()
    if version is None:
        version = re.search(r'^HELPER_VERSION = "([^"]*)"', source, re.MULTILINE).group(1)
    # JSON.stringify(JSON.stringify(config)) and JSON.stringify(source) are valid Python string literals.
    code = template.replace("CONFIG_JSON_LITERAL", json.dumps(json.dumps(config)))
    code = code.replace("HELPER_VERSION_LITERAL", json.dumps(version))
    return code.replace("HELPER_SOURCE_LITERAL", json.dumps(source))


class Kernel:
    """A real kernel and a blocking client that records every comm message it receives."""

    def __init__(self, cwd, importable):
        from jupyter_client import KernelManager

        env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        env.update(RUNS_TEST_VISIBLE="shown", RUNS_TEST_SECRET_KEY="AKIAIOSFODNN7EXAMPLE")
        if importable:
            env["PYTHONPATH"] = REPO
        else:  # the environment's jupyterlab_runs cannot be imported (this venv has it in editable mode)
            blocker = tempfile.mkdtemp(dir=SCRATCH)
            os.makedirs(os.path.join(blocker, "jupyterlab_runs"))
            with open(os.path.join(blocker, "jupyterlab_runs", "__init__.py"), "w") as file:
                file.write("raise ImportError('not installed in this environment')\n")
            env["PYTHONPATH"] = blocker
        self.manager = KernelManager(kernel_name=KERNEL_NAME)
        self.manager.start_kernel(cwd=cwd, env=env)
        self.client = self.manager.blocking_client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)
        self.comm_messages = []  # (arrival time, comm id, data)

    def stop(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)

    def send(self, msg_type, content, metadata=None):
        message = self.client.session.msg(msg_type, content, metadata=metadata or {})
        self.client.shell_channel.send(message)
        return message["header"]["msg_id"]

    def wait_idle(self, msg_id, timeout=60):
        """Read iopub until the kernel is idle after ``msg_id``; returns that request's stream text and errors."""
        streams, errors = [], []
        deadline = time.time() + timeout
        while True:
            message = self.client.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
            kind, content = message["msg_type"], message["content"]
            parent = message["parent_header"].get("msg_id")
            if kind == "comm_msg":
                self.comm_messages.append((time.time(), content["comm_id"], content["data"]))
            elif parent == msg_id and kind == "stream":
                streams.append(content["text"])
            elif parent == msg_id and kind == "error":
                errors.append(content)
            elif parent == msg_id and kind == "status" and content["execution_state"] == "idle":
                return "".join(streams), errors

    def execute(self, code, cell_id=None, silent=False, interrupt_after=None):
        content = {"code": code, "silent": silent, "store_history": not silent, "user_expressions": {},
                   "allow_stdin": False, "stop_on_error": True}  # fmt: skip
        msg_id = self.send("execute_request", content, {"cellId": cell_id} if cell_id else None)
        if interrupt_after is not None:  # from this thread: jupyter_client needs its own event loop
            time.sleep(interrupt_after)
            self.manager.interrupt_kernel()
        output, errors = self.wait_idle(msg_id)
        while True:
            reply = self.client.get_shell_msg(timeout=30)
            if reply["parent_header"].get("msg_id") == msg_id:
                return {"output": output, "errors": errors, "reply": reply["content"]}

    def open_comm(self, data=None):
        comm_id = uuid.uuid4().hex
        content = {"comm_id": comm_id, "target_name": "jupyterlab_runs", "data": data or {}}
        self.wait_idle(self.send("comm_open", content))
        return comm_id

    def close_comm(self, comm_id):
        self.wait_idle(self.send("comm_close", {"comm_id": comm_id, "data": {}}))

    def comm_send(self, comm_id, data):
        self.wait_idle(self.send("comm_msg", {"comm_id": comm_id, "data": data}))

    def messages(self, comm_id, type_="events"):
        return [data for _, cid, data in self.comm_messages if cid == comm_id and data.get("type") == type_]

    def events(self, comm_id):
        return [event for data in self.messages(comm_id) for event in data["events"]]


def check_sequence(test, events):
    seqs = [event["seq"] for event in events]
    test.assertEqual(seqs, sorted(set(seqs)), "events arrive once each, in seq order")


SEED_CELL = "seed = {seed}\nalpha = {alpha}"
TRAIN_CELL = """\
import numpy as np
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split
rng = np.random.default_rng(seed)
X = rng.normal(size=(300, 4))
y = X @ np.array([1.0, -2.0, 3.0, 0.5]) + rng.normal(scale=0.5, size=300)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=seed)
model = Ridge(alpha=alpha, random_state=seed).fit(X_train, y_train)"""
SCORE_CELL = "mean_squared_error(y_test, model.predict(X_test))"
XGBOOST_CELL = """\
import xgboost as xgb
dtrain = xgb.DMatrix(X_train, label=y_train)
dvalid = xgb.DMatrix(X_test, label=y_test)
booster = xgb.train({"max_depth": 2, "eta": 0.3, "seed": seed}, dtrain, num_boost_round=6,
                    evals=[(dvalid, "validation")], verbose_eval=True)"""


class FrontendCopyKernelTest(unittest.TestCase):
    """The kernel cannot import jupyterlab_runs: the bootstrap executes the helper's source."""

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory()
        cls.kernel = Kernel(cls.folder.name, importable=False)

    @classmethod
    def tearDownClass(cls):
        cls.kernel.stop()
        cls.folder.cleanup()

    def test_story(self):
        kernel = self.kernel
        # Attach, then connect the way the frontend does.
        reply = kernel.execute(bootstrap_code(), silent=True)["reply"]
        self.assertEqual(reply["status"], "ok", reply)
        where = kernel.execute(
            "import sys, jupyterlab_runs as runs\n"
            "print(getattr(sys.modules['jupyterlab_runs.helper'], '__file__', 'no file'), runs.log_metric.__module__)"
        )
        self.assertEqual(where["output"].split(), ["no", "file", "jupyterlab_runs.helper"])
        comm = kernel.open_comm()
        [welcome] = kernel.messages(comm, "welcome")
        kernel.comm_send(comm, {"type": "hello", "after": 0, "session": welcome["session"]})
        events = kernel.events(comm)
        self.assertEqual(kinds(events)[:2], ["session", "run_start"])
        session = events[0]
        self.assertEqual(session["session"], welcome["session"])
        env = session["env"]
        self.assertEqual(env["cwd"], os.path.realpath(self.folder.name))
        self.assertEqual(env["language"]["name"], "python")
        self.assertEqual(env["env_values"], {"RUNS_TEST_VISIBLE": "shown"})
        self.assertIn("RUNS_TEST_SECRET_KEY", env["env_names"])
        self.assertIn("numpy", {name.lower() for name in env["packages"]})
        self.assertEqual(events[1]["reason"], "kernel-start")
        first_run = events[1]["run"]

        # The seed story: seed = 69, a model trained with random_state=seed, a trailing scoring call.
        kernel.execute(SEED_CELL.format(seed=69, alpha=0.1), cell_id="cell-seed")
        kernel.execute(TRAIN_CELL, cell_id="cell-train")
        kernel.execute(SCORE_CELL, cell_id="cell-score")
        events = kernel.events(comm)
        executions = of_kind(events, "execution")
        self.assertEqual([e["source"] for e in executions][-3:], [SEED_CELL.format(seed=69, alpha=0.1), TRAIN_CELL,
                                                                  SCORE_CELL])  # fmt: skip
        self.assertEqual([e["cell_id"] for e in executions][-3:], ["cell-seed", "cell-train", "cell-score"])
        seed_exec = executions[-3]["exec"]
        params = params_by_name(events)
        self.assertEqual(params["seed"], dict(params["seed"], value=69, source="assignment", exec=seed_exec,
                                              detail="seed = 69", run=first_run))  # fmt: skip
        self.assertEqual(params["model.random_state"]["value"], 69)
        self.assertEqual(params["model.alpha"]["value"], 0.1)
        self.assertEqual(params["train_test_split.random_state"]["value"], 69)
        self.assertEqual(params["numpy.random.default_rng"]["source"], "seed-call")
        [mse] = [e for e in of_kind(events, "metric") if e["name"] == "mean_squared_error"]
        self.assertEqual((mse["source"], mse["run"]), ("scoring-call", first_run))
        self.assertEqual(mse["points"][0][3], executions[-1]["exec"])

        # Change alpha after a metric: a new run begins before that execution's events.
        mark = len(events)
        kernel.execute(SEED_CELL.format(seed=69, alpha=0.5), cell_id="cell-seed")
        after = kernel.events(comm)[mark:]
        self.assertEqual(kinds(after)[:3], ["run_end", "run_start", "execution"])
        self.assertEqual((after[0]["run"], after[0]["status"]), (first_run, "finished"))
        second_run = after[1]["run"]
        self.assertEqual(after[1]["reason"], "param-changed")
        self.assertEqual(after[1]["inherited"], [e["exec"] for e in executions])
        kernel.execute(TRAIN_CELL, cell_id="cell-train")
        kernel.execute(SCORE_CELL, cell_id="cell-score")
        events = kernel.events(comm)
        self.assertEqual(params_by_name(events)["model.alpha"], dict(params_by_name(events)["model.alpha"], value=0.5,
                                                                       run=second_run))  # fmt: skip
        scores = [e for e in of_kind(events, "metric") if e["name"] == "mean_squared_error"]
        self.assertEqual([e["run"] for e in scores], [first_run, second_run])

        # Then the seed: 42.
        kernel.execute(SEED_CELL.format(seed=42, alpha=0.5), cell_id="cell-seed")
        kernel.execute(TRAIN_CELL, cell_id="cell-train")
        kernel.execute(SCORE_CELL, cell_id="cell-score")
        events = kernel.events(comm)
        starts = of_kind(events, "run_start")
        self.assertEqual([s["reason"] for s in starts], ["kernel-start", "param-changed", "param-changed"])
        third_run = starts[-1]["run"]
        seeds = [(e["run"], e["value"]) for e in of_kind(events, "param") if e["name"] == "seed"]
        self.assertEqual(seeds, [(first_run, 69), (third_run, 42)])

        # xgboost's evaluation output becomes a validation-rmse series with the right steps.
        result = kernel.execute(XGBOOST_CELL, cell_id="cell-xgb")
        self.assertIn("[5]\tvalidation-rmse:", result["output"])
        series = points(kernel.events(comm), "validation-rmse")
        self.assertEqual([step for _, step, _ in series], [0, 1, 2, 3, 4, 5])
        printed = [float(v) for v in re.findall(r"validation-rmse:([\d.]+)", result["output"])]
        self.assertEqual([value for value, _, _ in series], printed)

        # Files read and written through pandas (which calls open()): size, mtime and sha256, path relative.
        kernel.execute("import pandas as pd\npd.DataFrame({'a': [1, 2]}).to_csv('data.csv', index=False)\n"
                       "frame = pd.read_csv('data.csv')")  # fmt: skip
        files = {(e["path"], e["mode"]): e for e in of_kind(kernel.events(comm), "file")}
        self.assertEqual(set(files), {("data.csv", "write"), ("data.csv", "read")})
        with open(os.path.join(self.folder.name, "data.csv"), "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        self.assertEqual(files[("data.csv", "read")]["sha256"], digest)

        # A printed token never leaves the kernel (the source that printed it is redacted).
        result = kernel.execute("print('api_key = AKIAIOSFODNN7EXAMPLE')")
        self.assertIn("AKIAIOSFODNN7EXAMPLE", result["output"])  # what the user sees is unchanged
        everything = json.dumps([data for _, _, data in kernel.comm_messages])
        self.assertNotIn("AKIAIOSFODNN7EXAMPLE", everything)
        self.assertIn("print('api_key = [REDACTED]')", everything)

        # A long execution streams its metrics from the background thread, before it ends.
        started = time.time()
        kernel.execute(
            "import time\nfor i in range(8):\n    runs.log_metric('live', i * 0.5, step=i)\n    time.sleep(0.2)"
        )
        ended = time.time()
        live = [(arrived, data) for arrived, cid, data in kernel.comm_messages
                if cid == comm and data["type"] == "events" and arrived >= started
                and any(e.get("name") == "live" for e in data["events"])]  # fmt: skip
        self.assertGreaterEqual(len(live), 2, "points were sent while the cell ran")
        self.assertLess(live[0][0], ended - 0.5)
        self.assertEqual([step for _, step, _ in points(kernel.events(comm), "live")], list(range(8)))

        # KeyboardInterrupt ends a run interrupted (end_run inside the cell ends it with the cell's outcome).
        result = kernel.execute("runs.end_run()\ntime.sleep(30)", interrupt_after=1.0)
        self.assertEqual(result["reply"]["status"], "error")
        self.assertEqual(kernel.events(comm)[-1], dict(kernel.events(comm)[-1], kind="run_end", status="interrupted"))

        # Replay: the first tab stored (acked) part; a reloaded tab asks for what follows; nothing twice.
        events = kernel.events(comm)
        check_sequence(self, events)
        self.assertEqual(events[0]["seq"], 1)
        stored = events[len(events) // 2]["seq"]
        kernel.comm_send(comm, {"type": "ack", "upto": stored})
        kernel.execute("note_me = 1")
        kernel.close_comm(comm)  # the page that reloads closes its comm as it goes
        reloaded = kernel.open_comm()
        kernel.comm_send(reloaded, {"type": "hello", "after": stored, "session": welcome["session"]})
        replayed = kernel.events(reloaded)
        check_sequence(self, replayed)
        self.assertEqual(replayed[0]["seq"], stored + 1)
        self.assertEqual(replayed[-1]["seq"], max(e["seq"] for e in kernel.events(comm)))
        union = [e for e in kernel.events(comm) if e["seq"] <= stored] + replayed
        self.assertEqual([e["seq"] for e in union], list(range(1, replayed[-1]["seq"] + 1)))
        kernel.execute("after_reload = 2")
        self.assertEqual(of_kind(kernel.events(reloaded), "execution")[-1]["source"], "after_reload = 2")
        self.assertNotIn("after_reload = 2", json.dumps(kernel.events(comm)[len(events):]))


class ImportedPackageKernelTest(unittest.TestCase):
    """The kernel can import jupyterlab_runs: the bootstrap imports it; attach is idempotent."""

    def test_imported_and_idempotent(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        kernel = Kernel(folder.name, importable=True)
        self.addCleanup(kernel.stop)
        for _ in range(2):  # a reload sends the bootstrap again
            self.assertEqual(kernel.execute(bootstrap_code(), silent=True)["reply"]["status"], "ok")
        result = kernel.execute(
            "import jupyterlab_runs as runs\nprint(runs.helper.__file__)\nruns.log_metric('x', 1.5, step=3)"
        )
        self.assertEqual(result["output"].strip(), os.path.join(REPO, "jupyterlab_runs", "helper.py"))
        comm = kernel.open_comm({"type": "hello", "after": 0})
        events = kernel.events(comm)
        self.assertEqual(kinds(events).count("session"), 1)
        self.assertEqual(kinds(events).count("run_start"), 1)
        self.assertEqual(points(events, "x"), [(1.5, 3, 1)])
        status = kernel.execute("%runs status")["output"]
        self.assertIn("frontend connected", status)


if __name__ == "__main__":
    unittest.main()
