"""Course-style notebooks with today's ML libraries, run cell by cell in a real kernel of this environment.

Each notebook makes a small synthetic data set, trains with xgboost, lightgbm or scikit-learn the way their
documentation shows, and scores the model. The helper is attached the way the frontend attaches it; the tests read
what the kernel sends over the comm: the parameters (name, value, source, detail), the metrics (name, source, steps,
values), the runs, and the environment's packages.
"""

import importlib.util
import re
import tempfile
import unittest
from importlib import metadata

from jupyterlab_runs.tests._support import kinds, of_kind
from jupyterlab_runs.tests.test_kernel import Kernel, bootstrap_code

DATA_CELL = """\
import numpy as np
from sklearn.model_selection import train_test_split

rng = np.random.default_rng(7)
X = rng.normal(size=(600, 6))
y = X @ np.array([1.5, -2.0, 0.5, 0.0, 3.0, -1.0]) + rng.normal(scale=0.5, size=600)
X_train, X_valid, y_train, y_valid = train_test_split(X, y, test_size=0.25, random_state=42)"""

DATA_PARAMS = {"numpy.random.default_rng": 7, "train_test_split.random_state": 42}


def installed(*modules):
    return all(importlib.util.find_spec(module) is not None for module in modules)


def scalar_params(estimator, prefix):
    """What the helper records for an estimator: ``{prefix.param: value}`` for its scalar ``get_params()``."""
    found = {}
    for key, value in estimator.get_params().items():
        if isinstance(value, float) and value != value:
            found[f"{prefix}.{key}"] = "NaN"  # xgboost's `missing`
        elif value is None or type(value) in (bool, int, float, str):
            found[f"{prefix}.{key}"] = value
    return found


class NotebookTestCase(unittest.TestCase):
    """One kernel per class, the helper attached and one comm that said hello, like a tab; the class's ``PREAMBLE``
    cells (the data, the imports) run once. Each test reads only the events of its own cells."""

    PREAMBLE = (DATA_CELL,)

    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls.folder.cleanup)
        cls.kernel = Kernel(cls.folder.name, importable=True)
        cls.addClassCleanup(cls.kernel.stop)
        reply = cls.kernel.execute(bootstrap_code(), silent=True)["reply"]
        assert reply["status"] == "ok", reply
        cls.comm = cls.kernel.open_comm({"type": "hello", "after": 0})
        cls.cells = 0
        for source in cls.PREAMBLE:
            result = cls.kernel.execute(source, cell_id="preamble")
            assert result["reply"]["status"] == "ok", (source, result["errors"])

    def setUp(self):
        self.mark = len(self.kernel.events(self.comm))

    def cell(self, source):
        """Run one cell; returns what it printed. The cell must succeed."""
        type(self).cells += 1
        result = self.kernel.execute(source, cell_id=f"cell-{self.cells}")
        self.assertEqual(result["reply"]["status"], "ok", (source, result["errors"]))
        return result["output"]

    def events(self):
        """The events of this test's cells."""
        return self.kernel.events(self.comm)[self.mark :]

    def params(self, prefixes=None):
        """``{name: value}`` of every parameter recorded (the latest value), only names under ``prefixes`` if given."""
        found = {event["name"]: event["value"] for event in of_kind(self.events(), "param")}
        if prefixes is not None:
            found = {name: value for name, value in found.items() if name.split(".")[0] in prefixes}
        return found

    def param(self, name):
        """The last ``param`` event of ``name``."""
        [*_, event] = [event for event in of_kind(self.events(), "param") if event["name"] == name]
        return event

    def metric(self, name, source):
        """``[(value, step), ...]`` of a metric from one source."""
        return [(point[0], point[1]) for event in of_kind(self.events(), "metric")
                if event["name"] == name and event["source"] == source for point in event["points"]]  # fmt: skip

    def printed(self, output, name):
        """``[(value, step), ...]`` of an evaluation metric as the library printed it (``[3]\\tname:value``)."""
        pattern = r"^\[(\d+)\]\t.*?" + re.escape(name) + r":\s*([-\d.e]+)"
        return [(float(value), int(step)) for step, value in re.findall(pattern, output, re.MULTILINE)]


@unittest.skipUnless(installed("xgboost", "sklearn"), "xgboost and scikit-learn are not installed")
class XGBoostNotebookTest(NotebookTestCase):
    """xgboost's native API (DMatrix, xgb.train) and its scikit-learn API (XGBRegressor, XGBClassifier)."""

    PREAMBLE = (DATA_CELL, "import xgboost as xgb\ndtrain = xgb.DMatrix(X_train, label=y_train)\n"
                           "dvalid = xgb.DMatrix(X_valid, label=y_valid)")  # fmt: skip

    def test_should_record_the_keys_of_a_params_dict_passed_to_xgb_train(self):
        self.cell('params = {"objective": "reg:squarederror", "max_depth": 6, "eta": 0.3, "subsample": 0.8, "seed": 7}')
        output = self.cell(
            "booster = xgb.train(params, dtrain, num_boost_round=5,\n"
            '                    evals=[(dtrain, "train"), (dvalid, "validation")], verbose_eval=True)'
        )
        self.assertEqual(self.params({"booster"}), {
            "booster.objective": "reg:squarederror", "booster.max_depth": 6, "booster.eta": 0.3,
            "booster.subsample": 0.8, "booster.seed": 7, "booster.num_boost_round": 5,
            "booster.early_stopping_rounds": None, "booster.maximize": None,
        })  # fmt: skip
        event = self.param("booster.max_depth")
        self.assertEqual((event["source"], event["detail"]), ("estimator", "xgboost.training.train"))
        self.assertEqual(self.params({"params"}), {
            "params.objective": "reg:squarederror", "params.max_depth": 6, "params.eta": 0.3, "params.subsample": 0.8,
            "params.seed": 7,
        })  # fmt: skip
        self.assertNotIn("xgb.train.seed", self.params())  # the training call covers its own seed

        # verbose_eval's lines: one point per round and name, the step the round.
        for name in ("train-rmse", "validation-rmse"):
            printed = self.printed(output, name)
            self.assertEqual([step for _, step in printed], [0, 1, 2, 3, 4])
            self.assertEqual(self.metric(name, "output"), printed)

        # A trailing scoring call, as scikit-learn spells it today, gives the same RMSE as xgboost's last round.
        self.cell("from sklearn.metrics import root_mean_squared_error\n"
                  "root_mean_squared_error(y_valid, booster.predict(dvalid))")  # fmt: skip
        [(rmse, step)] = self.metric("root_mean_squared_error", "scoring-call")
        self.assertIsNone(step)
        self.assertAlmostEqual(rmse, self.metric("validation-rmse", "output")[-1][0], places=4)

    def test_should_start_a_new_run_before_a_timed_training_with_more_rounds(self):
        train = ('%%time\nmodel = xgb.train(tuned, dtrain, num_boost_round={}, evals=[(dvalid, "validation")], '
                 "verbose_eval=True)")  # fmt: skip
        self.cell('tuned = {"max_depth": 4, "eta": 0.2}')
        self.cell(train.format(3))
        first = self.param("model.num_boost_round")["run"]
        mark = len(self.events())
        self.cell(train.format(6))
        after = self.events()[mark:]
        self.assertEqual(kinds(after)[:2], ["run_end", "run_start"])
        self.assertEqual((after[0]["run"], after[1]["reason"]), (first, "param-changed"))
        second = after[1]["run"]
        self.assertEqual(of_kind(after, "execution")[0]["run"], second)
        # Every point of the second training is in the new run, streamed while it trained.
        validation = [event for event in after if event["kind"] == "metric" and event["name"] == "validation-rmse"]
        self.assertEqual({event["run"] for event in validation}, {second})
        self.assertEqual([point[1] for event in validation for point in event["points"]], [0, 1, 2, 3, 4, 5])
        self.assertEqual((self.param("model.num_boost_round")["value"], self.param("model.num_boost_round")["run"]),
                         (6, second))  # fmt: skip

    def test_should_record_a_params_dict_written_in_the_call(self):
        self.cell('quick = xgb.train(params={"max_depth": 2, "eta": 0.5}, dtrain=dtrain, num_boost_round=3)')
        self.assertEqual(self.params({"quick"}), {
            "quick.max_depth": 2, "quick.eta": 0.5, "quick.num_boost_round": 3, "quick.early_stopping_rounds": None,
            "quick.maximize": None,
        })  # fmt: skip

    def test_should_record_the_data_preparation(self):
        recorded = {event["name"]: event["value"] for event in of_kind(self.kernel.events(self.comm), "param")}
        self.assertEqual({name: recorded.get(name) for name in DATA_PARAMS}, DATA_PARAMS)

    def test_should_record_xgboost_estimators_and_their_evaluation(self):
        import xgboost as xgb

        output = self.cell(
            "from xgboost import XGBClassifier, XGBRegressor\n"
            'p = {"n_estimators": 4, "max_depth": 3, "learning_rate": 0.2}\n'
            "reg = XGBRegressor(**p)\n"
            "reg.fit(X_train, y_train, eval_set=[(X_valid, y_valid)], verbose=True)"
        )
        expected = scalar_params(xgb.XGBRegressor(n_estimators=4, max_depth=3, learning_rate=0.2), "reg")
        self.assertEqual(self.params({"reg"}), expected)
        self.assertEqual((expected["reg.max_depth"], expected["reg.n_estimators"]), (3, 4))
        self.assertEqual(self.param("reg.learning_rate")["detail"], "xgboost.sklearn.XGBRegressor")
        self.assertEqual(self.params({"p"}), {"p.n_estimators": 4, "p.max_depth": 3, "p.learning_rate": 0.2})
        printed = self.printed(output, "validation_0-rmse")
        self.assertEqual([step for _, step in printed], [0, 1, 2, 3])
        self.assertEqual(self.metric("validation_0-rmse", "output"), printed)

        self.cell("reg.score(X_valid, y_valid)")
        score = float(self.cell("print(float(reg.score(X_valid, y_valid)))"))
        self.assertEqual(self.metric("reg.score", "scoring-call"), [(score, None)])

        output = self.cell(
            "clf = XGBClassifier(max_depth=3, n_estimators=3, eval_metric='logloss')\n"
            "clf.fit(X_train, y_train > 0, eval_set=[(X_valid, y_valid > 0)], verbose=True)"
        )
        expected = scalar_params(xgb.XGBClassifier(max_depth=3, n_estimators=3, eval_metric="logloss"), "clf")
        self.assertEqual(self.params({"clf"}), expected)
        self.assertEqual(self.metric("validation_0-logloss", "output"), self.printed(output, "validation_0-logloss"))
        self.assertEqual(len(self.metric("validation_0-logloss", "output")), 3)

        self.cell("from sklearn.metrics import accuracy_score\naccuracy_score(y_valid > 0, clf.predict(X_valid))")
        accuracy = float(self.cell("print(float(accuracy_score(y_valid > 0, clf.predict(X_valid))))"))
        self.assertEqual(self.metric("accuracy_score", "scoring-call"), [(accuracy, None)])


@unittest.skipUnless(installed("lightgbm", "sklearn"), "lightgbm and scikit-learn are not installed")
class LightGBMNotebookTest(NotebookTestCase):
    PREAMBLE = (DATA_CELL, "import lightgbm as lgb\ntrain_set = lgb.Dataset(X_train, label=y_train)\n"
                           "valid_set = lgb.Dataset(X_valid, label=y_valid, reference=train_set)")  # fmt: skip

    def test_should_record_lgb_train_params_and_log_evaluation_lines(self):
        output = self.cell(
            'p = {"objective": "regression", "learning_rate": 0.1, "num_leaves": 15, "verbose": -1, "seed": 3}\n'
            "model = lgb.train(p, train_set, num_boost_round=6, valid_sets=[valid_set],\n"
            "                  callbacks=[lgb.log_evaluation(2)])"
        )
        self.assertEqual(self.params({"model"}), {
            "model.objective": "regression", "model.learning_rate": 0.1, "model.num_leaves": 15, "model.verbose": -1,
            "model.seed": 3, "model.num_boost_round": 6,
        })  # fmt: skip
        self.assertEqual(self.param("model.num_leaves")["detail"], "lightgbm.engine.train")
        printed = self.printed(output, "valid_0's l2")
        self.assertEqual([step for _, step in printed], [2, 4, 6])
        self.assertEqual(self.metric("valid_0's l2", "output"), printed)

        self.cell("from sklearn.metrics import r2_score\nr2_score(y_valid, model.predict(X_valid))")
        r2 = float(self.cell("print(float(r2_score(y_valid, model.predict(X_valid))))"))
        self.assertEqual(self.metric("r2_score", "scoring-call"), [(r2, None)])

    def test_should_record_lightgbm_estimators_built_from_a_dict(self):
        import lightgbm as lgb

        output = self.cell(
            'small = {"n_estimators": 4, "num_leaves": 15, "verbose": -1, "seed": 3}\n'
            "lgbm = lgb.LGBMRegressor(**small)\n"
            "lgbm.fit(X_train, y_train, eval_X=(X_valid,), eval_y=(y_valid,), callbacks=[lgb.log_evaluation(1)])"
        )
        expected = scalar_params(lgb.LGBMRegressor(n_estimators=4, num_leaves=15, verbose=-1, seed=3), "lgbm")
        self.assertEqual(self.params({"lgbm"}), expected)
        self.assertEqual((expected["lgbm.num_leaves"], expected["lgbm.seed"]), (15, 3))
        self.assertEqual(self.param("lgbm.num_leaves")["detail"], "lightgbm.sklearn.LGBMRegressor")
        printed = self.printed(output, "valid_0's l2")
        self.assertEqual([step for _, step in printed], [1, 2, 3, 4])
        self.assertEqual(self.metric("valid_0's l2", "output"), printed)


@unittest.skipUnless(installed("sklearn"), "scikit-learn is not installed")
class ScikitLearnNotebookTest(NotebookTestCase):
    def test_should_record_set_params_and_the_scoring_calls(self):
        from sklearn.ensemble import RandomForestRegressor
        from sklearn.linear_model import LogisticRegression

        self.cell(
            "from sklearn.ensemble import RandomForestRegressor\n"
            'best = {"n_estimators": 20, "max_depth": 4, "min_samples_leaf": 2}\n'
            "forest = RandomForestRegressor(random_state=0).set_params(**best)\n"
            "forest.fit(X_train, y_train)"
        )
        best = {"n_estimators": 20, "max_depth": 4, "min_samples_leaf": 2}
        expected = scalar_params(RandomForestRegressor(random_state=0).set_params(**best), "forest")
        self.assertEqual(self.params({"forest"}), expected)
        self.assertEqual(self.param("forest.max_depth")["detail"], "sklearn.ensemble._forest.RandomForestRegressor")
        self.assertEqual(self.params({"best"}), {"best.n_estimators": 20, "best.max_depth": 4,
                                                 "best.min_samples_leaf": 2})  # fmt: skip
        self.assertNotIn("RandomForestRegressor.random_state", self.params())  # the estimator covers its keyword

        self.cell("forest.score(X_valid, y_valid)")
        self.cell("from sklearn.metrics import root_mean_squared_error\n"
                  "root_mean_squared_error(y_valid, forest.predict(X_valid))")  # fmt: skip
        checks = self.cell("print(float(forest.score(X_valid, y_valid)))\n"
                           "print(float(root_mean_squared_error(y_valid, forest.predict(X_valid))))")  # fmt: skip
        score, rmse = (float(line) for line in checks.split())
        self.assertEqual(self.metric("forest.score", "scoring-call"), [(score, None)])
        self.assertEqual(self.metric("root_mean_squared_error", "scoring-call"), [(rmse, None)])

        self.cell(
            "from sklearn.linear_model import LogisticRegression\n"
            "from sklearn.metrics import f1_score, roc_auc_score\n"
            "labels_train, labels_valid = y_train > 0, y_valid > 0\n"
            "clf = LogisticRegression(max_iter=200)\n"
            "clf.set_params(C=0.5)\n"
            "clf.fit(X_train, labels_train)"
        )
        self.assertEqual(self.params({"clf"}), scalar_params(LogisticRegression(max_iter=200, C=0.5), "clf"))
        self.cell("f1_score(labels_valid, clf.predict(X_valid))")
        self.cell("roc_auc_score(labels_valid, clf.predict_proba(X_valid)[:, 1])")
        checks = self.cell("print(float(f1_score(labels_valid, clf.predict(X_valid))))\n"
                           "print(float(roc_auc_score(labels_valid, clf.predict_proba(X_valid)[:, 1])))")  # fmt: skip
        f1, auc = (float(line) for line in checks.split())
        self.assertEqual(self.metric("f1_score", "scoring-call"), [(f1, None)])
        self.assertEqual(self.metric("roc_auc_score", "scoring-call"), [(auc, None)])

        # Tuning C with set_params(**dict) after those metrics: the new run begins before the execution.
        first = self.param("clf.C")["run"]
        mark = len(self.events())
        self.cell('tuned = {"C": 2.0}\nclf.set_params(**tuned)\nclf.fit(X_train, labels_train)')
        after = self.events()[mark:]
        self.assertEqual(kinds(after)[:3], ["run_end", "run_start", "execution"])
        self.assertEqual((after[0]["run"], after[1]["reason"]), (first, "param-changed"))
        self.assertEqual((self.param("clf.C")["value"], self.param("clf.C")["run"]), (2.0, after[1]["run"]))

    def test_should_list_packages_by_their_distribution_names(self):
        [session] = of_kind(self.kernel.events(self.comm), "session")
        packages = session["env"]["packages"]
        # By the name pip installs them by (scikit-learn, xgboost-cpu), never the module's (sklearn, xgboost).
        providers = metadata.packages_distributions()
        for module in ("sklearn", "xgboost", "lightgbm", "numpy", "ipykernel"):
            for name in providers.get(module, []):
                self.assertEqual(packages.get(name), metadata.version(name), name)
        self.assertNotIn("sklearn", packages)
        self.assertIn("scikit-learn", packages)
        self.assertEqual(session["env"]["kernel"]["ipykernel"], metadata.version("ipykernel"))

if __name__ == "__main__":
    unittest.main()
