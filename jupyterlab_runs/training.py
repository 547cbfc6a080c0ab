"""Hyperparameters given to the training functions of gradient-boosting libraries.

xgboost and lightgbm train through estimators (``XGBRegressor(max_depth=3)``, whose ``get_params()`` the helper
reads) and through functions that take the hyperparameters as a dict and a few arguments::

    booster = xgb.train(params, dtrain, num_boost_round=100, evals=[(dvalid, "validation")])
    model = lgb.train({"objective": "regression", "num_leaves": 31}, train_set, valid_sets=[valid_set])
    results = xgb.cv(params, dtrain, nfold=5, seed=7)

For such a call this module says which hyperparameters it passes: the entries of the dict, then the function's
hyperparameter arguments, as given or else the function's defaults (as ``get_params()`` gives an estimator's). The
helper records them like an estimator's, named after the variable the result is assigned to (``booster.max_depth``,
``booster.num_boost_round``).

A function is recognised by its module and name (``xgboost.training.train``), or, before the cell that imports the
library has run, by how the call spells it (``xgb.train``, ``lightgbm.cv``). Standard library only: xgboost and
lightgbm are never imported here. The expressions are resolved by the caller (``values``), which knows the cell and
the namespace: the helper's parameter code (``helper.py``, section 5).
"""

import ast
import types

# The training functions, by library and name: the arguments that are hyperparameters (besides the `params` dict).
# Arguments that only say what to print or where to put results (verbose_eval, callbacks, evals_result) are not.
FUNCTIONS = {
    ("xgboost", "train"): ("num_boost_round", "early_stopping_rounds", "maximize"),
    ("xgboost", "cv"): (
        "num_boost_round", "nfold", "stratified", "metrics", "early_stopping_rounds", "seed", "shuffle", "maximize",
    ),
    ("lightgbm", "train"): ("num_boost_round",),
    ("lightgbm", "cv"): ("num_boost_round", "nfold", "stratified", "shuffle", "metrics", "seed"),
}  # fmt: skip
CALL_NAMES = {name for _, name in FUNCTIONS}

# How notebooks name the libraries, for a call whose module the cell itself imports (not in the namespace yet).
LIBRARY_ALIASES = {"xgb": "xgboost", "xgboost": "xgboost", "lgb": "lightgbm", "lightgbm": "lightgbm"}

# The leading arguments of every training function, for a call whose function is not known yet.
_POSITIONAL = ("params", None, "num_boost_round")


def may_train(callee):
    """Whether a call spelled ``callee`` (``xgb.train``) may be a training call; cheap, checked on every call."""
    return callee.rsplit(".", 1)[-1] in CALL_NAMES


def training_function(function, callee=None):
    """``("xgboost", "train")`` when ``function`` is one of the training functions, else None.

    ``function`` is the object the call names, or None when the namespace does not hold the call's first name yet
    (the cell imports it); then ``callee``, the call as spelled, decides (``xgb.train``, ``lightgbm.cv``).
    """
    if function is not None:
        if not isinstance(function, types.FunctionType):  # plain functions only: reading them runs no user code
            return None
        key = (str(function.__module__).split(".", 1)[0], function.__name__)
    elif callee is not None and callee.count(".") == 1:
        library, name = callee.split(".")
        key = (LIBRARY_ALIASES.get(library), name)
    else:
        return None
    return key if key in FUNCTIONS else None


def function_path(function):
    """The function's full name, the parameters' detail: ``xgboost.training.train``."""
    return f"{function.__module__}.{function.__qualname__}"


def _signature(function):
    """``(positional argument names, {argument: default})`` of ``function``, or None if it cannot be read."""
    if function is None:
        return None
    import inspect

    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return None
    positional = tuple(p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
    defaults = {p.name: p.default for p in parameters if p.default is not p.empty}
    return positional, defaults


def _is_scalar(value):
    return value is None or type(value) in (bool, int, float, str)


def call_params(key, function, call, values):
    """``{name: value}``: the hyperparameters training call ``call`` passes to the function ``key`` names.

    ``function`` is the function object (None before the cell that imports it has run: then only what the call
    spells out is known, and no defaults). ``values`` resolves expressions: ``values.scalar(node)`` and
    ``values.mapping(node)`` return a JSON scalar or a ``{key: scalar}`` dict, or ``values.missing`` when the value
    is not known. Unknown values are left out.
    """
    signature = _signature(function)
    positional, defaults = signature if signature is not None else (_POSITIONAL, {})
    arguments = {}
    for index, node in enumerate(call.args):
        if isinstance(node, ast.Starred) or index >= len(positional):
            break
        if positional[index] is not None:
            arguments[positional[index]] = node
    expanded = False
    for keyword in call.keywords:
        if keyword.arg is None:
            expanded = True  # **kwargs: what it passes is not known
        else:
            arguments[keyword.arg] = keyword.value
    found = {}
    if "params" in arguments:
        mapping = values.mapping(arguments["params"])
        if mapping is not values.missing:
            found.update(mapping)
    for name in FUNCTIONS[key]:
        if name in found and key[0] == "lightgbm":
            continue  # lightgbm takes a hyperparameter from the dict over its argument
        if name in arguments:
            value = values.scalar(arguments[name])
            if value is not values.missing:
                found[name] = value
        elif name in defaults and not expanded and _is_scalar(defaults[name]):
            found[name] = defaults[name]  # xgboost ignores the dict's entry of that name
    return found
