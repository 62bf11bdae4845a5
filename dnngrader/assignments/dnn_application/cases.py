"""The grader's test plan of the second assignment, dnn_application: for each test cell, the
function it grades and the cases it runs (dnngrader/assignments/__init__.py puts it next to the first
assignment's plan, dnngrader/assignments/dnn_step_by_step/cases.py).

Case 0 of every test is the first case of the notebook's visible check (dnn_app_checks.CASES);
the others are hidden: small synthetic data sets drawn from seeds of their own (a few features,
8 to 30 examples), other depths and layer sizes (one hidden layer, three, single units), other
numbers of iterations (1, 2, 101, 201: one, one, two and three recorded costs) and learning
rates, print_cost=False; and for each model, one case with print_cost=True (what it prints is
judged: 150 iterations, so that the last one, 149, prints a line of its own) and one that
leaves learning_rate, num_iterations and print_cost to the signature's defaults (3000
iterations of a tiny network).  That case runs only for a model whose def line changes one of
those defaults (``Case.defaults``): with the notebook's defaults it would run as
the explicit call with them, which the other cases test, and it took most of a model's checking
time.  Each case runs in well under a second.  A model that is right only for the visible sizes,
or returns the visible case's numbers, fails them.

``reference()`` is the module that answers these cases: the reference models of models.py.
"""

import types

import numpy as np

from dnngrader.assignments.testplan import Case, Test
from dnngrader.kernel.notebook import dnn_checks
from dnngrader.assignments.dnn_application import models


# The graded functions each function calls, directly or through another, by the names the
# notebook gives them (the helper cell binds the first assignment's functions to these names).
# While a function is graded, the reference versions of these are lent to it, so a mistake in
# the student's first assignment, or in initialize_parameters_deep_scaled, costs nothing here.
_FORWARD = ("linear_forward", "linear_activation_forward")
_BACKWARD = ("linear_backward", "linear_activation_backward")
CALLEES = {
    "two_layer_model": ("initialize_parameters", *_FORWARD, "compute_cost", *_BACKWARD, "update_parameters"),
    "L_layer_model": (
        "initialize_parameters_deep_scaled",
        *_FORWARD,
        "L_model_forward",
        "compute_cost",
        *_BACKWARD,
        "L_model_backward",
        "update_parameters",
    ),
    "predict": (*_FORWARD, "L_model_forward"),
}
# Where the source of each lent function is: the application's own notebook for its
# initialiser, the first assignment's notebook for all others.
OWN_CALLEES = ("initialize_parameters_deep_scaled",)
# The first assignment's functions the notebook loads (dnn_app_helpers.NEEDED; a test checks they
# agree): every lent function that is not the application's own.  While the notebook is graded,
# their reference versions are handed over before its loading cell, so the cells after it run.
FIRST_ASSIGNMENT_FUNCTIONS = tuple(
    dict.fromkeys(name for names in CALLEES.values() for name in names if name not in OWN_CALLEES)
)

MODEL_ARGUMENTS = ("X", "Y", "layers_dims", "learning_rate", "num_iterations", "print_cost")

_loaded = {}


def checks():
    """The notebook's visible checks, dnn_app_checks.py (which defines the visible cases)."""
    from dnngrader.kernel.notebook import dnn_app_checks  # NumPy-heavy: imported when needed

    return dnn_app_checks


def reference():
    """A module whose attributes are the reference versions of the four graded functions
    (models.py; the initialiser is models.initialize_parameters_deep)."""
    if "reference" not in _loaded:
        module = types.ModuleType("dnn_application_reference")
        module.initialize_parameters_deep_scaled = models.initialize_parameters_deep
        module.two_layer_model = models.two_layer_model
        module.L_layer_model = models.L_layer_model
        module.predict = models.predict
        _loaded["reference"] = module
    return _loaded["reference"]


# -- comparing ------------------------------------------------------------------------------


def _normalised(function):
    """The form ``function``'s results are compared in: the notebook check's own
    (dnn_app_checks.normalised: costs as plain floats, labels as floats), so that the check and
    the grader accept the same answers."""
    return lambda returned: checks().normalised(function, returned)


def _returns(function):
    """What ``function`` returns, named as the comparison names it (dnn_app_checks.RETURNS)."""
    return checks().RETURNS[function]


# -- inputs ----------------------------------------------------------------------------------


def _visible(name):
    """Case 0: the visible check's first case, its arguments in the signature's order."""

    def make(ref):
        return checks().arguments(name, checks().CASES[name][0])

    return Case(f"the visible case, {checks().describe_case(name, checks().CASES[name][0])}", make, visible=True)


def _data(seed, n, m):
    """X (n, m) from N(0, 1) and labels Y (1, m) of 0 and 1, both classes present."""
    rng = np.random.RandomState(seed)
    X = rng.randn(n, m)
    Y = (rng.rand(1, m) > 0.5).astype(int)
    Y[0, 0], Y[0, -1] = 1, 0
    return X, Y


def _model_case(seed, n, m, dims, learning_rate, iterations, print_cost=False):
    def make(ref):
        X, Y = _data(seed, n, m)
        return X, Y, [n, *dims], learning_rate, iterations, print_cost

    return make


def _defaults_of(name):
    """reference module -> {parameter: default} of the parameters a defaults case leaves out, as
    the reference ``name``'s def line (the notebook's) gives them (``Case.defaults``)."""

    def defaults(ref):
        return dnn_checks.signature_defaults(getattr(ref, name), MODEL_ARGUMENTS[3:])

    return defaults


def _defaults_case(seed, n, m, dims):
    """A model called with X, Y and layers_dims only: the signature's defaults apply
    (learning_rate=0.0075, num_iterations=3000, print_cost=False), on data small enough that
    3000 iterations take a fraction of a second."""

    def make(ref):
        X, Y = _data(seed, n, m)
        return X, Y, [n, *dims]

    return make


# The printing rules, as the notebook states them next to each function (the grader
# and the notebook's check compare what a function printed with what the reference prints on
# the same case: dnn_checks.printed_problems).
MODEL_PRINTS = (
    'with print_cost=True a model prints one line, "Cost after iteration i: cost", at '
    "iterations 0, 100, 200, ... and at the last one, and nothing else; with "
    "print_cost=False (the default) it prints nothing"
)
PREDICT_PRINTS = "predict prints nothing"


def _network(seed, dims, scale=1.0):
    rng = np.random.RandomState(seed)
    parameters = {}
    for l in range(1, len(dims)):
        parameters[f"W{l}"] = rng.randn(dims[l], dims[l - 1]) * scale
        parameters[f"b{l}"] = rng.randn(dims[l], 1) * scale
    return parameters


def _predict_case(seed, dims, m):
    def make(ref):
        X, Y = _data(seed, dims[0], m)
        return X, Y, _network(seed + 1, dims)

    return make


def _half_and_half(ref):
    """Every other example makes each hidden unit inactive, so that the network's output there is
    exactly sigmoid(0) = 0.5 (no cat); elsewhere it is not."""
    rng = np.random.RandomState(91)
    X = np.abs(rng.randn(3, 8))
    X[:, 1::2] *= -1
    Y = np.array([[1, 0, 1, 0, 0, 0, 1, 0]])
    parameters = {
        "W1": np.abs(rng.randn(4, 3)),
        "b1": np.zeros((4, 1)),
        "W2": np.array([[1.5, -0.5, 0.8, 0.3]]),
        "b2": np.zeros((1, 1)),
    }
    return X, Y, parameters


TESTS = {}

TESTS["test_initialize_parameters_deep_scaled"] = Test(
    "initialize_parameters_deep_scaled",
    None,
    [
        _visible("initialize_parameters_deep_scaled"),
        Case("hidden case: one layer", lambda ref: ([3, 1],)),
        Case("hidden case: four layers", lambda ref: ([4, 6, 6, 2, 1],)),
        Case("hidden case: single-unit layers", lambda ref: ([1, 1, 1],)),
        Case("hidden case: two layers of other sizes", lambda ref: ([7, 2, 3],)),
    ],
    returns=_returns("initialize_parameters_deep_scaled"),
    arguments=("layer_dims",),
)

TESTS["test_two_layer_model"] = Test(
    "two_layer_model",
    None,
    [
        _visible("two_layer_model"),
        Case(
            "hidden case: 4 features, 12 examples, 3 hidden units, 1 iteration",
            _model_case(101, 4, 12, (3, 1), 0.0075, 1),
        ),
        Case(
            "hidden case: a single hidden unit, 101 iterations, another learning rate",
            _model_case(102, 3, 8, (1, 1), 0.05, 101),
        ),
        Case(
            "hidden case: 6 features, 25 examples, 8 hidden units, 201 iterations",
            _model_case(103, 6, 25, (8, 1), 0.02, 201),
        ),
        Case(
            "hidden case: 2 features, 30 examples, 4 hidden units, 2 iterations",
            _model_case(104, 2, 30, (4, 1), 0.1, 2),
        ),
        Case("hidden case: print_cost=True, 150 iterations", _model_case(105, 3, 10, (2, 1), 0.05, 150, True)),
        Case(
            "hidden case: the signature's defaults (learning_rate, num_iterations, print_cost left out)",
            _defaults_case(107, 2, 6, (2, 1)),
            defaults=_defaults_of("two_layer_model"),
        ),  # seed 107: the uphill mistake stays finite here
    ],
    returns=_returns("two_layer_model"),
    arguments=MODEL_ARGUMENTS,
    normalise=_normalised("two_layer_model"),
    prints=MODEL_PRINTS,
)

TESTS["test_L_layer_model"] = Test(
    "L_layer_model",
    None,
    [
        _visible("L_layer_model"),
        Case("hidden case: one hidden layer, 1 iteration", _model_case(201, 4, 10, (3, 1), 0.0075, 1)),
        Case(
            "hidden case: three hidden layers, 101 iterations, another learning rate",
            _model_case(202, 5, 16, (4, 3, 2, 1), 0.05, 101),
        ),
        Case("hidden case: single-unit hidden layers, 2 iterations", _model_case(203, 3, 9, (1, 1, 1), 0.1, 2)),
        Case(
            "hidden case: two hidden layers of other sizes, 30 examples, 201 iterations",
            _model_case(204, 6, 30, (7, 5, 1), 0.02, 201),
        ),
        Case("hidden case: print_cost=True, 150 iterations", _model_case(205, 4, 9, (3, 2, 1), 0.05, 150, True)),
        Case(
            "hidden case: the signature's defaults (learning_rate, num_iterations, print_cost left out)",
            _defaults_case(206, 2, 6, (2, 2, 1)),
            defaults=_defaults_of("L_layer_model"),
        ),
    ],
    returns=_returns("L_layer_model"),
    arguments=MODEL_ARGUMENTS,
    normalise=_normalised("L_layer_model"),
    prints=MODEL_PRINTS,
)

# Seeds chosen so that each network predicts cats for some examples and not for others (the one
# example: no cat, where a model that always says cat fails).
TESTS["test_predict"] = Test(
    "predict",
    None,
    [
        _visible("predict"),
        Case("hidden case: a network of three hidden layers", _predict_case(310, [5, 4, 3, 2, 1], 9)),
        Case("hidden case: one example (m = 1)", _predict_case(304, [4, 3, 1], 1)),
        Case("hidden case: single-unit layers", _predict_case(319, [2, 1, 1], 12)),
        Case("hidden case: some output probabilities exactly 0.5", _half_and_half),
    ],
    returns=_returns("predict"),
    arguments=("X", "y", "parameters"),
    normalise=_normalised("predict"),
    prints=PREDICT_PRINTS,
)
