"""Parameters read from the executed source: assignments, randomness keywords, seeding calls, estimators, and the
trailing scoring call."""

import contextlib
import io
import types
import unittest

from jupyterlab_runs import helper


def run_cell(source, namespace=None):
    """Analyse ``source``, predict its parameters, run it, observe them. Returns (predicted, observed values)."""
    namespace = {} if namespace is None else namespace
    cell = helper.analyze_source(source)
    predicted = helper.predict_params(cell, namespace)
    exec(source, namespace)
    observed = helper.observe_params(cell, namespace)
    return predicted, observed


def values(observed):
    return {name: param["value"] for name, param in observed.items()}


class AssignmentTest(unittest.TestCase):
    def test_simple_assignments(self):
        table = [
            ("seed = 69", {"seed": 69}),
            ("learning_rate = 1e-3", {"learning_rate": 0.001}),
            ("alpha = -0.5", {"alpha": -0.5}),
            ("use_gpu = False", {"use_gpu": False}),
            ("optimizer = 'adam'", {"optimizer": "adam"}),
            ("checkpoint = None", {"checkpoint": None}),
            ("a, b = 1, 2", {"a": 1, "b": 2}),
            ("[c, d] = [3, 'x']", {"c": 3, "d": "x"}),
            ("x = y = 5", {"x": 5, "y": 5}),
            ("epochs: int = 10", {"epochs": 10}),
            ("text = '" + "z" * 201 + "'", {}),
            ("data = [1, 2, 3]", {}),
            ("n = len('abc')", {}),
            ("blob = b'raw'", {}),
            ("def f():\n    inner = 3\nf()", {}),
            ("if True:\n    nested = 4", {}),
        ]
        for source, expected in table:
            with self.subTest(source[:40]):
                predicted, observed = run_cell(source)
                self.assertEqual(values(observed), expected)
                self.assertEqual(predicted, expected)
                for param in observed.values():
                    self.assertEqual(param["source"], "assignment")

    def test_provenance_detail_is_the_statement(self):
        _, observed = run_cell("seed = 69\nalpha = 0.1")
        self.assertEqual(observed["seed"], {"name": "seed", "value": 69, "source": "assignment", "detail": "seed = 69"})

    def test_value_is_read_back_after_the_cell(self):
        predicted, observed = run_cell("seed = 69\nseed += 1\nbatch = 32")
        self.assertEqual(values(observed), {"seed": 70, "batch": 32})
        self.assertEqual(predicted, {"batch": 32})  # seed is rebound in the cell: not predictable before it runs

    def test_augmented_assignment_alone_is_not_a_parameter(self):
        self.assertEqual(run_cell("i += 1", {"i": 1}), ({}, {}))

    def test_reassigned_to_an_object_is_dropped(self):
        _, observed = run_cell("model = 3\nmodel = [1]")
        self.assertEqual(values(observed), {})

    def test_dict_literals(self):
        predicted, observed = run_cell("params = {'max_depth': 3, 'eta': 0.1, 'seed': 42, 'tree': xs}", {"xs": [1]})
        expected = {"params.max_depth": 3, "params.eta": 0.1, "params.seed": 42}
        self.assertEqual(values(observed), expected)
        self.assertEqual(predicted, expected)

    def test_should_read_back_a_dict_changed_in_place_and_not_predict_it(self):
        predicted, observed = run_cell("params = {'eta': 0.1, 'depth': 3}\nparams['eta'] = 0.05")
        self.assertEqual(values(observed), {"params.eta": 0.05, "params.depth": 3})
        self.assertEqual(predicted, {})

    def test_secret_names_are_redacted(self):
        predicted, observed = run_cell("api_key = 'abc123'\nconfig = {'password': 'pw'}")
        self.assertEqual(values(observed), {"api_key": helper.REDACTED, "config.password": helper.REDACTED})
        self.assertEqual(predicted, {"api_key": helper.REDACTED, "config.password": helper.REDACTED})

    def test_syntax_error_gives_no_analysis(self):
        self.assertIsNone(helper.analyze_source("def ("))


class KeywordAndSeedTest(unittest.TestCase):
    def test_randomness_keywords_anywhere(self):
        namespace = {"split": lambda *a, **k: None, "seed": 7}
        table = [
            ("split([1], random_state=42)", {"split.random_state": 42}),
            ("split([1], random_state=seed)", {"split.random_state": 7}),
            ("split(seed=3)", {"split.seed": 3}),
            ("split(random_seed=-1)", {"split.random_seed": -1}),
            ("for i in range(2):\n    split(random_state=i)", {}),
            ("def f():\n    return split(random_state=11)\nf()", {"split.random_state": 11}),
            ("split(random_state=None)", {"split.random_state": None}),
        ]
        for source, expected in table:
            with self.subTest(source):
                predicted, observed = run_cell(source, dict(namespace))
                self.assertEqual(values(observed), expected)
                self.assertEqual(predicted, expected)
                for param in observed.values():
                    self.assertEqual((param["source"], param["detail"][:5]), ("keyword", "split"))

    def test_keyword_uses_a_seed_set_in_the_same_cell(self):
        namespace = {"split": lambda *a, **k: None}
        predicted, observed = run_cell("seed = 69\nsplit(random_state=seed)", namespace)
        self.assertEqual(predicted, {"seed": 69, "split.random_state": 69})
        self.assertEqual(values(observed), {"seed": 69, "split.random_state": 69})

    def test_seeding_calls(self):
        import random

        import numpy as np

        torch = types.ModuleType("torch")
        torch.manual_seed = lambda value: None
        tensorflow = types.ModuleType("tensorflow")
        tensorflow.random = types.SimpleNamespace(set_seed=lambda value: None)
        namespace = {"random": random, "np": np, "torch": torch, "tf": tensorflow, "s": 5}
        table = [
            ("random.seed(1)", {"random.seed": 1}),
            ("np.random.seed(s)", {"numpy.random.seed": 5}),
            ("import numpy\nnumpy.random.seed(2)", {"numpy.random.seed": 2}),
            ("rng = np.random.default_rng(seed=7)", {"numpy.random.default_rng": 7}),
            ("state = np.random.RandomState(3)", {"numpy.random.RandomState": 3}),
            ("torch.manual_seed(4)", {"torch.manual_seed": 4}),
            ("tf.random.set_seed(8)", {"tensorflow.random.set_seed": 8}),
            ("from numpy.random import default_rng\nrng = default_rng(9)", {"numpy.random.default_rng": 9}),
            ("np.random.default_rng()", {}),
            ("np.random.seed(s + 1)", {}),
        ]
        for source, expected in table:
            with self.subTest(source):
                _, observed = run_cell(source, dict(namespace))
                self.assertEqual(values(observed), expected)
                for param in observed.values():
                    self.assertEqual(param["source"], "seed-call")

    def test_bare_seed_only_when_it_is_a_seeding_function(self):
        import random

        _, observed = run_cell("from random import seed\nseed(12)", {})
        self.assertEqual(values(observed), {"random.seed": 12})
        _, observed = run_cell("seed(12)", {"seed": lambda value: None})
        self.assertEqual(values(observed), {})
        random.seed()


class EstimatorTest(unittest.TestCase):
    def test_sklearn_estimator_with_chained_fit(self):
        from sklearn.linear_model import Ridge

        import numpy as np

        namespace = {"Ridge": Ridge, "X": np.eye(3), "y": np.ones(3), "alpha": 0.5, "seed": 69}
        predicted, observed = run_cell("model = Ridge(alpha=alpha, random_state=seed).fit(X, y)", namespace)
        self.assertEqual(predicted, {"model.alpha": 0.5, "model.random_state": 69})
        self.assertEqual(observed["model.alpha"]["value"], 0.5)
        self.assertEqual(observed["model.random_state"]["value"], 69)
        self.assertEqual(observed["model.solver"]["value"], "auto")
        self.assertEqual(observed["model.alpha"]["source"], "estimator")
        self.assertEqual(observed["model.alpha"]["detail"], "sklearn.linear_model._ridge.Ridge")
        self.assertNotIn("Ridge.random_state", observed)  # the estimator covers its own keyword

    def test_pipeline_params_are_flattened(self):
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        namespace = {"make_pipeline": make_pipeline, "StandardScaler": StandardScaler,
                     "RandomForestClassifier": RandomForestClassifier}  # fmt: skip
        _, observed = run_cell("pipe = make_pipeline(StandardScaler(), RandomForestClassifier(max_depth=4))", namespace)
        self.assertEqual(observed["pipe.randomforestclassifier__max_depth"]["value"], 4)
        self.assertNotIn("pipe.steps", observed)  # not a scalar

    def test_xgboost_sklearn_api(self):
        import xgboost as xgb

        _, observed = run_cell("reg = xgb.XGBRegressor(n_estimators=5, max_depth=3, learning_rate=0.3)", {"xgb": xgb})
        self.assertEqual(observed["reg.max_depth"]["value"], 3)
        self.assertEqual(observed["reg.n_estimators"]["value"], 5)
        self.assertEqual(observed["reg.missing"]["value"], "NaN")
        self.assertTrue(observed["reg.max_depth"]["detail"].endswith("XGBRegressor"))

    def test_set_params_and_fit_point_at_existing_estimators(self):
        from sklearn.linear_model import Ridge

        namespace = {"model": Ridge(alpha=1.0)}
        predicted, observed = run_cell("model.set_params(alpha=2.0)", namespace)
        self.assertEqual(predicted, {"model.alpha": 2.0})
        self.assertEqual(observed["model.alpha"]["value"], 2.0)

    def test_non_estimators_and_classes_are_ignored(self):
        from sklearn.linear_model import Ridge

        namespace = {"Ridge": Ridge}
        _, observed = run_cell("cls = Ridge\nitems = dict(a=1)\nitems.update(b=2)", namespace)
        self.assertEqual(values(observed), {})

    def test_broken_get_params_is_survived(self):
        class Odd:
            def get_params(self, deep=True):
                raise RuntimeError("no")

        _, observed = run_cell("odd = Odd()\nok = 1", {"Odd": Odd})
        self.assertEqual(values(observed), {"ok": 1})

    def test_estimator_scan_is_bounded(self):
        from sklearn.linear_model import Ridge

        source = "\n".join(f"m{i} = Ridge(alpha={i})" for i in range(30))
        _, observed = run_cell(source, {"Ridge": Ridge})
        estimators = {name.split(".")[0] for name in observed}
        self.assertEqual(len(estimators), helper.MAX_ESTIMATORS)


class ScoringCallTest(unittest.TestCase):
    def score(self, source, namespace):
        cell = helper.analyze_source(source)
        *body, last = source.split("\n")
        with contextlib.redirect_stdout(io.StringIO()):
            exec("\n".join(body), namespace)
            value = eval(last, namespace)
        return helper.scoring_metric(cell, value, namespace)

    def test_scoring_calls(self):
        import math

        import numpy as np
        from sklearn import metrics
        from sklearn.linear_model import Ridge
        from sklearn.metrics import accuracy_score, mean_squared_error, root_mean_squared_error

        X, y = np.arange(6.0).reshape(3, 2), np.array([1.0, 2.0, 3.5])
        namespace = {
            "np": np, "math": math, "metrics": metrics, "mean_squared_error": mean_squared_error, "skm": metrics,
            "root_mean_squared_error": root_mean_squared_error,
            "accuracy_score": accuracy_score, "y": y, "p": y + 0.5, "model": Ridge().fit(X, y), "X": X,
            "custom_loss": lambda a, b: 0.25, "compute": lambda: 0.5, "labels": [1, 0, 1],
        }  # fmt: skip
        table = [
            ("mean_squared_error(y, p)", ("mean_squared_error", 0.25)),
            ("root_mean_squared_error(y, p)", ("root_mean_squared_error", 0.5)),
            ("np.sqrt(mean_squared_error(y, p))", ("root_mean_squared_error", 0.5)),
            ("metrics.r2_score(y, y)", ("r2_score", 1.0)),
            ("skm.mean_absolute_error(y, p)", ("mean_absolute_error", 0.5)),
            ("import sklearn.metrics\nsklearn.metrics.max_error(y, p)", ("max_error", 0.5)),
            ("accuracy_score(labels, labels)", ("accuracy_score", 1.0)),
            ("custom_loss(y, p)", ("custom_loss", 0.25)),
            ("model.score(X, y)", ("model.score", None)),
            ("compute()", None),
            ("print(mean_squared_error(y, p))", None),
            ("x = mean_squared_error(y, p)\nx", None),
            ("np.linalg.norm_error = lambda: 1.0\nnp.linalg.norm_error()", None),
            ("mean_squared_error(y, p) > 0", None),
        ]
        for source, expected in table:
            with self.subTest(source):
                got = self.score(source, dict(namespace))
                if expected is not None and expected[1] is None:
                    self.assertEqual(got[0], expected[0])
                else:
                    self.assertEqual(got, expected)

    def test_should_name_squared_false_a_root_mean_squared_error(self):
        # scikit-learn before 1.6 spelled the root as `squared=False`; notebooks written for it still say so.
        cell = helper.analyze_source("mean_squared_error(y, p, squared=False)")
        self.assertEqual(helper.scoring_metric(cell, 0.5, {}), ("root_mean_squared_error", 0.5))

    def test_non_numbers_are_not_metrics(self):
        cell = helper.analyze_source("accuracy_score(a, b)")
        self.assertIsNone(helper.scoring_metric(cell, True, {}))
        self.assertIsNone(helper.scoring_metric(cell, "0.5", {}))
        self.assertIsNone(helper.scoring_metric(cell, None, {}))
        self.assertEqual(helper.scoring_metric(cell, 1, {}), ("accuracy_score", 1.0))


if __name__ == "__main__":
    unittest.main()
