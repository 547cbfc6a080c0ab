"""Values: parameter scalars, metric values (NaN, infinities, strings, booleans), steps, ids and names."""

import math
import re
import unittest
import warnings

import numpy as np

from jupyterlab_runs import _version, helper
from jupyterlab_runs.tests._support import FakeComm, of_kind


class ScalarTest(unittest.TestCase):
    def test_json_scalar(self):
        table = [
            (None, None), (True, True), (np.bool_(False), False), (3, 3), (np.int64(7), 7), (0.5, 0.5),
            (np.float32(0.25), 0.25), (float("nan"), "NaN"), (float("inf"), "Infinity"), (-math.inf, "-Infinity"),
            ("adam", "adam"), ("x" * 200, "x" * 200), ("x" * 201, helper._MISSING), ([1], helper._MISSING),
            (b"bytes", helper._MISSING), (1j, helper._MISSING), (object(), helper._MISSING),
        ]  # fmt: skip
        for value, expected in table:
            with self.subTest(value=repr(value)[:30]):
                result = helper.json_scalar(value)
                self.assertEqual(result, expected)
                self.assertIs(type(result), type(expected))

    def test_metric_float_accepts_numbers(self):
        table = [
            (1, 1.0), (0.5, 0.5), ("0.25", 0.25), ("1e-3", 1e-3), (np.float32(0.5), 0.5), (np.int64(4), 4.0),
            (np.array(2.5), 2.5), ("inf", math.inf), ("-Infinity", -math.inf),
        ]  # fmt: skip
        for value, expected in table:
            with self.subTest(value=repr(value)):
                self.assertEqual(helper.metric_float(value), expected)
        self.assertTrue(math.isnan(helper.metric_float("nan")))

    def test_metric_float_refuses_the_rest(self):
        for value in (True, False, np.bool_(True), "abc", "", None, [1.0], {"a": 1}, 1j, np.array([1.0, 2.0])):
            with self.subTest(value=repr(value)):
                with self.assertRaises(ValueError):
                    helper.metric_float(value)

    def test_encode_float(self):
        self.assertEqual(helper.encode_float(1.5), 1.5)
        self.assertEqual(helper.encode_float(float("nan")), "NaN")
        self.assertEqual(helper.encode_float(math.inf), "Infinity")
        self.assertEqual(helper.encode_float(-math.inf), "-Infinity")

    def test_same_value(self):
        self.assertTrue(helper._same_value(1, 1.0))
        self.assertFalse(helper._same_value(True, 1))
        self.assertTrue(helper._same_value("NaN", "NaN"))
        self.assertFalse(helper._same_value(None, 0))


class LogMetricValuesTest(unittest.TestCase):
    def setUp(self):
        self.recorder = helper.Recorder()
        self.recorder.ensure_session()

    def sent_points(self, name):
        comm = FakeComm()
        self.recorder.handle(comm, {"type": "hello", "after": 0})  # FakeComm.send checks strict JSON
        return [p for e in of_kind(comm.events(), "metric") if e["name"] == name for p in e["points"]]

    def test_non_finite_values_are_strings(self):
        for value in (float("nan"), math.inf, -math.inf, 1.5):
            self.recorder.log_metric("loss", value, step=1)
        self.assertEqual([p[0] for p in self.sent_points("loss")], ["NaN", "Infinity", "-Infinity", 1.5])

    def test_refused_values_warn_once_and_never_raise(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(3):
                self.recorder.log_metric("flag", True)
                self.recorder.log_metric("label", "high")
        self.assertEqual(len(caught), 2)
        self.assertTrue(all(issubclass(w.category, helper.RunsWarning) for w in caught))
        self.assertIn("boolean", str(caught[0].message))
        self.assertEqual(self.sent_points("flag") + self.sent_points("label"), [])

    def test_warnings_as_errors_still_do_not_raise(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            self.recorder.log_metric("flag2", False)
            self.recorder.log_metric("step", 1.0, step="three")
        self.assertEqual(self.sent_points("step")[0][1], None)

    def test_odd_arguments_never_raise(self):
        class Broken:
            def __float__(self):
                raise RuntimeError("no float for you")

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.recorder.log_metric(["unhashable"], "abc")
            self.recorder.log_metric("broken", Broken())
            self.recorder.log_metric("huge step", 1.0, step=1 << 70)
            self.recorder.log_metric(("tuple", "name"), 1.0, step=1)
        self.assertEqual([p[:2] for p in self.sent_points("('tuple', 'name')")], [[1.0, 1]])
        self.assertEqual([p[:2] for p in self.sent_points("huge step")], [[1.0, None]])
        self.assertEqual(self.sent_points("broken"), [])
        self.assertEqual(list(self.recorder.errors), [])

    def test_numeric_strings_and_numpy_values(self):
        self.recorder.log_metric("acc", "0.5", step=np.int64(2))
        self.recorder.log_metric("acc", np.float32(0.75), step=3.0)
        self.assertEqual([(p[0], p[1]) for p in self.sent_points("acc")], [(0.5, 2), (0.75, 3)])

    def test_points_carry_time_and_exec(self):
        self.recorder.log_metric("m", 2.0)
        value, step, moment, execution = self.sent_points("m")[0]
        self.assertEqual((value, step, execution), (2.0, None, None))
        self.assertIsInstance(moment, float)


class IdsAndNamesTest(unittest.TestCase):
    def test_ids_sort_by_time_and_never_collide(self):
        ids = [helper.new_id() for _ in range(5000)]
        self.assertEqual(len(set(ids)), len(ids))
        self.assertEqual(sorted(ids), ids)
        self.assertRegex(ids[0], r"^\d{8}T\d{9}Z-[0-9a-z]{6}$")

    def test_id_encodes_utc_time(self):
        import calendar
        import time

        before = time.time()
        stamp = helper.new_id()[:19]
        seconds = calendar.timegm(time.strptime(stamp[:15], "%Y%m%dT%H%M%S")) + int(stamp[15:18]) / 1000
        self.assertLess(abs(seconds - before), 1.0)

    def test_readable_names(self):
        name = helper.readable_name(3)
        self.assertRegex(name, r"^[a-z]+-[a-z]+-3$")
        self.assertIn(name.split("-")[0], helper.ADJECTIVES)

    def test_helper_version_matches_package(self):
        self.assertEqual(helper.HELPER_VERSION, _version.__version__)

    def test_user_random_state_is_untouched(self):
        import random

        random.seed(69)
        expected = [random.random() for _ in range(3)]
        random.seed(69)
        helper.new_id(), helper.readable_name(1)
        self.assertEqual([random.random() for _ in range(3)], expected)


class RegexSanityTest(unittest.TestCase):
    def test_patterns_compile_in_javascript_compatible_subset(self):
        # The TypeScript mirror needs the same patterns: no possessive quantifiers, atomic groups or \Z.
        for rule in helper._RULES:
            self.assertIsNone(re.search(r"\(\?>|\*\+|\+\+|\\Z|\\A", rule.regex.pattern), rule.regex.pattern)


if __name__ == "__main__":
    unittest.main()
