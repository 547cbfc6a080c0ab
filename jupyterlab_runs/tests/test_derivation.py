"""One change is one change: a parameter passed on from another names it in ``from``, and an estimator's
hyperparameters the code did not write are recorded as its defaults."""

import tempfile
import unittest

from jupyterlab_runs import helper
from jupyterlab_runs.tests._support import execute, params_by_name

SEED_STORY = """\
seed = 69
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=seed)
model = RandomForestRegressor(n_estimators=5, random_state=seed).fit(X_train, y_train)"""


def sklearn_namespace():
    import numpy as np
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import train_test_split

    rng = np.random.default_rng(0)
    return {
        "np": np,
        "X": rng.normal(size=(30, 2)),
        "y": rng.normal(size=30),
        "train_test_split": train_test_split,
        "RandomForestRegressor": RandomForestRegressor,
        "Ridge": Ridge,
    }


def observe(source, namespace, known=None):
    cell = helper.analyze_source(source)
    exec(source, namespace)
    return helper.observe_params(cell, namespace, known)


class DerivedFromTest(unittest.TestCase):
    def test_keywords_given_the_seed_variable_name_it(self):
        observed = observe(SEED_STORY, sklearn_namespace())
        self.assertNotIn("from", observed["seed"])
        self.assertEqual(observed["train_test_split.random_state"]["from"], "seed")
        self.assertEqual(observed["model.random_state"]["from"], "seed")
        self.assertEqual(observed["model.random_state"]["source"], "estimator")

    def test_a_literal_argument_is_the_users_own(self):
        observed = observe("seed = 69\nmodel = Ridge(alpha=0.5, random_state=69)", sklearn_namespace())
        self.assertNotIn("from", observed["model.random_state"])
        self.assertNotIn("from", observed["model.alpha"])

    def test_a_parameter_recorded_by_an_earlier_cell_is_a_parent(self):
        namespace = sklearn_namespace()
        namespace["alpha"] = 0.3
        observed = observe("model = Ridge(alpha=alpha)\nnp.random.seed(alpha_seed)", dict(namespace, alpha_seed=4),
                           known={"alpha": 0.3, "alpha_seed": 4})  # fmt: skip
        self.assertEqual(observed["model.alpha"]["from"], "alpha")
        self.assertEqual(observed["numpy.random.seed"]["from"], "alpha_seed")

    def test_a_variable_rebound_since_it_was_recorded_is_not_a_parent(self):
        namespace = dict(sklearn_namespace(), seed=7)
        observed = observe("model = Ridge(random_state=seed)", namespace, known={"seed": 69})
        self.assertEqual(observed["model.random_state"]["value"], 7)
        self.assertNotIn("from", observed["model.random_state"])

    def test_an_unrecorded_variable_is_not_a_parent(self):
        observed = observe("model = Ridge(random_state=rs)", dict(sklearn_namespace(), rs=3), known={})
        self.assertNotIn("from", observed["model.random_state"])


class EstimatorDefaultsTest(unittest.TestCase):
    def test_values_the_constructor_did_not_write_are_defaults(self):
        observed = observe(SEED_STORY, sklearn_namespace())
        self.assertEqual(observed["model.n_estimators"]["source"], "estimator")
        self.assertEqual(observed["model.random_state"]["source"], "estimator")
        self.assertEqual(observed["model.max_depth"]["source"], "estimator-default")
        self.assertEqual(observed["model.bootstrap"]["source"], "estimator-default")
        self.assertEqual(observed["model.max_depth"]["detail"], observed["model.n_estimators"]["detail"])

    def test_mapping_keys_count_as_written(self):
        namespace = dict(sklearn_namespace(), best={"alpha": 2.0, "solver": "svd"})
        observed = observe("model = Ridge(**best, **{'tol': 0.01}).set_params(max_iter=5)", namespace)
        for key in ("alpha", "solver", "tol", "max_iter"):
            self.assertEqual(observed[f"model.{key}"]["source"], "estimator", key)
        self.assertEqual(observed["model.fit_intercept"]["source"], "estimator-default")

    def test_an_unreadable_mapping_leaves_nothing_called_a_default(self):
        namespace = dict(sklearn_namespace(), make=lambda: {"alpha": 2.0})
        observed = observe("model = Ridge(**make())", namespace)
        self.assertEqual({param["source"] for name, param in observed.items()}, {"estimator"})

    def test_an_estimator_made_elsewhere_has_no_defaults_marked(self):
        from sklearn.linear_model import Ridge

        observed = observe("model.set_params(alpha=2.0)", {"model": Ridge()})
        self.assertEqual(observed["model.solver"]["source"], "estimator")

    def test_nested_estimators_params_are_not_called_defaults(self):
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        namespace = dict(sklearn_namespace(), make_pipeline=make_pipeline, StandardScaler=StandardScaler)
        observed = observe("pipe = make_pipeline(StandardScaler(), Ridge(alpha=4))", namespace)
        self.assertEqual(observed["pipe.ridge__alpha"]["source"], "estimator")
        self.assertEqual(observed["pipe.verbose"]["source"], "estimator-default")


class RecordedEventsTest(unittest.TestCase):
    def test_param_events_carry_from_across_cells(self):
        with tempfile.TemporaryDirectory() as folder:
            recorder = helper.Recorder()
            recorder.root = folder
            recorder.ensure_session()
            namespace = sklearn_namespace()
            execute(recorder, namespace, "seed = 69", cell_id="a")
            execute(recorder, namespace, SEED_STORY.split("\n", 1)[1], cell_id="b")
            params = params_by_name(recorder.events_after(0))
        self.assertNotIn("from", params["seed"])
        self.assertEqual(params["train_test_split.random_state"]["from"], "seed")
        self.assertEqual(params["model.random_state"]["from"], "seed")
        self.assertEqual(params["model.max_depth"]["source"], "estimator-default")


if __name__ == "__main__":
    unittest.main()
