"""How much does `runs.log_metric` cost? Measured against a bare `list.append` and against a synchronous SQLite
insert + commit per call (what MLflow's default file/SQL store pays on every `mlflow.log_metric`).

    build/venvs/dev/bin/python bench/log_metric.py [--json]

All three are measured in the same run, in the same loop shape: each sample times a batch of calls and divides, and
the table shows the median over samples. The target from issue 3 is `log_metric` ≤ 10 µs median. Exits 0: this is
a benchmark, not a test.
"""

import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jupyterlab_runs as runs  # noqa: E402  (the repository's copy, not an installed one)

TARGET_US = 10.0


def per_call_us(call, batch, samples):
    """Median over ``samples`` of the mean cost of ``batch`` consecutive calls, in microseconds."""
    clock = time.perf_counter_ns
    results = []
    step = 0
    for _ in range(samples):
        started = clock()
        for _ in range(batch):
            call(step)
            step += 1
        results.append((clock() - started) / batch / 1000)
    return statistics.median(results)


def main():
    runs.log_metric("warmup", 0.0)  # the first call starts the session (collects the environment once)

    values = []
    append = values.append

    def bare_append(step):
        append(("loss", 0.5, step))

    def log_metric(step):
        runs.log_metric("loss", 0.5, step)

    with tempfile.TemporaryDirectory() as folder:
        database = sqlite3.connect(os.path.join(folder, "metrics.db"))
        database.execute("CREATE TABLE metrics (key TEXT, value REAL, step INTEGER, timestamp REAL)")
        database.commit()

        def sqlite_commit(step):
            database.execute("INSERT INTO metrics VALUES (?, ?, ?, ?)", ("loss", 0.5, step, time.time()))
            database.commit()

        results = {
            "list.append": per_call_us(bare_append, batch=1000, samples=200),
            "runs.log_metric": per_call_us(log_metric, batch=1000, samples=200),
            "sqlite insert+commit": per_call_us(sqlite_commit, batch=10, samples=50),
        }
        database.close()

    cost = results["runs.log_metric"]
    if "--json" in sys.argv[1:]:  # for scripts/bench.sh
        print(json.dumps({"microseconds": results, "target_us": TARGET_US}))
        return 0
    print(f"{'call':<22} {'median µs/call':>15} {'× list.append':>14}")
    for name, us in results.items():
        print(f"{name:<22} {us:>15.3f} {us / results['list.append']:>14.1f}")
    print()
    print(f"log_metric is {results['sqlite insert+commit'] / cost:,.0f}× cheaper than a per-call SQLite commit")
    verdict = "yes" if cost <= TARGET_US else "NO"
    print(f"log_metric ≤ {TARGET_US:g} µs median: {verdict} ({cost:.2f} µs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
