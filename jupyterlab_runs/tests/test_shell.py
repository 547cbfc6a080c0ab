"""The helper on a real (in-process) IPython shell: hooks, transformed sources, the %runs magic, the output tee."""

import contextlib
import os
import tempfile
import unittest

from jupyterlab_runs import helper
from jupyterlab_runs.tests._support import CapturedOutput, kinds, of_kind, params_by_name, points


class ShellTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.enabled = False
        cls.shell = InteractiveShell.instance(config=config)

    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.addCleanup(self.folder.cleanup)
        cwd = os.getcwd()
        os.chdir(self.folder.name)
        self.addCleanup(os.chdir, cwd)
        self.recorder = helper.Recorder()
        self.recorder.install(self.shell)
        self.addCleanup(self.recorder.uninstall)
        self.recorder.ensure_session()
        self.output = CapturedOutput()

    def cell(self, source, cell_id=None):
        with contextlib.redirect_stdout(self.output):
            return self.shell.run_cell(source, store_history=True, cell_id=cell_id)

    def events(self):
        return self.recorder.events_after(0)

    def test_cells_params_metrics_and_magic(self):
        self.cell("seed = 69\nalpha = 0.1", cell_id="a")
        self.cell("for step in range(3):\n    print(f'[{step}]\\tvalidation-rmse:{3 - step}')", cell_id="b")
        self.cell("%runs tag dataset v2\n%runs note 'first try'", cell_id="c")
        self.cell("%runs status", cell_id="d")
        events = self.events()
        executions = of_kind(events, "execution")
        self.assertEqual([e["source"] for e in executions][2], "%runs tag dataset v2\n%runs note 'first try'")
        self.assertEqual([e["cell_id"] for e in executions], ["a", "b", "c", "d"])
        self.assertEqual([e["exec"] for e in executions], [1, 2, 3, 4])
        self.assertTrue(all(isinstance(e["execution_count"], int) for e in executions))
        self.assertEqual(params_by_name(events)["seed"]["value"], 69)
        self.assertEqual(points(events, "validation-rmse"), [(3.0, 0, 2), (2.0, 1, 2), (1.0, 2, 2)])
        self.assertEqual(of_kind(events, "tag")[0]["value"], "v2")
        self.assertEqual(of_kind(events, "note")[0]["text"], "first try")
        self.assertIn("Active run:", self.output.getvalue())
        self.assertIn("seed = 69", self.output.getvalue())

    def test_magic_start_and_end(self):
        self.cell("%runs start tuned")
        self.cell("x = 1")
        self.cell("%runs end")
        self.cell("y = 2")
        starts = of_kind(self.events(), "run_start")
        # The kernel-start run saw nothing before "tuned" began, so it was never announced.
        self.assertEqual([(s["reason"], s["name"]) for s in starts][0], ("user", "tuned"))
        self.assertEqual(starts[1]["reason"], "helper")
        self.assertEqual(kinds(self.events()).count("run_end"), 1)

    def test_a_cell_starting_its_own_run_gets_no_automatic_one(self):
        self.cell("alpha = 0.1")
        self.recorder.log_metric("loss", 1.0)
        self.cell("%runs start mine\nalpha = 0.2")
        reasons = [s["reason"] for s in of_kind(self.events(), "run_start")]
        self.assertEqual(reasons, ["kernel-start", "user"])

    def test_scoring_call_and_error(self):
        self.cell("from sklearn.metrics import r2_score\nr2_score([1, 2, 3], [1, 2, 3.5])")
        self.cell("undefined_name + 1")
        events = self.events()
        [metric] = of_kind(events, "metric")
        self.assertEqual((metric["name"], metric["source"]), ("r2_score", "scoring-call"))
        error = of_kind(events, "execution")[-1]["error"]
        self.assertEqual(error["name"], "NameError")
        self.assertFalse(any("interactiveshell.py" in line for line in error["traceback"]))

    def test_silent_executions_are_not_recorded(self):
        before = self.recorder.seq
        self.shell.run_cell("hidden = 1", silent=True)
        self.assertEqual(self.recorder.seq, before)

    def test_files_written_by_a_cell(self):
        self.cell("with open('out.txt', 'w') as f:\n    f.write('hello')")
        [event] = of_kind(self.events(), "file")
        self.assertEqual((event["path"], event["mode"], event["size"]), ("out.txt", "write", 5))

    def test_nested_run_cell_counts_once(self):
        self.cell("get_ipython().run_cell('inner = 1')\nouter = 2")
        self.assertEqual(len(of_kind(self.events(), "execution")), 1)
        self.assertEqual(set(params_by_name(self.events())), {"outer"})

    def test_attach_is_idempotent(self):
        summary = self.recorder.summary()
        self.recorder.install(self.shell)
        self.recorder.ensure_session()
        self.assertEqual(self.recorder.summary()["session"], summary["session"])
        self.cell("z = 3")
        self.assertEqual(len(of_kind(self.events(), "execution")), 1)


class LoadExtensionTest(unittest.TestCase):
    def test_load_ext_attaches_the_module_recorder(self):
        from IPython.core.interactiveshell import InteractiveShell

        shell = InteractiveShell.instance()
        self.addCleanup(helper._RECORDER.uninstall)
        # The test process is no headless job: at its exit the recorder has no notebook to spool for, and would say so.
        self.addCleanup(setattr, helper._RECORDER.spool, "enabled", False)
        with contextlib.redirect_stdout(CapturedOutput()):
            shell.run_cell("%load_ext jupyterlab_runs", store_history=True)
            source = "import jupyterlab_runs as runs\nlr = 0.01\nruns.log_metric('loss', 0.5)"
            shell.run_cell(source, store_history=True)
        self.assertIs(helper._RECORDER.shell, shell)
        events = helper._RECORDER.events_after(0)
        self.assertEqual(params_by_name(events)["lr"]["value"], 0.01)
        self.assertEqual(points(events, "loss")[-1][0], 0.5)

    def test_config_ignores_wrong_types(self):
        recorder = helper.Recorder()
        recorder.configure({"tracking": None, "env_allowlist": "PATH", "metric_patterns": ["^ppl$"], "extra": 1})
        self.assertTrue(recorder.tracking)
        self.assertEqual(recorder.config["env_allowlist"], [])
        self.assertEqual(recorder.config["extra"], 1)
        self.assertTrue(recorder.parser.is_metric_name("ppl"))


if __name__ == "__main__":
    unittest.main()
