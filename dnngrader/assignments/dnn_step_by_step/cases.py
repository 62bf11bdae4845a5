"""The grader's test plan: for each test cell, the function it grades and the cases it runs.

Case 0 of every test is the visible case the student also runs; the others are hidden: other
shapes and depths, a single example (m = 1), single-unit layers, large |Z|.  Inputs come from
private generators seeded here, so the kernel that runs the student's code and the judge that
computes the expected answers build identical inputs independently.
"""

import numpy as np

from dnngrader.kernel.notebook import dnn_checks
from dnngrader.assignments.testplan import Case, Test


def _rng(seed):
    return np.random.RandomState(seed)


def _visible(name, part=None):
    description, arguments, _ = dnn_checks.visible_case(name, part)
    # Rebuild the arguments on every call: a student's function may modify them.
    return Case(f"the visible case, {description}", lambda ref: dnn_checks.visible_case(name, part)[1], visible=True)


def _params(seed, layer_dims, scale=1.0):
    rng = _rng(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = rng.randn(layer_dims[l], layer_dims[l - 1]) * scale
        parameters[f"b{l}"] = rng.randn(layer_dims[l], 1) * scale
    return parameters


def _linear_args(seed, n, n_prev, m, scale=1.0):
    rng = _rng(seed)
    return rng.randn(n_prev, m), rng.randn(n, n_prev) * scale, rng.randn(n, 1) * scale


def _layer_cache(seed, n, n_prev, m, z_scale=1.0):
    rng = _rng(seed)
    dA = rng.randn(n, m)
    A_prev, W, b = rng.randn(n_prev, m), rng.randn(n, n_prev), rng.randn(n, 1)
    Z = rng.randn(n, m) * z_scale
    return dA, ((A_prev, W, b), Z)


def _forward_backward_args(seed, layer_dims, m):
    """AL, Y, caches from a real forward pass, so gradients can be checked numerically."""

    def make(ref):
        rng = _rng(seed)
        X = rng.randn(layer_dims[0], m)
        Y = (rng.rand(1, m) > 0.5).astype(float)
        Y[0, 0] = 1.0 - Y[0, -1] if m > 1 else Y[0, 0]
        AL, caches = ref.L_model_forward(X, _params(seed + 1, layer_dims, 0.7))
        return AL, Y, caches

    return make


def _cost_args(seed, m):
    rng = _rng(seed)
    Y = (rng.rand(1, m) > 0.5).astype(int)
    AL = rng.uniform(0.05, 0.95, size=(1, m))
    return AL, Y


def _update_args(seed, layer_dims, learning_rate):
    parameters = _params(seed, layer_dims)
    grads = {"d" + key: value for key, value in _params(seed + 100, layer_dims).items()}
    return parameters, grads, learning_rate


TESTS = {}

TESTS["test_initialize_parameters"] = Test(
    "initialize_parameters",
    None,
    [
        _visible("initialize_parameters"),
        Case("hidden case: n_x=4, n_h=3, n_y=2", lambda ref: (4, 3, 2)),
        Case("hidden case: a single unit in every layer", lambda ref: (1, 1, 1)),
        Case("hidden case: n_x=2, n_h=6, n_y=3", lambda ref: (2, 6, 3)),
    ],
)

TESTS["test_initialize_parameters_deep"] = Test(
    "initialize_parameters_deep",
    None,
    [
        _visible("initialize_parameters_deep"),
        Case("hidden case: one layer", lambda ref: ([3, 1],)),
        Case("hidden case: four layers", lambda ref: ([4, 6, 6, 2, 1],)),
        Case("hidden case: single-unit layers", lambda ref: ([1, 1, 1],)),
        Case("hidden case: two layers of other sizes", lambda ref: ([7, 2, 3],)),
    ],
)

TESTS["test_linear_forward"] = Test(
    "linear_forward",
    None,
    [
        _visible("linear_forward"),
        Case("hidden case: 4 units, 5 inputs, 2 examples", lambda ref: _linear_args(11, 4, 5, 2)),
        Case("hidden case: one example (m = 1)", lambda ref: _linear_args(12, 3, 2, 1)),
        Case("hidden case: a single unit", lambda ref: _linear_args(13, 1, 6, 3)),
        Case("hidden case: large values", lambda ref: _linear_args(14, 2, 3, 4, scale=1e3)),
    ],
)

for _activation in ("sigmoid", "relu"):
    TESTS[f"test_linear_activation_forward_{_activation}"] = Test(
        "linear_activation_forward",
        _activation,
        [
            _visible("linear_activation_forward", _activation),
            Case(
                "hidden case: 4 units, 5 inputs, 3 examples",
                lambda ref, a=_activation: _linear_args(21, 4, 5, 3) + (a,),
            ),
            Case("hidden case: one example (m = 1)", lambda ref, a=_activation: _linear_args(22, 3, 4, 1) + (a,)),
            Case("hidden case: a single unit", lambda ref, a=_activation: _linear_args(23, 1, 2, 5) + (a,)),
            Case(
                "hidden case: large |Z| (about 1000)",
                lambda ref, a=_activation: _linear_args(24, 3, 3, 4, scale=300.0) + (a,),
            ),
        ],
    )

TESTS["test_L_model_forward"] = Test(
    "L_model_forward",
    None,
    [
        _visible("L_model_forward"),
        Case("hidden case: one layer (L = 1)", lambda ref: (_rng(31).randn(4, 3), _params(32, [4, 1]))),
        Case("hidden case: two layers", lambda ref: (_rng(33).randn(3, 5), _params(34, [3, 5, 1]))),
        Case("hidden case: four layers, one example", lambda ref: (_rng(35).randn(6, 1), _params(36, [6, 5, 4, 3, 1]))),
        Case(
            "hidden case: three layers, large |Z|",
            lambda ref: (_rng(37).randn(2, 4), _params(38, [2, 3, 2, 1], scale=30.0)),
        ),
        # Seeds chosen so that the single unit is active for some examples and not for others.
        Case("hidden case: a single-unit hidden layer", lambda ref: (_rng(47).randn(3, 3), _params(48, [3, 1, 2, 1]))),
    ],
)

TESTS["test_compute_cost"] = Test(
    "compute_cost",
    None,
    [
        _visible("compute_cost"),
        Case("hidden case: one example (m = 1)", lambda ref: (np.array([[0.3]]), np.array([[1]]))),
        Case("hidden case: 7 examples", lambda ref: _cost_args(41, 7)),
        Case("hidden case: 20 examples", lambda ref: _cost_args(42, 20)),
        Case("hidden case: every label 0", lambda ref: (np.array([[0.2, 0.7, 0.4, 0.1]]), np.zeros((1, 4)))),
    ],
)

TESTS["test_linear_backward"] = Test(
    "linear_backward",
    None,
    [
        _visible("linear_backward"),
        Case(
            "hidden case: 2 units, 3 inputs, 5 examples", lambda ref: (_rng(51).randn(2, 5), _linear_args(52, 2, 3, 5))
        ),
        Case("hidden case: one example (m = 1)", lambda ref: (_rng(53).randn(4, 1), _linear_args(54, 4, 2, 1))),
        Case("hidden case: a single unit", lambda ref: (_rng(55).randn(1, 3), _linear_args(56, 1, 6, 3))),
    ],
)

for _activation in ("sigmoid", "relu"):
    TESTS[f"test_linear_activation_backward_{_activation}"] = Test(
        "linear_activation_backward",
        _activation,
        [
            _visible("linear_activation_backward", _activation),
            Case(
                "hidden case: 3 units, 4 inputs, 5 examples",
                lambda ref, a=_activation: _layer_cache(61, 3, 4, 5) + (a,),
            ),
            Case("hidden case: one example (m = 1)", lambda ref, a=_activation: _layer_cache(62, 2, 3, 1) + (a,)),
            Case("hidden case: a single unit", lambda ref, a=_activation: _layer_cache(63, 1, 5, 4) + (a,)),
            Case(
                "hidden case: large |Z| (about 50)",
                lambda ref, a=_activation: _layer_cache(64, 3, 2, 4, z_scale=50.0) + (a,),
            ),
        ],
    )

TESTS["test_L_model_backward"] = Test(
    "L_model_backward",
    None,
    [
        _visible("L_model_backward"),
        Case("hidden case: one layer (L = 1)", _forward_backward_args(71, [3, 1], 4)),
        Case("hidden case: two layers, one example", _forward_backward_args(73, [4, 3, 1], 1)),
        Case("hidden case: three layers", _forward_backward_args(75, [5, 4, 3, 1], 6)),
        Case("hidden case: four layers with single units", _forward_backward_args(77, [2, 1, 3, 1, 1], 3)),
    ],
)

TESTS["test_update_parameters"] = Test(
    "update_parameters",
    None,
    [
        _visible("update_parameters"),
        Case("hidden case: one layer", lambda ref: _update_args(81, [3, 2], 0.05)),
        Case("hidden case: three layers", lambda ref: _update_args(83, [4, 5, 3, 1], 0.5)),
        Case("hidden case: single units", lambda ref: _update_args(85, [1, 1, 1], 1.0)),
    ],
)
