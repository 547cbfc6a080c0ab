"""Where a parameter's value came from, beyond the statement that set it.

One change in a notebook often shows as several parameters: ``seed = 42`` is also what
``train_test_split(..., random_state=seed)`` and ``RandomForestRegressor(random_state=seed)`` got. A user changed one
thing, so the views fold those under ``seed``: a parameter whose argument is the variable of another recorded parameter
holding the same value names it in ``from``. And of an estimator's ``get_params()``, the values the code did not write
are its defaults, recorded with their own source so the views can set them aside.

Standard library only; the helper (and the frontend's copy of it) imports this module as ``jupyterlab_runs.derivation``.
"""

import ast
import itertools

# The source of an estimator's hyperparameter the code did not set: the class's default (see docs/CAPTURE.md).
DEFAULT_SOURCE = "estimator-default"


def parent_name(expr, value, recorded, same):
    """The parameter ``expr`` passes on: ``"seed"`` for ``random_state=seed`` when ``seed`` is a recorded parameter
    holding ``value`` (``recorded(name)`` gives a recorded parameter's value, or None when there is none; values are
    compared by ``same``), else None. A variable rebound since it was recorded holds another value, and is not where
    this one came from."""
    if not isinstance(expr, ast.Name):
        return None
    found = recorded(expr.id)
    return expr.id if found is not None and same(found[0], value) else None


def keyword_parents(items):
    """``{keyword: expr}`` of an estimator's ``[(keyword, expr)]`` (``**mapping`` left out; a later keyword wins)."""
    return {keyword: expr for keyword, expr in items if keyword is not None}


def written_keywords(items, mapping_keys):
    """The hyperparameters the code sets in ``[(keyword, expr)]`` (None for ``**mapping``): the keywords, and the keys
    of each mapping (``mapping_keys(expr)`` gives them, or None when the mapping cannot be read). None when some
    mapping cannot be read: then no value can be called a default."""
    written = set()
    for keyword, expr in items:
        if keyword is not None:
            written.add(keyword)
            continue
        keys = mapping_keys(expr)
        if keys is None:
            return None
        written.update(keys)
    return written


def mapping_keys(expr, namespace, limit=1000):
    """The keys a ``**mapping`` argument passes: of a dict written in the call (``**{"alpha": 1}``), or of a dict
    variable the namespace holds. None for anything else, or a dict of more than ``limit`` keys."""
    if isinstance(expr, ast.Dict):
        keys = set()
        for key, value in zip(expr.keys, expr.values):
            if key is None:
                inner = mapping_keys(value, namespace, limit)
                if inner is None:
                    return None
                keys |= inner
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.add(key.value)
            else:
                return None
        return keys
    mapping = namespace.get(expr.id) if isinstance(expr, ast.Name) else None
    if not isinstance(mapping, dict):
        return None
    try:  # dict.keys: a subclass's own keys() is user code
        keys = list(itertools.islice(dict.keys(mapping), limit + 1))
    except RuntimeError:  # changed by another thread meanwhile
        return None
    return None if len(keys) > limit else {key for key in keys if isinstance(key, str)}


def is_default(key, written):
    """Whether an estimator's hyperparameter ``key`` is a default: the constructor that made the object is in the cell
    (``written`` not None) and did not set it. A nested estimator's (``step__alpha``) was written, or not, in a call
    this module does not follow, so it never counts as one."""
    return written is not None and "__" not in key and key not in written
