"""Visible checks of the cat / non-cat assignment's graded functions.

``check(name, function)`` calls your function on small seeded inputs (a few iterations on a
handful of random examples, never the image data, so it takes a moment): the visible cases, then
practice cases of other sizes and depths.  It judges what it returns, and what it prints, with
the first assignment's checks (dnn_checks.py): the same comparison and tolerance, the same
messages and hints, and the same rule for hints as the grader.  When something is wrong it says
what, and stops with ``CheckFailed``.

As the grader does, it checks one function at a time:

- ``L_layer_model`` gets the course's ``initialize_parameters_deep_scaled`` for these cases'
  sizes, so a mistake in your initialiser fails the initialiser's check only;
- the models and ``predict`` use your first assignment's functions, each working on copies of
  its arguments, as the grader lends them (so a model that relies on one changing its
  arguments in place fails here too).  When a model's check fails
  and one of those functions fails the first assignment's own check, the message says so: fix
  that function in dnn_step_by_step.ipynb first.  (The grader lends correct versions of them,
  so such a mistake costs nothing here, only in the first assignment.)

The expected values, what the reference prints, and the outputs of the classic mistakes on
these inputs are stored in ``application_checks.json`` (made by the course's reference
implementation: ``make release``).
"""

import contextlib
import copy
import io
import json
import os
from pathlib import Path

import numpy as np

from . import dnn_checks, test_cases

EXPECTED_FILE = Path(__file__).with_name("application_checks.json")
SMALL_Y = [[1, 1, 1, 1, 0, 0, 0, 1, 1, 0]]
OTHER_Y = [[1, 0, 1, 1, 0, 0, 1]]

# The cases of each function: keyword arguments, and what the inputs are ("data": "small" = seed
# 1, X = randn(10, 10), Y = SMALL_Y, the default; "other" = seed 5, X = randn(4, 7), Y = OTHER_Y;
# "network": the parameters predict is given; "defaults": a model called with X, Y and layers_dims
# only, so that the signature's defaults apply, 3000 iterations of a tiny network, run only when
# the def line changes one of the defaults: dnn_checks.keeps_defaults).  The first
# case of each is the one the grader runs too; "practice" cases are of other sizes and depths, as
# the grader's hidden cases are.
CASES = {
    "initialize_parameters_deep_scaled": [
        {"layer_dims": [5, 4, 3]},
        {"layer_dims": [10, 5, 6, 1]},
        {"layer_dims": [2, 1], "practice": True},
        {"layer_dims": [3, 7, 4, 2, 1], "practice": True},
    ],
    "two_layer_model": [
        {"layers_dims": [10, 5, 1], "num_iterations": 2},
        {"layers_dims": [10, 5, 1], "learning_rate": 0.3, "num_iterations": 201, "print_cost": True},
        {"data": "other", "layers_dims": [4, 3, 1], "learning_rate": 0.05, "num_iterations": 102, "practice": True},
        {"data": "other", "layers_dims": [4, 1, 1], "num_iterations": 3, "practice": True},
        {"data": "other", "layers_dims": [4, 2, 1], "defaults": True, "practice": True},
    ],
    "L_layer_model": [
        {"layers_dims": [10, 5, 6, 1], "num_iterations": 2},
        {"layers_dims": [10, 5, 6, 1], "learning_rate": 0.1, "num_iterations": 201, "print_cost": True},
        {"data": "other", "layers_dims": [4, 3, 1], "learning_rate": 0.1, "num_iterations": 101, "practice": True},
        {"data": "other", "layers_dims": [4, 3, 3, 2, 1], "num_iterations": 2, "practice": True},
        {"data": "other", "layers_dims": [4, 2, 2, 1], "defaults": True, "practice": True},
    ],
    "predict": [
        {"network": "random"},
        {"network": "undecided"},
        {"network": "deep", "practice": True},
        {"network": "random", "examples": 1, "practice": True},
    ],
}
# What each function returns, named as the comparison names it.
RETURNS = {
    "initialize_parameters_deep_scaled": "parameters",
    "two_layer_model": ("parameters", "costs"),
    "L_layer_model": ("parameters", "costs"),
    "predict": "p",
}
MODELS = ("two_layer_model", "L_layer_model")

CheckFailed = dnn_checks.CheckFailed


def small_example(kind="small"):
    """(X, Y) of a case: "small" = seed 1, X = randn(10, 10) (10 features, 10 examples), Y (1, 10);
    "other" = seed 5, X = randn(4, 7), Y (1, 7)."""
    if kind == "other":
        np.random.seed(5)
        return np.random.randn(4, 7), np.array(OTHER_Y)
    np.random.seed(1)
    X = np.random.randn(10, 10)
    return X, np.array(SMALL_Y)


def network(kind):
    """Parameters predict is given: "random", a two-layer network (10 -> 4 -> 1, seed 2);
    "undecided", the same sizes all zeros, so that every output probability is exactly 0.5;
    "deep", four layers (10 -> 5 -> 3 -> 2 -> 1, seed 3)."""
    if kind == "undecided":
        return {"W1": np.zeros((4, 10)), "b1": np.zeros((4, 1)), "W2": np.zeros((1, 4)), "b2": np.zeros((1, 1))}
    dims, seed = ([10, 5, 3, 2, 1], 3) if kind == "deep" else ([10, 4, 1], 2)
    rng = np.random.RandomState(seed)
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = rng.randn(dims[l], dims[l - 1])
        parameters[f"b{l}"] = rng.randn(dims[l], 1)
    return parameters


def describe_case(name, case):
    """How a case is called, in a line."""
    if name == "initialize_parameters_deep_scaled":
        return f"{name}({case['layer_dims']})"
    data = "the other small example" if case.get("data") == "other" else "the small example"
    if name == "predict":
        what = {
            "undecided": "a network whose outputs are all exactly 0.5",
            "deep": "a random four-layer network (10 -> 5 -> 3 -> 2 -> 1)",
        }.get(case["network"], "a random two-layer network (10 -> 4 -> 1)")
        examples = f", its first {case['examples']} example" if case.get("examples") else ""
        return f"predict(X, Y, parameters) of {what}, on {data}{examples}"
    extra = "".join(
        f", {key}={value}" for key, value in case.items() if key in ("learning_rate", "num_iterations", "print_cost")
    )
    defaults = " (the signature's defaults for the rest)" if case.get("defaults") else ""
    return f"{name}(X, Y, {tuple(case['layers_dims'])}{extra}) on {data}{defaults}"


def arguments(name, case):
    """The positional arguments of a case, in the signature's order."""
    if name == "initialize_parameters_deep_scaled":
        return (list(case["layer_dims"]),)
    X, Y = small_example(case.get("data", "small"))
    if name == "predict":
        if case.get("examples"):
            X, Y = X[:, : case["examples"]], Y[:, : case["examples"]]
        return X, Y, network(case["network"])
    if case.get("defaults"):
        return X, Y, list(case["layers_dims"])
    return (
        X,
        Y,
        list(case["layers_dims"]),
        case.get("learning_rate", 0.0075),
        case["num_iterations"],
        case.get("print_cost", False),
    )


def call(function, name, case):
    """Call ``function`` (a graded function or its reference) on one case's inputs."""
    return function(*arguments(name, case))


def normalised(name, result):
    """A result in the form it is compared in, as the grader compares it: a model's costs as
    plain floats (a number or a 0-d array each), predict's labels as floats (floats, integers
    or booleans).  Anything else is returned as it is, to be reported."""
    if name in MODELS and isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], (list, tuple)):
        try:
            return result[0], [float(np.squeeze(cost)) for cost in result[1]]
        except (TypeError, ValueError):
            return result
    if (
        name == "predict"
        and type(result) is np.ndarray
        and (result.dtype == bool or np.issubdtype(result.dtype, np.integer))
    ):
        return result.astype(float)
    return result


_data = {}


def expected_data():
    """application_checks.json: {"cases": {function: [entry per case]}, "callees": {function:
    [its first-assignment functions]}, "prints": {function: its printing rule}}.  An entry holds
    what the reference returns ("returned") and prints ("printed"), the classic mistakes'
    outputs on the case ("hints": label -> [[hint, output or null]]), and for L_layer_model what
    the course's initialiser returns ("initialiser")."""
    if not _data:
        with open(EXPECTED_FILE, encoding="utf-8") as handle:
            _data.update(json.load(handle))
    return _data


@contextlib.contextmanager
def lent_initialiser(function, name, case, entry, answered_by_own):
    """While the block runs, an L_layer_model ``function`` calls the course's
    initialize_parameters_deep_scaled for the case's sizes (``entry``'s "initialiser"), and
    its notebook's own one for any other sizes (noted in ``answered_by_own``)."""
    namespace = getattr(function, "__globals__", None)
    if name != "L_layer_model" or "initialiser" not in entry or not isinstance(namespace, dict):
        yield
        return
    own = namespace.get("initialize_parameters_deep_scaled")

    def initialize_parameters_deep_scaled(layer_dims):
        try:
            same = [int(size) for size in layer_dims] == list(case["layers_dims"])
        except (TypeError, ValueError):
            same = False
        if same:
            return test_cases.from_json(entry["initialiser"])  # new arrays on every call
        answered_by_own.append("initialize_parameters_deep_scaled")
        if own is None:
            raise NameError("name 'initialize_parameters_deep_scaled' is not defined")
        return own(layer_dims)

    with dnn_checks.names_set(namespace, {"initialize_parameters_deep_scaled": initialize_parameters_deep_scaled}):
        yield


@contextlib.contextmanager
def strict_callees(function, name):
    """While the block runs, the first assignment's functions that ``function`` calls work on
    copies of their arguments and return copies, as every valid version of them may (and as the
    grader lends them): a model that relies on update_parameters changing its dict in place, and
    throws the result away, fails here whichever first notebook sits beside it."""
    namespace = getattr(function, "__globals__", None)
    if not isinstance(namespace, dict):
        yield
        return
    strict = {}
    for callee in expected_data()["callees"].get(name, []):
        own = namespace.get(callee)
        if callable(own):

            def copying(*args, _own=own, **kwargs):
                return copy.deepcopy(_own(*copy.deepcopy(args), **copy.deepcopy(kwargs)))

            copying.__name__ = copying.__qualname__ = callee
            strict[callee] = copying
    with dnn_checks.names_set(namespace, strict):
        yield


def _hints(entry):
    return {
        label: [(text, None if output is None else test_cases.from_json(output)) for text, output in pairs]
        for label, pairs in entry.get("hints", {}).items()
    }


def _judge(name, case, entry, result, printed):
    """The problems of one case's result, judged as the grader judges a case."""
    expected = test_cases.from_json(entry["returned"])
    got = normalised(name, result)
    problems = dnn_checks.compare_returned(expected, got, RETURNS[name], show_values=True, hints=_hints(entry))
    rule = expected_data()["prints"].get(name)
    if rule is not None:
        problems += dnn_checks.printed_problems(rule, entry["printed"], printed, show_values=True, numbers=not problems)
    return problems


def first_assignment_suspects(function, name):
    """Lines naming the first assignment's functions that ``function`` uses and that fail the
    first assignment's own check, each with the first line of why; [] when they all pass (or
    cannot be checked here)."""
    namespace = getattr(function, "__globals__", {})
    suspects = []
    parts = {}
    for function_name, part in dnn_checks._visible_cases():  # a function checked branch by branch
        parts.setdefault(function_name, []).append(part)
    # The notebook binds only some first-assignment functions to its own names; the others
    # (linear_forward...) are in the namespace those functions come from.
    namespaces = [namespace] + [
        getattr(value, "__globals__", {})
        for value in list(namespace.values())
        if callable(value) and getattr(value, "__globals__", None) is not namespace
    ]
    for callee in expected_data()["callees"].get(name, []):
        own = next((space[callee] for space in namespaces if callable(space.get(callee))), None)
        if own is None:
            continue
        for part in parts.get(callee, [None]):
            quiet = io.StringIO()
            try:
                with contextlib.redirect_stdout(quiet), np.errstate(all="ignore"):
                    dnn_checks.check(callee, own, part)
            except dnn_checks.CheckFailed as failed:
                problem = next(
                    (line.strip().lstrip("\u2717 ") for line in failed.lines if line.startswith("    ")), failed.summary
                )
                suspects.append(f"{callee} (from your first assignment) fails its own check: {problem}")
                break
            except Exception as error:  # it raised: that is a failure of its own check too
                suspects.append(f"{callee} (from your first assignment) {dnn_checks.raised(error)}")
                break
    return suspects


def _suspect_notes(function, name):
    """ "Note: ..." lines naming the first-assignment functions ``function`` uses that fail their
    own check, and what to do; [] when none does."""
    suspects = first_assignment_suspects(function, name) if name in MODELS or name == "predict" else []
    if not suspects:
        return []
    return [f"Note: {line}" for line in suspects] + [
        f"Note: fix those in dnn_step_by_step.ipynb and run this check again: {name} uses them, so its "
        "results here cannot be right until they are. The grader lends correct versions of them, so "
        f"they cost {name} nothing there."
    ]


def check(name, function):
    """Run ``function`` on every case of ``name``: print a line per passing case, raise
    CheckFailed (an AssertionError) listing every failing case's problems, then the hints."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        # The grader runs these cases itself, with its hidden ones, outside your notebook's kernel.
        return
    print(f"Checking {name}:")
    entries = expected_data()["cases"][name]
    failures, passed, kept = [], [], []
    for number, (case, entry) in enumerate(zip(CASES[name], entries)):
        title = ("practice case: " if case.get("practice") else "") + describe_case(name, case)
        if "defaults" in entry and dnn_checks.keeps_defaults(function, entry["defaults"]):
            # As the grader judges it: the call would run as the explicit one with these values,
            # which the other cases check (3000 iterations saved).
            kept.append((f"{'practice ' if case.get('practice') else ''}case {number + 1}", title))
            continue
        printed, own = io.StringIO(), []
        try:
            with (
                np.errstate(all="ignore"),
                lent_initialiser(function, name, case, entry, own),
                strict_callees(function, name),
                contextlib.redirect_stdout(printed),
            ):
                result = call(function, name, case)
        except Exception as error:
            if number == 0:  # the student's traceback is more useful than ours here
                print(f"  \u2717 {title}: it {dnn_checks.raised(error)}")
                # The error may come from a first-assignment function the model calls: say so
                # before the traceback, which points at the model's line that called it.
                for line in _suspect_notes(function, name):
                    print(f"  {line}")
                raise
            problems = [dnn_checks.Problem(f"it {dnn_checks.raised(error)}")]
        else:
            problems = _judge(name, case, entry, result, printed.getvalue())
        case_notes = (
            [
                "your own initialize_parameters_deep_scaled answered a call with other sizes than this "
                f"case's (the course's initialiser answers for {case.get('layers_dims')} only)"
            ]
            if own
            else []
        )
        if problems:
            failures.append((title, problems, case_notes))
        else:
            passed.append((f"{'practice ' if case.get('practice') else ''}case {number + 1}", title))
    unjudged = dnn_checks.kept_defaults_problems(len(failures), len(passed))  # as the grader judges them
    if unjudged:
        failures += [(title, unjudged, []) for _, title in kept]
    else:  # the cases left to the defaults are the last ones: the order stays
        passed += [(short, f"{title}: your def line keeps these defaults") for short, title in kept]
    if failures:
        hints = _suspect_notes(function, name) + dnn_checks.hint_lines([problems for _, problems, _ in failures])
        # Raised without printing the passing cases first: the error shows everything, once,
        # wherever it is shown (as the first assignment's checks do).
        raise CheckFailed(name, failures, hints, [short for short, _ in passed], len(entries))
    for _, title in passed:
        print(f"  \u2713 {title}")
    rule = expected_data()["prints"].get(name)
    if rule:
        print(f"  \u2713 prints as the notebook states: {rule}.")
    if name == "L_layer_model":
        print(
            "  (each case ran with the course's initialize_parameters_deep_scaled, as the grader runs it: "
            "a mistake in yours is charged to it, not here.)"
        )
    print(
        f"All visible checks of {name} passed ({len(entries)} cases). The grader also runs hidden cases, "
        "which you cannot run here."
    )
