"""Run the store benchmark's notebook many times through the real kernel helper, and write down what the
frontend would hand the run store. Used by bench/store-size.mjs, which replays it through the Lab's RunStore.

    build/venvs/dev/bin/python bench/notebook_runs.py --scenario restart|same-kernel --runs 100 --out FILE.json

The notebook has 40 cells (7 Markdown, 33 code: a small numpy/pandas logistic regression with printed metrics, two
small tables and one small PNG). Each run changes one cell: `seed = ...` in cell 1. The cells really run, in an
in-process IPython shell with the helper's `Recorder` attached (the same hooks as in a kernel), so the kernel
events (executions, params, output metrics, `inherited`) are the helper's own. Outputs are taken as a kernel would
send them: stdout as a stream, the last expression as `execute_result` (text/plain, text/html), figures as PNG.

Scenarios (CAPTURE.md, "When a run begins and ends"):

- `restart`: each run is Restart Kernel and Run All: a new kernel session per run. The frontend saves a snapshot
  and ends the run when the kernel goes away.
- `same-kernel`: each run is Run All in the same kernel. Changing `seed` after metrics ends the run and starts a
  new one (`param-changed`); the frontend saves a snapshot at each `run_end` and once at the end (a save).

The output file: {"scenario", "notebook": the last run's notebook (nbformat 4 dict), "runs": [[step, ...], ...]}
where a step is ["events", [event, ...]] | ["outputs", {run, exec, outputs}] | ["snapshot", {run, time,
notebook}] | ["end", run id]: the IRunStore calls the capture plugin makes, in order, grouped by run.
"""

import argparse
import base64
import contextlib
import copy
import io
import json
import os
import sys
import tempfile
import time

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from jupyterlab_runs import helper  # noqa: E402  (the repository's copy)

# The notebook: ("md", text) or ("code", source). Cell 1 is the one that changes: SEED stands for the run's seed.
CELLS = [
    ("code", 'import numpy as np\nimport pandas as pd\nimport matplotlib.pyplot as plt'),
    ("code", "seed = SEED\nlearning_rate = 0.5\nepochs = 20"),
    ("md", "# Churn model\n\nA logistic regression on a small synthetic table, to compare seeds."),
    ("md", "## Data"),
    ("code", "rng = np.random.default_rng(0)\nn = 500\nfeatures = ['tenure', 'usage', 'support', 'price']"),
    ("code", "X = rng.normal(size=(n, 4))\ntrue_w = np.array([1.5, -2.0, 0.5, 0.0])\n"
             "y = (X @ true_w + rng.normal(scale=0.5, size=n) > 0).astype(int)\nX.shape, y.mean()"),
    ("code", "df = pd.DataFrame(X, columns=features)\ndf['churn'] = y\ndf.head()"),
    ("code", "df.describe().loc[['mean', 'std', 'min', 'max']].round(2)"),
    ("code", "print(df['churn'].value_counts().to_string())"),
    ("code", "fig, ax = plt.subplots(figsize=(3, 2), dpi=50)\nax.hist(df['usage'], bins=20)\n"
             "ax.set_title('usage')"),
    ("code", "df.corr()['churn'].round(3)"),
    ("md", "## Split"),
    ("code", "idx = np.random.default_rng(seed).permutation(n)\ntrain, test = idx[:400], idx[400:]\n"
             "print(len(train), 'train,', len(test), 'test')"),
    ("code", "mu, sd = X[train].mean(axis=0), X[train].std(axis=0)\nXs = (X - mu) / sd"),
    ("code", "print('train churn rate:', round(y[train].mean(), 3))\n"
             "print('test churn rate:', round(y[test].mean(), 3))"),
    ("md", "## Model"),
    ("code", "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))"),
    ("code", "def log_loss(w, b, X, y):\n    p = sigmoid(X @ w + b)\n"
             "    return float(-np.mean(y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9)))"),
    ("code", "w = np.random.default_rng(seed).normal(scale=0.01, size=4)\nb = 0.0"),
    ("code", "history = []\nfor epoch in range(epochs):\n    p = sigmoid(Xs[train] @ w + b)\n"
             "    grad = p - y[train]\n    w -= learning_rate * Xs[train].T @ grad / len(train)\n"
             "    b -= learning_rate * grad.mean()\n    history.append(log_loss(w, b, Xs[train], y[train]))\n"
             "    if epoch % 5 == 4:\n        print(f'epoch {epoch + 1}: loss={history[-1]:.4f}')"),
    ("code", "len(history), round(history[-1], 4)"),
    ("md", "## Evaluation"),
    ("code", "proba = sigmoid(Xs[test] @ w + b)\npred = (proba > 0.5).astype(int)"),
    ("code", "accuracy = float((pred == y[test]).mean())\nprint(f'accuracy: {accuracy:.3f}')"),
    ("code", "tp = int(((pred == 1) & (y[test] == 1)).sum())\nfp = int(((pred == 1) & (y[test] == 0)).sum())\n"
             "fn = int(((pred == 0) & (y[test] == 1)).sum())"),
    ("code", "precision = tp / max(tp + fp, 1)\nrecall = tp / max(tp + fn, 1)\n"
             "print(f'precision: {precision:.3f}')\nprint(f'recall: {recall:.3f}')"),
    ("code", "f1 = 2 * precision * recall / max(precision + recall, 1e-9)\nprint(f'f1: {f1:.3f}')"),
    ("code", "pd.crosstab(y[test], pred, rownames=['true'], colnames=['predicted'])"),
    ("md", "## Weights"),
    ("code", "weights = pd.Series(w, index=features).round(3)\nweights"),
    ("code", "print('largest weight:', weights.abs().idxmax())"),
    ("code", "print('bias:', round(b, 4))"),
    ("code", "print('train loss:', round(log_loss(w, b, Xs[train], y[train]), 4))"),
    ("code", "print('test loss:', round(log_loss(w, b, Xs[test], y[test]), 4))"),
    ("md", "## Summary"),
    ("code", "summary = {'seed': seed, 'accuracy': accuracy, 'f1': round(f1, 3)}\nsummary"),
    ("code", "print(f'seed={seed} accuracy={accuracy:.3f} f1={f1:.3f}')"),
    ("code", "threshold_counts = [int((proba > t).sum()) for t in (0.3, 0.5, 0.7)]\nthreshold_counts"),
    ("code", "print('done')"),
    ("code", "del proba, pred"),
]
assert len(CELLS) == 40


def notebook_with(seed, outputs, counts):
    """The notebook (nbformat 4.5 dict, as `NotebookModel.toJSON()` gives it) for one seed."""
    cells = []
    for index, (kind, source) in enumerate(CELLS):
        cell = {"id": f"cell-{index:02d}", "cell_type": "markdown" if kind == "md" else "code", "metadata": {},
                "source": source.replace("SEED", str(seed))}
        if kind == "code":
            cell["execution_count"] = counts.get(index)
            cell["outputs"] = copy.deepcopy(outputs.get(index, []))
        cells.append(cell)
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                        "name": "python3"},
                         "language_info": {"name": "python", "version": sys.version.split()[0]}}}


class Kernel:
    """An in-process IPython shell with the helper attached, capturing outputs as a kernel would send them."""

    def __init__(self):
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.enabled = False
        self.shell = InteractiveShell.instance(config=config)
        self.recorder = None
        self.results = []
        hook = self.shell.displayhook
        hook.write_output_prompt = lambda: None
        hook.write_format_data = lambda data, metadata=None: self.results.append(data)

    def start(self):
        """A (re)started kernel: fresh namespace and counts, a new helper session (session event, kernel-start run)."""
        if self.recorder is not None:
            self.recorder.uninstall()
        self.shell.reset(new_session=True)
        self.recorder = helper.Recorder()
        self.recorder.install(self.shell)
        self.recorder.ensure_session()

    def run(self, source, cell_id):
        """Run one cell; returns (execution_count, nbformat outputs)."""
        import matplotlib.pyplot as plt

        self.results = []
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout):
            result = self.shell.run_cell(source, store_history=True, cell_id=cell_id)
        count = result.execution_count
        outputs = []
        if stdout.getvalue():
            outputs.append({"output_type": "stream", "name": "stdout", "text": stdout.getvalue()})
        for number in plt.get_fignums():  # what the inline backend sends after the cell
            figure = plt.figure(number)
            png = io.BytesIO()
            figure.savefig(png, format="png")
            outputs.append({"output_type": "display_data", "metadata": {},
                            "data": {"image/png": base64.b64encode(png.getvalue()).decode("ascii"),
                                     "text/plain": repr(figure)}})
        plt.close("all")
        for data in self.results:
            outputs.append({"output_type": "execute_result", "execution_count": count, "metadata": {},
                            "data": {mime: value for mime, value in data.items()
                                     if mime in ("text/plain", "text/html")}})
        if result.error_in_exec is not None:
            raise RuntimeError(f"cell {cell_id} failed: {result.error_in_exec!r}")
        return count, outputs


def record(scenario, runs):
    kernel = Kernel()
    recorder_seq = 0  # the last event seq handed to the store, per kernel session
    outputs, counts = {}, {}
    recorded = []
    steps = []
    current_run = None

    def new_events():
        nonlocal recorder_seq
        events = kernel.recorder.events_after(recorder_seq)
        if events:
            recorder_seq = events[-1]["seq"]
            kernel.recorder.ack(recorder_seq)  # the frontend acknowledges what it stored
        return events

    for number in range(runs):
        seed = 1000 + number
        if scenario == "restart" or number == 0:
            if current_run is not None:  # the kernel restarts: snapshot, then the frontend ends the run
                steps.append(["snapshot", {"run": current_run, "time": int(time.time() * 1000),
                                           "notebook": notebook_with(seed - 1, outputs, counts)}])
                steps.append(["end", current_run])
                recorded.append(steps)
                steps = []
            kernel.start()
            recorder_seq = 0
            outputs, counts = {}, {}
        for index, (kind, source) in enumerate(CELLS):
            if kind != "code":
                continue
            count, cell_outputs = kernel.run(source.replace("SEED", str(seed)), f"cell-{index:02d}")
            outputs[index], counts[index] = cell_outputs, count
            events = new_events()
            for event in events:
                if event["kind"] == "run_start":
                    current_run = event["run"]
            # The events arrive at the end of the execution; the outputs are linked to its `execution` event.
            ends = [at for at, event in enumerate(events) if event["kind"] == "run_end"]
            if ends:  # a run ended (same-kernel): the capture plugin snapshots the notebook as it stands
                steps.append(["events", events[: ends[-1] + 1]])
                steps.append(["snapshot", {"run": events[ends[-1]]["run"], "time": int(time.time() * 1000),
                                           "notebook": notebook_with(seed, outputs, counts)}])
                recorded.append(steps)
                steps = [["events", events[ends[-1] + 1:]]]
            else:
                steps.append(["events", events])
            for event in events:
                if event["kind"] == "execution":
                    steps.append(["outputs", {"run": event["run"], "exec": event["exec"],
                                              "outputs": cell_outputs}])
    last = notebook_with(1000 + runs - 1, outputs, counts)
    steps.append(["snapshot", {"run": current_run, "time": int(time.time() * 1000), "notebook": last}])
    if scenario == "restart":
        steps.append(["end", current_run])
    recorded.append(steps)
    kernel.recorder.uninstall()
    return {"scenario": scenario, "notebook": last, "runs": recorded}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=["restart", "same-kernel"], required=True)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:  # the notebook's folder: the kernel's working directory
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            data = record(args.scenario, args.runs)
        finally:
            os.chdir(cwd)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(data, out)
    starts = [event for steps in data["runs"] for kind, value in steps if kind == "events" for event in value
              if event["kind"] == "run_start"]
    print(f"{args.scenario}: {len(starts)} runs recorded, {len(data['runs'])} groups", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
