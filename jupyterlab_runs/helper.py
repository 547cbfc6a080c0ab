"""The jupyterlab-runs kernel helper: records a notebook's runs from inside its kernel.

This module is the kernel half of the contract in ``docs/CAPTURE.md``. It watches every execution of an IPython
kernel and turns what it sees into *events* (``session``, ``run_start``, ``execution``, ``param``, ``metric``,
``file``, ``tag``, ``note``, ``run_end``). Events wait in an in-memory buffer until the frontend, connected through
the comm ``jupyterlab_runs``, acknowledges that it has stored them.

It imports only the standard library. Optional libraries (numpy, scikit-learn, xgboost, ...) are never imported here;
the helper only looks at objects that are already in the user's namespace. It can be imported normally
(``jupyterlab_runs.helper``) or executed from source by the frontend's bootstrap when the kernel's environment lacks
the package.

Reading order:

1. Settings and value helpers
2. Redaction
3. Run ids and names
4. The kernel environment
5. Parameters read from the executed source
6. Metrics read from printed output
7. The recorder: session, runs, event buffer, comm
8. IPython integration: hooks, output tee, ``open()`` recorder, ``%runs`` magic
9. The spool: the kernel's own writer while no frontend is attached (headless runs, kernel exit)
10. The public API (``import jupyterlab_runs as runs``)
"""

import ast
import atexit
import builtins
import hashlib
import importlib
import importlib.util
import io
import itertools
import json
import math
import numbers
import operator
import os
import re
import sys
import threading
import time
import traceback
import types
import warnings
from array import array
from collections import deque

try:  # the module beside this one that knows the training functions (the frontend's copy comes without it)
    _training = importlib.import_module("jupyterlab_runs.training")
except Exception:
    _training = None
# Where headless runs go and how spool files are written (section 9); the frontend's copy comes with it.
_placement = importlib.import_module("jupyterlab_runs.placement")
# Which parameters pass on another's value, and which are an estimator's defaults (section 5).
_derivation = importlib.import_module("jupyterlab_runs.derivation")

# ---------------------------------------------------------------------------------------------------------------------
# 1. Settings and value helpers
# ---------------------------------------------------------------------------------------------------------------------

HELPER_VERSION = "0.1.0"  # keep in step with jupyterlab_runs/_version.py (a test checks)
COMM_TARGET = "jupyterlab_runs"
REDACTED = "[REDACTED]"

DEFAULT_CONFIG = {
    "notebook_path": None,
    "store_folder": "jupyter-runs",
    "env_allowlist": [],
    "metric_patterns": [],
    "output_cap_bytes": 1 << 20,
    "tracking": True,
}

FLUSH_INTERVAL = 0.5  # seconds between background sends during a long execution
FLUSH_EVENTS = 5000  # ...or as soon as this many events / metric points are waiting
HANDOVER_TIMEOUT = 10.0  # seconds a new writer waits for the one it displaced to acknowledge what it was sent
POINTS_PER_EVENT = 10_000  # one `metric` event carries at most this many points
POINTS_PER_MESSAGE = 50_000  # one comm message carries at most this many points
MAX_HASH_BYTES = 64 << 20  # files larger than this get "sha256": null
MAX_PARAM_STR = 200  # longer strings are not parameters
MAX_DICT_PARAMS = 50  # entries read from one dict literal
MAX_ESTIMATORS = 20  # objects checked for get_params() per execution
MAX_ESTIMATOR_PARAMS = 200  # scalar hyperparameters kept per estimator
MAX_PACKAGES = 3000  # installed distributions listed in the environment
MAX_FILES_PER_EXEC = 1000  # opened paths remembered per execution
MAX_LINE = 64 << 10  # longest printed line the output parser looks at
MAX_TRACEBACK = 64 << 10  # characters of traceback kept per error
RECENT_EXECUTIONS = 200  # executions a forwarded `outputs` message can still be matched to
MAX_NAMES_PER_RUN = 1000  # distinct metric names, and distinct parameter names, a run records; more are dropped
MAX_PARAM_RUNS_PER_MINUTE = 10  # runs parameter changes start in a minute; later changes stay in the current run

NO_STEP = -(1 << 63)  # "no step" in the compact step array
_STEP_LIMIT = 1 << 63  # steps must fit the signed 64-bit step array
NO_EXEC = -1  # "no execution" in the compact exec array

_MISSING = object()
_INF = float("inf")


class RunsWarning(UserWarning):
    """Warned (never raised) when a helper call gets a value it cannot record."""


def encode_float(value):
    """Return a float for JSON: itself, or ``"NaN"``, ``"Infinity"``, ``"-Infinity"`` for non-finite values."""
    if -_INF < value < _INF:
        return value
    if value != value:
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def _is_boolean(value):
    """Python's ``bool`` or numpy's (``numpy.bool_``, whose class is named ``bool`` since numpy 2)."""
    if isinstance(value, bool):
        return True
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(value, getattr(numpy, "bool_", ()))


def json_scalar(value):
    """Return ``value`` as a parameter value (JSON scalar), or ``_MISSING`` if it is not a simple value.

    Simple values are ``None``, booleans, integers, finite or non-finite floats (non-finite ones encoded like
    metric values) and strings of at most 200 characters. numpy scalars count as numbers.
    """
    if value is None:
        return None
    if _is_boolean(value):
        return bool(value)
    if isinstance(value, str):
        return str(value) if len(value) <= MAX_PARAM_STR else _MISSING
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return encode_float(float(value))
    return _MISSING


def metric_float(value):
    """Return ``value`` as a float for a metric point, or raise ``ValueError`` saying why it is refused.

    Accepted: ints, floats, numeric strings (``"0.5"``, ``"nan"``), and anything ``float()`` accepts (numpy scalars,
    0-d arrays, tensors, Decimal). Refused: booleans (a metric is a measurement, not a flag), non-numeric strings,
    and everything else.
    """
    kind = type(value)
    if kind is float:
        return value
    if kind is int:
        return float(value)
    if _is_boolean(value):
        raise ValueError("booleans are not metric values; log 0/1 if you mean a rate")
    if isinstance(value, (str, bytes)):
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    try:
        return float(value)
    except Exception:  # TypeError, OverflowError, or whatever a custom __float__ raises
        raise ValueError(f"a {kind.__name__} is not a number") from None


def _same_value(a, b):
    """Whether two parameter values are the same (``1 == 1.0``, but ``True != 1``)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


# ---------------------------------------------------------------------------------------------------------------------
# 2. Redaction
#
# One function, ``redact_value``, runs over every event before it enters the buffer. It applies ``redact_text`` to
# every string. Values of secret-looking *names* (parameters, tags, environment variables) are replaced first, by
# ``redact_named``. The rules are data, ``secret_rules.json`` beside this module, which ``src/capture/redact.ts``
# loads too; ``tests/secrets_corpus.json`` keeps both equal. Each rule starts with a literal and bounds every
# repetition, so redacting is linear in the length of the text: 1 MB of any text takes milliseconds, never seconds.
# ---------------------------------------------------------------------------------------------------------------------

MAX_NAME = 250  # characters of a metric, parameter or tag name, as MLflow allows; longer ones are cut, with a warning
MAX_NOTE = 64 << 10  # characters of a note, tag value or error message kept (cut before it is redacted)


def _secret_rules():
    """The rule set: ``secret_rules.json`` beside this module, or the copy the frontend embeds with its helper."""
    embedded = globals().get("_EMBEDDED_SECRET_RULES")  # set by buildutils/embed-helper.mjs
    if embedded is not None:
        return json.loads(embedded)
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "secret_rules.json"), encoding="utf-8") as file:
        return json.load(file)


_RULES_DATA = _secret_rules()
_NAMES = _RULES_DATA["names"]
_ENTROPY = _RULES_DATA["entropy"]
_STRONG_NAME = re.compile("|".join(_NAMES["strong"]), re.ASCII)
_WEAK_NAME = re.compile("|".join(_NAMES["weak"]), re.ASCII)
_SECRET_ENV_NAME = re.compile(_NAMES["environment_key"], re.ASCII)  # `STRIPE_KEY`, not `sort_key`
_NOT_SECRET_WORDS = frozenset(_NAMES["not_secret_last_words"])
_CODE_WORDS = frozenset(_NAMES["code_words"])  # `token = None`: code, not a secret
_SHORT_NUMBER = re.compile("[0-9]{1,%d}" % _NAMES["short_number"])
_WHITESPACE = re.compile(r"[ \t\r\n\f\v]")
_HEX = re.compile(r"[0-9a-fA-F]+")
_TEMPLATE = re.compile(r"\{:([a-z_]+)\}")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _ascii_lower(text):
    """``text`` with its ASCII letters lowered, every character at its place (``str.lower`` may change lengths)."""
    if text.isascii():
        return text.lower()
    # bytes.lower() lowers ASCII bytes only; in UTF-32 a character is 4 bytes and one changed byte cannot make it
    # ASCII, so the positions stay and only ASCII letters matter to the patterns.
    return text.encode("utf-32-le", "surrogatepass").lower().decode("utf-32-le", "surrogatepass")


class _Rule:
    """One compiled pattern of the rule set (a rule with several prefixes, patterns or words gives several)."""

    __slots__ = ("id", "kind", "regex", "head", "lower", "secret", "before", "name", "tail", "value", "bare", "end")

    def __init__(self, data, source):
        self.id, self.kind, self.head = data["id"], data["kind"], _head(source)
        self.lower = bool(data.get("ignore_case"))
        self.regex = re.compile(source, re.ASCII)
        self.secret, self.before = tuple(data.get("secret") or ()), data.get("before", 0)
        self.name, self.tail = data.get("name"), data.get("tail")
        self.value, self.bare = tuple(data.get("value") or ()), data.get("bare")
        self.end = data.get("end")


def _head(source):
    """The first two characters every match of the pattern ``source`` starts with (lowered), escapes read."""
    head, index = "", 0
    while len(head) < 2:
        index += source[index] == "\\"
        head += source[index]
        index += 1
    return head.lower()


def _by_start(alternatives):
    """``{first two characters: [rest, ...]}``: one regex per start, so a search skips to where it occurs."""
    groups = {}
    for start, rest in alternatives:
        groups.setdefault(start, []).append(rest)
    return groups.items()


def _compile_rules(data):
    templates = data["templates"]

    def expand(pattern, word=None):
        return _TEMPLATE.sub(lambda match: word if match.group(1) == "word" else templates[match.group(1)], pattern)

    rules, tokens = [], []
    for rule in data["rules"]:
        kind = rule["kind"]
        if kind == "token":
            tokens += [(prefix[:2], re.escape(prefix[2:]) + "(?:" + rule["body"] + ")") for prefix in rule["prefixes"]]
        elif kind == "block":
            rules.append(_Rule(rule, rule["begin"]))
        elif rule.get("words") == "names":
            words = data["names"]["strong"] + data["names"]["weak"]
            for start, rests in _by_start((word[:2], word[2:]) for word in words):
                rules.append(_Rule(rule, expand(rule["pattern"], re.escape(start) + "(?:" + "|".join(rests) + ")")))
        else:
            for pattern in rule.get("patterns") or [rule["pattern"]]:
                rules.append(_Rule(rule, expand(pattern)))
    # Every token starts at a boundary: not after a letter, digit, `_` or `-`, unless after an escape such as the
    # `\n` of a string's repr. Checked after the first two characters, so the search still skips to them.
    for start, rests in _by_start(tokens):
        literal = re.escape(start)
        boundary = r"(?:(?<![A-Za-z0-9_\-]%s)|(?<=\\[nrt]%s))" % (literal, literal)
        rules.append(_Rule({"id": "token", "kind": "token"}, literal + boundary + "(?:" + "|".join(rests) + ")"))
    return rules


_RULES = _compile_rules(_RULES_DATA)
# A short text (a name, a parameter) is first searched for the rules' heads at once, and only the rules whose head
# occurs in it run: most short texts need no rule at all. Long texts run every rule (one pass each is cheaper).
_HEADS = re.compile("(?=(%s))" % "|".join(sorted({re.escape(rule.head) for rule in _RULES})), re.ASCII)
_SHORT_TEXT = 4096


def _high_entropy(value):
    """Whether ``value`` looks random enough to be a key (the test for values of weak names such as ``key``)."""
    if len(value) < _ENTROPY["min_length"] or _WHITESPACE.search(value):
        return False
    value = value[: _ENTROPY["max_length"]]
    length = len(value)
    entropy = 0.0
    for count in _count_characters(value).values():
        share = count / length
        entropy -= share * math.log2(share)
    limit = _ENTROPY["hex"] if _HEX.fullmatch(value) else _ENTROPY["other"]
    return entropy >= min(limit, _ENTROPY["ratio"] * math.log2(length))


def _count_characters(value):
    """``{character: count}`` in order of first occurrence (the sum above is then the frontend's, to the bit)."""
    counts = {}
    for char in value:
        counts[char] = counts.get(char, 0) + 1
    return counts


def _last_word(name):
    """What follows the last ``_``, ``.`` or ``-`` of a name: ``length`` for ``password_length``."""
    return name[max(name.rfind("_"), name.rfind("."), name.rfind("-")) + 1 :]


def _name_strength(name):
    """``"strong"``, ``"weak"`` or None for a whole name: ``api_key`` strong, ``sort_key`` weak, ``seed`` None."""
    lowered = _ascii_lower(name)
    if _last_word(lowered) in _NOT_SECRET_WORDS:
        return None  # `password_length`, `token_url`: about a secret, not one
    if _STRONG_NAME.search(lowered) or _SECRET_ENV_NAME.fullmatch(name):
        return "strong"
    return "weak" if _WEAK_NAME.search(lowered) else None


def _environment_key_at(text, start):
    """Whether the ``KEY`` at ``start`` ends an environment-style name: ``STRIPE_KEY``, not ``sort_key``."""
    return text[start : start + 3] == "KEY" and start >= 2 and text[start - 1] == "_" and text[start - 2] in _UPPER


def _named_span(rule, match, text, lowered):
    """The span of the value of a ``named`` rule's match, or None when it is kept."""
    if rule.name is not None:
        strength = _name_strength(text[match.start(rule.name) : match.end(rule.name)])
    else:
        start, end = match.start(), match.end(rule.tail)
        if end > match.start(rule.tail) and _last_word(lowered[start:end]) in _NOT_SECRET_WORDS:
            return None  # `password_length = 12`, `token_url: ...`
        strength = "strong" if _STRONG_NAME.match(lowered, start) else "weak"
        if strength == "weak" and _environment_key_at(text, start):
            strength = "strong"
    if strength is None:
        return None
    for group in rule.value:
        start, end = match.span(group)
        if start >= 0:
            break
    else:
        return None
    value = text[start:end]
    if group == rule.bare and (
        text[end : end + 1] in ("(", "[") or value in _CODE_WORDS or _SHORT_NUMBER.fullmatch(value)
    ):
        return None  # `password = getpass()`, `key = os.environ[name]`, `token = None`, `pass: 3`
    if strength == "weak" and not _high_entropy(value):
        return None
    return start, end


def _secret_spans(text):
    """``[(start, end)]`` of every secret in ``text``, as the rules find them (unsorted, maybe overlapping)."""
    lowered = _ascii_lower(text)
    rules = _RULES
    if len(text) <= _SHORT_TEXT:
        heads = set(_HEADS.findall(lowered))
        rules = [rule for rule in _RULES if rule.head in heads]
    spans = []
    for rule in rules:
        subject = lowered if rule.lower else text
        if rule.kind == "block":
            position = 0
            while True:
                match = rule.regex.search(subject, position)
                if match is None:
                    break
                end = subject.find(rule.end, match.end())
                end = len(text) if end < 0 else end
                spans.append((match.end(), end))
                position = max(end, match.end() + 1)
            continue
        for match in rule.regex.finditer(subject):
            if rule.kind == "token":
                spans.append(match.span())
            elif rule.kind == "pattern":
                for group in rule.secret:
                    start, end = match.span(group)
                    if start >= 0:
                        spans.append((start - rule.before, end))
                        break
            else:
                span = _named_span(rule, match, text, lowered)
                if span is not None:
                    spans.append(span)
    return spans


def is_secret_name(name):
    """Whether a variable/parameter/environment name looks like it holds a secret (``*token*``, ``*password*``...)."""
    return _name_strength(str(name)) == "strong"


def redact_text(text):
    """Replace every secret inside ``text`` with ``[REDACTED]`` (overlapping or touching secrets with one)."""
    if not text:
        return text
    spans = [span for span in _secret_spans(text) if span[0] < span[1]]
    if not spans:
        return text
    spans.sort()
    parts, kept = [], 0
    start, end = spans[0]
    for next_start, next_end in spans[1:]:
        if next_start <= end:
            end = max(end, next_end)
            continue
        parts += (text[kept:start], REDACTED)
        kept, start, end = end, next_start, next_end
    parts += (text[kept:start], REDACTED, text[end:])
    return "".join(parts)


def redact_named(name, value):
    """``[REDACTED]`` instead of ``value`` when ``name`` looks secret, or is a weak one (``key``, ``auth``) and the
    value looks random (``None`` stays ``None``)."""
    if value is None:
        return value
    strength = _name_strength(str(name))
    if strength == "strong" or (strength == "weak" and isinstance(value, str) and _high_entropy(value)):
        return REDACTED
    return value


def redact_value(value):
    """Redact every string inside ``value`` (dicts, lists, strings; other values are returned as they are)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(item) for item in value]
    return value


def cap_name(name, kind, warn):
    """``name`` (a metric, parameter or tag name) cut to ``MAX_NAME`` characters; ``warn(key, message)`` says so."""
    name = name if type(name) is str else str(name)
    if len(name) <= MAX_NAME:
        return name
    warn(("long-name", kind), f"jupyterlab_runs: {kind} names are cut to {MAX_NAME} characters ({len(name)} given)")
    return name[: MAX_NAME - 1] + "…"


def cap_text(text, limit=MAX_NOTE):
    """``text`` cut to ``limit`` characters, before it is redacted: redaction time stays bounded."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------------------------------
# 3. Run ids and names
#
# Ids are UTC time to the millisecond plus six random base-36 characters, e.g. 20261126T154400123Z-k3x9qa. They sort
# by time, and the helper never hands out the same millisecond twice in a process. Randomness comes from os.urandom,
# never from the `random` module, whose state belongs to the user.
# ---------------------------------------------------------------------------------------------------------------------

_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_id_lock = threading.Lock()
_last_id_ms = 0

ADJECTIVES = (
    "amber", "brave", "calm", "clever", "crisp", "daring", "eager", "fancy", "gentle", "happy", "jolly", "keen",
    "lively", "lucky", "merry", "nimble", "noble", "proud", "quick", "quiet", "rapid", "shiny", "sleek", "smart",
    "snowy", "steady", "sunny", "swift", "tidy", "vivid", "witty", "zesty",
)  # fmt: skip
NOUNS = (
    "badger", "bison", "cobra", "comet", "dingo", "egret", "falcon", "finch", "heron", "koala", "lemur", "lynx",
    "maple", "marten", "newt", "orca", "otter", "panda", "puffin", "quokka", "raven", "robin", "salmon", "seal",
    "stork", "tapir", "tiger", "viper", "walrus", "wren", "yak", "zebra",
)  # fmt: skip


def _random_index(size):
    return int.from_bytes(os.urandom(4), "big") % size


def new_id(now=None):
    """Return a new time-sortable, collision-free id such as ``20261126T154400123Z-k3x9qa``."""
    global _last_id_ms
    ms = int((time.time() if now is None else now) * 1000)
    with _id_lock:
        ms = max(ms, _last_id_ms + 1)
        _last_id_ms = ms
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(ms // 1000)) + "%03dZ" % (ms % 1000)
    return stamp + "-" + "".join(_ID_ALPHABET[byte % 36] for byte in os.urandom(6))


def readable_name(number):
    """Return a readable run name such as ``swift-otter-3`` (``number``: the run's number in this kernel)."""
    return f"{ADJECTIVES[_random_index(len(ADJECTIVES))]}-{NOUNS[_random_index(len(NOUNS))]}-{number}"


# ---------------------------------------------------------------------------------------------------------------------
# 4. The kernel environment (the `session` event's ENV). Every probe is bounded and none can fail the caller.
# ---------------------------------------------------------------------------------------------------------------------


def _probe(function, *args):
    try:
        return function(*args)
    except Exception:
        return None


def _distribution_version(name):
    from importlib import metadata

    try:
        return metadata.version(name)
    except Exception:
        return None


def _installed_packages():
    from importlib import metadata

    packages = {}
    for count, dist in enumerate(metadata.distributions()):
        if count >= MAX_PACKAGES:
            return packages, True
        try:
            name = dist.metadata["Name"]
            if name and name not in packages:
                packages[name] = dist.version
        except Exception:
            continue
    return dict(sorted(packages.items(), key=lambda item: item[0].lower())), False


def _memory_bytes():
    try:
        with io.open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def _run_quietly(command, cwd=None, timeout=5):
    import subprocess

    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env, stdin=subprocess.DEVNULL
    )
    return done.stdout.strip() if done.returncode == 0 else None


def _gpu_info():
    import shutil

    smi = shutil.which("nvidia-smi")
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if smi is None and visible is None:
        return None
    devices = None
    if smi is not None:
        listing = _probe(_run_quietly, [smi, "--query-gpu=name,memory.total", "--format=csv,noheader"], None, 5)
        devices = [line.strip() for line in listing.splitlines() if line.strip()] if listing else []
    return {"nvidia_smi": smi, "cuda_visible_devices": visible, "devices": devices}


# A notebook's folder may be a repository someone else wrote (a download, a shared folder), and reading its state must
# not run programs its config names: the file-system monitor (`core.fsmonitor`, which `git status` runs), hooks (an
# index write runs `post-index-change`) and the clean filters of its filter drivers (run to compare a file whose
# timestamps changed). Every git command here turns the first two off; `git status` also gets every filter driver the
# config defines emptied, so a filtered file (git-lfs) whose timestamps changed may read as dirty.
_GIT_SAFE = ("--no-pager", "-c", "core.fsmonitor=", "-c", f"core.hooksPath={os.devnull}",
             "-c", "core.untrackedCache=false")  # fmt: skip
_GIT_FILTER_KEY = re.compile(r"^filter\.(.+)\.(?:clean|process)$")
MAX_GIT_FILTERS = 50


def _git_filters_off(git, folder):
    """``-c`` options that empty every filter driver git's config defines, or None when they cannot all be."""
    listing = _run_quietly([git, *_GIT_SAFE, "config", "--name-only", "--get-regexp", r"^filter\..*\.(clean|process)$"],
                           folder)  # fmt: skip
    drivers = set()
    for line in (listing or "").splitlines():
        found = _GIT_FILTER_KEY.match(line.strip())
        if found is None or "=" in found.group(1):
            return None  # a driver `-c` cannot name
        drivers.add(found.group(1))
    if len(drivers) > MAX_GIT_FILTERS:
        return None
    options = []
    for driver in sorted(drivers):
        options += ["-c", f"filter.{driver}.clean=", "-c", f"filter.{driver}.process="]
        options += ["-c", f"filter.{driver}.required=false"]
    return options


def _git_info(folder):
    """The repository holding ``folder`` (root, commit, branch, dirty, origin's URL), or None outside one.

    Runs no program the repository's config names (see ``_GIT_SAFE``); ``dirty`` is null when that cannot be promised.
    """
    import shutil

    git = shutil.which("git")
    if git is None:
        return None
    root = _probe(_run_quietly, [git, *_GIT_SAFE, "rev-parse", "--show-toplevel"], folder)
    if not root:
        return None
    filters_off = _probe(_git_filters_off, git, folder)
    status = None
    if filters_off is not None:
        command = [git, *_GIT_SAFE, *filters_off, "status", "--porcelain", "--untracked-files=no",
                   "--ignore-submodules=all", "--no-renames"]  # fmt: skip
        status = _probe(_run_quietly, command, folder)
    return {
        "root": root,
        "commit": _probe(_run_quietly, [git, *_GIT_SAFE, "rev-parse", "HEAD"], folder),
        "branch": _probe(_run_quietly, [git, *_GIT_SAFE, "rev-parse", "--abbrev-ref", "HEAD"], folder),
        "dirty": None if status is None else bool(status),
        "remote": _probe(_run_quietly, [git, *_GIT_SAFE, "remote", "get-url", "origin"], folder),
    }


def _environment_variables(allowlist):
    import fnmatch

    names = sorted(os.environ)
    values = {}
    for name in names:
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in allowlist):
            values[name] = REDACTED if is_secret_name(name) else os.environ[name]
    return names, values


def collect_environment(config, folder=None):
    """Describe the kernel's environment: the ``env`` of the ``session`` event (see CAPTURE.md).

    Environment variable *names* are always listed; values only for names matching ``config["env_allowlist"]``
    (shell-style patterns) that do not look secret. Every probe is bounded; a failing one gives ``null``.
    """
    import platform
    import socket

    folder = folder or os.getcwd()
    packages, truncated = _probe(_installed_packages) or ({}, False)
    env_names, env_values = _environment_variables(list(config.get("env_allowlist") or []))
    user = _probe(lambda: __import__("getpass").getuser())
    return {
        "helper": {"version": HELPER_VERSION, "loaded_from": globals().get("__file__") or "frontend copy"},
        "kernel": {
            "implementation": "ipykernel" if "ipykernel" in sys.modules else None,
            "ipykernel": _distribution_version("ipykernel"),
            "ipython": _distribution_version("ipython"),
        },
        "language": {"name": "python", "version": platform.python_version()},
        "python": {
            "version": sys.version,
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
            "prefix": sys.prefix,
        },
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "description": _probe(platform.platform),
        },
        "hostname": _probe(socket.gethostname),
        "user": user,
        "cwd": folder,
        "notebook_path": config.get("notebook_path"),
        "cpu_count": os.cpu_count(),
        "memory_bytes": _probe(_memory_bytes),
        "gpu": _probe(_gpu_info),
        "packages": packages,
        "packages_truncated": truncated,
        "git": _probe(_git_info, folder),
        "jupyter": {
            name: _distribution_version(name)
            for name in ("jupyter_server", "jupyterlab", "jupyter_client", "notebook", "nbclient")
        },
        "env_names": env_names,
        "env_values": env_values,
    }


# ---------------------------------------------------------------------------------------------------------------------
# 5. Parameters read from the executed source
#
# Before an execution the helper *predicts* the parameters the cell will set (literals, and names it can resolve),
# so that a changed parameter starts a new run before any of the execution's metrics. After the execution it
# *observes* them: values read back from the namespace, and estimators' get_params(). Which arguments of a training
# call (xgb.train, lgb.train) are hyperparameters is known by `training.py`, beside this module.
# ---------------------------------------------------------------------------------------------------------------------

RANDOM_KEYWORDS = ("random_state", "seed", "random_seed")
# Seeding functions by their last name. "seed" alone counts only under a `random` module (random.seed, np.random.seed).
SEED_FUNCTIONS = {
    "seed", "manual_seed", "manual_seed_all", "set_seed", "set_random_seed", "default_rng", "RandomState",
    "seed_everything",
}  # fmt: skip
BARE_SEED_FUNCTIONS = {
    "default_rng": "numpy.random.default_rng",
    "RandomState": "numpy.random.RandomState",
    "manual_seed": "torch.manual_seed",
    "set_random_seed": "set_random_seed",
    "set_seed": "set_seed",
    "seed_everything": "seed_everything",
}
SCORING_FUNCTIONS = {
    "mean_squared_error", "accuracy_score", "f1_score", "r2_score", "roc_auc_score", "mean_absolute_error",
    "log_loss", "precision_score", "recall_score",
}  # fmt: skip
_SCORING_SUFFIX = re.compile(r"_(?:score|error|loss)$")
_SQRT_FUNCTIONS = {"sqrt", "np.sqrt", "numpy.sqrt", "math.sqrt"}
_MUTATORS = {"update", "setdefault", "pop", "popitem", "clear"}  # dict methods that change a params dict in place


class CellAnalysis:
    """What the syntax tree of one executed cell says about parameters and a trailing scoring call."""

    def __init__(self, source):
        self.source = source
        self.assignments = []  # (name, literal value, statement text): `seed = 69`, `a, b = 1, 2`
        self.dicts = []  # (name, {key: literal value}, statement text): `params = {"eta": 0.1}`
        self.constructors = []  # (name, callee, [(keyword, expr)], call node): `model = Ridge(alpha=a).fit(...)`
        self.training = []  # (name, callee, call node): `booster = xgb.train(params, dtrain)`, or a bare call
        self.keywords = []  # (callee, keyword, expr, call text, call node): `random_state=42` anywhere
        self.seed_calls = []  # (callee, argument expr, call text): `np.random.seed(seed)` anywhere
        self.objects = []  # names whose objects may be estimators (assigned, or called methods on)
        self.stored = set()  # every name the cell binds, anywhere
        self.rebound = set()  # names the cell binds more than once (their value cannot be predicted)
        self.assigned = set()  # names bound by top-level assignments (not loop variables, not locals)
        self.mutated = set()  # names whose object the cell changes in place: `params["eta"] = 0.1`, `p.update(...)`
        self.scoring = None  # (metric name, callee, kind, receiver) for a trailing scoring call
        self.starts_run = False  # the cell calls start_run() or `%runs start` itself

    def text(self, node):
        """The source text of ``node``, cut to 200 characters."""
        segment = None
        if len(self.source) <= 20_000:  # get_source_segment re-splits the whole source on every call
            segment = _probe(ast.get_source_segment, self.source, node)
        segment = segment or _probe(ast.unparse, node) or ""
        return segment if len(segment) <= MAX_PARAM_STR else segment[: MAX_PARAM_STR - 1] + "…"


def _literal(node):
    """The value of a literal expression (``69``, ``-1e-3``, ``"adam"``, ``None``), or ``_MISSING``."""
    if isinstance(node, ast.Constant):
        return json_scalar(node.value) if not isinstance(node.value, bytes) else _MISSING
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) in (int, float)
    ):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    return _MISSING


def _dotted(node):
    """``np.random.seed`` for an attribute chain of names, else the unparsed expression (shortened)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    text = _probe(ast.unparse, node) or "?"
    return (text[:60] + "." + ".".join(reversed(parts))) if parts else text[:60]


def _innermost_call(node):
    """``Ridge(alpha=a)`` for ``Ridge(alpha=a).fit(X, y).set_output(...)``: the constructor of a call chain."""
    while (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call)
    ):
        node = node.func.value
    return node if isinstance(node, ast.Call) else None


def _chain_keywords(node):
    """The keyword arguments an estimator gets in ``Ridge(alpha=a).set_params(**p).fit(X, y)``: the constructor's,
    then those of each ``set_params`` of the chain, in order, as ``[(keyword, expr)]`` (None for ``**mapping``)."""
    calls = []
    while isinstance(node, ast.Call):
        calls.append(node)
        node = node.func.value if isinstance(node.func, ast.Attribute) else None
    items = []
    for index, call in enumerate(reversed(calls)):
        if index == 0 or (isinstance(call.func, ast.Attribute) and call.func.attr == "set_params"):
            items.extend((keyword.arg, keyword.value) for keyword in call.keywords)
    return items


def _scoring_call(statement):
    """(metric name, callee, kind, receiver) when ``statement`` is a trailing scoring call, else None."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    call = statement.value
    root = False
    if _dotted(call.func) in _SQRT_FUNCTIONS and len(call.args) == 1 and isinstance(call.args[0], ast.Call):
        root, call = True, call.args[0]
    callee = _dotted(call.func)
    last = callee.rsplit(".", 1)[-1]
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) and last == "score":
        name, kind, receiver = callee, "estimator", call.func.value.id
    elif last in SCORING_FUNCTIONS or _SCORING_SUFFIX.search(last):
        name, kind, receiver = last, ("bare" if isinstance(call.func, ast.Name) else "attribute"), None
    else:
        return None
    squared = next((_literal(kw.value) for kw in call.keywords if kw.arg == "squared"), True)
    if name == "mean_squared_error" and (root or squared is False):
        name = "root_mean_squared_error"
    elif root:
        name = "sqrt_" + name
    return name, callee, kind, receiver


def analyze_source(source):
    """Read ``source`` (Python, after IPython's transforms) into a :class:`CellAnalysis`; None if it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    timed = _timed_code(tree)
    if timed is not None:  # `%%time` runs its code in the namespace: read the cell as that code
        try:
            source, tree = timed, ast.parse(timed)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            pass
    cell = CellAnalysis(source)
    counts = {}
    calls = []
    for node in ast.walk(tree):
        bound = ()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound = (node.id,)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound = (node.name,)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound = tuple(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.Call):
            calls.append(node)
            if isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS:
                cell.mutated.add(_dotted(node.func.value))
        elif isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
            cell.mutated.add(_dotted(node.value))
        for name in bound:
            counts[name] = counts.get(name, 0) + 1
    cell.stored = set(counts)
    cell.rebound = {name for name, count in counts.items() if count > 1}

    for statement in tree.body:
        _read_statement(cell, statement)

    for call in calls:
        callee = _dotted(call.func)
        last = callee.rsplit(".", 1)[-1]
        if last == "start_run" or (
            last == "run_line_magic"
            and [_literal(arg) for arg in call.args[:1]] == ["runs"]
            and str(_literal(call.args[1]) if len(call.args) > 1 else "").startswith("start")
        ):
            cell.starts_run = True
        if last in SEED_FUNCTIONS and (last != "seed" or "." not in callee or callee.split(".")[-2] == "random"):
            argument = call.args[0] if call.args else None
            if argument is None:
                argument = next((kw.value for kw in call.keywords if kw.arg in ("seed", "x", "a")), None)
            if argument is not None:
                cell.seed_calls.append((callee, argument, cell.text(call)))
            continue  # `default_rng(seed=7)` is a seeding call, not a keyword parameter
        for keyword in call.keywords:
            if keyword.arg in RANDOM_KEYWORDS:
                cell.keywords.append((callee, keyword.arg, keyword.value, cell.text(call), call))
    if tree.body:
        cell.scoring = _scoring_call(tree.body[-1])
    return cell


def _timed_code(tree):
    """The code of a ``%%time`` cell or a ``%time`` line (``get_ipython().run_cell_magic('time', '', code)``)."""
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and _dotted(call.func.value) in
            ("get_ipython()", "get_ipython")):  # fmt: skip
        return None
    arguments = [argument.value if isinstance(argument, ast.Constant) else None for argument in call.args]
    if call.func.attr == "run_cell_magic" and len(arguments) == 3 and arguments[0] == "time":
        code = arguments[2]
    elif call.func.attr == "run_line_magic" and len(arguments) == 2 and arguments[0] == "time":
        code = arguments[1]
    else:
        return None
    return code if isinstance(code, str) and code.strip() else None


def _read_statement(cell, statement):
    """Collect the parameters one top-level statement sets."""
    if isinstance(statement, ast.Assign):
        targets, value = statement.targets, statement.value
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        targets, value = [statement.target], statement.value
    else:
        # `model.set_params(alpha=0.5)` and `model.fit(...)` point at estimators too.
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            call = statement.value
            func = call.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                cell.objects.append(func.value.id)
                if func.attr == "set_params":
                    cell.constructors.append((func.value.id, None, _chain_keywords(call), call))
            callee = _dotted(func)
            if _training is not None and _training.may_train(callee):
                cell.training.append((callee, callee, call))
        return
    text = cell.text(statement)
    for target in targets:
        if isinstance(target, ast.Name):
            cell.assigned.add(target.id)
            cell.objects.append(target.id)
            literal = _literal(value)
            if literal is not _MISSING:
                cell.assignments.append((target.id, literal, text))
            elif isinstance(value, ast.Dict):
                entries = {}
                for key, item in zip(value.keys, value.values):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str) and len(entries) < MAX_DICT_PARAMS:
                        item_value = _literal(item)
                        if item_value is not _MISSING:
                            entries[key.value] = item_value
                if entries:
                    cell.dicts.append((target.id, entries, text))
            else:
                call = _innermost_call(value)
                if call is not None:
                    callee = _dotted(call.func)
                    cell.constructors.append((target.id, callee, _chain_keywords(value), call))
                    if call is value and _training is not None and _training.may_train(callee):
                        cell.training.append((target.id, callee, call))
        elif isinstance(target, (ast.Tuple, ast.List)):
            names = [item.id for item in target.elts if isinstance(item, ast.Name)]
            cell.assigned.update(names)
            cell.objects.extend(names)
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                for item, item_value in zip(target.elts, value.elts):
                    literal = _literal(item_value)
                    if isinstance(item, ast.Name) and literal is not _MISSING:
                        cell.assignments.append((item.id, literal, text))


def _lookup(dotted, namespace):
    """The object ``dotted`` names in ``namespace``, walking only through modules (no user code runs), or _MISSING."""
    parts = dotted.split(".")
    obj = namespace.get(parts[0], _MISSING)
    for part in parts[1:]:
        if not isinstance(obj, types.ModuleType):
            return _MISSING
        obj = obj.__dict__.get(part, _MISSING)
    return obj


def _has_get_params(obj):
    """Whether ``obj`` is an estimator instance: its class defines ``get_params`` (checked without calling it)."""
    if obj is _MISSING or isinstance(obj, (type, types.ModuleType)):
        return False
    return any("get_params" in vars(klass) for klass in type(obj).__mro__)


def _is_estimator_class(obj):
    return isinstance(obj, type) and any("get_params" in vars(klass) for klass in obj.__mro__)


def _seed_function_name(callee, namespace):
    """The canonical name of a seeding call (``np.random.seed`` → ``numpy.random.seed``), or None if it is not one."""
    parts = callee.split(".")
    if len(parts) == 1:
        if parts[0] == "seed":
            function = namespace.get("seed")
            random_module = sys.modules.get("random")
            if random_module is not None and function is getattr(random_module, "seed", None):
                return "random.seed"
            numpy_random = sys.modules.get("numpy.random")
            if numpy_random is not None and function is getattr(numpy_random, "seed", None):
                return "numpy.random.seed"
            return None
        return BARE_SEED_FUNCTIONS.get(parts[0])
    first = namespace.get(parts[0], _MISSING)
    if isinstance(first, types.ModuleType):
        parts[0] = first.__name__  # np -> numpy, tf -> tensorflow, npr -> numpy.random
    return ".".join(parts)


def _resolve(node, namespace, cell, predicted=None):
    """The value of a literal or a simple name, or _MISSING.

    Before an execution (``predicted`` given) a name the cell binds is known only if the cell binds it once, to a
    literal. After it, a name the cell binds is read from the namespace only if one top-level assignment binds it
    (a loop variable's last value is not what each call got). Other names come from the namespace.
    """
    value = _literal(node)
    if value is not _MISSING or not isinstance(node, ast.Name):
        return value
    name = node.id
    if predicted is not None and name in predicted:
        return predicted[name]
    if name in cell.stored and (predicted is not None or name in cell.rebound or name not in cell.assigned):
        return _MISSING
    return json_scalar(namespace.get(name, _MISSING))


def _resolve_mapping(node, namespace, cell, predicted=None):
    """``{key: scalar}`` for a dict a call is given (``params``, ``{"eta": 0.1, **base}``, ``dict(eta=0.1)``), or
    _MISSING. Names follow :func:`_resolve`'s rules; before an execution, a dict the cell changes in place
    (``params["eta"] = 0.05``, ``params.update(...)``) is not known either. Entries that are not scalars are left out,
    and so are those an unknown ``**mapping`` may have replaced.
    """
    if isinstance(node, ast.Dict):
        items = [(None if key is None else _literal(key), value) for key, value in zip(node.keys, node.values)]
    elif isinstance(node, ast.Call) and _dotted(node.func) == "dict" and namespace.get("dict", dict) is dict:
        items = [(None, arg) for arg in node.args[:1]] + [(kw.arg, kw.value) for kw in node.keywords]
    elif isinstance(node, ast.Name):
        name = node.id
        if predicted is not None and name in cell.mutated:
            return _MISSING
        if predicted is not None and name in cell.stored:
            literal = [entries for dict_name, entries, _ in cell.dicts if dict_name == name]
            return dict(literal[0]) if literal and name not in cell.rebound else _MISSING
        if name in cell.stored and (name in cell.rebound or name not in cell.assigned):
            return _MISSING
        mapping = namespace.get(name)
        if not isinstance(mapping, dict):
            return _MISSING
        try:  # dict.items: a subclass's own items() is user code
            items = list(itertools.islice(dict.items(mapping), MAX_ESTIMATOR_PARAMS))
        except RuntimeError:  # changed by another thread meanwhile
            return _MISSING
        entries = ((key, json_scalar(value)) for key, value in items if isinstance(key, str))
        return {key: value for key, value in entries if value is not _MISSING}
    else:
        return _MISSING
    found = {}
    for key, value in items[:MAX_ESTIMATOR_PARAMS]:
        if key is None:
            inner = _resolve_mapping(value, namespace, cell, predicted)
            found = {} if inner is _MISSING else {**found, **inner}
        elif isinstance(key, str):
            value = _resolve(value, namespace, cell, predicted)
            if value is _MISSING:
                found.pop(key, None)
            else:
                found[key] = value
    return found


class _Values:
    """Resolves the expressions of one cell, before it runs (``predicted`` given) or after: for the training calls."""

    missing = _MISSING

    def __init__(self, namespace, cell, predicted=None):
        self.namespace, self.cell, self.predicted = namespace, cell, predicted

    def scalar(self, node):
        return _resolve(node, self.namespace, self.cell, self.predicted)

    def mapping(self, node):
        return _resolve_mapping(node, self.namespace, self.cell, self.predicted)


def _keyword_values(items, values):
    """``{keyword: value}`` of ``[(keyword, expr)]`` (``**mapping`` expanded); unknown values are left out."""
    found = {}
    for keyword, expr in items:
        if keyword is None:
            mapping = values.mapping(expr)
            found = {} if mapping is _MISSING else {**found, **mapping}
        else:
            value = values.scalar(expr)
            if value is _MISSING:
                found.pop(keyword, None)
            else:
                found[keyword] = value
    return found


def _training_calls(cell, namespace, values):
    """``[(name, call node, {param: value}, detail)]`` for the cell's training calls (``xgb.train(params, ...)``).

    After an execution (``values.predicted`` None) only calls of a function the namespace holds count; before it,
    also a call spelled like one (``xgb.train``) whose library the cell imports itself.
    """
    found = []
    for name, callee, call in cell.training:
        function = _lookup(callee, namespace)
        if function is _MISSING:
            if values.predicted is None or callee.split(".", 1)[0] in namespace:
                continue
            function = None
        key = _training.training_function(function, callee)
        if key is not None:
            detail = _training.function_path(function) if function is not None else None
            found.append((name, call, _training.call_params(key, function, call, values), detail))
    return found


def _param(name, value, source, detail, parent=None):
    param = {"name": name, "value": redact_named(name, value), "source": source, "detail": detail}
    if parent is not None:
        param["from"] = parent
    return param


def predict_params(cell, namespace):
    """The parameters ``cell`` will set, as far as they are known before it runs: ``{name: value}``."""
    predicted = {name: value for name, value, _ in cell.assignments if name not in cell.rebound}
    result = dict(predicted)
    for name, entries, _ in cell.dicts:
        if name not in cell.rebound and name not in cell.mutated:
            result.update({f"{name}.{key}": value for key, value in entries.items()})
    estimator_calls = set()
    values = _Values(namespace, cell, predicted)
    for name, call, params, _ in _training_calls(cell, namespace, values):
        estimator_calls.add(id(call))
        result.update({f"{name}.{key}": value for key, value in params.items()})
    for name, callee, kwargs, call in cell.constructors:
        if callee is None:
            is_estimator = _has_get_params(namespace.get(name, _MISSING))
        else:
            if name in cell.rebound:
                continue
            klass = _lookup(callee, namespace)
            last = callee.rsplit(".", 1)[-1]
            is_estimator = _is_estimator_class(klass) or (klass is _MISSING and last[:1].isupper())
        if is_estimator:
            estimator_calls.add(id(call))
            result.update({f"{name}.{key}": value for key, value in _keyword_values(kwargs, values).items()})
    for callee, keyword, expr, _, call in cell.keywords:
        if id(call) not in estimator_calls:
            value = _resolve(expr, namespace, cell, predicted)
            if value is not _MISSING:
                result[f"{callee}.{keyword}"] = value
    for callee, expr, _ in cell.seed_calls:
        name = _seed_function_name(callee, namespace)
        value = _resolve(expr, namespace, cell, predicted)
        if name and value is not _MISSING:
            result[name] = value
    return {name: redact_named(name, value) for name, value in result.items()}


def estimator_params(name, obj):
    """``[(f"{name}.{param}", value), ...]``: the scalar hyperparameters of an object with ``get_params()``."""
    try:
        try:
            params = obj.get_params(deep=True)
        except TypeError:
            params = obj.get_params()
    except Exception:
        return []
    if not isinstance(params, dict):
        return []
    found = []
    for key in sorted(params, key=str)[:MAX_ESTIMATOR_PARAMS]:
        value = json_scalar(params[key])
        if value is not _MISSING:
            found.append((f"{name}.{key}", value))
    return found


def observe_params(cell, namespace, known=None):
    """The parameters ``cell`` set, read after it ran: ``{name: param}`` (param: name, value, source, detail, and
    ``from`` for one whose argument was the variable of another recorded parameter: those of ``known``, name ->
    value, recorded before, or of this cell)."""
    found = {}
    known = known or {}

    def recorded(variable):
        """``(value,)`` of the parameter ``variable`` recorded by this cell or before it, or None."""
        if variable in found:
            return (found[variable]["value"],)
        return (known[variable],) if variable in known else None

    def add(name, value, source, detail, expr=None):
        if value is not _MISSING:
            parent = None if expr is None else _derivation.parent_name(expr, value, recorded, _same_value)
            found[name] = _param(name, value, source, detail, None if parent == name else parent)

    for name, _, text in cell.assignments:
        add(name, json_scalar(namespace.get(name, _MISSING)), "assignment", text)
    for name, entries, text in cell.dicts:
        mapping = namespace.get(name)
        if isinstance(mapping, dict):
            for key in entries:
                add(f"{name}.{key}", json_scalar(mapping.get(key, _MISSING)), "assignment", text)
    estimators = set()
    candidates = [name for name, *_ in cell.constructors] + cell.objects
    for name in list(dict.fromkeys(candidates))[:MAX_ESTIMATORS]:
        obj = namespace.get(name, _MISSING)
        if _has_get_params(obj):
            estimators.add(name)
            klass = type(obj)
            detail = f"{klass.__module__}.{klass.__qualname__}"
            written, arguments = _estimator_arguments(cell, name, namespace)
            for param_name, value in estimator_params(name, obj):
                key = param_name[len(name) + 1 :]
                source = _derivation.DEFAULT_SOURCE if _derivation.is_default(key, written) else "estimator"
                add(param_name, value, source, detail, arguments.get(key))
    trained = set()
    for name, call, params, detail in _training_calls(cell, namespace, _Values(namespace, cell)):
        trained.add(id(call))
        for key, value in params.items():
            add(f"{name}.{key}", value, "estimator", detail)
    constructed = {id(call): name for name, callee, _, call in cell.constructors if callee is not None}
    for callee, keyword, expr, text, call in cell.keywords:
        if constructed.get(id(call)) not in estimators and id(call) not in trained:
            add(f"{callee}.{keyword}", _resolve(expr, namespace, cell), "keyword", text, expr)
    for callee, expr, text in cell.seed_calls:
        name = _seed_function_name(callee, namespace)
        if name:
            add(name, _resolve(expr, namespace, cell), "seed-call", text, expr)
    return found


def _estimator_arguments(cell, name, namespace):
    """What the cell wrote for the estimator ``name``: the hyperparameters it set (None when it did not construct the
    object, rebinds the name, or passes a mapping that cannot be read), and ``{keyword: expr}`` of every argument."""
    written, arguments, constructed = set(), {}, False
    for target, callee, items, _ in cell.constructors:
        if target != name:
            continue
        arguments.update(_derivation.keyword_parents(items))
        if written is None:
            continue
        if callee is not None:
            constructed = True
        chain = _derivation.written_keywords(items, lambda expr: _derivation.mapping_keys(expr, namespace))
        written = None if chain is None else written | chain
    if not constructed or name in cell.rebound:
        written = None
    return written, arguments


def scoring_metric(cell, value, namespace):
    """``(metric name, float)`` when the cell ended in a scoring call that returned a number, else None."""
    if cell is None or cell.scoring is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    name, callee, kind, receiver = cell.scoring
    if kind == "estimator" and not _has_get_params(namespace.get(receiver, _MISSING)):
        return None
    if kind == "attribute":
        function = _lookup(callee, namespace)
        module = getattr(function, "__module__", None) if function is not _MISSING else None
        if "metrics" not in callee.split(".")[:-1] and not str(module).startswith("sklearn.metrics"):
            return None
    return name, float(value)


# ---------------------------------------------------------------------------------------------------------------------
# 6. Metrics read from printed output
#
# Lines the kernel prints are parsed for three shapes:
#   xgboost/lightgbm evaluation   [12]\tvalidation-rmse:6.61\ttrain-rmse:5.2     [10]\tvalid_0's l2: 3.4
#   Keras progress                1875/1875 [===] - 3s 1ms/step - loss: 0.25 - accuracy: 0.93   (step = last Epoch N/M)
#   name: value / name = value    Test RMSE: 0.51    accuracy = 0.93, f1 = 0.9    (metric-like names only)
# ---------------------------------------------------------------------------------------------------------------------

DEFAULT_METRIC_WORDS = {
    "rmse", "mse", "mae", "r2", "loss", "accuracy", "acc", "auc", "f1", "precision", "recall", "logloss", "error",
    "score",
}  # fmt: skip
_STEP_WORDS = {"epoch", "step", "iter", "iteration", "round", "batch"}
_LOG_LEVELS = {"INFO", "DEBUG", "WARNING", "WARN", "TRACE"}

_NUMBER = r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|Infinity|inf|Inf|nan|NaN)"
_EVAL_LINE = re.compile(r"^\s*\[(\d+)\]\s+(.*)$")
_EVAL_PAIR = re.compile(r"([^\t:]+?):\s*(" + _NUMBER + r")(?:\+" + _NUMBER + r")?(?=\s|$)")
_EPOCH_LINE = re.compile(r"^\s*Epoch\s+(\d+)\s*/\s*\d+\s*$")
_KERAS_HINT = re.compile(r"(?:s|ms|us|µs)/(?:step|epoch|sample)\b")
_KERAS_PAIR = re.compile(r"(?:^|\s-\s)([A-Za-z_][\w]*):\s+(" + _NUMBER + r")(?=\s|$)")
_GENERIC_PAIR = re.compile(
    r"(?<![\w.\-/])([A-Za-z][\w'.\-]*(?: [A-Za-z][\w'.\-]*){0,3})\s*[:=]\s*(" + _NUMBER + r")(?=$|[\s,;|)\]}%])"
)
_STEP_IN_LINE = re.compile(r"\b(?:epoch|step|iter|iteration|round|batch)\s*[:=#]?\s*(\d+)", re.IGNORECASE)
_BEST_ITERATION = re.compile(r"best iteration is", re.IGNORECASE)


class OutputMetricParser:
    """Turns printed lines into metric points ``(name, value, step)``. Keeps the Keras epoch between lines."""

    def __init__(self, extra_patterns=()):
        self.set_patterns(extra_patterns)
        self.reset()

    def set_patterns(self, extra_patterns):
        """Extra metric names: regular expressions matched (case-insensitively) against printed names."""
        self.extra = []
        for pattern in extra_patterns or ():
            try:
                self.extra.append(re.compile(pattern, re.IGNORECASE))
            except (re.error, TypeError):
                continue

    def reset(self):
        """Forget the Keras epoch: called at the start of every execution."""
        self.epoch = None
        self.skip_next_eval = False

    def is_metric_name(self, name):
        """Whether a printed ``name: value`` is a metric: a word of it is a metric word, or an extra pattern matches."""
        words = re.split(r"[^a-z0-9]+", name.lower())
        return any(word in DEFAULT_METRIC_WORDS for word in words) or any(p.search(name) for p in self.extra)

    def parse_line(self, line):
        """The metric points in one printed line (without its newline)."""
        if ":" not in line and "=" not in line:
            epoch = _EPOCH_LINE.match(line)
            if epoch:
                self.epoch = int(epoch.group(1))
            return []
        evaluation = _EVAL_LINE.match(line)
        if evaluation:
            pairs = [(name.strip(), value) for name, value in _EVAL_PAIR.findall(evaluation.group(2))]
            if pairs:
                if self.skip_next_eval:  # lightgbm repeats the best iteration after early stopping
                    self.skip_next_eval = False
                    return []
                step = int(evaluation.group(1))
                return [(name, float(value), step) for name, value in pairs if name]
        if _BEST_ITERATION.search(line):
            self.skip_next_eval = True
            return []
        keras_pairs = _KERAS_PAIR.findall(line)
        if keras_pairs and (_KERAS_HINT.search(line) or (len(keras_pairs) > 1 and " - " in line)):
            if "ETA:" in line:  # an intermediate progress bar, superseded by the epoch's final line
                return []
            return [(name, float(value), self.epoch) for name, value in keras_pairs]
        step_match = _STEP_IN_LINE.search(line)
        step = int(step_match.group(1)) if step_match else None
        points = []
        for name, value in _GENERIC_PAIR.findall(line):
            words = name.strip("'\"").split(" ")
            while len(words) > 1 and words[0] in _LOG_LEVELS:
                words.pop(0)
            name = " ".join(words)
            if name.lower() not in _STEP_WORDS and self.is_metric_name(name):
                points.append((name, float(value), step))
        return points


def final_line_text(line):
    """What a terminal shows for ``line``: the text after its last carriage return, with backspaces applied."""
    line = line.rstrip("\r")
    if "\r" in line:
        line = line.rsplit("\r", 1)[1]
    if "\b" in line:
        shown = []
        for char in line:
            if char == "\b":
                if shown:
                    shown.pop()
            else:
                shown.append(char)
        line = "".join(shown)
    return line


class LineBuffer:
    """Splits a stream of writes into complete lines for ``on_line``, without ever holding more than 64 KiB."""

    def __init__(self, on_line):
        self.on_line = on_line
        self.parts = []
        self.size = 0
        self.lock = threading.Lock()

    def feed(self, text):
        """Take one ``write()``; call ``on_line`` for every line it completes."""
        with self.lock:
            if "\n" not in text:
                self.parts.append(text)
                self.size += len(text)
                if self.size > MAX_LINE:  # a progress bar redrawn with \r, or a huge line: keep the last redraw
                    held = "".join(self.parts)
                    held = held[held.rfind("\r") :] if "\r" in held else ""
                    self.parts, self.size = ([held] if held else []), len(held)
                return
            lines = ("".join(self.parts) + text).split("\n")
            rest = lines.pop()
            self.parts, self.size = ([rest] if rest else []), len(rest)
        for line in lines:
            if len(line) <= MAX_LINE:
                self.on_line(final_line_text(line))

    def close(self):
        """Treat what is left as a last line."""
        with self.lock:
            rest = "".join(self.parts)
            self.parts, self.size = [], 0
        if rest and len(rest) <= MAX_LINE:
            self.on_line(final_line_text(rest))


# ---------------------------------------------------------------------------------------------------------------------
# 7. The recorder: session, runs, event buffer, comm
# ---------------------------------------------------------------------------------------------------------------------

_STATUS_BY_OUTCOME = {None: "finished", "ok": "finished", "error": "failed", "interrupted": "interrupted"}


class MetricSeries:
    """The points of one metric of one run not yet turned into events, in compact arrays (32 bytes a point)."""

    __slots__ = ("run", "name", "source", "values", "steps", "times", "execs")

    def __init__(self, run, name, source):
        self.run, self.name, self.source = run, redact_text(name), source
        self.values, self.steps, self.times, self.execs = array("d"), array("q"), array("d"), array("q")

    def take(self):
        """Hand over the points collected so far and start empty."""
        taken = (self.values, self.steps, self.times, self.execs)
        self.values, self.steps, self.times, self.execs = array("d"), array("q"), array("d"), array("q")
        return taken


class MetricChunk:
    """A buffered ``metric`` event, kept as arrays until it is sent."""

    __slots__ = ("seq", "time", "run", "name", "source", "values", "steps", "times", "execs")

    def __init__(self, seq, run, name, source, values, steps, times, execs):
        self.seq, self.time, self.run, self.name, self.source = seq, times[0], run, name, source
        self.values, self.steps, self.times, self.execs = values, steps, times, execs

    def __len__(self):
        return len(self.values)

    def to_event(self):
        """The event as CAPTURE.md defines it: ``points`` is ``[[value, step, time, exec], ...]``."""
        points = [
            [
                value if -_INF < value < _INF else encode_float(value),
                None if step == NO_STEP else step,
                moment,
                None if execution == NO_EXEC else execution,
            ]
            for value, step, moment, execution in zip(self.values, self.steps, self.times, self.execs)
        ]
        return {
            "seq": self.seq, "time": self.time, "kind": "metric", "run": self.run, "name": self.name,
            "source": self.source, "points": points,
        }  # fmt: skip


class Run:
    """The state of the active run."""

    def __init__(self, run_id, name, reason):
        self.id, self.name, self.reason = run_id, name, reason
        self.started = time.time()
        self.params = {}  # name -> param dict, the values in force
        self.metric_count = 0
        self.metric_names = set()  # every metric name recorded, whatever its source (at most MAX_NAMES_PER_RUN)
        self.explicit_names = set()  # metrics logged through the API: output parsing leaves these names alone
        self.last_outcome = None  # of the run's last execution, decides its end status
        self.ending = False  # end_run() was called during the current execution
        self.files = {}  # (path, mode) -> (size, mtime_ns, sha256) last recorded
        self.start_fields = None  # the run_start event's fields until it is announced

    def summary(self):
        return {
            "id": self.id,
            "name": self.name,
            "status": "running",
            "params": {name: param["value"] for name, param in self.params.items()},
            # Not yet announced: nothing ran in it, the page shows "ready to record" rather than a running run.
            "announced": self.start_fields is None,
        }


class Execution:
    """What the helper knows about the execution in progress."""

    def __init__(self, number, info, started, cell):
        self.number, self.info, self.started, self.cell = number, info, started, cell
        self.switched = False  # a new run began for this execution before it ran
        self.run_id = None  # the run it began in
        self.metrics_before = False  # that run had metrics when the execution began


class Recorder:
    """Everything the helper records in one kernel process.

    The module keeps one instance (``_RECORDER``); tests make their own. All state changes happen under ``lock``;
    sends happen under ``send_lock`` so that events leave in ``seq`` order from any thread.
    """

    def __init__(self):
        self.lock = threading.RLock()
        self.send_lock = threading.Lock()
        self.config = dict(DEFAULT_CONFIG)
        self.tracking = True
        self.root = None  # the notebook's folder: the kernel's working directory when first used
        self.session_id = None
        self.seq = 0
        self.buffer = deque()  # (seq, event dict or MetricChunk), in seq order, until acknowledged
        self.series = {}  # (run id, name, source) -> MetricSeries
        self.dirty = []  # series holding points not yet in the buffer
        self.pending_points = 0
        self.run = None
        self.run_number = 0
        self.exec_count = 0
        self.execution = None  # Execution in progress
        self.nested = 0  # run_cell called from inside a cell
        self.session_params = {}  # name -> param dict: latest values in this kernel session
        self.comms = {}  # comm id -> comm, for the comms that said hello, in that order
        self.writer = None  # the comm events are sent to: the latest to say hello
        self.sent_upto = 0
        self.acked_upto = 0
        self.handover = None  # (displaced comm, seq, deadline) while the new writer waits: see _make_writer
        self.errors = deque(maxlen=20)  # the helper's own failures, shown by `%runs status`
        self.warned = set()
        self.parser = OutputMetricParser()
        self.shell = None
        self.comm_manager = None
        self.tees = []
        self.files = FileRecorder()
        self.wake = threading.Event()
        self.flusher = None
        self.hash_cache = {}  # path -> (size, mtime_ns, sha256)
        self.spool = Spool(self)  # where events go while no frontend is attached (section 9)
        self.recent = deque(maxlen=RECENT_EXECUTIONS)  # (execution count, cell id, exec, run id), for forwarded outputs
        self.param_runs = deque()  # when the runs parameter changes started in the last minute began (monotonic)
        self.exit_hook = False

    # -- configuration and session --------------------------------------------------------------------------------

    def configure(self, config):
        """Merge ``config`` (CAPTURE.md's attach config; unknown keys kept, wrong types ignored)."""
        with self.lock:
            for key, value in (config or {}).items():
                if key == "type":
                    continue
                default = DEFAULT_CONFIG.get(key)
                if default is None or isinstance(value, type(default)):
                    self.config[key] = value
            self.tracking = bool(self.config.get("tracking", True))
            self.parser.set_patterns(self.config.get("metric_patterns") or [])

    def ensure_session(self):
        """Start the session (``session`` event, then the ``kernel-start`` run) unless it has started."""
        with self.lock:
            if self.session_id is not None:
                return
            self.root = self.root or os.getcwd()
            self.session_id = new_id()
            env = collect_environment(self.config, self.root)
            self._emit("session", None, session=self.session_id, env=env)
            self._begin_run("kernel-start")

    def summary(self):
        """A small description of the helper's state (``attach`` returns it; ``%runs status`` prints it)."""
        with self.lock:
            return {
                "session": self.session_id,
                "helper_version": HELPER_VERSION,
                "tracking": self.tracking,
                "run": self.run.summary() if self.run else None,
                "seq": self.seq,
                "buffered_events": len(self.buffer),
                "pending_points": self.pending_points,
                "frontend_connected": self.writer is not None,
                "spool": self.spool.path,
                "spool_problem": self.spool.problem(),
                "errors": len(self.errors),
            }

    def note_error(self):
        """Remember the current exception: the helper never lets its own failures reach user code."""
        self.errors.append(traceback.format_exc(limit=8))

    def warn_once(self, key, message):
        """Warn the user once per ``key``; never raises, even under ``warnings.simplefilter("error")``."""
        try:
            if key in self.warned:
                return
            self.warned.add(key)
            warnings.warn(message, RunsWarning, stacklevel=4)
        except Exception:
            pass

    # -- events ---------------------------------------------------------------------------------------------------

    def _emit(self, kind, run, **fields):
        """Append one event (redacted) to the buffer. Caller holds ``lock``. Pending metric points go first."""
        if run is not None:
            self._announce(run)
        self._coalesce()
        self.seq += 1
        event = {"seq": self.seq, "time": time.time(), "kind": kind}
        if run is not None:
            event["run"] = run
        event.update(redact_value(fields))
        self.buffer.append((self.seq, event))
        if self.seq - self.sent_upto >= FLUSH_EVENTS:
            self.wake.set()
        return event

    def _coalesce(self):
        """Turn pending metric points into ``metric`` events (at most 10,000 points each). Caller holds ``lock``."""
        if not self.dirty:
            return
        for series in self.dirty:
            self._announce(series.run)
        for series in self.dirty:
            values, steps, times, execs = series.take()
            count = len(values)
            for start in range(0, count, POINTS_PER_EVENT):
                end = min(count, start + POINTS_PER_EVENT)
                part = (values, steps, times, execs)
                if start or end < count:
                    part = tuple(column[start:end] for column in part)
                self.seq += 1
                self.buffer.append((self.seq, MetricChunk(self.seq, series.run, series.name, series.source, *part)))
        self.dirty = []
        self.pending_points = 0

    # -- runs -----------------------------------------------------------------------------------------------------

    def _begin_run(self, reason, name=None):
        """End the active run, if any, and start a new one. Caller holds ``lock``."""
        if self.run is not None:
            self._end_run()
        self.run_number += 1
        run = Run(new_id(), name or readable_name(self.run_number), reason)
        run.params = dict(self.session_params)
        # The execution in progress, if any, belongs to the new run; the ones before it built its state.
        last_before = self.execution.number - 1 if self.execution else self.exec_count
        self.run = run
        run.start_fields = {
            "name": run.name,
            "reason": reason,
            "params": [dict(param) for param in run.params.values()],
            "inherited": list(range(1, last_before + 1)),
        }
        # A run the kernel begins on its own is announced with its first event, so opening a notebook (or
        # restarting its kernel) and running nothing records no empty run. One the user asks for is announced now.
        if reason in ("user", "param-changed"):
            self._announce(run.id)
        return run

    def _announce(self, run_id):
        """Emit the active run's ``run_start`` if it has not been yet. Caller holds ``lock``.

        Appended directly, without coalescing, so ``_coalesce`` can call it before the run's first points.
        """
        run = self.run
        if run is None or run.id != run_id or run.start_fields is None:
            return
        fields, run.start_fields = run.start_fields, None
        self.seq += 1
        event = {"seq": self.seq, "time": run.started, "kind": "run_start", "run": run.id}
        event.update(redact_value(fields))
        self.buffer.append((self.seq, event))

    def _end_run(self, status=None):
        """Emit ``run_end`` for the active run. Caller holds ``lock``.

        The status, unless given, comes from the run's last execution: ``failed`` if it raised, ``interrupted``
        after a KeyboardInterrupt, else ``finished``.
        """
        run = self.run
        if run is None:
            return
        if run.start_fields is not None and not any(series.run == run.id for series in self.dirty):
            # Nothing happened in it: it was never announced, so it is not ended either.
            self.run = None
            return
        self._emit("run_end", run.id, status=status or _STATUS_BY_OUTCOME[run.last_outcome])
        for key in [key for key in self.series if key[0] == run.id]:
            del self.series[key]
        self.run = None

    def _active_run(self):
        """The active run, starting the session or a new run (reason ``helper``) when there is none."""
        if self.session_id is None:
            self.ensure_session()
        if self.run is None:
            self._begin_run("helper")
        return self.run

    def _changed(self, values):
        """Whether any of ``{name: value}`` differs from a value the active run recorded."""
        params = self.run.params
        return any(name in params and not _same_value(params[name]["value"], value) for name, value in values.items())

    def _may_split(self):
        """Whether a parameter change may start a new run now (at most ``MAX_PARAM_RUNS_PER_MINUTE`` a minute).

        A loop that sets a parameter and logs a metric at each turn would otherwise make a run, and a notebook
        snapshot, per turn. Past the limit the change goes into the current run, with one warning. Caller holds lock.
        """
        now = time.monotonic()
        while self.param_runs and now - self.param_runs[0] >= 60.0:
            self.param_runs.popleft()
        if len(self.param_runs) >= MAX_PARAM_RUNS_PER_MINUTE:
            message = (f"jupyterlab_runs: parameter changes started {MAX_PARAM_RUNS_PER_MINUTE} runs within a minute; "
                       "further changes are recorded in the current run until the minute is over")  # fmt: skip
            self.warn_once("param-runs", message)
            return False
        self.param_runs.append(now)
        return True

    def _record_params(self, params, execution):
        """Record parameters in the active run; emit ``param`` only for new or changed values. Caller holds lock."""
        run = self.run
        for param in params:
            old = run.params.get(param["name"])
            if old is not None and _same_value(old["value"], param["value"]):
                continue
            if old is None and len(run.params) >= MAX_NAMES_PER_RUN:
                message = (f"jupyterlab_runs: a run records at most {MAX_NAMES_PER_RUN} parameter names; "
                           f"{param['name'][:100]!r} and later new ones are not recorded")  # fmt: skip
                self.warn_once("param-names", message)
                continue
            param = dict(param, exec=execution)
            run.params[param["name"]] = param
            self.session_params[param["name"]] = param
            self._emit("param", run.id, **param)

    def start_run(self, name=None, reason="user"):
        """End the active run and start a new one now."""
        if not self.tracking:
            return None
        with self.lock:
            if self.session_id is None:
                self.ensure_session()
            return self._begin_run(reason, None if name is None else str(name)).summary()

    def end_run(self):
        """End the active run. Inside an execution it ends when the execution does, with that execution's outcome."""
        if not self.tracking:
            return
        with self.lock:
            if self.run is None:
                return
            if self.execution is not None:
                self.run.ending = True
            else:
                self._end_run()

    # -- explicit API -------------------------------------------------------------------------------------------------

    def log_metric(self, name, value, step=None, source="explicit"):
        """Append one metric point to the active run's buffer. No I/O; a few microseconds. Never raises."""
        if not self.tracking:
            return
        try:
            value = metric_float(value)
        except ValueError as refusal:
            message = f"jupyterlab_runs: metric {name!r} not logged: {refusal}"
            self.warn_once(("value", str(name), str(refusal)[:40]), message)
            return
        try:
            if step is not None and (type(step) is not int or not NO_STEP < step < _STEP_LIMIT):
                step = self._step(name, step)  # validated before any append: the four arrays stay aligned
            if type(name) is not str or len(name) > MAX_NAME:
                name = cap_name(name, "metric", self.warn_once)
            with self.lock:
                run = self.run if self.run is not None else self._active_run()
                moment = time.time()
                series = self.series.get((run.id, name, source))
                if series is None:
                    if name not in run.metric_names:
                        if len(run.metric_names) >= MAX_NAMES_PER_RUN:
                            message = (f"jupyterlab_runs: a run records at most {MAX_NAMES_PER_RUN} metric names; "
                                       f"{name[:100]!r} and later new ones are not recorded")  # fmt: skip
                            self.warn_once("metric-names", message)
                            return
                        run.metric_names.add(name)
                    series = self.series[(run.id, name, source)] = MetricSeries(run.id, name, source)
                    if source == "explicit":
                        run.explicit_names.add(name)
                if not series.values:
                    self.dirty.append(series)
                series.values.append(value)
                series.steps.append(NO_STEP if step is None else step)
                series.times.append(moment)
                series.execs.append(NO_EXEC if self.execution is None else self.execution.number)
                run.metric_count += 1
                self.pending_points += 1
                waiting = self.pending_points
            if waiting >= FLUSH_EVENTS:
                self.wake.set()
        except Exception:
            self.note_error()

    def _step(self, name, step):
        if not isinstance(step, bool):
            try:
                step = operator.index(step)
                if NO_STEP < step < _STEP_LIMIT:
                    return step
            except TypeError:
                if isinstance(step, float) and step.is_integer():
                    return int(step)
        message = f"jupyterlab_runs: metric {name!r}: step {step!r} is not a 64-bit integer; ignored"
        self.warn_once(("step", str(name)), message)
        return None

    def log_param(self, name, value, source="explicit", detail=None):
        """Record a parameter. A changed value after the run has metrics starts a new run (``param-changed``)."""
        if not self.tracking:
            return
        try:
            name = cap_name(name, "parameter", self.warn_once)
            scalar = json_scalar(value)
            if scalar is _MISSING:
                text = str(value)
                scalar = text if len(text) <= MAX_PARAM_STR else text[: MAX_PARAM_STR - 1] + "…"
            param = _param(name, scalar, source, detail)
            with self.lock:
                run = self._active_run()
                if run.metric_count and self._changed({name: param["value"]}) and self._may_split():
                    self._begin_run("param-changed")
                self._record_params([param], self.execution.number if self.execution else None)
        except Exception:
            self.note_error()

    def set_tag(self, key, value):
        """Emit a ``tag`` event in the active run (the value is redacted when the key looks secret)."""
        if self.tracking:
            with self.lock:
                key = cap_name(key, "tag", self.warn_once)
                self._emit("tag", self._active_run().id, key=key, value=redact_named(key, cap_text(str(value))))

    def note(self, text):
        """Emit a ``note`` event in the active run."""
        if self.tracking:
            with self.lock:
                self._emit("note", self._active_run().id, text=cap_text(str(text)))

    def log_artifact(self, path):
        """Record a file the user names as an output of the run (a ``file`` event, ``"artifact": true``)."""
        if not self.tracking:
            return
        with self.lock:
            self._active_run()
            self.root = self.root or os.getcwd()
        record = self._file_record(os.path.abspath(os.fspath(path)), "write")
        if record is None:
            self.warn_once(
                ("artifact", str(path)),
                f"jupyterlab_runs: artifact {path!r} not recorded: it must be a file inside the notebook's folder",
            )
            return
        record.pop("mtime_ns")
        with self.lock:
            execution = self.execution.number if self.execution else None
            self._emit("file", self._active_run().id, exec=execution, artifact=True, **record)

    # -- executions (called by the IPython hooks) -------------------------------------------------------------

    def begin_execution(self, info, source, namespace):
        """Start recording an execution: maybe start a run, predict its parameters, start the output/file taps."""
        started = time.time()
        if not self.tracking or getattr(info, "silent", False):
            return
        if self.execution is not None:
            self.nested += 1
            return
        cell = analyze_source(source)
        self.spool.remember(getattr(info, "raw_cell", "") or "")
        with self.lock:
            run = self._active_run()
            self.exec_count += 1
            self.execution = execution = Execution(self.exec_count, info, started, cell)
            if (
                cell is not None
                and not cell.starts_run  # the cell starts its own run: no automatic one before it
                and run.metric_count
                and self._changed(predict_params(cell, namespace))
                and self._may_split()
            ):
                run = self._begin_run("param-changed")
                execution.switched = True
            execution.run_id, execution.metrics_before = run.id, run.metric_count > 0
        self.parser.reset()
        self.files.start(namespace)

    def finish_execution(self, result, namespace):
        """Finish recording an execution: the ``execution`` event, its params, scoring metric and files."""
        if self.nested:
            self.nested -= 1
            return
        execution = self.execution
        if execution is None:
            return
        try:
            ended = time.time()
            seen = self.files.stop()
            error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
            outcome = "ok" if error is None else ("interrupted" if isinstance(error, KeyboardInterrupt) else "error")
            cell = execution.cell
            with self.lock:
                known = {name: param["value"] for name, param in self.session_params.items()}
            params = observe_params(cell, namespace, known) if cell is not None else {}
            scored = scoring_metric(cell, getattr(result, "result", None), namespace) if error is None else None
            files = [record for record in (self._file_record(path, mode) for path, mode in seen) if record]
            with self.lock:
                run = self._active_run()
                values = {name: param["value"] for name, param in params.items()}
                late = not execution.switched and execution.metrics_before and run.id == execution.run_id
                if late and self._changed(values) and self._may_split():
                    self._begin_run("param-changed")  # known only now: an estimator changed without a literal
                run = self.run
                self._emit(
                    "execution",
                    run.id,
                    exec=execution.number,
                    cell_id=getattr(execution.info, "cell_id", None),
                    execution_count=getattr(result, "execution_count", None),
                    source=getattr(execution.info, "raw_cell", "") or "",
                    started=execution.started,
                    ended=ended,
                    outcome=outcome,
                    error=self._error_details(error),
                )
                cell_id = getattr(execution.info, "cell_id", None)
                self.recent.append((getattr(result, "execution_count", None), cell_id, execution.number, run.id))
                self._record_params(params.values(), execution.number)
                if scored is not None:
                    self.log_metric(scored[0], scored[1], None, "scoring-call")
                for record in files:
                    key = (record["path"], record["mode"])
                    state = (record["size"], record.pop("mtime_ns"), record["sha256"])
                    if run.files.get(key) != state:
                        run.files[key] = state
                        self._emit("file", run.id, exec=execution.number, **record)
                run.last_outcome = outcome
                self.execution = None
                if run.ending:
                    self._end_run()
        except Exception:
            self.note_error()
        finally:
            self.execution = None

    def _error_details(self, error):
        if error is None:
            return None
        tb = error.__traceback__
        while tb is not None and "IPython" in tb.tb_frame.f_code.co_filename.replace("\\", "/").split("/"):
            tb = tb.tb_next  # drop IPython's own frames above the cell
        lines = traceback.format_exception(type(error), error, tb)
        cap = min(MAX_TRACEBACK, int(self.config.get("output_cap_bytes") or MAX_TRACEBACK))
        kept, size = [], 0
        for line in reversed(lines):
            size += len(line)
            if size > cap:
                kept.append("... (traceback cut)\n")
                break
            kept.append(line)
        return {"name": type(error).__name__, "value": cap_text(str(error)), "traceback": kept[::-1]}

    def on_output_line(self, line):
        """Record the metrics in one printed line (called by the stdout/stderr tee)."""
        try:
            points = self.parser.parse_line(line)
            if not points:
                return
            run = self.run
            for name, value, step in points:
                if run is None or name not in run.explicit_names:
                    self.log_metric(name, value, step, "output")
        except Exception:
            self.note_error()

    def _file_record(self, path, mode):
        """A ``file`` event body for an absolute path inside the notebook folder, or None."""
        try:
            root = self.root or os.getcwd()
            relative = os.path.relpath(path, root)
            if relative.startswith("..") or os.path.isabs(relative):
                return None
            if ".ipynb_checkpoints" in relative.split(os.sep):
                return None
            info = os.stat(path)
            if not (info.st_mode & 0o170000) == 0o100000:  # regular files only
                return None
            return {
                "path": relative.replace(os.sep, "/"),
                "mode": mode,
                "size": info.st_size,
                "mtime": info.st_mtime,
                "mtime_ns": info.st_mtime_ns,
                "sha256": self._sha256(path, info),
            }
        except (OSError, ValueError):
            return None

    def _sha256(self, path, info):
        if info.st_size > MAX_HASH_BYTES:
            return None
        cached = self.hash_cache.get(path)
        if cached and cached[:2] == (info.st_size, info.st_mtime_ns):
            return cached[2]
        digest = hashlib.sha256()
        with io.FileIO(path, "rb") as handle:  # io.FileIO, not open(): never recorded, never patched
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        self.hash_cache[path] = (info.st_size, info.st_mtime_ns, digest.hexdigest())
        return digest.hexdigest()

    # -- the comm -------------------------------------------------------------------------------------------------

    def on_comm_open(self, comm, message):
        """Comm target callback: a frontend opened ``jupyterlab_runs``."""
        try:
            comm.on_msg(lambda msg: self.on_comm_message(comm, msg))
            comm.on_close(lambda msg: self.on_comm_close(comm))
            with self.lock:
                run = self.run.summary() if self.run else None
                welcome = {"type": "welcome", "session": self.session_id, "seq": self.seq, "run": run}
            comm.send(dict(welcome, helper_version=HELPER_VERSION))
            data = (message or {}).get("content", {}).get("data") or {}
            if data.get("type"):
                self.handle(comm, data)
        except Exception:
            self.note_error()

    def on_comm_message(self, comm, message):
        try:
            self.handle(comm, message["content"]["data"] or {})
        except Exception:
            self.note_error()

    def on_comm_close(self, comm):
        with self.lock:
            self.comms.pop(comm.comm_id, None)
            if self.writer is comm:
                # The previous frontend, if one is still open, takes over and gets every unacknowledged event.
                self.writer = next(reversed(self.comms.values()), None)
                self.sent_upto = self.acked_upto
                self.handover = None
                if self.writer is not None:
                    _probe(self.writer.send, {"type": "writer", "writer": True})
        if self.writer is not None:
            self.flush()

    def _make_writer(self, comm, after, handover=True):
        """Events go to ``comm`` from ``after`` on (or, with ``handover``, after the events the writer it displaces
        was sent, once that one acknowledges them); tell it, and the frontend that wrote before, who writes now."""
        with self.lock:
            previous = self.writer
            self.comms.pop(comm.comm_id, None)
            self.comms[comm.comm_id] = comm  # the latest hello is last
            self.writer = comm
            if self.handover is not None and self.handover[0] is not comm:
                pass  # the writer displaced first still owes its acknowledgement
            elif handover and previous not in (None, comm) and self.acked_upto <= after < self.sent_upto:
                # The writer displaced was sent events the new one's store lacks: it stores them, then acknowledges.
                # Sent to both, they would be stored twice; so the new writer gets what follows them, once they are
                # acknowledged (or everything unacknowledged, if the displaced one closes or takes too long).
                self.handover = (previous, self.sent_upto, time.monotonic() + HANDOVER_TIMEOUT)
            else:
                self.handover = None
                self.sent_upto = after
        if previous is not None and previous is not comm:
            _probe(previous.send, {"type": "writer", "writer": False})
        _probe(comm.send, {"type": "writer", "writer": True})

    def forward_outputs(self, data):
        """A frontend that is not the writer displayed an execution's outputs: pass them on as an event."""
        count, cell_id, outputs = data.get("execution_count"), data.get("cell_id"), data.get("outputs")
        if not isinstance(count, int) or not isinstance(outputs, list):
            return
        with self.lock:
            for known in reversed(self.recent):
                if known[0] == count and (cell_id is None or known[1] in (None, cell_id)):
                    self._emit("outputs", known[3], exec=known[2], cell_id=cell_id, outputs=outputs)
                    return

    def handle(self, comm, data):
        """Act on one frontend → kernel message (``hello``, ``ack``, ``outputs``, ``start_run``, ``end_run``, …)."""
        kind = data.get("type")
        if kind == "hello":
            after = int(data.get("after") or 0)
            self._replay_spooled(self.spool.take_back())
            with self.lock:
                session = data.get("session")
                known = (session is None or session == self.session_id) and after <= self.seq
                if not known:
                    after = 0  # the frontend's position belongs to another kernel process
            self._make_writer(comm, after, handover=known)
            self.flush()
        elif kind == "ack":
            self.ack(int(data.get("upto") or 0))
            if self.handover is not None:
                self.flush()
        elif kind == "outputs":
            self.forward_outputs(data)
            self.flush()
        elif kind == "start_run":
            self.start_run(data.get("name"), "user")
            self.flush()
        elif kind == "end_run":
            self.end_run()
            self.flush()
        elif kind == "config":
            was_tracking = self.tracking
            self.configure(data)
            if self.tracking:
                self.ensure_session()
            elif was_tracking:
                with self.lock:
                    self._end_run()  # turned off: the run ends here; turned on again, a new one begins
            self.flush()

    def _replay_spooled(self, events):
        """Put events the spool wrote back in the buffer, so the frontend that just attached gets them."""
        if not events:
            return
        with self.lock:
            known = {seq for seq, _ in self.buffer}
            merged = [(event["seq"], event) for event in events if event["seq"] not in known]
            self.buffer = deque(sorted([*merged, *self.buffer], key=lambda entry: entry[0]))
            self.acked_upto = min(self.acked_upto, events[0]["seq"] - 1)
            self.sent_upto = min(self.sent_upto, self.acked_upto)

    def stop_tracking(self):
        """The notebook turned tracking off: record nothing more and drop what waits."""
        with self.lock:
            self.config["tracking"] = self.tracking = False
            self.buffer.clear()
            self.dirty = []
            self.pending_points = 0

    def at_exit(self):
        """Kernel exit: end the active run and spool every event no frontend acknowledged (the tab may be gone)."""
        try:
            with self.lock:
                if self.session_id is None or not self.tracking:
                    return
                # Headless, a run ends as its last cell did (nbclient stops at an error); with a Lab it ends
                # `finished`, as the frontend ends a run whose kernel shut down or restarted.
                headless = self.spool.enabled and not self.spool.frontend_seen
                self._end_run(None if headless else "finished")
                pending = self.events_after(self.acked_upto)
            if pending and self.spool.open():
                self.spool.send({"events": pending})
            elif pending and self.spool.refused is None and self.spool.problem() is not None:
                self.spool._refuse(self.spool.problem())  # never silently: the job's log says why
            self.spool.close()
        except Exception:
            self.note_error()

    def ack(self, upto):
        """Drop every buffered event with ``seq <= upto``: the frontend has stored them."""
        with self.lock:
            while self.buffer and self.buffer[0][0] <= upto:
                self.buffer.popleft()
            self.acked_upto = max(self.acked_upto, upto)

    def events_after(self, after):
        """The buffered events with ``seq > after``, as dicts (for tests and replays)."""
        with self.lock:
            self._coalesce()
            return [entry.to_event() if isinstance(entry, MetricChunk) else entry for seq, entry in self.buffer
                    if seq > after]  # fmt: skip

    def flush(self):
        """Send every buffered event the writer has not been sent yet; returns how many were sent."""
        with self.send_lock:
            writer = self.writer
            if writer is None and self.spool.usable():
                writer = self.spool
            with self.lock:
                if writer is None or (writer is self.writer and self._handing_over()):
                    return 0
                self._coalesce()
                pending = []
                for seq, entry in reversed(self.buffer):
                    if seq <= self.sent_upto:
                        break
                    pending.append((seq, entry))
                if not pending:
                    return 0
                pending.reverse()
                self.sent_upto = pending[-1][0]
            sent = 0
            for batch in _batches(pending):
                try:
                    writer.send({"type": "events", "events": batch})
                except Exception:
                    self.note_error()
                    with self.lock:
                        self.sent_upto = min(self.sent_upto, batch[0]["seq"] - 1)
                    return sent
                sent += len(batch)
            return sent

    def _handing_over(self):
        """Whether the writer still waits for the one it displaced to acknowledge what it was sent."""
        if self.handover is None:
            return False
        displaced, upto, deadline = self.handover
        if self.acked_upto >= upto:
            self.handover = None
            return False
        if self.comms.get(displaced.comm_id) is displaced and time.monotonic() < deadline:
            return True
        # Closed or too slow: the writer gets every unacknowledged event; its store ignores those it holds.
        self.handover = None
        self.sent_upto = self.acked_upto
        return False

    def start_flusher(self):
        """Start the daemon thread that sends during long executions (every 0.5 s, or at 5,000 events)."""
        if self.flusher is None or not self.flusher.is_alive():
            self.flusher = threading.Thread(target=self._flush_loop, name="jupyterlab-runs-flush", daemon=True)
            self.flusher.start()

    def _flush_loop(self):
        while self.flusher is threading.current_thread():
            self.wake.wait(FLUSH_INTERVAL)
            self.wake.clear()
            busy = self.dirty or self.seq > self.sent_upto or self.handover is not None
            if (self.writer is not None or self.spool.enabled) and busy:
                try:
                    self.flush()
                except Exception:
                    self.note_error()
            self.spool.heartbeat()

    # -- IPython ------------------------------------------------------------------------------------------------

    def install(self, shell):
        """Register the IPython hooks, the ``%runs`` magic and the comm target on ``shell`` (idempotent)."""
        if self.shell is shell:
            return
        if self.shell is not None:
            self.uninstall()
        self.shell = shell
        shell.events.register("pre_run_cell", self._pre_run_cell)
        shell.events.register("post_run_cell", self._post_run_cell)
        _probe(shell.register_magic_function, self.runs_magic, "line", "runs")
        self.comm_manager = _comm_manager(shell)
        if self.comm_manager is not None:
            self.comm_manager.register_target(COMM_TARGET, self.on_comm_open)
            self.start_flusher()

    def uninstall(self):
        """Undo :meth:`install` (tests; the kernel keeps the helper until it exits)."""
        shell, self.shell = self.shell, None
        if shell is not None:
            for name, hook in (("pre_run_cell", self._pre_run_cell), ("post_run_cell", self._post_run_cell)):
                _probe(shell.events.unregister, name, hook)
        if self.comm_manager is not None:
            _probe(self.comm_manager.unregister_target, COMM_TARGET, self.on_comm_open)
            self.comm_manager = None
        self._stop_tees()
        self.files.stop()
        self.flusher = None
        self.wake.set()

    def _pre_run_cell(self, info):
        try:
            if not self.tracking or getattr(info, "silent", False) or self.shell is None:
                return
            raw = getattr(info, "raw_cell", "") or ""
            try:
                source = self.shell.transform_cell(raw)
            except Exception:
                source = raw
            self.begin_execution(info, source, self.shell.user_ns)
            if self.execution is not None and not self.nested:
                self._start_tees()
        except Exception:
            self.note_error()

    def _post_run_cell(self, result):
        try:
            if self.execution is None:
                return
            if not self.nested:
                self._stop_tees()
            self.finish_execution(result, self.shell.user_ns if self.shell is not None else {})
        except Exception:
            self.note_error()
        finally:
            if self.writer is not None or self.spool.enabled:
                _probe(self.flush)

    def runs_magic(self, line):
        """``%runs start [NAME]`` | ``%runs end`` | ``%runs status`` | ``%runs tag KEY VALUE`` | ``%runs note TEXT``."""
        import shlex

        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        command, arguments = (words[0], words[1:]) if words else ("status", [])
        if command == "start":
            run = self.start_run(" ".join(arguments) or None)
            print(f"Started run {run['name']} ({run['id']})" if run else "Tracking is off.")
        elif command == "end":
            self.end_run()
            print("The run ends with this execution; the next one starts a new run.")
        elif command == "tag" and len(arguments) >= 2:
            self.set_tag(arguments[0], " ".join(arguments[1:]))
        elif command == "note" and arguments:
            self.note(" ".join(arguments))
        elif command == "status":
            state = self.summary()
            run = state["run"]
            print(f"Active run: {run['name']} ({run['id']})" if run else "No active run.")
            if run:
                for name, value in run["params"].items():
                    print(f"  {name} = {value!r}")
            print(
                f"Tracking {'on' if state['tracking'] else 'off'}; frontend "
                f"{'connected' if state['frontend_connected'] else 'not connected'}; "
                f"{state['buffered_events']} events waiting; {state['errors']} helper errors."
            )
            if state["spool"]:
                print(f"No frontend: events go to {state['spool']}")
            if state["spool_problem"]:
                print(f"Not recorded: {state['spool_problem']}")
        else:
            print(Recorder.runs_magic.__doc__)

    def _start_tees(self):
        self._stop_tees()
        for stream in (sys.stdout, sys.stderr):
            tee = StreamTee(stream, self.on_output_line)
            if tee.install():
                self.tees.append(tee)

    def _stop_tees(self):
        tees, self.tees = self.tees, []
        for tee in tees:
            tee.uninstall()


def _batches(pending):
    """Group buffered events into comm messages of at most 5,000 events or 50,000 metric points."""
    batch, weight = [], 0
    for _, entry in pending:
        event = entry.to_event() if isinstance(entry, MetricChunk) else entry
        batch.append(event)
        weight += len(entry) if isinstance(entry, MetricChunk) else 1
        if len(batch) >= FLUSH_EVENTS or weight >= POINTS_PER_MESSAGE:
            yield batch
            batch, weight = [], 0
    if batch:
        yield batch


def _comm_manager(shell):
    """ipykernel ≤ 6.17 keeps the comm manager on the kernel; newer ones use the ``comm`` package."""
    manager = getattr(getattr(shell, "kernel", None), "comm_manager", None)
    if manager is not None:
        return manager
    try:
        return importlib.import_module("comm").get_comm_manager()
    except Exception:
        return None


# ---------------------------------------------------------------------------------------------------------------------
# 8. IPython integration: the output tee and the open() recorder
# ---------------------------------------------------------------------------------------------------------------------


class StreamTee:
    """Sees every ``write`` to a stream during an execution, without changing what is printed.

    It shadows ``write`` on the stream *instance* (ipykernel's OutStream), so ``sys.stdout`` stays the same object.
    Streams that do not allow it (a C-level TextIOWrapper) are simply not teed. A ``write`` someone else shadowed
    already (IPython 9's ``run_cell`` tees the output into its history the same way) is called by ours and put back
    when ours is removed.
    """

    def __init__(self, stream, on_line):
        self.stream = stream
        self.lines = LineBuffer(on_line)
        self.original = None
        self.shadowed = _MISSING  # the instance's own ``write`` before ours, if it had one
        self.bound = self.write

    def install(self):
        try:
            self.shadowed = vars(self.stream).get("write", _MISSING)
            self.original = self.stream.write
            self.stream.write = self.bound
            return True
        except (TypeError, AttributeError):
            return False

    def write(self, text):
        written = self.original(text)
        try:
            self.lines.feed(text)
        except Exception:
            pass
        return written

    def uninstall(self):
        try:
            if vars(self.stream).get("write") is self.bound:  # else its owner replaced ours: leave it
                if self.shadowed is _MISSING:
                    del self.stream.write
                else:
                    self.stream.write = self.shadowed
        except (TypeError, AttributeError):
            pass
        self.lines.close()


class FileRecorder:
    """Notes the paths ``open()`` opens during an execution (``builtins.open`` and ``io.open`` are wrapped).

    The wrapper calls the real ``open`` first and only then remembers ``(absolute path, mode)``; it never changes
    what ``open`` returns or raises. Sizes and hashes are read after the execution.

    IPython (8.6 and later) gives the user namespace an ``open`` of its own, which refuses file descriptors 0 to 2 and
    then calls the real one through a name of its module (``io_open``). Such a module-level name, held by a
    function the namespace calls ``open``, is wrapped for the execution too; the namespace itself is left alone.
    """

    def __init__(self):
        self.active = False
        self.seen = {}
        self.original = None
        self.wrapper = None
        self.aliases = []  # (module globals, name) holding the real open, wrapped during the execution

    def start(self, namespace=None):
        self.seen = {}
        self.active = True
        if self.wrapper is None or builtins.open is not self.wrapper:
            self.original = builtins.open
            self.wrapper = self._make_wrapper(self.original)
            builtins.open = self.wrapper
            if io.open is self.original:
                io.open = self.wrapper
        shadow = namespace.get("open") if namespace is not None else None
        if isinstance(shadow, types.FunctionType) and shadow.__globals__ is not namespace:
            scope = shadow.__globals__
            for name in shadow.__code__.co_names:
                if scope.get(name) is self.original:
                    scope[name] = self.wrapper
                    self.aliases.append((scope, name))

    def stop(self):
        """Restore ``open`` and return ``[(absolute path, "read" | "write"), ...]``."""
        self.active = False
        if self.wrapper is not None:
            if builtins.open is self.wrapper:
                builtins.open = self.original
            if io.open is self.wrapper:
                io.open = self.original
            for scope, name in self.aliases:
                if scope.get(name) is self.wrapper:
                    scope[name] = self.original
            self.wrapper = None
        self.aliases = []
        seen, self.seen = self.seen, {}
        return list(seen)

    def _make_wrapper(self, original):
        recorder = self

        def open(file, mode="r", *args, **kwargs):
            handle = original(file, mode, *args, **kwargs)
            if recorder.active:
                try:
                    recorder.note(file, mode)
                except Exception:
                    pass
            return handle

        open.__doc__ = original.__doc__
        open.__wrapped__ = original
        return open

    def note(self, file, mode):
        if isinstance(file, int) or len(self.seen) >= MAX_FILES_PER_EXEC:
            return
        path = os.fsdecode(os.fspath(file))
        kind = "write" if any(flag in mode for flag in "wax+") else "read"
        self.seen[(os.path.abspath(path), kind)] = None


# ---------------------------------------------------------------------------------------------------------------------
# 9. The spool: where events go when no frontend is attached
# ---------------------------------------------------------------------------------------------------------------------
#
# A notebook executed by nbclient, papermill or `jupyter execute` has no browser to write its run, and a kernel can
# exit while no tab is open. Then the kernel itself appends its events, one JSON line each, to
# `<store>/spool/<session>.jsonl` inside the store folder; the frontend imports a spool file into the store once it
# is closed (or its kernel stopped touching it) and deletes it. See docs/CAPTURE.md, "Headless runs".

def _own_kernel_id():
    """The Jupyter server's id of this kernel (its connection file is ``kernel-<id>.json``), or None.

    The frontend never imports an open spool whose kernel the server still lists: it is alive, however long ago
    the file was touched (a laptop that slept, clocks that differ).
    """
    try:
        from ipykernel.connect import get_connection_file  # only inside a kernel

        name = os.path.basename(get_connection_file())
    except Exception:
        return None
    match = re.fullmatch(r"kernel-([A-Za-z0-9-]{1,80})\.json", name)
    return match.group(1) if match else None


SPOOL_FOLDER = "spool"
SPOOL_FORMAT = "jupyterlab-runs/spool"
SPOOL_VERSION = 1
SPOOL_GRACE = 3.0  # seconds a kernel waits for a frontend before it writes to the spool
SPOOL_HEARTBEAT = 30.0  # seconds between touches of an open spool file (the frontend's sign of life)
MAX_NOTEBOOK_CANDIDATES = 200  # .ipynb files of the working folder compared with the executed sources
MAX_NOTEBOOK_BYTES = 50 << 20
MAX_REMEMBERED_SOURCES = 50  # executed sources kept to recognise the notebook
SETTINGS_FILE = os.path.join("jupyterlab-runs", "tracking.jupyterlab-settings")
_SETTING_KEYS = {
    "trackingEnabled": "tracking",
    "storeFolder": "store_folder",
    "envAllowlist": "env_allowlist",
    "metricPatterns": "metric_patterns",
    "outputCapBytes": "output_cap_bytes",
}


_BEFORE_CLOSER = re.compile(r"\s*[}\]]")


def json_with_comments(text):
    """Parse JSON that may hold ``//`` and ``/* */`` comments and trailing commas, as JupyterLab saves settings."""
    kept, index, size, in_string = [], 0, len(text), False
    while index < size:
        char = text[index]
        if in_string:
            if char == "\\":
                kept.append(text[index : index + 2])
                index += 2
                continue
            in_string = char != '"'
        elif char == '"':
            in_string = True
        elif text.startswith("//", index):
            end = text.find("\n", index)
            index = size if end < 0 else end
            continue
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            index = size if end < 0 else end + 2
            continue
        elif char == "," and _BEFORE_CLOSER.match(text, index + 1):
            index += 1
            continue
        kept.append(char)
        index += 1
    return json.loads("".join(kept))


def lab_settings_dir():
    """Where JupyterLab keeps the user's settings (``JUPYTERLAB_SETTINGS_DIR``, else under the Jupyter config dir)."""
    explicit = os.environ.get("JUPYTERLAB_SETTINGS_DIR")
    if explicit:
        return explicit
    config = os.environ.get("JUPYTER_CONFIG_DIR") or os.path.join(os.path.expanduser("~"), ".jupyter")
    return os.path.join(config, "lab", "user-settings")


def lab_settings():
    """The user's jupyterlab-runs settings as the Settings Editor saved them, as attach-config keys ({} if none)."""
    path = os.path.join(lab_settings_dir(), SETTINGS_FILE)
    try:
        with open(path, encoding="utf-8") as file:
            data = json_with_comments(file.read(1 << 20))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        _RECORDER.warn_once("settings", f"jupyterlab-runs: ignored the unreadable settings file {path}: {error}")
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: data[name] for name, key in _SETTING_KEYS.items() if name in data}


def _store_relative(store_folder):
    """The store folder setting as a relative OS path, checked as the frontend checks it (the default if invalid)."""
    value = DEFAULT_CONFIG["store_folder"] if store_folder is None else store_folder
    folder, problem = _placement.check_store_folder(value)
    if problem is not None:
        folder = DEFAULT_CONFIG["store_folder"]
        _RECORDER.warn_once(("store-folder", str(value)[:100]), f'jupyterlab-runs: the "storeFolder" setting '
                            f'{json.dumps(value)[:200]} {problem}; using "{folder}" instead')  # fmt: skip
    return os.path.join(*folder.split("/"))


def find_store(folder, store_folder):
    """``(store folder, server root)`` for a notebook in ``folder``, or None when its runs cannot be placed.

    See ``placement.find_store``: an existing store of this user at or above ``folder`` (up to the running server's
    root, else the home folder), else the running server's store. ``store_folder`` is the setting.
    """
    store, root, _ = _placement.find_store(folder, _store_relative(store_folder))
    return None if store is None else (store, root)


def _code_sources(notebook):
    sources = set()
    for cell in notebook.get("cells") or []:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            sources.add(("".join(source) if isinstance(source, list) else str(source)).strip())
    return sources


def find_notebook(folder, sources, seen=None):
    """``(path, notebook JSON)`` of the notebook in ``folder`` whose code cells hold every executed source, or None.

    ``JPY_SESSION_NAME`` (set by jupyter_server 2 and VS Code) names it when present. Otherwise, of the notebooks
    holding all the sources, the oldest wins: an executed copy written next to the original is newer. ``seen``, a
    dict kept between calls, remembers each notebook's code cells, so an unchanged notebook is read only once.
    """
    named = os.environ.get("JPY_SESSION_NAME") or ""
    if named.endswith(".ipynb"):
        path = os.path.abspath(os.path.join(folder, named))
        notebook = _read_notebook(path)
        if notebook is not None:
            return path, notebook
    wanted = {source.strip() for source in sources if source.strip()}
    if not wanted:
        return None
    try:
        names = sorted(name for name in os.listdir(folder) if name.endswith(".ipynb"))
    except OSError:
        return None
    seen = {} if seen is None else seen
    best = None
    for name in names[:MAX_NOTEBOOK_CANDIDATES]:
        path = os.path.join(os.path.abspath(folder), name)
        try:
            info = os.stat(path)
        except OSError:
            continue
        signature = (info.st_mtime_ns, info.st_size)
        known = seen.get(path)
        if known is None or known[0] != signature:
            notebook = _read_notebook(path)
            known = seen[path] = (signature, None if notebook is None else _code_sources(notebook))
        if known[1] is None or not wanted <= known[1]:
            continue
        key = (info.st_mtime, name)
        if best is None or key < best[0]:
            best = (key, path)
    notebook = None if best is None else _read_notebook(best[1])
    return None if notebook is None else (best[1], notebook)


def _read_notebook(path):
    try:
        if os.path.getsize(path) > MAX_NOTEBOOK_BYTES:
            return None
        with open(path, encoding="utf-8") as file:
            notebook = json.load(file)
    except (OSError, ValueError):
        return None
    return notebook if isinstance(notebook, dict) else None


def _notebook_tracking(notebook):
    """The notebook's own tracking switch (metadata ``jupyterlab_runs.tracking``); True when absent."""
    metadata = (notebook.get("metadata") or {}).get("jupyterlab_runs") or {}
    return not (isinstance(metadata, dict) and metadata.get("tracking") is False)


class Spool:
    """The kernel-side writer: appends the recorder's events to ``<store>/spool/<session>.jsonl``.

    It has the comm's ``send`` so :meth:`Recorder.flush` can use it, and acknowledges what it wrote. It opens its
    file only once it knows which notebook the events belong to and that the notebook is tracked.
    """

    def __init__(self, recorder):
        self.recorder = recorder
        self.enabled = False  # headless use allowed: the extension was loaded by IPython's config or %load_ext
        self.enabled_at = 0.0
        self.frontend_seen = False
        self.path = None
        self.notebook = None  # the notebook's path relative to the server root
        self.refused = None  # why this kernel's events cannot be spooled, once known for good
        self.closed = False
        self.touched = 0.0
        self.sources = []
        self.looked_with = -1  # how many sources the last search for the notebook had: search again only with more
        self.notebooks = {}  # path -> ((mtime_ns, size), code sources): the working folder's notebooks, read once

    def enable(self):
        if not self.enabled:
            self.enabled, self.enabled_at = True, time.monotonic()

    def remember(self, source):
        if len(self.sources) < MAX_REMEMBERED_SOURCES and source.strip():
            self.sources.append(source)

    def usable(self):
        """Whether events waiting for no frontend go here now: headless, past the grace time, and opened."""
        if not self.enabled or self.frontend_seen or self.closed:
            return False
        return time.monotonic() - self.enabled_at >= SPOOL_GRACE and self.open()

    def open(self):
        """Open (create) the spool file; False while the notebook is unknown or when spooling is refused."""
        if self.path is not None:
            return True
        if self.refused is not None or self.recorder.session_id is None:
            return False
        located = self._locate()
        if located is None:
            return False
        store, notebook = located
        path = os.path.join(store, SPOOL_FOLDER, self.recorder.session_id + ".jsonl")
        header = {
            "format": SPOOL_FORMAT,
            "version": SPOOL_VERSION,
            "session": self.recorder.session_id,
            "notebook": notebook,
            "frontend": self.frontend_seen or bool(self.recorder.config.get("notebook_path")),
            "helper_version": HELPER_VERSION,
            "created": time.time(),
            "kernel": _own_kernel_id(),
        }
        try:
            _placement.spool_folder(store)
            self._append(path, json.dumps(header) + "\n", exclusive=True)
        except OSError as error:
            self._refuse(f"cannot write {path}: {error}")
            return False
        self.path, self.notebook, self.touched = path, notebook, time.monotonic()
        return True

    def _locate(self):
        """``(store folder, notebook path relative to the server root)``, or None (``refused`` set when final)."""
        config = self.recorder.config
        folder = self.recorder.root or os.getcwd()
        given = config.get("notebook_path")
        if given:
            # A frontend named the notebook (relative to the server root): the root is the working folder minus
            # the notebook's own folder, and its store must exist, or we do not know where we are.
            parent = os.path.dirname(given)
            root = os.path.abspath(folder)
            if parent:
                if not root.endswith(os.sep + parent):
                    self.refused = "the notebook's folder is not the kernel's working folder"
                    return None
                root = root[: -len(parent) - 1]
            store = os.path.join(root, _store_relative(config.get("store_folder")))
            if not _placement.is_store(store):
                self._refuse(f"no store of this user at {store}")
                return None
            return store, given
        if len(self.sources) == self.looked_with:
            return None  # nothing new to recognise the notebook by since the last look
        self.looked_with = len(self.sources)
        found = find_notebook(folder, self.sources, self.notebooks)
        if found is None:
            return None  # maybe later, with more executions
        path, notebook = found
        if not _notebook_tracking(notebook):
            self.refused = "tracking is off in the notebook's metadata"
            self.recorder.stop_tracking()
            return None
        store, root, why_not = _placement.find_store(os.path.dirname(path), _store_relative(config.get("store_folder")))
        if store is None:
            self._refuse(why_not)
            return None
        relative = os.path.relpath(os.path.realpath(path), root)
        if relative.split(os.sep)[0] == "..":
            self._refuse(f"{path} is outside the server root {root}")
            return None
        return store, relative.replace(os.sep, "/")

    def _refuse(self, reason):
        """Give up spooling for good: say so once, as a warning and on the kernel's stderr (a headless job's log)."""
        self.refused = reason
        message = f"jupyterlab-runs: this kernel's runs are not recorded: {reason}"
        self.recorder.warn_once("spool", message)
        _probe(lambda: print(message, file=sys.__stderr__, flush=True))

    def problem(self):
        """Why the events waiting for no frontend have nowhere to go yet (``%runs status``), or None."""
        if self.refused is not None:
            return self.refused
        if self.enabled and not self.frontend_seen and self.path is None and self.recorder.session_id is not None:
            folder = self.recorder.root or os.getcwd()
            return (f"no notebook in {folder} holds the cells executed so far (a notebook is recognised in the "
                    "kernel's working folder: papermill needs --cwd set to the notebook's folder)")  # fmt: skip
        return None

    def send(self, message):
        """Append a comm ``events`` message's events, then acknowledge them to the recorder."""
        events = message.get("events") or []
        if not events:
            return
        if not self.open():
            raise OSError(self.refused or "the spool is not open")
        lines = "".join(json.dumps(event, separators=(",", ":"), allow_nan=False) + "\n" for event in events)
        self._append(self.path, lines)
        self.touched = time.monotonic()
        self.recorder.ack(events[-1]["seq"])

    def heartbeat(self):
        """Touch the open spool file now and then: a spool nobody touches for long belongs to a dead kernel."""
        if self.path is None or self.closed or time.monotonic() - self.touched < SPOOL_HEARTBEAT:
            return
        self.touched = time.monotonic()
        _probe(os.utime, self.path, None, follow_symlinks=False)

    def close(self):
        """Mark the spool file complete (kernel exit): the frontend may import it now."""
        if self.path is None or self.closed:
            return
        self.closed = True
        _probe(self._append, self.path, json.dumps({"closed": True, "time": time.time()}) + "\n")

    def take_back(self):
        """A frontend attached after all: return the spooled events (to be replayed to it) and delete the file."""
        path, self.path = self.path, None
        self.frontend_seen = True
        if path is None:
            return []
        events = []
        try:
            for line in _placement.read(path).split("\n")[1:]:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue  # a line torn by a crash mid-write
                if isinstance(event, dict) and isinstance(event.get("seq"), int):
                    events.append(event)
            os.remove(path)
        except OSError:
            self.recorder.note_error()
        return events

    @staticmethod
    def _append(path, text, exclusive=False):
        _placement.append(path, text, exclusive)


# ---------------------------------------------------------------------------------------------------------------------
# 10. The public API: `import jupyterlab_runs as runs`
# ---------------------------------------------------------------------------------------------------------------------

_RECORDER = Recorder()


def attach(config=None, shell=None, headless=False):
    """Attach the helper to this kernel; idempotent. Returns a summary (session id, active run, ...).

    ``config`` is CAPTURE.md's config, as a dict or a JSON string. The first call starts the session (``session``
    event, then a ``kernel-start`` run); later calls only update the config. Registers the IPython hooks, the
    ``%runs`` magic and the ``jupyterlab_runs`` comm target, and makes ``import jupyterlab_runs`` work even when
    the package is not installed in the kernel's environment.

    ``headless=True`` (the IPython extension: no frontend may ever come) lets events go to the spool when no
    frontend has attached within a few seconds, and leaves the session to start with the first execution, so that
    kernels that run nothing pay nothing.
    """
    if isinstance(config, str):
        config = json.loads(config)
    _RECORDER.configure(config or {})
    if shell is None:
        try:
            from IPython import get_ipython

            shell = get_ipython()
        except ImportError:
            shell = None
    if shell is not None:
        _RECORDER.install(shell)
    _install_package_alias()
    if not _RECORDER.exit_hook:
        _RECORDER.exit_hook = True
        atexit.register(_RECORDER.at_exit)
    if headless:
        _RECORDER.spool.enable()
    elif _RECORDER.tracking:
        _RECORDER.ensure_session()
    return _RECORDER.summary()


def _install_package_alias():
    """Register a ``jupyterlab_runs`` module giving the API when the real package cannot be imported.

    The frontend's copy (a module without a file) always registers it: the bootstrap chose that copy because the
    package the kernel could import, if any, is of another version or lies in the notebook's folder, and that one
    must not answer ``import jupyterlab_runs`` with a recorder nobody attached.
    """
    this = sys.modules.get(__name__)
    existing = sys.modules.get("jupyterlab_runs")
    if globals().get("__file__") is not None or this is None:
        if existing is not None:
            return
        try:
            if importlib.util.find_spec("jupyterlab_runs") is not None:
                return
        except Exception:
            pass
    elif existing is not None and getattr(existing, "helper", None) is this:
        return
    package = types.ModuleType("jupyterlab_runs", "jupyterlab-runs kernel helper API (frontend copy).")
    package.__path__ = []
    package.__version__ = HELPER_VERSION
    package.helper = sys.modules.get(__name__)
    for name in __all__:
        setattr(package, name, globals()[name])
    sys.modules["jupyterlab_runs"] = package


def log_metric(name, value, step=None):
    """Log one metric point (``value``: a number; ``step``: an int or None) in the active run.

    Cheap enough for a training loop: it appends to an in-memory buffer, with no I/O. NaN and ±inf are kept.
    Booleans and non-numeric strings are refused with a ``RunsWarning`` (once per metric), never an exception.
    """
    _RECORDER.log_metric(name, value, step)


def log_metrics(metrics, step=None):
    """Log several metrics at one step: ``log_metrics({"loss": 0.1, "acc": 0.9}, step=3)``."""
    for name, value in dict(metrics).items():
        _RECORDER.log_metric(name, value, step)


def log_param(name, value):
    """Record a parameter. Changing a recorded one after the run has metrics starts a new run."""
    _RECORDER.log_param(name, value)


def log_params(params):
    """Record several parameters: ``log_params({"lr": 1e-3, "layers": 4})``."""
    for name, value in dict(params).items():
        _RECORDER.log_param(name, value)


def set_tag(key, value):
    """Tag the active run: ``set_tag("dataset", "v2")``."""
    _RECORDER.set_tag(key, value)


def note(text):
    """Attach a free-text note to the active run."""
    _RECORDER.note(text)


def log_artifact(path):
    """Record a file (inside the notebook's folder) as an output of the active run: size, mtime and sha256."""
    _RECORDER.log_artifact(path)


def start_run(name=None):
    """End the active run and start a new one, optionally named. Returns it as :func:`active_run` does."""
    return _RECORDER.start_run(name, "user")


def end_run():
    """End the active run (inside a cell: when the cell finishes). The next execution starts a new run."""
    _RECORDER.end_run()


def active_run():
    """The active run as a dict (``id``, ``name``, ``status``, ``params``), or None."""
    with _RECORDER.lock:
        return _RECORDER.run.summary() if _RECORDER.run else None


__all__ = [
    "RunsWarning",
    "active_run",
    "attach",
    "end_run",
    "log_artifact",
    "log_metric",
    "log_metrics",
    "log_param",
    "log_params",
    "note",
    "set_tag",
    "start_run",
]
