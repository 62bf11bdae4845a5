"""Hints for the classic mistakes of the second assignment, dnn_application, recognised from what
a student's function returned on a case's own inputs (the first assignment's are in
dnngrader/assignments/dnn_step_by_step/hints.py; dnngrader/assignments/__init__.py registers each
module with its assignment, and the judge looks them up there).

A mistake is recognised as in dnngrader/assignments/dnn_step_by_step/hints.py: the judge works out, with the reference
pieces, what the mistaken function returns on the case's inputs, and a hint explains a case when
the student's output equals that.  The verdict names a mistake only when it explains every
failing output of every failing case of the cell (``dnn_checks.hint_lines``, which the
notebook's check uses too).  Each text is one of the fixed sentences of ``TEXTS``: a hint never
shows a hidden input or an expected value.

The models' mistaken runs train the case's network again with the mistake, on the case's own
small data (at most a few hundred iterations of a tiny network: milliseconds).  A costs list of
the wrong length cannot be compared number by number, so a mistake that explains one is found
here, against the student's list itself, and given to ``costs`` as a hint of the last tier.
Parameters under the expected keys spelled otherwise, or numbered from 0, are recognised from
the student's own keys, as in the first assignment (``keyed_mistakes``).
"""

import copy
import inspect

import numpy as np

from dnngrader.kernel.notebook import dnn_checks

from dnngrader.assignments.dnn_application import models
from dnngrader.assignments.dnn_application.cases import TESTS
from dnngrader.assignments.testplan import once_per_case
from dnngrader.assignments.dnn_step_by_step.hints import keyed_mistakes, renumbered

# -- initialize_parameters_deep_scaled --------------------------------------------------------
SMALL_SCALE = (
    "the weights look scaled by 0.01, like the first assignment's initialisation: this "
    "network divides each layer's np.random.randn draws by np.sqrt(layer_dims[l - 1]) instead."
)
FIRST_ASSIGNMENT = (
    "these are the first assignment's draws (np.random.seed(3), times 0.01): here the "
    "seed is np.random.seed(1), and each layer's draws are divided by np.sqrt(layer_dims[l - 1])."
)
SEED_3 = "these are the draws of np.random.seed(3): keep np.random.seed(1) as given."
OWN_SIZE = (
    "the weights are divided by the square root of the layer's own size, layer_dims[l]: divide "
    "by np.sqrt(layer_dims[l - 1]), the number of inputs of each of its units."
)
UNSCALED = "the weights are not scaled: divide each layer's np.random.randn draws by np.sqrt(layer_dims[l - 1])."
HE_SCALE = (
    "the weights are scaled by np.sqrt(2 / layer_dims[l - 1]) (He initialisation): this "
    "exercise divides them by np.sqrt(layer_dims[l - 1])."
)
MULTIPLIED = "the weights are multiplied by np.sqrt(layer_dims[l - 1]): divide them by it."
SEED_FALLBACK = (
    "the weights differ from the expected random draws: keep np.random.seed(1) as the first "
    "line, then draw W1, W2, ... in layer order with np.random.randn(layer_dims[l], "
    "layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1]), and no other random numbers."
)
ZERO_BIAS = "the biases start at zero: np.zeros((layer_dims[l], 1))."
KEYS_FROM_ZERO = (
    'the layers are numbered from 0 (W0, b0, ...): layer l\'s parameters are "W" + str(l) and '
    '"b" + str(l) for l = 1, ..., L, with W1 of shape (layer_dims[1], layer_dims[0]).'
)
MISSPELLED_KEYS = (
    "the parameters are stored under the expected keys spelled otherwise (another letter case, or "
    'an underscore between letter and number): name them exactly "W" + str(l) and "b" + str(l), '
    "that is W1, b1, W2, b2, ..."
)

# -- the models --------------------------------------------------------------------------------
EVERY_ITERATION = (
    "the costs are recorded every iteration: record the cost only every 100 iterations (when i % 100 == 0)."
)
LAST_TOO = (
    "there is one cost too many: the last iteration's cost is printed, not recorded. Record "
    "only the costs of iterations 0, 100, 200, ..."
)
FROM_ONE = (
    "the costs are recorded at the wrong iterations: with i counting from 0 (for i in "
    "range(num_iterations)), record the cost when i % 100 == 0, so that the first one is "
    "iteration 0's."
)
FIRST_MISSING = (
    "the first cost is missing: the cost of iteration 0, before any step, is recorded too "
    "(i % 100 == 0 holds for i = 0)."
)
ALL_BUT_EVERY_100 = (
    "the costs are recorded at every iteration except those to record: record the cost when "
    "i % 100 == 0 (== 0, not != 0), at iterations 0, 100, 200, ..."
)
ONE_STEP_LATE = (
    "each recorded cost is one step late: record the cost of this iteration's forward pass, "
    "computed before the parameters are updated."
)
NO_UPDATE = (
    "the parameters never change: every iteration must update them, parameters = "
    "update_parameters(parameters, grads, learning_rate)."
)
LEARNING_RATE = (
    "the learning_rate argument is not used: the parameters moved as they would with the "
    "default learning rate. Pass learning_rate on to update_parameters."
)
SIGN = "the steps go uphill: dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2)), with the minus sign in front."
TWO_LAYER_SCALED_INIT = (
    "the parameters were initialised as initialize_parameters_deep_scaled does: "
    "two_layer_model initialises as the first assignment does, with "
    "initialize_parameters(n_x, n_h, n_y)."
)
L_LAYER_SMALL_INIT = (
    "the weights were initialised like the first assignment's (np.random.randn(...) * "
    "0.01): L_layer_model initialises with initialize_parameters_deep_scaled(layers_dims), "
    "which divides them by np.sqrt(layer_dims[l - 1])."
)
L_LAYER_FIRST_DEEP = (
    "the parameters were initialised as the first assignment's initialize_parameters_deep "
    "does (np.random.seed(3), times 0.01): L_layer_model initialises with "
    "initialize_parameters_deep_scaled(layers_dims)."
)

# -- predict -----------------------------------------------------------------------------------
AT_ONE_HALF = (
    "predict says cat where the output probability is exactly 0.5: only a probability "
    "strictly greater than 0.5 is a cat (>, not >=)."
)
PROBABILITIES = "p holds the output probabilities: predict labels, 1 where the probability is greater than 0.5, else 0."
FLAT = "p is a flat list or vector of the m labels: return an array of shape (1, m), one row with a label per example."

TEXTS = (
    SMALL_SCALE,
    FIRST_ASSIGNMENT,
    SEED_3,
    OWN_SIZE,
    UNSCALED,
    HE_SCALE,
    MULTIPLIED,
    SEED_FALLBACK,
    ZERO_BIAS,
    MISSPELLED_KEYS,
    KEYS_FROM_ZERO,
    EVERY_ITERATION,
    LAST_TOO,
    FROM_ONE,
    FIRST_MISSING,
    ALL_BUT_EVERY_100,
    ONE_STEP_LATE,
    NO_UPDATE,
    LEARNING_RATE,
    SIGN,
    TWO_LAYER_SCALED_INIT,
    L_LAYER_SMALL_INIT,
    L_LAYER_FIRST_DEEP,
    AT_ONE_HALF,
    PROBABILITIES,
    FLAT,
)

RECORD_EVERY = models.RECORD_EVERY
DEFAULT_LEARNING_RATE = 0.0075  # the models' default (their signatures)


def _plan(function):
    """The test plan (cases.Test) of a graded function: what it returns and how it is compared."""
    return next(test for test in TESTS.values() if test.function == function)


def for_case(function, args, got, reference):
    """label -> [(hint, the output that mistake produces)] for one case, as
    dnngrader/assignments/dnn_step_by_step/hints.py's ``for_case``; an output of None marks a hint
    of the last tier (a fallback, or a costs list of the wrong length that the mistake explains).
    ``got`` is the student's output as the judge compares it (normalised), or None."""
    if function not in _MISTAKES:
        return {}
    test = _plan(function)
    expected_value, outputs = _mistake_outputs(function, args, reference)
    expected = dict(dnn_checks.labelled_leaves(expected_value, test.returns))
    hints = {}
    with np.errstate(all="ignore"):
        for text, output in outputs:
            for label, value in dnn_checks.labelled_leaves(output, test.returns):
                if label not in expected or not dnn_checks.same_values(expected[label], value):
                    hints.setdefault(label, []).append((text, value))
            if test.returns == ("parameters", "costs") and _explains_costs(output, expected_value, got):
                hints.setdefault("costs", []).append((text, None))
    for label in expected:
        for applies, text in _FALLBACKS.get(function, ()):
            if applies(label):
                hints.setdefault(label, []).append((text, None))
    # The parameters, returned alone or first, may hold the right values under other keys.
    want, have = _parameters_of(expected_value), _parameters_of(got)
    # Only layers numbered from 0 are named (renumbered shifts every W alike, and every b: W0 and
    # b0 mean both start at 0); other shifts are no classic mistake of these functions.
    moved = renumbered(want, have)
    from_zero = KEYS_FROM_ZERO if moved is not None and {"W0", "b0"} <= set(moved) else None
    for label, entries in keyed_mistakes(want, have, "parameters", MISSPELLED_KEYS, from_zero).items():
        hints.setdefault(label, []).extend(entries)
    return hints


_kept_outputs = {}  # testplan.once_per_case's store


def _mistake_outputs(function, args, reference):
    """(what ``reference`` returns on ``args``, [(a mistake's text, what the function returns with
    that mistake)] for each mistake that can happen on them), both normalised as the judge
    compares.  They depend on the case alone, never on the student's output, and a model's
    mistaken runs train its network again up to a dozen times (3000 iterations each on the
    defaults case): a grading worker works them out once per case (``once_per_case``), not once
    per failing submission.  Read only: the caller must not change what it gets."""

    def compute():
        normalise = _plan(function).normalise or (lambda value: value)
        expected = normalise(getattr(reference, function)(*copy.deepcopy(args)))
        outputs = []
        with np.errstate(all="ignore"):
            for text, mistaken in _MISTAKES[function](copy.deepcopy(args)):
                try:
                    outputs.append((text, normalise(mistaken())))
                except Exception:  # this mistake cannot happen on these inputs
                    continue
        return expected, outputs

    return once_per_case(_kept_outputs, function, args, reference, compute)


def _parameters_of(value):
    """The parameters dict of an initialiser's or a model's output (None: there is none)."""
    if isinstance(value, tuple) and len(value) == 2:
        value = value[0]
    return value if isinstance(value, dict) else None


def extra_checks(function, args, got, reference):
    """Checks beyond the comparison with the reference: none for this assignment."""
    return []


def _costs_of(value):
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], (list, tuple)):
        return list(value[1])
    return None


def _explains_costs(output, expected, got):
    """Whether the mistake's costs are the student's, where their number differs from the
    expected one (equal lengths are compared cost by cost, as leaves)."""
    mine, want, theirs = _costs_of(output), _costs_of(expected), _costs_of(got)
    if mine is None or want is None or theirs is None or len(theirs) == len(want):
        return False
    return len(mine) == len(theirs) and dnn_checks.same_values(mine, theirs)


# ---------------------------------------------------------------------------------------------
# initialize_parameters_deep_scaled
# ---------------------------------------------------------------------------------------------


def _drawn(layer_dims, seed, weight):
    """Parameters drawn layer by layer from ``seed`` (as np.random.seed(seed) then np.random.randn
    draw), W_l = weight(randn(n_l, n_prev), n_l, n_prev), b_l = 0."""
    rng = np.random.RandomState(seed)
    parameters = {}
    for l in range(1, len(layer_dims)):
        n, n_prev = layer_dims[l], layer_dims[l - 1]
        parameters[f"W{l}"] = weight(rng.randn(n, n_prev), n, n_prev)
        parameters[f"b{l}"] = np.zeros((n, 1))
    return parameters


def _small(W, n, n_prev):
    return W * 0.01


def _scaled(W, n, n_prev):
    return W / np.sqrt(n_prev)


def _initialize_parameters_deep_scaled(args):
    (layer_dims,) = args
    draw = lambda seed, weight: lambda: _drawn(layer_dims, seed, weight)  # noqa: E731
    return [
        (SMALL_SCALE, draw(1, _small)),
        (FIRST_ASSIGNMENT, draw(3, _small)),
        (SEED_3, draw(3, _scaled)),
        (OWN_SIZE, draw(1, lambda W, n, n_prev: W / np.sqrt(n))),
        (UNSCALED, draw(1, lambda W, n, n_prev: W)),
        (HE_SCALE, draw(1, lambda W, n, n_prev: W * np.sqrt(2 / n_prev))),
        (MULTIPLIED, draw(1, lambda W, n, n_prev: W * np.sqrt(n_prev))),
    ]


# ---------------------------------------------------------------------------------------------
# The models: the case's network trained again, with a mistake
# ---------------------------------------------------------------------------------------------


def _two_layer_step(ref, X, Y, learning_rate, sign=1):
    def step(parameters):
        A1, cache1 = ref.linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = ref.linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = ref.compute_cost(A2, Y)
        dA2 = -sign * (np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = ref.linear_activation_backward(dA2, cache2, "sigmoid")
        _, dW1, db1 = ref.linear_activation_backward(dA1, cache1, "relu")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        return cost, ref.update_parameters(parameters, grads, learning_rate)

    return step


def _L_layer_step(ref, X, Y, learning_rate, sign=1):
    def step(parameters):
        AL, caches = ref.L_model_forward(X, parameters)
        cost = ref.compute_cost(AL, Y)
        grads = ref.L_model_backward(AL, Y, caches)
        return cost, ref.update_parameters(parameters, grads, learning_rate)

    return step


_STEPS = {"two_layer_model": _two_layer_step, "L_layer_model": _L_layer_step}


def _initial(function, layers_dims):
    """The parameters the model starts from (the reference initialisers, seeded as they seed)."""
    if function == "two_layer_model":
        n_x, n_h, n_y = layers_dims
        return _drawn([n_x, n_h, n_y], 1, _small)
    return _drawn(list(layers_dims), 1, _scaled)


def _train(function, args, initial=None, learning_rate=None, sign=1):
    """(the parameters after num_iterations steps, the cost before each step and after the last:
    num_iterations + 1 floats)."""
    X, Y, layers_dims, rate, num_iterations = args[:5]
    ref = models.helpers()
    parameters = copy.deepcopy(initial if initial is not None else _initial(function, layers_dims))
    step = _STEPS[function](ref, X, Y, rate if learning_rate is None else learning_rate, sign)
    costs = []
    for _ in range(num_iterations):
        cost, parameters = step(parameters)
        costs.append(float(np.squeeze(cost)))
    final = copy.deepcopy(parameters)
    costs.append(float(np.squeeze(step(copy.deepcopy(parameters))[0])))
    return final, costs


def _recorded(costs, n, which="every 100"):
    """The costs a model records out of ``costs`` (before each of the n steps, then after the
    last), by the recording rule ``which``."""
    every = RECORD_EVERY
    if which == "every 100":
        return [costs[i] for i in range(n) if i % every == 0]
    if which == "every iteration":
        return costs[:n]
    if which == "and the last":
        return [costs[i] for i in range(n) if i % every == 0 or i == n - 1]
    if which == "counted from one":
        return [costs[i - 1] for i in range(1, n + 1) if i % every == 0]
    if which == "without the first":
        return [costs[i] for i in range(1, n) if i % every == 0]
    if which == "all but every 100":
        return [costs[i] for i in range(n) if i % every != 0]
    if which == "one step late":
        return [costs[i + 1] for i in range(n) if i % every == 0]
    raise ValueError(which)


def _with_defaults(function, args):
    """A model's arguments, all six: a case may leave the last ones to the signature's defaults
    (the reference model's, which are the notebook's)."""
    signature = inspect.signature(getattr(models, function))
    bound = signature.bind(*args)
    bound.apply_defaults()
    return tuple(bound.arguments[name] for name in list(signature.parameters)[:6])


def _model_mistakes(function, args):
    args = _with_defaults(function, args)
    num_iterations = args[4]
    memo = {}

    def trained():
        if "run" not in memo:
            memo["run"] = _train(function, args)
        return memo["run"]

    def recorded(which):
        def output():
            parameters, costs = trained()
            return parameters, _recorded(costs, num_iterations, which)

        return output

    def run(**options):
        def output():
            parameters, costs = _train(function, args, **options)
            return parameters, _recorded(costs, num_iterations)

        return output

    def never_updated():
        initial = _initial(function, args[2])
        _, costs = _train(function, args, learning_rate=0.0)
        return initial, _recorded(costs, num_iterations)

    mistakes = [
        (EVERY_ITERATION, recorded("every iteration")),
        (LAST_TOO, recorded("and the last")),
        (FROM_ONE, recorded("counted from one")),
        (FIRST_MISSING, recorded("without the first")),
        (ALL_BUT_EVERY_100, recorded("all but every 100")),
        (ONE_STEP_LATE, recorded("one step late")),
        (NO_UPDATE, never_updated),
        (LEARNING_RATE, run(learning_rate=DEFAULT_LEARNING_RATE)),
    ]
    layers_dims = list(args[2])
    if function == "two_layer_model":
        mistakes += [
            (SIGN, run(sign=-1)),
            (TWO_LAYER_SCALED_INIT, run(initial=_drawn(layers_dims, 1, _scaled))),
        ]
    else:
        mistakes += [
            (L_LAYER_SMALL_INIT, run(initial=_drawn(layers_dims, 1, _small))),
            (L_LAYER_FIRST_DEEP, run(initial=_drawn(layers_dims, 3, _small))),
        ]
    return mistakes


# ---------------------------------------------------------------------------------------------
# predict
# ---------------------------------------------------------------------------------------------


def _predict(args):
    X, _, parameters = args
    probabilities = lambda: models.helpers().L_model_forward(X, parameters)[0]  # noqa: E731
    return [
        (AT_ONE_HALF, lambda: (probabilities() >= 0.5).astype(float)),
        (PROBABILITIES, probabilities),
        (FLAT, lambda: (probabilities() > 0.5).astype(float).ravel()),
    ]


_MISTAKES = {
    "initialize_parameters_deep_scaled": _initialize_parameters_deep_scaled,
    "two_layer_model": lambda args: _model_mistakes("two_layer_model", args),
    "L_layer_model": lambda args: _model_mistakes("L_layer_model", args),
    "predict": _predict,
}

_is_weight = lambda label: label.startswith("parameters['W")  # noqa: E731
_is_bias = lambda label: label.startswith("parameters['b")  # noqa: E731

# Said about an output when no specific mistake explains it: label test -> text.
_FALLBACKS = {
    "initialize_parameters_deep_scaled": [(_is_weight, SEED_FALLBACK), (_is_bias, ZERO_BIAS)],
}
