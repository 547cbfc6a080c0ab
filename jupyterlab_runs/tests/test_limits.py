"""Limits: a loop that logs too much gets a warning and a capped record, never a frozen kernel."""

import tracemalloc
import unittest
import warnings

from jupyterlab_runs import helper
from jupyterlab_runs.tests._support import execute, of_kind


class LimitsTestCase(unittest.TestCase):
    def setUp(self):
        self.recorder = helper.Recorder()
        self.recorder.root = "."
        self.recorder.ensure_session()

    def runs_warnings(self, caught):
        return [str(warning.message) for warning in caught if issubclass(warning.category, helper.RunsWarning)]


class MetricNamesTest(LimitsTestCase):
    def test_200000_distinct_names_are_capped_with_one_warning(self):
        # What it costs in time is a benchmark's business; what is kept decides it, and is checked here.
        tracemalloc.start()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for number in range(200_000):
                self.recorder.log_metric(f"metric_{number}", 0.5, step=number)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        self.assertLess(peak, 40 << 20, "memory stays bounded")
        messages = self.runs_warnings(caught)
        self.assertEqual(len(messages), 1, messages)
        self.assertIn("at most 1000 metric names", messages[0])
        names = {event["name"] for event in of_kind(self.recorder.events_after(0), "metric")}
        self.assertEqual(len(names), helper.MAX_NAMES_PER_RUN)
        self.assertIn("metric_0", names)
        self.assertNotIn(f"metric_{helper.MAX_NAMES_PER_RUN}", names)

    def test_names_already_recorded_keep_their_points(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for number in range(helper.MAX_NAMES_PER_RUN + 5):
                self.recorder.log_metric(f"m{number}", 1.0)
            self.recorder.log_metric("m0", 2.0)
        values = [point[0] for event in of_kind(self.recorder.events_after(0), "metric") if event["name"] == "m0"
                  for point in event["points"]]  # fmt: skip
        self.assertEqual(values, [1.0, 2.0])

    def test_a_new_run_may_record_names_again(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for number in range(helper.MAX_NAMES_PER_RUN + 1):
                self.recorder.log_metric(f"m{number}", 1.0)
            self.recorder.start_run("next")
            self.recorder.log_metric("late", 1.0)
        run = self.recorder.run.id
        self.assertIn("late", [e["name"] for e in of_kind(self.recorder.events_after(0), "metric") if e["run"] == run])


class ParamNamesTest(LimitsTestCase):
    def test_distinct_parameter_names_are_capped_with_one_warning(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for number in range(5_000):
                self.recorder.log_param(f"p{number}", number)
        self.assertEqual(len(self.runs_warnings(caught)), 1)
        self.assertEqual(len(self.recorder.run.params), helper.MAX_NAMES_PER_RUN)
        self.assertEqual(len(of_kind(self.recorder.events_after(0), "param")), helper.MAX_NAMES_PER_RUN)
        # A recorded name still takes a new value.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.recorder.log_param("p0", "changed")
        self.assertEqual(self.recorder.run.params["p0"]["value"], "changed")


class RunsPerMinuteTest(LimitsTestCase):
    def test_1000_alternating_calls_make_a_handful_of_runs(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for number in range(500):
                self.recorder.log_param("lr", number)
                self.recorder.log_metric("loss", 1.0 / (number + 1))
        starts = of_kind(self.recorder.events_after(0), "run_start")
        self.assertLessEqual(len(starts), 11, "the first run, then at most 10 a minute")
        self.assertEqual(len(self.runs_warnings(caught)), 1)
        # Past the limit the changes go into the current run: its value is the last one logged.
        self.assertEqual(self.recorder.run.params["lr"]["value"], 499)

    def test_the_limit_is_per_minute(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for number in range(helper.MAX_PARAM_RUNS_PER_MINUTE + 3):
                self.recorder.log_param("lr", number)
                self.recorder.log_metric("loss", 1.0)
            self.recorder.param_runs = type(self.recorder.param_runs)(t - 61 for t in self.recorder.param_runs)
            self.recorder.log_param("lr", "later")
        self.assertEqual(self.recorder.run.start_fields, None)
        self.assertEqual(self.recorder.run.reason, "param-changed")
        self.assertEqual(self.recorder.run.params["lr"]["value"], "later")

    def test_cells_changing_a_parameter_in_a_loop_are_limited_too(self):
        namespace = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for number in range(30):
                execute(self.recorder, namespace, f"seed = {number}\nprint('rmse: 1.5')")
        starts = of_kind(self.recorder.events_after(0), "run_start")
        self.assertEqual([event["reason"] for event in starts].count("param-changed"), helper.MAX_PARAM_RUNS_PER_MINUTE)


if __name__ == "__main__":
    unittest.main()
