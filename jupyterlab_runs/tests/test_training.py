"""Parameters of training calls (``xgb.train(params, dtrain, num_boost_round=100)``, ``lgb.train``, ``*.cv``), and
the dicts estimators get through ``**``: read from the source before a cell runs and from the namespace after."""

import importlib.util
import types
import unittest
from unittest import mock

from jupyterlab_runs import helper, training


def library(name, module):
    """A stand-in for xgboost or lightgbm: ``train`` and ``cv`` with the real ones' module, name and signature."""

    def train(params, dtrain, num_boost_round=10, *, evals=None, early_stopping_rounds=None, maximize=None,
              verbose_eval=True, callbacks=None):  # fmt: skip
        return "booster"

    def cv(params, dtrain, num_boost_round=10, *, nfold=3, stratified=False, metrics=(), seed=0, shuffle=True,
           early_stopping_rounds=None, maximize=None, verbose_eval=None):  # fmt: skip
        return {}

    def lgb_train(params, train_set, num_boost_round=100, valid_sets=None, callbacks=None):
        return "booster"

    fake = types.ModuleType(name)
    if name == "lightgbm":
        lgb_train.__name__ = "train"
        fake.train = lgb_train
    else:
        fake.train, fake.cv = train, cv
    for function in vars(fake).values():
        if callable(function):
            function.__module__, function.__qualname__ = module, function.__name__
    return fake


XGB = library("xgboost", "xgboost.training")
LGB = library("lightgbm", "lightgbm.engine")


def run_cell(source, namespace):
    """Predict the parameters of ``source``, run it, observe them: ``(predicted, {name: (value, source, detail)})``."""
    cell = helper.analyze_source(source)
    predicted = helper.predict_params(cell, namespace)
    exec(source, namespace)
    observed = helper.observe_params(cell, namespace)
    return predicted, {name: (p["value"], p["source"], p["detail"]) for name, p in observed.items()}


def only(found, prefix):
    return {name: value for name, value in found.items() if name.startswith(prefix + ".")}


class TrainingFunctionTest(unittest.TestCase):
    def test_should_recognise_training_functions_by_module_and_name(self):
        self.assertEqual(training.training_function(XGB.train), ("xgboost", "train"))
        self.assertEqual(training.training_function(XGB.cv), ("xgboost", "cv"))
        self.assertEqual(training.training_function(LGB.train), ("lightgbm", "train"))

        def train(params, data):
            return None

        self.assertIsNone(training.training_function(train))  # a notebook's own train()
        self.assertIsNone(training.training_function(types.SimpleNamespace(__module__="xgboost", __name__="train")))

    def test_should_recognise_a_call_spelled_like_one_before_its_library_is_imported(self):
        for callee, expected in (("xgb.train", ("xgboost", "train")), ("lightgbm.cv", ("lightgbm", "cv")),
                                 ("lgb.train", ("lightgbm", "train")), ("model.train", None), ("train", None),
                                 ("xgb.DMatrix", None), ("a.xgb.train", None)):  # fmt: skip
            with self.subTest(callee):
                self.assertEqual(training.training_function(None, callee), expected)

    def test_should_only_look_at_calls_named_train_or_cv(self):
        self.assertTrue(training.may_train("xgb.train"))
        self.assertTrue(training.may_train("cv"))
        self.assertFalse(training.may_train("xgb.DMatrix"))

    @unittest.skipUnless(importlib.util.find_spec("xgboost") and importlib.util.find_spec("lightgbm"),
                         "xgboost and lightgbm are not installed")  # fmt: skip
    def test_should_read_the_real_libraries_signatures(self):
        import lightgbm
        import xgboost

        for function, key, path, rounds in ((xgboost.train, ("xgboost", "train"), "xgboost.training.train", 10),
                                            (xgboost.cv, ("xgboost", "cv"), "xgboost.training.cv", 10),
                                            (lightgbm.train, ("lightgbm", "train"), "lightgbm.engine.train", 100),
                                            (lightgbm.cv, ("lightgbm", "cv"), "lightgbm.engine.cv", 100)):  # fmt: skip
            with self.subTest(path):
                self.assertEqual(training.training_function(function), key)
                self.assertEqual(training.function_path(function), path)
                positional, defaults = training._signature(function)
                self.assertEqual(positional[:3][::2], ("params", "num_boost_round"))
                self.assertEqual(defaults["num_boost_round"], rounds)


class TrainingCallTest(unittest.TestCase):
    def namespace(self, **names):
        return {"xgb": XGB, "lgb": LGB, "dtrain": object(), **names}

    def test_should_record_the_keys_of_a_params_dict_passed_to_xgb_train(self):
        namespace = self.namespace(params={"max_depth": 6, "eta": 0.3, "objective": "reg:squarederror", "tree": [1]})
        predicted, observed = run_cell("booster = xgb.train(params, dtrain, num_boost_round=50)", namespace)
        expected = {"booster.max_depth": 6, "booster.eta": 0.3, "booster.objective": "reg:squarederror",
                    "booster.num_boost_round": 50, "booster.early_stopping_rounds": None,
                    "booster.maximize": None}  # fmt: skip
        self.assertEqual({name: value for name, (value, _, _) in observed.items()}, expected)
        self.assertEqual(predicted, expected)
        self.assertEqual(observed["booster.eta"][1:], ("estimator", "xgboost.training.train"))

    def test_should_record_the_function_defaults_of_arguments_not_given(self):
        _, observed = run_cell("booster = xgb.train({'eta': 0.1}, dtrain)", self.namespace())
        self.assertEqual(observed["booster.num_boost_round"][0], 10)
        _, observed = run_cell("booster = xgb.train({'eta': 0.1}, dtrain, 20)", self.namespace())
        self.assertEqual(observed["booster.num_boost_round"][0], 20)  # given by position

    def test_should_name_an_unassigned_call_after_the_function(self):
        _, observed = run_cell("xgb.cv({'max_depth': 2}, dtrain, nfold=5, seed=7, metrics='rmse')", self.namespace())
        self.assertEqual(only({n: v for n, (v, _, _) in observed.items()}, "xgb.cv"), {
            "xgb.cv.max_depth": 2, "xgb.cv.nfold": 5, "xgb.cv.seed": 7, "xgb.cv.metrics": "rmse",
            "xgb.cv.num_boost_round": 10, "xgb.cv.stratified": False, "xgb.cv.shuffle": True,
            "xgb.cv.early_stopping_rounds": None, "xgb.cv.maximize": None,
        })  # fmt: skip
        self.assertEqual(observed["xgb.cv.seed"][1], "estimator")  # the call covers its seed: not a `keyword`

    def test_should_read_dicts_written_in_the_call(self):
        namespace = self.namespace(base={"max_depth": 3, "eta": 0.5}, eta=0.05)
        table = [
            ("m = xgb.train(params={'max_depth': 4, 'subsample': 0.8}, dtrain=dtrain)",
             {"max_depth": 4, "subsample": 0.8}),
            ("m = xgb.train({**base, 'eta': eta}, dtrain)", {"max_depth": 3, "eta": 0.05}),
            ("m = xgb.train({'eta': 1.0, **base}, dtrain)", {"max_depth": 3, "eta": 0.5}),
            ("m = xgb.train({'eta': 1.0, **unknown()}, dtrain)", {}),
            ("m = xgb.train({'max_depth': 2, 'eta': unknown()}, dtrain)", {"max_depth": 2}),
            ("m = xgb.train(dict(max_depth=5, eta=eta), dtrain)", {"max_depth": 5, "eta": 0.05}),
            ("m = xgb.train(dict(base, eta=0.2), dtrain)", {"max_depth": 3, "eta": 0.2}),
        ]  # fmt: skip
        arguments = {"m.num_boost_round": 10, "m.early_stopping_rounds": None, "m.maximize": None}
        for source, expected in table:
            with self.subTest(source):
                namespace["unknown"] = lambda: {"eta": 9.0}
                predicted, observed = run_cell(source, namespace)
                expected = {**{f"m.{key}": value for key, value in expected.items()}, **arguments}
                self.assertEqual({name: value for name, (value, _, _) in observed.items()}, expected)
                self.assertEqual(predicted, expected)

    def test_should_predict_a_call_whose_library_the_cell_imports(self):
        cell = helper.analyze_source("import xgboost as xgb\nbooster = xgb.train({'max_depth': 3}, dtrain, 30)")
        # Before the cell runs, xgb is not in the namespace: what the call spells out, without defaults.
        self.assertEqual(helper.predict_params(cell, {"dtrain": 1}), {"booster.max_depth": 3,
                                                                      "booster.num_boost_round": 30})  # fmt: skip

    def test_should_not_predict_a_dict_the_cell_changes_in_place(self):
        namespace = self.namespace(params={"eta": 0.3})
        for change in ("params['eta'] = 0.05", "params.update(eta=0.05)"):
            with self.subTest(change):
                predicted, observed = run_cell(f"{change}\nbooster = xgb.train(params, dtrain)", namespace)
                self.assertNotIn("booster.eta", predicted)
                self.assertEqual(observed["booster.eta"][0], 0.05)  # what the call got
                namespace["params"] = {"eta": 0.3}

    def test_should_predict_a_dict_literal_bound_in_the_same_cell(self):
        source = "params = {'eta': 0.1, 'depth': d}\nbooster = xgb.train(params, dtrain, num_boost_round=5)"
        predicted, observed = run_cell(source, self.namespace(d=4))
        self.assertEqual(only(predicted, "booster"), {"booster.eta": 0.1, "booster.num_boost_round": 5,
                                                      "booster.early_stopping_rounds": None,
                                                      "booster.maximize": None})  # fmt: skip
        self.assertEqual(observed["booster.depth"][0], 4)

    def test_should_not_read_a_params_dict_bound_by_a_loop(self):
        source = "for params in grid:\n    pass\nbooster = xgb.train(params, dtrain)"
        _, observed = run_cell(source, self.namespace(grid=[{"eta": 0.1}, {"eta": 0.2}]))
        self.assertNotIn("booster.eta", observed)
        _, observed = run_cell("for p in grid:\n    b = xgb.train(p, dtrain)", self.namespace(grid=[{"eta": 0.1}]))
        self.assertEqual(only(observed, "b"), {})  # inside a loop: one call per value, no single parameter

    def test_should_record_the_rounds_each_library_uses_when_the_dict_names_them_too(self):
        # lightgbm takes them from the dict over the argument; xgboost ignores the dict's entry.
        _, observed = run_cell("model = lgb.train({'num_boost_round': 7}, dtrain, num_boost_round=50)",
                               self.namespace())  # fmt: skip
        self.assertEqual(observed["model.num_boost_round"][0], 7)
        _, observed = run_cell("booster = xgb.train({'num_boost_round': 7}, dtrain)", self.namespace())
        self.assertEqual(observed["booster.num_boost_round"][0], 10)
        _, observed = run_cell("model = lgb.train({'num_leaves': 7}, dtrain)", self.namespace())
        self.assertEqual({n: v for n, (v, _, _) in observed.items()}, {"model.num_leaves": 7,
                                                                      "model.num_boost_round": 100})  # fmt: skip

    def test_should_record_no_defaults_when_keywords_come_from_a_dict(self):
        _, observed = run_cell("booster = xgb.train({'eta': 0.1}, dtrain, **options)", self.namespace(options={}))
        self.assertEqual({n: v for n, (v, _, _) in observed.items()}, {"booster.eta": 0.1})

    def test_should_redact_secret_looking_keys(self):
        _, observed = run_cell("booster = xgb.train({'api_key': 'abc'}, dtrain)", self.namespace())
        self.assertEqual(observed["booster.api_key"][0], helper.REDACTED)

    def test_should_ignore_a_notebooks_own_train_function(self):
        namespace = {"train": lambda params, data: None, "params": {"eta": 0.1}}
        self.assertEqual(run_cell("model = train(params, None)", namespace), ({}, {}))

    def test_should_work_without_the_training_module(self):
        # The frontend's copy of the helper is sent alone: training calls then give no parameters, and no error.
        with mock.patch.object(helper, "_training", None):
            predicted, observed = run_cell("params = {'eta': 0.1}\nbooster = xgb.train(params, dtrain)",
                                           self.namespace())  # fmt: skip
        self.assertEqual(predicted, {"params.eta": 0.1})
        self.assertEqual(set(observed), {"params.eta"})


class EstimatorDictTest(unittest.TestCase):
    """Estimators given their hyperparameters as a dict: ``XGBRegressor(**p)``, ``Ridge().set_params(**p)``."""

    def test_should_predict_the_entries_of_a_dict_passed_with_stars(self):
        from sklearn.linear_model import Ridge

        namespace = {"Ridge": Ridge, "p": {"alpha": 2.0, "fit_intercept": False}, "model": Ridge()}
        table = [
            ("model = Ridge(**p)", {"model.alpha": 2.0, "model.fit_intercept": False}),
            ("model = Ridge(alpha=1.0, **p)", {"model.alpha": 2.0, "model.fit_intercept": False}),
            ("model = Ridge(alpha=1.0).set_params(**p)", {"model.alpha": 2.0, "model.fit_intercept": False}),
            ("model = Ridge(alpha=1.0).set_params(**p).fit([[0], [1]], [0, 1])",
             {"model.alpha": 2.0, "model.fit_intercept": False}),
            ("model.set_params(**p)", {"model.alpha": 2.0, "model.fit_intercept": False}),
            ("model.set_params(tol=0.01, **{'alpha': 3.0})", {"model.alpha": 3.0, "model.tol": 0.01}),
            ("model = Ridge(alpha=1.0).set_params(**unknown())", {}),
        ]  # fmt: skip
        for source, expected in table:
            with self.subTest(source):
                cell = helper.analyze_source(source)
                predicted = helper.predict_params(cell, dict(namespace, unknown=lambda: {}))
                self.assertEqual(predicted, expected)

    def test_should_not_predict_a_dict_the_cell_changes_before_passing_it(self):
        from sklearn.linear_model import Ridge

        cell = helper.analyze_source("p['alpha'] = 5.0\nmodel = Ridge(**p)")
        self.assertEqual(helper.predict_params(cell, {"Ridge": Ridge, "p": {"alpha": 2.0}}), {})


class TimedCellTest(unittest.TestCase):
    def test_should_read_the_body_of_a_time_magic(self):
        # What IPython makes of `%%time` and `%time`: the code runs in the namespace as if the cell were the code.
        body = "seed = 3\nbooster = xgb.train({'eta': 0.1}, dtrain, num_boost_round=4)\n" + "# " + "x" * 300
        cell = helper.analyze_source(f"get_ipython().run_cell_magic('time', '', {body!r})")
        self.assertEqual(cell.assignments, [("seed", 3, "seed = 3")])
        self.assertEqual(helper.predict_params(cell, {"xgb": XGB, "dtrain": 1})["booster.num_boost_round"], 4)
        cell = helper.analyze_source("get_ipython().run_line_magic('time', 'mean_squared_error(y, p)')")
        self.assertEqual(cell.scoring[0], "mean_squared_error")
        for other in ("get_ipython().run_cell_magic('capture', '', 'seed = 3')",
                      "get_ipython().run_cell_magic('time', '', '')",
                      "x = 1\nget_ipython().run_line_magic('time', 'seed = 2')"):  # fmt: skip
            with self.subTest(other):
                assignments = helper.analyze_source(other).assignments
                self.assertEqual(assignments, [("x", 1, "x = 1")] if other.startswith("x") else [])


if __name__ == "__main__":
    unittest.main()
