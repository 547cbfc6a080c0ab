"""The recorder: run rules, the event buffer (ack, replay, batching, compact metrics), the comm, files."""

import hashlib
import json
import os
import tempfile
import time
import unittest
from unittest import mock

from jupyterlab_runs import helper
from jupyterlab_runs.tests._support import FakeComm, execute, kinds, of_kind, params_by_name, points

SEED_CELL = "seed = 69\nalpha = 0.1"
TRAIN_CELL = """\
import numpy as np
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_squared_error
rng = np.random.default_rng(seed)
X = rng.normal(size=(60, 3))
y = X @ np.array([1.0, 2.0, 3.0]) + rng.normal(scale=0.1, size=60)
model = Ridge(alpha=alpha, random_state=seed).fit(X[:40], y[:40])"""
SCORE_CELL = "mean_squared_error(y[40:], model.predict(X[40:]))"


class RecorderTestCase(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)
        self.recorder = helper.Recorder()
        self.recorder.root = self.folder.name
        self.recorder.ensure_session()
        self.namespace = {}

    def run_cell(self, source, **kwargs):
        return execute(self.recorder, self.namespace, source, **kwargs)

    def events(self, after=0):
        return self.recorder.events_after(after)

    def runs(self):
        return [event["run"] for event in of_kind(self.events(), "run_start")]


class RunRulesTest(RecorderTestCase):
    def test_welcome_says_whether_the_run_began(self):
        # Opening a notebook: the kernel's own run is not shown as running until something runs in it.
        comm = FakeComm()
        self.recorder.on_comm_open(comm, {"content": {"data": {"type": "hello", "after": 0}}})
        self.assertFalse(comm.sent[0]["run"]["announced"])
        self.run_cell("x = 1")
        comm = FakeComm()
        self.recorder.on_comm_open(comm, {"content": {"data": {"type": "hello", "after": 0}}})
        self.assertTrue(comm.sent[0]["run"]["announced"])

    def test_session_then_kernel_start_run(self):
        self.assertEqual(kinds(self.events()), ["session"])
        self.recorder.log_metric("loss", 1.0)
        events = self.events()
        self.assertEqual(kinds(events), ["session", "run_start", "metric"])
        self.assertEqual([e["seq"] for e in events], [1, 2, 3])
        self.assertNotIn("run", events[0])
        self.assertEqual(events[1]["reason"], "kernel-start")
        self.assertEqual((events[1]["params"], events[1]["inherited"]), ([], []))

    def test_an_empty_kernel_start_run_is_dropped_and_user_runs_are_announced_at_once(self):
        self.recorder.start_run("mine")
        self.recorder.end_run()
        self.recorder.start_run("next")
        starts = of_kind(self.events(), "run_start")
        self.assertEqual([(s["reason"], s["name"]) for s in starts], [("user", "mine"), ("user", "next")])
        self.assertEqual(kinds(self.events()).count("run_end"), 1)

    def test_seed_story_param_change_after_metric_starts_a_run(self):
        self.run_cell(SEED_CELL, cell_id="a")
        self.run_cell(TRAIN_CELL, cell_id="b")
        self.run_cell(SCORE_CELL, cell_id="c")
        first_run = self.runs()[0]
        events = self.events()
        params = params_by_name(events)
        self.assertEqual(params["seed"]["value"], 69)
        self.assertEqual((params["seed"]["source"], params["seed"]["exec"]), ("assignment", 1))
        self.assertEqual(params["model.random_state"]["value"], 69)
        self.assertEqual(params["numpy.random.default_rng"]["value"], 69)
        [metric] = of_kind(events, "metric")
        self.assertEqual(
            (metric["name"], metric["source"], metric["run"]), ("mean_squared_error", "scoring-call", first_run)
        )
        self.assertEqual(metric["points"][0][3], 3)

        mark = self.recorder.seq
        self.run_cell("seed = 69\nalpha = 0.5", cell_id="a")
        after = self.events(mark)
        self.assertEqual(kinds(after)[:3], ["run_end", "run_start", "execution"])
        self.assertEqual(after[0], dict(after[0], run=first_run, status="finished"))
        start = after[1]
        self.assertEqual((start["reason"], start["inherited"]), ("param-changed", [1, 2, 3]))
        in_force = {p["name"]: p["value"] for p in start["params"]}
        self.assertEqual((in_force["alpha"], in_force["seed"]), (0.1, 69))  # values in force when it began
        second_run = start["run"]
        self.assertEqual([e["run"] for e in after[2:]], [second_run] * (len(after) - 2))
        self.assertEqual(params_by_name(after)["alpha"]["value"], 0.5)
        self.assertNotIn("seed", params_by_name(after))  # unchanged values are not repeated

        self.run_cell(TRAIN_CELL, cell_id="b")  # model.alpha changes, but the new run has no metric yet
        self.run_cell(SCORE_CELL, cell_id="c")
        self.assertEqual(self.runs(), [first_run, second_run])
        metrics = of_kind(self.events(), "metric")
        self.assertEqual([m["run"] for m in metrics], [first_run, second_run])
        self.assertNotEqual(metrics[0]["points"][0][0], metrics[1]["points"][0][0])

    def test_param_change_before_any_metric_updates_the_run(self):
        self.run_cell("alpha = 0.1")
        self.run_cell("alpha = 0.2")
        self.assertEqual(len(self.runs()), 1)
        self.assertEqual([p["value"] for p in of_kind(self.events(), "param")], [0.1, 0.2])

    def test_same_value_or_new_param_after_metric_keeps_the_run(self):
        self.run_cell("alpha = 0.1")
        self.recorder.log_metric("loss", 1.0)
        self.run_cell("alpha = 0.1\nbeta = 2")
        self.assertEqual(len(self.runs()), 1)

    def test_change_known_only_after_execution_starts_the_run_at_its_end(self):
        from sklearn.linear_model import Ridge

        self.namespace.update(Ridge=Ridge, make=lambda: 3.0)
        self.run_cell("model = Ridge(alpha=1.0)")
        self.recorder.log_metric("loss", 1.0)
        self.run_cell("model.alpha = make()")  # an attribute assignment does not point at an estimator
        self.assertEqual(len(self.runs()), 1)
        mark = self.recorder.seq
        self.run_cell("model.fit([[0.0], [1.0]], [0.0, 1.0])")
        after = self.events(mark)
        self.assertEqual(kinds(after)[:3], ["run_end", "run_start", "execution"])
        self.assertEqual(after[1]["reason"], "param-changed")
        self.assertEqual(after[2]["run"], after[1]["run"])
        self.assertEqual(params_by_name(after)["model.alpha"]["value"], 3.0)

    def test_explicit_log_param_change_after_metric(self):
        self.recorder.log_param("lr", 0.1)
        self.recorder.log_metric("loss", 1.0)
        self.recorder.log_param("lr", 0.01)
        starts = of_kind(self.events(), "run_start")
        self.assertEqual([s["reason"] for s in starts], ["kernel-start", "param-changed"])
        param = params_by_name(self.events())["lr"]
        self.assertEqual((param["value"], param["source"], param["run"]), (0.01, "explicit", starts[1]["run"]))

    def test_sweep_in_one_cell_gives_one_run_per_value(self):
        self.namespace["runs"] = self.recorder
        self.run_cell(
            "for lr in [0.1, 0.01, 0.001]:\n    runs.log_param('lr', lr)\n    runs.log_metric('loss', lr * 2)"
        )
        self.assertEqual(len(self.runs()), 3)

    def test_start_run_and_end_run(self):
        summary = self.recorder.start_run("baseline")
        self.assertEqual((summary["name"], summary["status"]), ("baseline", "running"))
        start = of_kind(self.events(), "run_start")[-1]
        self.assertEqual((start["name"], start["reason"]), ("baseline", "user"))
        self.recorder.end_run()
        self.assertEqual(self.events()[-1]["kind"], "run_end")
        self.assertIsNone(self.recorder.run)
        self.run_cell("x = 1")
        start = of_kind(self.events(), "run_start")[-1]
        self.assertEqual((start["reason"], start["inherited"]), ("helper", []))
        self.run_cell("y = 2")
        self.assertEqual(of_kind(self.events(), "execution")[-1]["run"], start["run"])

    def test_start_run_inside_a_cell_is_the_only_new_run(self):
        self.namespace["runs"] = self.recorder
        self.run_cell("alpha = 0.1")
        self.recorder.log_metric("loss", 1.0)
        self.run_cell("runs.start_run('second')\nalpha = 0.7")
        starts = of_kind(self.events(), "run_start")
        self.assertEqual([(s["reason"], s["name"]) for s in starts][1:], [("user", "second")])
        self.assertEqual(params_by_name(self.events())["alpha"]["run"], starts[1]["run"])

    def test_end_run_in_a_failing_cell_ends_it_failed(self):
        self.namespace["runs"] = self.recorder
        self.run_cell("runs.end_run()\nraise RuntimeError('boom')")
        events = self.events()
        self.assertEqual(kinds(events)[-2:], ["execution", "run_end"])
        self.assertEqual(events[-1]["status"], "failed")
        self.assertEqual(events[-2]["outcome"], "error")

    def test_end_run_in_an_interrupted_cell(self):
        self.namespace["runs"] = self.recorder
        self.run_cell("runs.end_run()\nraise KeyboardInterrupt")
        self.assertEqual(self.events()[-1]["status"], "interrupted")
        self.assertEqual(self.events()[-2]["outcome"], "interrupted")

    def test_run_status_comes_from_its_last_execution(self):
        self.run_cell("alpha = 1")
        self.recorder.log_metric("loss", 1.0)
        self.run_cell("1 / 0")
        self.run_cell("alpha = 2")
        self.assertEqual(of_kind(self.events(), "run_end")[0]["status"], "failed")

    def test_execution_event(self):
        source = "import math\nmath.sqrt(16)  # comment kept exactly"
        result = self.run_cell(source, cell_id="cell-7")
        execution = of_kind(self.events(), "execution")[0]
        self.assertEqual(execution["source"], source)
        self.assertEqual((execution["cell_id"], execution["exec"], execution["outcome"]), ("cell-7", 1, "ok"))
        self.assertEqual(execution["execution_count"], result.execution_count)
        self.assertLessEqual(execution["started"], execution["ended"])
        self.assertIsNone(execution["error"])

    def test_error_details(self):
        self.run_cell("def f():\n    return {}['missing']\nf()")
        error = of_kind(self.events(), "execution")[0]["error"]
        self.assertEqual((error["name"], error["value"]), ("KeyError", "'missing'"))
        self.assertIn("KeyError: 'missing'\n", error["traceback"][-1])
        self.run_cell("def (")
        error = of_kind(self.events(), "execution")[1]["error"]
        self.assertEqual(error["name"], "SyntaxError")

    def test_output_metrics_with_exec_and_explicit_names_win(self):
        self.namespace["runs"] = self.recorder
        self.run_cell("print('[0]\\tvalidation-rmse:2.5')\nprint('[1]\\tvalidation-rmse:2.0')\nprint('rmse: 1.5')")
        self.assertEqual(points(self.events(), "validation-rmse"), [(2.5, 0, 1), (2.0, 1, 1)])
        self.assertEqual(of_kind(self.events(), "metric")[0]["source"], "output")
        self.run_cell("runs.log_metric('loss', 0.5)\nprint('loss: 0.5')")
        self.assertEqual([e["source"] for e in of_kind(self.events(), "metric") if e["name"] == "loss"], ["explicit"])

    def test_printing_is_unchanged_by_the_tee(self):
        from jupyterlab_runs.tests._support import CapturedOutput

        output = CapturedOutput()
        text = "[0]\tvalidation-rmse:2.5\nloss: 0.1 - accuracy: 0.9\rpartial \x08line"
        source = f"print({text!r}, end='')\nimport sys\nsys.stdout.write('x')"
        execute(self.recorder, self.namespace, source, output=output)
        self.assertEqual(output.getvalue(), text + "x")
        self.assertNotIn("write", vars(output))  # the tee is gone after the execution

    def test_should_read_output_a_write_of_its_own_already_tees_and_leave_that_tee_in_place(self):
        # IPython 9's run_cell shadows write on the stream instance for its history, around the hooks.
        from jupyterlab_runs.tests._support import CapturedOutput

        output = CapturedOutput()
        history = []

        def history_tee(text):
            history.append(text)
            return CapturedOutput.write(output, text)

        output.write = history_tee
        execute(self.recorder, self.namespace, "print('[0]\\tvalidation-rmse:2.5')", output=output)
        self.assertEqual(points(self.events(), "validation-rmse"), [(2.5, 0, 1)])
        self.assertEqual("".join(history), "[0]\tvalidation-rmse:2.5\n")
        self.assertEqual(output.getvalue(), "[0]\tvalidation-rmse:2.5\n")
        self.assertIs(vars(output)["write"], history_tee)  # put back, for its owner to remove

    def test_should_leave_a_write_that_replaced_its_own_alone(self):
        from jupyterlab_runs.tests._support import CapturedOutput

        output = CapturedOutput()
        tee = helper.StreamTee(output, lambda line: None)
        self.assertTrue(tee.install())
        other = output.write = lambda text: 0
        tee.uninstall()
        self.assertIs(vars(output)["write"], other)

    def test_tracking_off_records_nothing(self):
        self.recorder.configure({"tracking": False})
        before = self.recorder.seq
        self.run_cell("alpha = 3")
        self.recorder.log_metric("loss", 1.0)
        self.recorder.log_param("lr", 1)
        self.assertEqual(self.recorder.seq, before)
        self.assertEqual(self.recorder.pending_points, 0)

    def test_turning_tracking_off_ends_the_run_and_on_again_starts_one(self):
        comm = FakeComm()
        self.recorder.on_comm_open(comm, {"content": {"data": {"type": "hello", "after": 0}}})
        self.run_cell("alpha = 3")
        first = self.recorder.run.id
        comm.receive({"type": "config", "tracking": False})
        self.assertEqual(comm.events()[-1]["kind"], "run_end")
        self.assertEqual(comm.events()[-1]["run"], first)
        self.assertIsNone(self.recorder.run)
        self.run_cell("alpha = 4")
        comm.receive({"type": "config", "tracking": True})
        self.run_cell("alpha = 5")
        self.recorder.flush()
        starts = of_kind(comm.events(), "run_start")
        self.assertEqual(len(starts), 2)
        self.assertNotEqual(starts[-1]["run"], first)
        sources = [event["source"] for event in of_kind(comm.events(), "execution")]
        self.assertEqual(sources, ["alpha = 3", "alpha = 5"])

    def test_tags_notes_and_active_run(self):
        self.recorder.set_tag("dataset", "v2")
        self.recorder.note("first try")
        self.recorder.log_param("lr", 0.1)
        tags = of_kind(self.events(), "tag")
        self.assertEqual((tags[0]["key"], tags[0]["value"]), ("dataset", "v2"))
        self.assertEqual(of_kind(self.events(), "note")[0]["text"], "first try")
        self.assertEqual(self.recorder.run.summary()["params"], {"lr": 0.1})


class BufferTest(RecorderTestCase):
    def setUp(self):
        super().setUp()
        # Announce a run, so the buffer starts with two events: session, run_start.
        self.recorder.start_run("first")

    def test_hello_replays_everything_after(self):
        self.recorder.log_metric("loss", 1.0)
        comm = FakeComm()
        self.recorder.handle(comm, {"type": "hello", "after": 0})
        self.assertEqual(kinds(comm.events()), ["session", "run_start", "metric"])
        self.recorder.on_comm_close(comm)
        second = FakeComm("comm-2")
        self.recorder.handle(second, {"type": "hello", "after": 2})
        self.assertEqual([e["seq"] for e in second.events()], [3])

    def test_a_new_writer_gets_what_follows_the_displaced_ones_once_acknowledged(self):
        first, second = FakeComm("one"), FakeComm("two")
        self.recorder.log_metric("loss", 1.0)
        self.recorder.on_comm_open(first, {"content": {"data": {"type": "hello", "after": 0}}})  # sent 1..3
        self.recorder.handle(second, {"type": "hello", "after": 2})  # the store holds 1..2
        self.recorder.log_metric("loss", 2.0)
        self.recorder.flush()
        self.assertEqual(second.events(), [])  # seq 3 is the first one's to store, 4 waits
        first.receive({"type": "ack", "upto": 3})
        self.assertEqual([e["seq"] for e in second.events()], [4])
        self.assertEqual([e["seq"] for e in first.events()], [1, 2, 3])

    def displace_a_writer_with_unstored_events(self):
        first, second = FakeComm("one"), FakeComm("two")
        self.recorder.on_comm_open(first, {"content": {"data": {"type": "hello", "after": 0}}})
        first.receive({"type": "ack", "upto": 1})
        self.recorder.log_metric("loss", 1.0)
        self.recorder.flush()  # sent 1..3, acknowledged 1
        self.recorder.handle(second, {"type": "hello", "after": 2})
        return first, second

    def test_a_displaced_writer_that_closes_hands_over_everything_unacknowledged(self):
        first, second = self.displace_a_writer_with_unstored_events()
        self.assertEqual(second.events(), [])
        self.recorder.on_comm_close(first)
        self.assertEqual([e["seq"] for e in second.events()], [2, 3])  # the store ignores the 2 it holds

    def test_a_displaced_writer_too_slow_to_acknowledge_hands_over_everything_unacknowledged(self):
        with mock.patch.object(helper, "HANDOVER_TIMEOUT", 0.0):
            _, second = self.displace_a_writer_with_unstored_events()
            self.recorder.flush()
        self.assertEqual([e["seq"] for e in second.events()], [2, 3])

    def test_ack_drops_events_and_replay_never_duplicates(self):
        comm = FakeComm()
        self.recorder.handle(comm, {"type": "hello", "after": 0})
        self.recorder.handle(comm, {"type": "ack", "upto": 2})
        self.assertEqual(len(self.recorder.buffer), 0)
        self.recorder.log_metric("loss", 1.0)
        self.recorder.log_metric("loss", 2.0)
        self.recorder.flush()
        self.recorder.flush()
        seqs = [e["seq"] for e in comm.events()]
        self.assertEqual(seqs, sorted(set(seqs)))
        self.recorder.on_comm_close(comm)  # the page reloads: its comm closes
        reopened = FakeComm("comm-2")
        self.recorder.handle(reopened, {"type": "hello", "after": 2})  # and had stored up to 2
        self.assertEqual([len(e["points"]) for e in of_kind(reopened.events(), "metric")], [2])

    def test_latest_hello_is_the_writer_and_close_hands_back(self):
        first, second = FakeComm("one"), FakeComm("two")
        self.recorder.handle(first, {"type": "hello", "after": 0})
        self.recorder.handle(second, {"type": "hello", "after": 2})
        self.recorder.log_metric("loss", 1.0)
        self.recorder.flush()
        self.assertEqual(len(first.events()), 2)
        self.assertEqual(kinds(second.events()), ["metric"])
        self.recorder.on_comm_close(second)
        self.assertEqual(kinds(first.events()), ["session", "run_start", "session", "run_start", "metric"])

    def test_hello_from_another_session_replays_from_the_start(self):
        for hello in ({"after": 2, "session": "another"}, {"after": 999}):
            comm = FakeComm()
            self.recorder.handle(comm, dict(hello, type="hello"))
            self.assertEqual(kinds(comm.events()), ["session", "run_start"])

    def test_welcome_on_open_and_messages_through_the_comm(self):
        comm = FakeComm()
        self.recorder.on_comm_open(comm, {"content": {"data": {"type": "hello", "after": 0}}})
        welcome = comm.sent[0]
        self.assertEqual(
            (welcome["type"], welcome["session"], welcome["seq"]), ("welcome", self.recorder.session_id, 2)
        )
        comm.receive({"type": "start_run", "name": "from the toolbar"})
        self.assertEqual(comm.events()[-1]["name"], "from the toolbar")
        comm.receive({"type": "end_run"})
        self.assertEqual(comm.events()[-1]["kind"], "run_end")
        comm.receive({"type": "config", "metric_patterns": ["^perplexity$"], "tracking": True})
        self.assertTrue(self.recorder.parser.is_metric_name("perplexity"))
        comm.receive({"type": "ack", "upto": self.recorder.seq})
        self.assertEqual(len(self.recorder.buffer), 0)
        comm.receive({"type": "unknown"})
        self.assertEqual(list(self.recorder.errors), [])

    def test_the_latest_hello_writes_and_both_frontends_are_told(self):
        first, second = FakeComm("comm-1"), FakeComm("comm-2")
        self.recorder.on_comm_open(first, {"content": {"data": {"type": "hello", "after": 0}}})
        self.recorder.on_comm_open(second, {"content": {"data": {"type": "hello", "after": 0}}})
        writer_messages = lambda comm: [m["writer"] for m in comm.messages("writer")]  # noqa: E731
        self.assertEqual(writer_messages(first), [True, False])
        self.assertEqual(writer_messages(second), [True])
        second.close_callback(None)
        self.assertEqual(writer_messages(first), [True, False, True])

    def test_outputs_forwarded_by_another_tab_become_an_event(self):
        comm = FakeComm()
        self.recorder.on_comm_open(comm, {"content": {"data": {"type": "hello", "after": 0}}})
        self.run_cell("x = 1", cell_id="cell-a")
        self.run_cell("y = 2", cell_id="cell-b")
        count = self.recorder.recent[-1][0]
        token = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
        outputs = [{"output_type": "stream", "name": "stdout", "text": f"token={token}"}]
        comm.receive({"type": "outputs", "execution_count": count, "cell_id": "cell-b", "outputs": outputs})
        comm.receive({"type": "outputs", "execution_count": 999, "cell_id": "cell-b", "outputs": outputs})
        comm.receive({"type": "outputs", "execution_count": "bad", "outputs": None})
        forwarded = of_kind(comm.events(), "outputs")
        self.assertEqual(len(forwarded), 1)
        execution = of_kind(comm.events(), "execution")[-1]
        self.assertEqual((forwarded[0]["exec"], forwarded[0]["run"]), (execution["exec"], execution["run"]))
        self.assertNotIn("ghp_", json.dumps(forwarded[0]["outputs"]))
        self.assertEqual(list(self.recorder.errors), [])

    def test_one_million_points_are_compact(self):
        log = self.recorder.log_metric
        started = time.perf_counter()
        for step in range(1_000_000):
            log("loss", 1.0 / (step + 1), step)
        elapsed = time.perf_counter() - started
        [series] = self.recorder.dirty
        columns = (series.values, series.steps, series.times, series.execs)
        self.assertEqual(sum(len(column) * column.itemsize for column in columns), 1_000_000 * 32)
        self.assertLess(elapsed, 10.0)
        self.recorder._coalesce()
        chunks = [entry for _, entry in self.recorder.buffer if isinstance(entry, helper.MetricChunk)]
        self.assertEqual([len(chunk) for chunk in chunks], [helper.POINTS_PER_EVENT] * 100)
        comm = FakeComm()
        self.recorder.handle(comm, {"type": "hello", "after": 0})
        sizes = [sum(len(e.get("points", ())) for e in message["events"]) for message in comm.messages("events")]
        self.assertEqual(sum(sizes), 1_000_000)
        self.assertLessEqual(max(sizes), helper.POINTS_PER_MESSAGE)
        steps = [p[1] for e in of_kind(comm.events(), "metric") for p in e["points"]]
        self.assertEqual(steps, list(range(1_000_000)))

    def test_many_events_are_batched(self):
        for i in range(12_000):
            self.recorder.note(str(i))
        comm = FakeComm()
        self.recorder.handle(comm, {"type": "hello", "after": 0})
        self.assertEqual([len(m["events"]) for m in comm.messages("events")], [5000, 5000, 2002])

    def test_background_thread_sends_during_a_long_execution(self):
        comm = FakeComm()
        self.recorder.handle(comm, {"type": "hello", "after": 0})
        self.recorder.start_flusher()
        self.addCleanup(setattr, self.recorder, "flusher", None)
        self.recorder.log_metric("loss", 1.0, 0)
        deadline = time.time() + 3
        while not of_kind(comm.events(), "metric") and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(points(comm.events(), "loss"), [(1.0, 0, None)])

    def test_sends_are_strict_json(self):
        self.recorder.log_metric("loss", float("nan"))
        self.recorder.log_param("missing", float("nan"))
        comm = FakeComm()
        self.recorder.handle(comm, {"type": "hello", "after": 0})
        json.dumps(comm.sent, allow_nan=False)


class FileTest(RecorderTestCase):
    def test_reads_and_writes_under_the_notebook_folder(self):
        folder = self.folder.name
        self.namespace.update(folder=folder)
        os.makedirs(os.path.join(folder, "data"))
        with open(os.path.join(folder, "data", "train.csv"), "w") as handle:
            handle.write("a,b\n1,2\n")
        outside = tempfile.NamedTemporaryFile(delete=False)
        self.addCleanup(os.unlink, outside.name)
        self.namespace["outside"] = outside.name
        cwd = os.getcwd()
        os.chdir(folder)
        self.addCleanup(os.chdir, cwd)
        source = (
            "import pathlib\n"
            "with open('data/train.csv') as f:\n    text = f.read()\n"
            "with open(file='data/train.csv') as f:\n    f.read()\n"
            "pathlib.Path('model.txt').write_text('weights')\n"
            "with open(outside) as f:\n    f.read()\n"
            "import io\nio.open('data/train.csv', mode='rb').close()\n"
        )
        self.run_cell(source)
        files = {(e["path"], e["mode"]): e for e in of_kind(self.events(), "file")}
        self.assertEqual(set(files), {("data/train.csv", "read"), ("model.txt", "write")})
        model = files[("model.txt", "write")]
        self.assertEqual(model["sha256"], hashlib.sha256(b"weights").hexdigest())
        self.assertEqual((model["size"], model["exec"]), (7, 1))
        self.assertEqual(set(model), {"seq", "time", "kind", "run", "path", "mode", "size", "mtime", "sha256", "exec"})
        import builtins
        import io

        self.assertIs(builtins.open, io.open)  # restored after the execution
        self.assertFalse(hasattr(builtins.open, "__wrapped__"))
        self.run_cell("with open('data/train.csv') as f:\n    f.read()")  # unchanged file, same run: not repeated
        self.assertEqual(len(of_kind(self.events(), "file")), 2)

    def test_should_see_files_opened_through_the_namespaces_own_open(self):
        # IPython gives the user namespace an `open` that calls the real one through a name of its module.
        import io
        import types

        shell_module = types.ModuleType("fake_interactiveshell")
        exec("from io import open as io_open\n"
             "def _modified_open(file, *args, **kwargs):\n"
             "    if file in {0, 1, 2}:\n"
             "        raise ValueError('no')\n"
             "    return io_open(file, *args, **kwargs)", shell_module.__dict__)  # fmt: skip
        self.namespace["open"] = shell_module._modified_open
        cwd = os.getcwd()
        os.chdir(self.folder.name)
        self.addCleanup(os.chdir, cwd)
        self.run_cell("with open('out.txt', 'w') as f:\n    f.write('hello')")
        [event] = of_kind(self.events(), "file")
        self.assertEqual((event["path"], event["mode"], event["size"]), ("out.txt", "write", 5))
        self.assertIs(shell_module.io_open, io.open)  # restored after the execution
        self.assertIs(self.namespace["open"], shell_module._modified_open)  # the namespace is left alone
        result = self.run_cell("open(1)")
        self.assertIsInstance(result.error_in_exec, ValueError)  # its own checks still run

    def test_large_files_get_no_hash(self):
        cwd = os.getcwd()
        os.chdir(self.folder.name)
        self.addCleanup(os.chdir, cwd)
        with open("big.bin", "wb") as handle:
            handle.truncate(helper.MAX_HASH_BYTES + 1)
        self.run_cell("open('big.bin', 'rb').close()")
        [event] = of_kind(self.events(), "file")
        self.assertEqual((event["size"], event["sha256"]), (helper.MAX_HASH_BYTES + 1, None))

    def test_open_errors_are_untouched(self):
        result = self.run_cell("open('/nonexistent/file')")
        self.assertIsInstance(result.error_in_exec, FileNotFoundError)
        self.assertEqual(of_kind(self.events(), "file"), [])

    def test_log_artifact(self):
        path = os.path.join(self.folder.name, "model.bin")
        with open(path, "wb") as handle:
            handle.write(b"\x00" * 10)
        self.recorder.log_artifact(path)
        [event] = of_kind(self.events(), "file")
        self.assertEqual((event["path"], event["artifact"], event["size"]), ("model.bin", True, 10))
        self.assertEqual(set(event), {"seq", "time", "kind", "run", "path", "mode", "size", "mtime", "sha256", "exec",
                                      "artifact"})  # fmt: skip
        with self.assertWarns(helper.RunsWarning):
            self.recorder.log_artifact("/etc/hostname")


if __name__ == "__main__":
    unittest.main()
