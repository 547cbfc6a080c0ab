"""How long does redaction take on 1 MB of text? The kernel helper's ``redact_text`` on the texts that stalled the
old patterns (a 1 MB word, a hex digest, ``a=a=...``, ``token`` repeated, whitespace...) and on ordinary notebook
text, against one plain regex substitution over the same text as the baseline, in the same run.

    build/venvs/dev/bin/python bench/redact.py [--json]

Each figure is the least CPU time of 5 runs. The target from the redaction rules: 1 MB of any text in < 100 ms.
"""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from jupyterlab_runs import helper  # noqa: E402  (the repository's copy, not an installed one)

TARGET_MS = 100.0
SIZE = 1 << 20
# The units the tests repeat (jupyterlab_runs/tests/test_redaction.py, ADVERSARIAL), and ordinary notebook text.
UNITS = {
    "one 1 MB word": "a", "a hex digest": "0123456789abcdef", "a=a=a=...": "a=", "token repeated": "token",
    "whitespace": " \t", "token= repeated": "token=", "password repeated": "password", "key= repeated": "key=",
    "ghp_ repeated": "ghp_", "sk- repeated": "sk-", "URL starts": "://a:", "bearer repeated": "bearer ",
    "private key headers": "-----BEGIN PRIVATE KEY-----", "dashes": "-", "JWT starts": "eyJ.",
    "--token repeated": "--token ", "AKIA repeated": "AKIA", "?sig=": "?sig=", "non-ASCII": "héllo wÖrld ",
    "notebook text": "model = Ridge(alpha=0.1, random_state=seed).fit(X_train, y_train)\n"
    "[12]\tvalidation-rmse:6.61\ttrain-rmse:5.20\nepoch 3: loss = 0.123, lr = 1e-3, took 12:30:45\n"
    "api_key = os.environ[\"OPENAI_API_KEY\"]\nsha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n",
}  # fmt: skip


def best_ms(function, text, runs=5):
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        function(text)
        best = min(best, time.process_time() - started)
    return best * 1000


def main():
    baseline = re.compile("token")
    rows = {}
    for name, unit in UNITS.items():
        text = (unit * (SIZE // len(unit) + 1))[:SIZE]
        rows[name] = {"redact_ms": best_ms(helper.redact_text, text), "baseline_ms": best_ms(
            lambda value: baseline.sub("x", value), text)}  # fmt: skip
    worst = max(rows, key=lambda name: rows[name]["redact_ms"])
    result = {
        "language": "Python", "bytes": SIZE, "target_ms": TARGET_MS, "texts": rows, "worst": worst,
        "worst_ms": rows[worst]["redact_ms"], "baseline_ms": rows[worst]["baseline_ms"],
        "typical_ms": rows["notebook text"]["redact_ms"],
    }  # fmt: skip
    if "--json" in sys.argv:
        print(json.dumps(result))
        return
    for name, row in rows.items():
        print(f"{name:22} {row['redact_ms']:8.1f} ms   (one regex substitution: {row['baseline_ms']:6.2f} ms)")
    print(f"worst: {worst}, {result['worst_ms']:.1f} ms (target < {TARGET_MS:g} ms)")


if __name__ == "__main__":
    main()
