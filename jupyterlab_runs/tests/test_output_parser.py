"""Metrics parsed from printed output: xgboost/lightgbm eval lines, Keras progress lines, name: value lines."""

import unittest

from jupyterlab_runs import helper


class EvalLineTest(unittest.TestCase):
    """xgboost and lightgbm evaluation lines: every name is taken, the step is the [N] prefix."""

    def test_eval_lines(self):
        table = [
            ("[12]\tvalidation-rmse:6.61", [("validation-rmse", 6.61, 12)]),
            ("[0]\tvalidation-rmse:17.28542", [("validation-rmse", 17.28542, 0)]),
            ("[3]\ttrain-rmse:1.2\tvalid-rmse:1.4", [("train-rmse", 1.2, 3), ("valid-rmse", 1.4, 3)]),
            ("[3]  train-rmse:1.2  valid-rmse:1.4", [("train-rmse", 1.2, 3), ("valid-rmse", 1.4, 3)]),
            ("[10]\tvalid_0's l2: 3.4", [("valid_0's l2", 3.4, 10)]),
            ("[10]\tvalid_0's l2: 3.4\tvalid_0's l1: 1.2", [("valid_0's l2", 3.4, 10), ("valid_0's l1", 1.2, 10)]),
            ("[5]\ttrain-logloss:0.12345\teval-auc:0.98", [("train-logloss", 0.12345, 5), ("eval-auc", 0.98, 5)]),
            ("[2]\ttrain-rmse:17.2+0.1\ttest-rmse:17.6+0.5", [("train-rmse", 17.2, 2), ("test-rmse", 17.6, 2)]),
            # xgboost 3: the sklearn API names its eval sets validation_0, validation_1, ...
            ("[0]\tvalidation_0-logloss:0.50039\tvalidation_0-error:0.07000\tvalidation_1-logloss:0.52617",
             [("validation_0-logloss", 0.50039, 0), ("validation_0-error", 0.07, 0),
              ("validation_1-logloss", 0.52617, 0)]),
            # lightgbm 4's log_evaluation: "<set>'s <metric>: <value>", and " + <stdv>" from lgb.cv
            ("[2]\ttraining's l2: 9.57852\tvalid_1's l2: 8.95456",
             [("training's l2", 9.57852, 2), ("valid_1's l2", 8.95456, 2)]),
            ("[1]\tvalid's auc: 0.865385\tvalid's binary_logloss: 0.649936",
             [("valid's auc", 0.865385, 1), ("valid's binary_logloss", 0.649936, 1)]),
            ("[1]\ttrain's l2: 4.13639 + 0.195449\tvalid's l2: 4.26859 + 0.397795",
             [("train's l2", 4.13639, 1), ("valid's l2", 4.26859, 1)]),
            ("[7]\tvalidation-error:nan", None),  # checked below: NaN survives
            ("[1, 2, 3]", []),
            ("[1] first item", []),
        ]
        for line, expected in table:
            with self.subTest(line):
                got = helper.OutputMetricParser().parse_line(line)
                if expected is None:
                    self.assertEqual(got[0][0], "validation-error")
                    self.assertNotEqual(got[0][1], got[0][1])
                else:
                    self.assertEqual(got, expected)

    def test_lightgbm_best_iteration_is_not_repeated(self):
        for announcement in ("Early stopping, best iteration is:", "Did not meet early stopping. Best iteration is:"):
            with self.subTest(announcement):
                parser = helper.OutputMetricParser()
                lines = ["[41]\tvalid_0's l2: 3.2", "[42]\tvalid_0's l2: 3.1", announcement,
                         "[42]\tvalid_0's l2: 3.1", "[43]\tvalid_0's l2: 3.0"]  # fmt: skip
                got = [point for line in lines for point in parser.parse_line(line)]
                self.assertEqual([step for _, _, step in got], [41, 42, 43])


class KerasLineTest(unittest.TestCase):
    def test_epochs_give_steps(self):
        parser = helper.OutputMetricParser()
        lines = [
            "Epoch 1/3",
            "1875/1875 [==============================] - 3s 1ms/step - loss: 0.2587 - accuracy: 0.9259",
            "Epoch 2/3",
            "1875/1875 [==============================] - 2s 1ms/step - loss: 0.1134 - accuracy: 0.9665 - "
            "val_loss: 0.0987 - val_accuracy: 0.9701",
        ]
        got = [point for line in lines for point in parser.parse_line(line)]
        self.assertEqual(
            got,
            [("loss", 0.2587, 1), ("accuracy", 0.9259, 1), ("loss", 0.1134, 2), ("accuracy", 0.9665, 2),
             ("val_loss", 0.0987, 2), ("val_accuracy", 0.9701, 2)],
        )  # fmt: skip

    def test_keras_shapes(self):
        table = [
            ("loss: 0.1234 - accuracy: 0.9512", [("loss", 0.1234, None), ("accuracy", 0.9512, None)]),
            ("1875/1875 - 3s - loss: 0.2587 - accuracy: 0.9259 - 3s/epoch - 2ms/step",
             [("loss", 0.2587, None), ("accuracy", 0.9259, None)]),
            ("1875/1875 ━━━━━━━━━━━━━━━━━━━━ 3s 1ms/step - accuracy: 0.8763 - loss: 0.4355",
             [("accuracy", 0.8763, None), ("loss", 0.4355, None)]),
            ("32/32 [==>.....] - ETA: 3s - loss: 0.9000 - my_metric: 0.1", []),
            ("60000/60000 [====] - 3s 50us/sample - loss: 0.3 - custom_thing: 7.5",
             [("loss", 0.3, None), ("custom_thing", 7.5, None)]),
        ]  # fmt: skip
        for line, expected in table:
            with self.subTest(line):
                self.assertEqual(helper.OutputMetricParser().parse_line(line), expected)

    def test_epoch_is_forgotten_between_executions(self):
        parser = helper.OutputMetricParser()
        parser.parse_line("Epoch 4/10")
        parser.reset()
        got = parser.parse_line("1/1 - 0s - loss: 0.5 - acc: 0.9")
        self.assertEqual(got, [("loss", 0.5, None), ("acc", 0.9, None)])


class NameValueLineTest(unittest.TestCase):
    def test_metric_like_names(self):
        table = [
            ("rmse: 0.51", [("rmse", 0.51, None)]),
            ("Test RMSE: 0.51", [("Test RMSE", 0.51, None)]),
            ("accuracy = 0.93, f1 = 0.9", [("accuracy", 0.93, None), ("f1", 0.9, None)]),
            ("Mean squared error: 3.2e-2", [("Mean squared error", 0.032, None)]),
            ("R2 score: 0.87", [("R2 score", 0.87, None)]),
            ("val_loss=0.25 lr=0.001", [("val_loss", 0.25, None)]),
            ("Epoch 3: loss = 0.5, acc = 0.9", [("loss", 0.5, 3), ("acc", 0.9, 3)]),
            ("step 120 | loss: 1.25 | auc: 0.7", [("loss", 1.25, 120), ("auc", 0.7, 120)]),
            ("{'rmse': 0.5, 'mae': 0.3}", [("rmse", 0.5, None), ("mae", 0.3, None)]),
            ("Accuracy: 95.2%", [("Accuracy", 95.2, None)]),
            ("INFO loss=0.5", [("loss", 0.5, None)]),
            ("100%|██████| 100/100 [00:02<00:00, 45.2it/s, loss=0.0123]", [("loss", 0.0123, None)]),
            ("precision: 0.8 recall: 0.7 logloss: 0.3", [("precision", 0.8, None), ("recall", 0.7, None),
                                                        ("logloss", 0.3, None)]),
        ]  # fmt: skip
        for line, expected in table:
            with self.subTest(line):
                self.assertEqual(helper.OutputMetricParser().parse_line(line), expected)

    def test_other_lines_give_nothing(self):
        for line in (
            "hello world", "lr: 0.001", "epoch: 3", "n_estimators = 100", "Time: 12:30:45", "took 3.5s",
            "Error: file not found", "x = 5", "shape: (100, 3)", "seed = 69", "Out[3]: 0.5", "loss: 0.5s", "",
            "error code 3", "https://example.com:8080/score=9",
        ):  # fmt: skip
            with self.subTest(line):
                self.assertEqual(helper.OutputMetricParser().parse_line(line), [])

    def test_extra_patterns_from_config(self):
        parser = helper.OutputMetricParser([r"^perplexity$", r"bleu", "(invalid"])
        self.assertEqual(parser.parse_line("perplexity: 12.5"), [("perplexity", 12.5, None)])
        self.assertEqual(parser.parse_line("BLEU-4 = 31.2"), [("BLEU-4", 31.2, None)])
        self.assertEqual(parser.parse_line("temperature: 0.7"), [])


class LineSplittingTest(unittest.TestCase):
    def test_final_line_text(self):
        table = [
            ("plain", "plain"),
            ("10% loss: 1.0\r50% loss: 0.5\r100% loss: 0.25", "100% loss: 0.25"),
            ("windows line\r", "windows line"),
            ("ab\b\bxy", "xy"),
            ("\b\bstart", "start"),
        ]
        for raw, shown in table:
            with self.subTest(raw):
                self.assertEqual(helper.final_line_text(raw), shown)

    def test_lines_across_writes(self):
        lines = []
        buffer = helper.LineBuffer(lines.append)
        for write in ("[1]\tvalid", "ation-rmse:2.5\n[2]\tvalidation", "-rmse:2.1\n", "partial"):
            buffer.feed(write)
        self.assertEqual(lines, ["[1]\tvalidation-rmse:2.5", "[2]\tvalidation-rmse:2.1"])
        buffer.close()
        self.assertEqual(lines[-1], "partial")

    def test_progress_bar_redraws_stay_bounded(self):
        lines = []
        buffer = helper.LineBuffer(lines.append)
        for i in range(20000):
            buffer.feed(f"\r{i / 200:.0f}% loss: {1 / (i + 1):.6f}        ")
        self.assertLess(buffer.size, helper.MAX_LINE + 100)
        buffer.feed("\n")
        self.assertEqual(helper.OutputMetricParser().parse_line(lines[-1]), [("loss", 0.00005, None)])


if __name__ == "__main__":
    unittest.main()
