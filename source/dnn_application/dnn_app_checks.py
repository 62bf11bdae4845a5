"""Visible checks of the cat / non-cat assignment's graded functions.

``check(name, function)`` calls your function on small seeded inputs (a few iterations on ten
random examples, never the image data, so it takes a moment), compares what it returns with the
reference answers stored in ``application_checks.json`` and prints what it checked.  When
something is wrong it says what (a type, a shape, the number of recorded costs, a value) and
stops with one line, ``CheckFailed: ...``.

The expected values were computed by the course's reference implementation on exactly these
inputs.  Your models use the functions of your first assignment: if they are wrong, these checks
fail too, so run the first notebook's checks first.
"""

import json
import os
from pathlib import Path

import numpy as np

EXPECTED_FILE = Path(__file__).with_name("application_checks.json")
RTOL = 1e-6
ATOL = 1e-9
SMALL_Y = [[1, 1, 1, 1, 0, 0, 0, 1, 1, 0]]

# The cases of each function: keyword arguments, and what the inputs are ("small" = seed 1,
# X = randn(10, 10), Y = SMALL_Y; "network" = a seeded random two-layer network).
CASES = {
    "initialize_parameters_deep_scaled": [
        {"layer_dims": [5, 4, 3]},
        {"layer_dims": [10, 5, 6, 1]},
    ],
    "two_layer_model": [
        {"layers_dims": [10, 5, 1], "num_iterations": 2},
        {"layers_dims": [10, 5, 1], "learning_rate": 0.3, "num_iterations": 201},
    ],
    "L_layer_model": [
        {"layers_dims": [10, 5, 6, 1], "num_iterations": 2},
        {"layers_dims": [10, 5, 6, 1], "learning_rate": 0.1, "num_iterations": 201},
    ],
    "predict": [
        {"network": "random"},
        {"network": "undecided"},
    ],
}


class CheckFailed(AssertionError):
    """A visible check that did not pass; shown without a traceback in a notebook."""

    def __init__(self, name, problems):
        self.lines = [f"\u2717 {problem}" for problem in problems]
        self.summary = f"{name}: {len(problems)} problem{'s' if len(problems) > 1 else ''}: {problems[0]}"
        super().__init__("\n".join(self.lines + [self.summary]))

    def _render_traceback_(self):
        return self.lines + [f"{type(self).__name__}: {self.summary}"]


def small_example():
    """The small data set: seed 1, X = randn(10, 10) (10 features, 10 examples), Y (1, 10)."""
    np.random.seed(1)
    X = np.random.randn(10, 10)
    return X, np.array(SMALL_Y)


def network(kind):
    """Parameters of a two-layer network (10 -> 4 -> 1): "random" (seed 2) or "undecided" (all
    zeros, so that every output probability is exactly 0.5)."""
    if kind == "undecided":
        return {"W1": np.zeros((4, 10)), "b1": np.zeros((4, 1)), "W2": np.zeros((1, 4)), "b2": np.zeros((1, 1))}
    rng = np.random.RandomState(2)
    return {"W1": rng.randn(4, 10), "b1": rng.randn(4, 1), "W2": rng.randn(1, 4), "b2": rng.randn(1, 1)}


def describe_case(name, case):
    """How a case is called, in a line."""
    if name == "initialize_parameters_deep_scaled":
        return f"{name}({case['layer_dims']})"
    if name == "predict":
        what = "a network whose outputs are all exactly 0.5" if case["network"] == "undecided" \
            else "a random two-layer network (10 -> 4 -> 1)"
        return f"predict(X, Y, parameters) of {what}, on the small example"
    extra = "".join(f", {key}={value}" for key, value in case.items() if key != "layers_dims")
    return f"{name}(X, Y, {tuple(case['layers_dims'])}{extra}) on the small example"


def call(function, name, case):
    """Call ``function`` (a graded function or its reference) on one case's inputs."""
    if name == "initialize_parameters_deep_scaled":
        return function(list(case["layer_dims"]))
    X, Y = small_example()
    if name == "predict":
        return function(X, Y, network(case["network"]))
    arguments = {key: value for key, value in case.items() if key != "layers_dims"}
    return function(X, Y, list(case["layers_dims"]), **arguments)


def to_json(name, result):
    """The JSON form of a result (what application_checks.json stores)."""
    def arrays(parameters):
        return {key: np.asarray(value, dtype=float).tolist() for key, value in parameters.items()}
    if name == "initialize_parameters_deep_scaled":
        return {"parameters": arrays(result)}
    if name == "predict":
        return {"p": np.asarray(result, dtype=float).tolist()}
    parameters, costs = result
    return {"parameters": arrays(parameters), "costs": [float(np.squeeze(cost)) for cost in costs]}


def expected(name):
    with open(EXPECTED_FILE, encoding="utf-8") as handle:
        return json.load(handle)[name]


def differ(got, want):
    """A few words on where two arrays of the same shape differ, or None if they agree."""
    if np.allclose(got, want, rtol=RTOL, atol=ATOL):
        return None
    gap = np.abs(got - want)
    index = np.unravel_index(np.nanargmax(np.where(np.isnan(gap), np.inf, gap)), gap.shape)
    return f"differs from the expected values: at {tuple(int(i) for i in index)} it is {got[index]!r}, expected {want[index]!r}"


def parameter_problems(parameters, want, what):
    """Problems of a returned parameters dict against the expected one."""
    if not isinstance(parameters, dict):
        return [f"{what} should be a dict of W1, b1, ...; it is a {type(parameters).__name__}"]
    problems = []
    if sorted(parameters) != sorted(want):
        problems.append(f"{what} has keys {sorted(parameters)}; expected {sorted(want)}")
    for key in want:
        if key not in parameters:
            continue
        value, target = np.asarray(parameters[key]), np.array(want[key])
        if value.shape != target.shape:
            problems.append(f"{what}[{key!r}] has shape {value.shape}; expected {target.shape}")
            continue
        difference = differ(value.astype(float), target)
        if difference:
            problems.append(f"{what}[{key!r}] {difference}")
    return problems


def model_problems(result, want, case):
    """Problems of a model's (parameters, costs) against the expected result."""
    if not isinstance(result, tuple) or len(result) != 2:
        return [f"should return a tuple (parameters, costs); it returned {type(result).__name__}"
                + (f" of length {len(result)}" if isinstance(result, tuple) else "")]
    parameters, costs = result
    problems = []
    try:
        costs = [float(np.squeeze(cost)) for cost in costs]
    except (TypeError, ValueError):
        return [f"costs should be a list of numbers; it is {costs!r:.80}"]
    target = want["costs"]
    if len(costs) != len(target):
        problems.append(f"costs has {len(costs)} entries for num_iterations={case['num_iterations']}; expected "
                        f"{len(target)}: one cost each at iterations 0, 100, 200, ... that were run")
    else:
        for i, (cost, goal) in enumerate(zip(costs, target)):
            if not np.isclose(cost, goal, rtol=RTOL, atol=ATOL):
                problems.append(f"costs[{i}] (the cost at iteration {100 * i}) is {cost!r}; expected {goal!r}")
    problems += parameter_problems(parameters, want["parameters"], "the returned parameters")
    return problems


def predict_problems(p, want, case):
    target = np.array(want["p"])
    p = np.asarray(p)
    if p.shape != target.shape:
        return [f"p has shape {p.shape}; expected {target.shape}: one prediction per example, in a row"]
    values = set(np.unique(p).tolist())
    if not values <= {0, 1}:
        return [f"p holds values {sorted(values)[:5]}; predictions are 0 or 1"]
    wrong = np.flatnonzero(p.ravel() != target.ravel())
    if len(wrong):
        problem = f"p is wrong for {len(wrong)} of {p.shape[1]} examples (columns {wrong.tolist()})"
        if case["network"] == "undecided":
            problem += ("; every output probability is exactly 0.5 here, and only a probability "
                        "strictly greater than 0.5 counts as a cat")
        return [problem]
    return []


def check(name, function):
    """Run ``function`` on every case of ``name``; print a line per passing case, raise
    CheckFailed listing the problems of the failing ones."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        # The grader runs these cases itself, with its hidden ones, outside your notebook's kernel.
        return
    print(f"Checking {name}:")
    problems = []
    for case, want in zip(CASES[name], expected(name)):
        title = describe_case(name, case)
        result = call(function, name, case)
        if name == "initialize_parameters_deep_scaled":
            found = parameter_problems(result, want["parameters"], "the returned parameters")
        elif name == "predict":
            found = predict_problems(result, want, case)
        else:
            found = model_problems(result, want, case)
        if found:
            problems += [f"{title}: {problem}" for problem in found]
        else:
            print(f"  \u2713 {title}")
    if problems:
        raise CheckFailed(name, problems)
    print(f"All visible checks of {name} passed.")
