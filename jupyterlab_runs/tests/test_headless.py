"""Headless runs: the spool, the store and notebook lookup, and a real notebook executed by nbclient."""

import contextlib
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unittest
from unittest import mock

from jupyterlab_runs import helper, placement
from jupyterlab_runs.tests._support import KERNEL_NAME, REPO, SCRATCH, FakeComm, execute

STARTUP_FILE = os.path.join(REPO, "jupyter-config", "ipython", "startup", "jupyterlab-runs.py")


def write_notebook(path, sources, metadata=None):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# A title"}]
    cells += [
        {"cell_type": "code", "metadata": {}, "source": source.splitlines(True), "outputs": [], "execution_count": None}
        for source in sources
    ]
    notebook = {"cells": cells, "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5}
    with open(path, "w", encoding="utf-8") as file:
        json.dump(notebook, file)


def read_spool(path):
    with open(path, encoding="utf-8") as file:
        lines = [json.loads(line) for line in file]
    return lines[0], [line for line in lines[1:] if "seq" in line], lines[-1].get("closed", False)


class JsonWithCommentsTest(unittest.TestCase):
    def test_comments_and_trailing_commas(self):
        text = '{\n  // the folder\n  "storeFolder": "runs//x", /* inline */ "envAllowlist": ["A",],\n}'
        self.assertEqual(helper.json_with_comments(text), {"storeFolder": "runs//x", "envAllowlist": ["A"]})

    def test_escaped_quotes_stay_in_strings(self):
        self.assertEqual(helper.json_with_comments('{"a": "say \\"// hi\\"",}'), {"a": 'say "// hi"'})

    def test_invalid_raises(self):
        with self.assertRaises(ValueError):
            helper.json_with_comments('{"a": }')


class LabSettingsTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(dir=SCRATCH)
        patcher = mock.patch.dict(os.environ, {"JUPYTERLAB_SETTINGS_DIR": self.folder})
        patcher.start()
        self.addCleanup(patcher.stop)

    def write(self, text):
        os.makedirs(os.path.join(self.folder, "jupyterlab-runs"), exist_ok=True)
        with open(os.path.join(self.folder, helper.SETTINGS_FILE), "w", encoding="utf-8") as file:
            file.write(text)

    def test_maps_settings_to_config(self):
        self.write('{\n // saved by the Settings Editor\n "trackingEnabled": false, "storeFolder": "exp/runs",\n}')
        self.assertEqual(helper.lab_settings(), {"tracking": False, "store_folder": "exp/runs"})

    def test_missing_file_gives_defaults(self):
        self.assertEqual(helper.lab_settings(), {})

    def test_unreadable_file_warns_and_gives_defaults(self):
        self.write("{ not json")
        with mock.patch.object(helper._RECORDER, "warned", set()), self.assertWarns(helper.RunsWarning):
            self.assertEqual(helper.lab_settings(), {})


def make_store(folder):
    os.makedirs(folder, exist_ok=True)
    open(os.path.join(folder, "store.json"), "w").close()


def foreign(path):
    """Give ``path`` (and what it holds) to another user, as a folder someone else planted in a shared place."""
    for parent, folders, files in os.walk(path):
        for name in [*folders, *files]:
            os.chown(os.path.join(parent, name), 65534, 65534)
    os.chown(path, 65534, 65534)


AS_ROOT = hasattr(os, "getuid") and os.getuid() == 0


class StoreFolderSettingTest(unittest.TestCase):
    """The store folder setting reads as the frontend reads it: the cases ``src/__tests__/config.spec.ts`` runs."""

    def test_the_cases_shared_with_the_frontend(self):
        with open(os.path.join(REPO, "jupyterlab_runs", "tests", "store_folder_cases.json"), encoding="utf-8") as file:
            cases = json.load(file)["cases"]
        for case in cases:
            with self.subTest(value=case["value"]):
                folder, problem = placement.check_store_folder(case["value"])
                if "folder" in case:
                    self.assertEqual((folder, problem), (case["folder"], None))
                else:
                    self.assertIsNone(folder)
                    self.assertTrue(problem.startswith(case["problem"]), problem)


class FindStoreTest(unittest.TestCase):
    def setUp(self):
        self.root = os.path.realpath(tempfile.mkdtemp(dir=SCRATCH))
        self.folder = os.path.join(self.root, "a", "b")
        os.makedirs(self.folder)
        self.runtime = tempfile.mkdtemp(dir=SCRATCH)
        patcher = mock.patch.dict(os.environ, {"JUPYTER_RUNTIME_DIR": self.runtime, "HOME": self.root})
        patcher.start()
        self.addCleanup(patcher.stop)

    def serve(self, root):
        with open(os.path.join(self.runtime, "jpserver-123.json"), "w", encoding="utf-8") as file:
            json.dump({"root_dir": root}, file)

    def test_nearest_existing_store_above(self):
        make_store(os.path.join(self.root, "jupyter-runs"))
        self.assertEqual(helper.find_store(self.folder, None), (os.path.join(self.root, "jupyter-runs"), self.root))

    def test_configured_nested_folder(self):
        make_store(os.path.join(self.root, "exp", "runs"))
        store = os.path.join(self.root, "exp", "runs")
        self.assertEqual(helper.find_store(self.folder, "exp/runs"), (store, self.root))

    def test_a_spool_folder_alone_is_not_a_store(self):
        os.makedirs(os.path.join(self.root, "jupyter-runs", "spool"))
        self.assertIsNone(helper.find_store(self.folder, None))

    def test_running_server_root_when_no_store_exists(self):
        self.serve(os.path.join(self.root, "a"))
        root = os.path.join(self.root, "a")
        self.assertEqual(helper.find_store(self.folder, None), (os.path.join(root, "jupyter-runs"), root))

    def test_no_store_is_made_up_without_a_server(self):
        self.assertIsNone(helper.find_store(self.folder, None))
        self.assertEqual(os.listdir(self.folder), [])

    def test_the_search_stops_at_the_server_root(self):
        make_store(os.path.join(self.root, "jupyter-runs"))  # above the root the Lab serves
        self.serve(os.path.join(self.root, "a"))
        root = os.path.join(self.root, "a")
        self.assertEqual(helper.find_store(self.folder, None), (os.path.join(root, "jupyter-runs"), root))

    def test_the_search_stops_at_the_home_folder(self):
        make_store(os.path.join(self.root, "jupyter-runs"))  # a shared parent, as /tmp is
        with mock.patch.dict(os.environ, {"HOME": os.path.join(self.root, "a")}):
            self.assertIsNone(helper.find_store(self.folder, None))

    @unittest.skipUnless(AS_ROOT, "giving a folder to another user needs root")
    def test_a_store_of_another_user_is_not_used(self):
        planted = os.path.join(self.root, "a", "jupyter-runs")
        make_store(planted)
        foreign(planted)
        make_store(os.path.join(self.root, "jupyter-runs"))
        self.assertEqual(helper.find_store(self.folder, None), (os.path.join(self.root, "jupyter-runs"), self.root))

    def test_store_folder_is_read_as_the_frontend_reads_it(self):
        self.serve(self.root)
        fallback = os.path.join(self.root, "jupyter-runs")
        for value in ("../../elsewhere", "/etc", ".hidden"):
            with self.subTest(value=value), self.assertWarns(helper.RunsWarning):
                with mock.patch.object(helper._RECORDER, "warned", set()):
                    self.assertEqual(helper.find_store(self.folder, value)[0], fallback)
        self.assertEqual(helper.find_store(self.folder, " ./exp//runs/ ")[0], os.path.join(self.root, "exp", "runs"))


class FindNotebookTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(dir=SCRATCH)

    def test_notebook_holding_every_executed_source(self):
        write_notebook(os.path.join(self.folder, "other.ipynb"), ["x = 1"])
        write_notebook(os.path.join(self.folder, "train.ipynb"), ["seed = 69", "print(seed)"])
        path, notebook = helper.find_notebook(self.folder, ["seed = 69\n", "print(seed)"])
        self.assertEqual(os.path.basename(path), "train.ipynb")
        self.assertEqual(notebook["nbformat"], 4)

    def test_oldest_copy_wins(self):
        write_notebook(os.path.join(self.folder, "train.ipynb"), ["seed = 69"])
        write_notebook(os.path.join(self.folder, "a-copy.ipynb"), ["seed = 69"])
        os.utime(os.path.join(self.folder, "a-copy.ipynb"), (time.time() + 60, time.time() + 60))
        self.assertEqual(os.path.basename(helper.find_notebook(self.folder, ["seed = 69"])[0]), "train.ipynb")

    def test_no_match_and_unreadable_files(self):
        with open(os.path.join(self.folder, "broken.ipynb"), "w") as file:
            file.write("{ not a notebook")
        write_notebook(os.path.join(self.folder, "train.ipynb"), ["seed = 69"])
        self.assertIsNone(helper.find_notebook(self.folder, ["seed = 42"]))
        self.assertIsNone(helper.find_notebook(self.folder, []))

    def test_session_name_from_the_server(self):
        write_notebook(os.path.join(self.folder, "named.ipynb"), ["y = 2"])
        with mock.patch.dict(os.environ, {"JPY_SESSION_NAME": "named.ipynb"}):
            self.assertEqual(os.path.basename(helper.find_notebook(self.folder, ["other"])[0]), "named.ipynb")


class SpoolRecorderTest(unittest.TestCase):
    """The recorder writes to the spool when no frontend is attached, and gives it back when one comes."""

    def setUp(self):
        self.root = os.path.realpath(tempfile.mkdtemp(dir=SCRATCH))
        self.folder = os.path.join(self.root, "project")
        os.makedirs(os.path.join(self.root, "jupyter-runs"))
        open(os.path.join(self.root, "jupyter-runs", "store.json"), "w").close()
        os.makedirs(self.folder)
        write_notebook(os.path.join(self.folder, "train.ipynb"), ["seed = 69", "print('rmse: 1.5')"])
        grace = mock.patch.object(helper, "SPOOL_GRACE", 0.0)
        grace.start()
        self.addCleanup(grace.stop)
        home = mock.patch.dict(os.environ, {"HOME": self.root, "JUPYTER_RUNTIME_DIR": tempfile.mkdtemp(dir=SCRATCH)})
        home.start()
        self.addCleanup(home.stop)
        self.recorder = helper.Recorder()
        self.recorder.root = self.folder
        self.recorder.spool.enable()
        self.namespace = {}

    def spool_path(self):
        return os.path.join(self.root, "jupyter-runs", "spool", self.recorder.session_id + ".jsonl")

    def run_cells(self):
        for source in ("seed = 69", "print('rmse: 1.5')"):
            execute(self.recorder, self.namespace, source)
            self.recorder.flush()

    def test_events_go_to_the_spool_and_are_acknowledged(self):
        self.run_cells()
        self.recorder.at_exit()
        header, events, closed = read_spool(self.spool_path())
        self.assertEqual(header["format"], "jupyterlab-runs/spool")
        self.assertEqual(header["notebook"], "project/train.ipynb")
        self.assertEqual(header["session"], self.recorder.session_id)
        self.assertTrue(closed)
        kinds = [event["kind"] for event in events]
        self.assertEqual(kinds[:2], ["session", "run_start"])
        self.assertEqual(kinds[-1], "run_end")
        self.assertEqual([e["source"] for e in events if e["kind"] == "execution"], ["seed = 69", "print('rmse: 1.5')"])
        self.assertIn(("seed", 69), [(e["name"], e["value"]) for e in events if e["kind"] == "param"])
        self.assertIn("rmse", [e["name"] for e in events if e["kind"] == "metric"])
        self.assertEqual([e["seq"] for e in events], list(range(1, len(events) + 1)))
        self.assertEqual(len(self.recorder.buffer), 0, "spooled events are acknowledged")

    def test_nothing_is_spooled_until_the_notebook_is_known(self):
        execute(self.recorder, self.namespace, "unknown_cell = 1")
        self.recorder.flush()
        self.assertIsNone(self.recorder.spool.path)
        self.assertGreater(len(self.recorder.buffer), 0, "events wait in the buffer")

    def test_a_notebook_with_tracking_off_records_nothing(self):
        metadata = {"jupyterlab_runs": {"tracking": False}}
        write_notebook(os.path.join(self.folder, "train.ipynb"), ["seed = 69"], metadata)
        execute(self.recorder, self.namespace, "seed = 69")
        self.recorder.flush()
        self.recorder.at_exit()
        self.assertFalse(os.path.exists(self.spool_path()))
        self.assertEqual(len(self.recorder.buffer), 0)
        self.assertFalse(self.recorder.tracking)

    def test_a_frontend_attaching_late_gets_the_spooled_events(self):
        self.run_cells()
        path = self.spool_path()
        self.assertTrue(os.path.exists(path))
        comm = FakeComm()
        self.recorder.on_comm_open(comm, {})
        comm.receive({"type": "hello", "after": 0})
        self.assertFalse(os.path.exists(path), "the spool file is taken back")
        seqs = [event["seq"] for event in comm.events()]
        self.assertEqual(seqs, list(range(1, self.recorder.seq + 1)))
        execute(self.recorder, self.namespace, "seed = 70")
        self.recorder.flush()
        self.assertFalse(os.path.exists(path), "a kernel a frontend attached to does not spool again")

    def test_exit_spools_what_the_frontend_did_not_acknowledge(self):
        self.recorder.configure({"notebook_path": "project/train.ipynb"})
        comm = FakeComm()
        self.recorder.on_comm_open(comm, {})
        comm.receive({"type": "hello", "after": 0})
        execute(self.recorder, self.namespace, "seed = 69")
        self.recorder.flush()
        comm.receive({"type": "ack", "upto": self.recorder.seq})
        acked = self.recorder.seq
        comm.close_callback(None)  # the tab is closed
        execute(self.recorder, self.namespace, "print('rmse: 1.5')")
        self.recorder.at_exit()
        header, events, closed = read_spool(self.spool_path())
        self.assertEqual(header["notebook"], "project/train.ipynb")
        self.assertTrue(closed)
        self.assertEqual(events[0]["seq"], acked + 1)
        self.assertEqual((events[-1]["kind"], events[-1]["status"]), ("run_end", "finished"))

    def test_a_headless_run_ends_as_its_last_cell(self):
        failing = "print('rmse: 1.5')\nraise ValueError('bad data')"
        write_notebook(os.path.join(self.folder, "train.ipynb"), ["seed = 69", failing])
        execute(self.recorder, self.namespace, "seed = 69")
        execute(self.recorder, self.namespace, failing)
        self.recorder.at_exit()
        _, events, _ = read_spool(self.spool_path())
        self.assertEqual((events[-1]["kind"], events[-1]["status"]), ("run_end", "failed"))

    def test_exit_without_a_store_writes_nothing(self):
        shutil.rmtree(os.path.join(self.root, "jupyter-runs"))
        self.recorder.configure({"notebook_path": "project/train.ipynb"})
        self.recorder.spool.frontend_seen = True
        execute(self.recorder, self.namespace, "seed = 69")
        with self.assertWarns(helper.RunsWarning), mock.patch.object(sys, "__stderr__", io.StringIO()):
            self.recorder.at_exit()
        self.assertFalse(os.path.exists(os.path.join(self.root, "jupyter-runs")))

    def test_spool_files_are_private(self):
        self.run_cells()
        self.assertEqual(stat.S_IMODE(os.stat(self.spool_path()).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(self.spool_path())).st_mode), 0o700)

    def test_appends_never_follow_a_symbolic_link(self):
        self.run_cells()
        target = os.path.join(self.root, "elsewhere.txt")
        with open(target, "w") as file:
            file.write("kept\n")
        os.remove(self.spool_path())
        os.symlink(target, self.spool_path())  # swapped in while the kernel runs
        execute(self.recorder, self.namespace, "seed = 70")
        self.recorder.flush()
        self.recorder.at_exit()
        with open(target) as file:
            self.assertEqual(file.read(), "kept\n")

    def test_a_spool_planted_in_a_shared_parent_receives_nothing(self):
        # The store above is outside the user's home folder and no server runs: a shared place, as /tmp is.
        os.makedirs(os.path.join(self.root, "jupyter-runs", "spool"))
        errors = io.StringIO()
        with mock.patch.dict(os.environ, {"HOME": self.folder}), mock.patch.object(sys, "__stderr__", errors):
            with self.assertWarns(helper.RunsWarning):
                self.run_cells()
                self.recorder.at_exit()
        self.assertEqual(os.listdir(os.path.join(self.root, "jupyter-runs", "spool")), [])
        self.assertIn("runs are not recorded: no Jupyter server is running", errors.getvalue())
        self.assertIn("no Jupyter server is running", self.recorder.summary()["spool_problem"])

    @unittest.skipUnless(AS_ROOT, "giving a folder to another user needs root")
    def test_a_store_of_another_user_receives_nothing(self):
        planted = os.path.join(self.folder, "jupyter-runs")
        make_store(planted)
        os.makedirs(os.path.join(planted, "spool"))
        foreign(planted)
        self.run_cells()
        self.recorder.at_exit()
        self.assertEqual(os.listdir(os.path.join(planted, "spool")), [])
        self.assertTrue(os.path.exists(self.spool_path()), "the user's own store above gets the run")

    def test_a_headless_run_without_a_lab_makes_no_store(self):
        shutil.rmtree(os.path.join(self.root, "jupyter-runs"))
        with self.assertWarns(helper.RunsWarning), mock.patch.object(sys, "__stderr__", io.StringIO()):
            self.run_cells()
            self.recorder.at_exit()
        self.assertEqual(sorted(os.listdir(self.root)), ["project"])
        self.assertEqual(os.listdir(self.folder), ["train.ipynb"])

    def test_a_notebook_outside_the_working_folder_is_reported(self):
        execute(self.recorder, self.namespace, "cell_of_another_notebook = 1")
        self.recorder.flush()
        self.assertIn("no notebook in", self.recorder.summary()["spool_problem"])
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            self.recorder.runs_magic("status")
        self.assertIn("Not recorded: no notebook in", output.getvalue())
        errors = io.StringIO()
        with self.assertWarns(helper.RunsWarning), mock.patch.object(sys, "__stderr__", errors):
            self.recorder.at_exit()
        self.assertIn("papermill needs --cwd", errors.getvalue())

    def test_notebooks_are_read_once_while_the_notebook_is_unknown(self):
        for number in range(20):
            write_notebook(os.path.join(self.folder, f"other-{number}.ipynb"), [f"x = {number}"])
        with mock.patch.object(helper, "_read_notebook", wraps=helper._read_notebook) as reads:
            execute(self.recorder, self.namespace, "cell_of_another_notebook = 1")
            self.recorder.flush()
            first = reads.call_count
            for _ in range(10):  # the background thread flushes every 0.5 s while events wait
                self.recorder.flush()
            self.assertEqual(reads.call_count, first)
            execute(self.recorder, self.namespace, "another_cell = 2")
            self.recorder.flush()
            self.assertEqual(reads.call_count, first, "unchanged notebooks are not read again")
        self.assertEqual(first, 21)


class NbclientTest(unittest.TestCase):
    """A notebook executed by nbclient, in a real kernel that loads the helper from the wheel's IPython startup file."""

    def test_executed_notebook_is_spooled(self):
        root = os.path.realpath(tempfile.mkdtemp(dir=SCRATCH))
        folder = os.path.join(root, "experiments")
        os.makedirs(folder)
        notebook = os.path.join(folder, "headless.ipynb")
        training = "for step in range(3):\n    print(f'[{step}]\\tvalidation-rmse:{5 - step}')"
        write_notebook(notebook, ["seed = 69\nlearning_rate = 0.1", training])
        ipython = tempfile.mkdtemp(dir=SCRATCH)
        os.makedirs(os.path.join(ipython, "profile_default", "startup"))
        shutil.copy(STARTUP_FILE, os.path.join(ipython, "profile_default", "startup"))
        runtime = tempfile.mkdtemp(dir=SCRATCH)
        with open(os.path.join(runtime, "jpserver-1.json"), "w", encoding="utf-8") as file:
            json.dump({"root_dir": root}, file)
        env = dict(os.environ, PYTHONPATH=REPO, IPYTHONDIR=ipython, JUPYTER_RUNTIME_DIR=runtime,
                   JUPYTERLAB_SETTINGS_DIR=tempfile.mkdtemp(dir=SCRATCH))  # fmt: skip
        script = ("import sys, nbformat, nbclient\n"
                  "nbclient.execute(nbformat.read(sys.argv[1], 4), cwd=sys.argv[2], kernel_name=sys.argv[3])")
        done = subprocess.run([sys.executable, "-c", script, notebook, folder, KERNEL_NAME], env=env, cwd=root,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        self.assertEqual(done.returncode, 0, done.stderr)
        spool = os.path.join(root, "jupyter-runs", "spool")
        files = os.listdir(spool)
        self.assertEqual(len(files), 1, files)
        header, events, closed = read_spool(os.path.join(spool, files[0]))
        self.assertEqual(header["notebook"], "experiments/headless.ipynb")
        self.assertTrue(closed, "the kernel closed its spool at exit")
        executions = [event for event in events if event["kind"] == "execution"]
        self.assertEqual(len(executions), 2)
        self.assertTrue(executions[0]["source"].startswith("seed = 69"))
        params = {event["name"]: event["value"] for event in events if event["kind"] == "param"}
        self.assertEqual((params["seed"], params["learning_rate"]), (69, 0.1))
        metric = [event for event in events if event["kind"] == "metric" and event["name"] == "validation-rmse"]
        self.assertEqual([point[1] for event in metric for point in event["points"]], [0, 1, 2])
        self.assertEqual(events[-1]["kind"], "run_end")
        self.assertEqual(events[-1]["status"], "finished")


if __name__ == "__main__":
    unittest.main()
