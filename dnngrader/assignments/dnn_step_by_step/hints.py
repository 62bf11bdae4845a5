"""Hints for classic mistakes of the first assignment, dnn_step_by_step, that need the case's
inputs or the reference to recognise, and the checks that go beyond comparing with the reference
(numerical gradients).  dnngrader/assignments/__init__.py registers this module with its assignment (the
second assignment's are in dnngrader/assignments/dnn_application/hints.py); the judge looks them up there.

A hint is found by working out, with the reference pieces, what a known mistake returns on the
case's own inputs: when the student's output equals that, the mistake explains that case.  The
feedback, and the notebook's check, name a mistake only when it explains every failing output
of every failing case of the test cell, and name all of them when several do
(``dnn_checks.hint_lines``): on one case two mistakes can give the same output, and a mistake
that gives one output but not another is not the student's.  So a mistake's output is the whole
of what the mistaken function returns, cache included.  Mistakes in a dict's keys (spelled or
numbered otherwise, ``dnn_checks.mistakes_in_keys``) are worked out from the student's own keys.
The texts are fixed sentences, so a hint never shows a hidden input or an expected value.
"""

import copy
import itertools

import numpy as np

from dnngrader.kernel.notebook import dnn_checks

# The mistakes in a dict's keys live in dnn_checks, whose check works them out in the notebook
# as well; they are named here too, where the second assignment's hints and the tests find them.
from dnngrader.kernel.notebook.dnn_checks import MISSPELLED_KEYS, keyed_mistakes, renumbered  # noqa: F401
from dnngrader.assignments.testplan import once_per_case

# Central differences are exact up to rounding for the linear parts and accurate to about
# step**2 elsewhere; a wrong formula is off by far more than these tolerances.
STEP = 1e-6
GRADIENT_RTOL = 1e-4
GRADIENT_ATOL = 1e-6


def for_case(function, args, got, reference):
    """label -> [(hint, the output that mistake produces)] for one case; an output of None
    marks a fallback hint, said when nothing more specific explains a wrong output.
    ``dnn_checks.compare`` matches them against ``got``, the student's output (None while the
    practice cases are made: the mistakes in a dict's keys, worked out from ``got``, are then
    left out, and the notebook's check works them out itself).  Each mistake's output is
    labelled as the comparison meets it (``dnn_checks.labelled_outputs``): a part that is a
    container where an array is expected is kept whole.  Empty for a function without known
    mistakes."""
    if function not in _MISTAKES:
        return {}
    names = dnn_checks.RETURN_NAMES[function]
    args = copy.deepcopy(args)
    expected_value = getattr(reference, function)(*copy.deepcopy(args))
    expected = dict(dnn_checks.labelled_leaves(expected_value, names))
    hints = {}
    with np.errstate(all="ignore"):
        for text, mistaken in _MISTAKES[function](args, reference):
            try:
                output = mistaken()
            except Exception:  # this mistake cannot happen on these inputs (e.g. shapes clash)
                continue
            for label, value in dnn_checks.labelled_outputs(output, expected_value, names):
                if label not in expected or not dnn_checks.same_output(expected[label], value):
                    hints.setdefault(label, []).append((text, value))
    for label in expected:
        for applies, text in _FALLBACKS.get(function, ()):
            if applies(label):
                hints.setdefault(label, []).append((text, None))
    for label, text in _CONTAINER_FALLBACKS.get(function, {}).items():
        hints.setdefault(label, []).append((text, None))
    # A dict returned whole (parameters, grads) may hold the right values under other keys.
    for label, entries in dnn_checks.mistakes_in_keys(expected_value, got, names).items():
        hints.setdefault(label, []).extend(entries)
    return hints


_kept_gradients = {}  # testplan.once_per_case's store


def _numerical_gradients(function, numerical, args, reference):
    """``numerical(args, reference)``, worked out once per case (``once_per_case``): the
    gradients depend on the case alone, and a grading worker meets each case once per
    submission."""

    def compute():
        with np.errstate(all="ignore"):
            return numerical(copy.deepcopy(args), reference)

    return once_per_case(_kept_gradients, function, args, reference, compute)


def extra_checks(function, args, got, reference):
    """Problems found without the reference: gradients that disagree with central differences
    of the forward pass (for the three backward functions)."""
    numerical = _NUMERICAL_GRADIENTS.get(function)
    if numerical is None:
        return []
    gradients = _numerical_gradients(function, numerical, args, reference)
    if not gradients:
        return []
    try:
        returned = dict(dnn_checks.labelled_leaves(got, dnn_checks.RETURN_NAMES[function]))
    except (IndexError, TypeError):  # not the structure the function should return at all
        return []
    wrong = [label for label, gradient in gradients.items() if _disagrees(returned.get(label), gradient)]
    if not wrong:
        return []
    verb = "disagrees" if len(wrong) == 1 else "disagree"
    return [
        f"numerical gradient check: {', '.join(wrong)} {verb} with the gradient computed numerically "
        "from the forward pass (central differences)."
    ]


def _disagrees(value, gradient):
    """Whether a returned gradient of the right type and shape differs from the numerical one
    (other problems are reported by the comparison with the reference)."""
    if type(value) is not np.ndarray or value.shape != gradient.shape or value.dtype.kind != "f":
        return False
    return not np.allclose(value, gradient, rtol=GRADIENT_RTOL, atol=GRADIENT_ATOL)


# ---------------------------------------------------------------------------------------------
# Classic mistakes: for each function, (hint, what the mistaken function would return)
# ---------------------------------------------------------------------------------------------


def _draws(seed, shapes, method="randn", scale=0.01, order=None, reseed=False):
    """Weights drawn like initialisation code: one array per shape, drawn in ``order``."""
    rng = np.random.RandomState(seed)
    weights = [None] * len(shapes)
    for index in order if order is not None else range(len(shapes)):
        if reseed:
            rng = np.random.RandomState(seed)
        weights[index] = getattr(rng, method)(*shapes[index]) * scale
    return weights


def _network(weights, biases=None):
    """parameters with W1, b1, W2, ... from the weights (and zero biases unless given)."""
    parameters = {}
    for l, W in enumerate(weights, start=1):
        parameters[f"W{l}"] = W
        parameters[f"b{l}"] = np.zeros((W.shape[0], 1)) if biases is None else biases[l - 1]
    return parameters


def _init_mistakes(seed, shapes):
    """Initialisation mistakes shared by both initialisers.  On some sizes two of them give the
    same draws (1/sqrt(n) is 1 when n = 1): the judge then names every one that fits, and only
    those that fit every failing case (dnn_checks.hint_lines)."""
    draw = lambda **options: lambda: _network(_draws(seed, shapes, **options))  # noqa: E731

    def scaled_by_size(factor):
        rng = np.random.RandomState(seed)
        return _network([rng.randn(n, n_prev) * factor(n_prev) for n, n_prev in shapes])

    other_scale = (
        "this exercise scales the draws by 0.01, not by 1/sqrt(n) or sqrt(2/n) (those "
        "initialisations come later in the course)."
    )
    return [
        (
            "the weights were drawn in the wrong order: draw W1 first, then W2, and so on, layer by layer.",
            draw(order=range(len(shapes) - 1, -1, -1)),
        ),
        (
            "np.random.rand draws uniform numbers in [0, 1); draw the weights with np.random.randn (standard normal).",
            draw(method="rand"),
        ),
        ("the weights are not scaled: multiply the np.random.randn draws by 0.01.", draw(scale=1.0)),
        (
            "the seed is set again before each layer: seed once, before the first draw, so that each "
            "layer gets new numbers.",
            draw(reseed=True),
        ),
        (other_scale, lambda: scaled_by_size(lambda n_prev: 1 / np.sqrt(n_prev))),
        (other_scale, lambda: scaled_by_size(lambda n_prev: np.sqrt(2 / n_prev))),
    ]


def _initialize_parameters(args, ref):
    n_x, n_h, n_y = args
    return _init_mistakes(1, [(n_h, n_x), (n_y, n_h)])


def _initialize_parameters_deep(args, ref):
    (layer_dims,) = args
    shapes = [(layer_dims[l], layer_dims[l - 1]) for l in range(1, len(layer_dims))]

    def random_biases():
        rng, weights, biases = np.random.RandomState(3), [], []
        for n, n_prev in shapes:
            weights.append(rng.randn(n, n_prev) * 0.01)
            biases.append(rng.randn(n, 1) * 0.01)
        return _network(weights, biases)

    return _init_mistakes(3, shapes) + [
        (
            "only the weights are random: each b is np.zeros((layer_dims[l], 1)). Drawing random "
            "biases also shifts the numbers every later weight gets.",
            random_biases,
        ),
        (
            "these are the draws of np.random.seed(1): keep np.random.seed(3) as given.",
            lambda: _network(_draws(1, shapes)),
        ),
    ]


def _linear_forward(args, ref):
    A, W, b = args
    Z = np.dot(W, A) + b
    mistakes = [
        ("Z is missing + b.", lambda: (np.dot(W, A), (A, W, b))),
        (
            "only the first entry of b was added: add the whole column b (np.dot(W, A) + b adds it to every example).",
            lambda: (np.dot(W, A) + b[0, 0], (A, W, b)),
        ),
        ("the cache must hold the inputs A, W, b (the backward pass needs A), not Z.", lambda: (Z, (Z, W, b))),
    ]
    for order in itertools.permutations((A, W, b)):
        mistakes.append(("the cache is (A, W, b), in this order.", lambda order=order: (Z, order)))
    return mistakes


def _linear_activation_forward(args, ref):
    A_prev, W, b, activation = args
    other = "relu" if activation == "sigmoid" else "sigmoid"
    Z, linear_cache = ref.linear_forward(A_prev, W, b)
    A = getattr(ref, activation)(Z)[0]
    # Without + b, Z is wrong wherever it goes: in A, and in the cache, which holds the Z the
    # activation was applied to (the activation's own cache, or Z itself).
    Z_without_b = np.dot(W, A_prev)
    return [
        (
            f'A is {other}(Z): for activation="{activation}", apply {activation}.',
            lambda: (getattr(ref, other)(Z)[0], (linear_cache, Z)),
        ),
        (f"A equals Z: apply the activation, A, activation_cache = {activation}(Z).", lambda: (Z, (linear_cache, Z))),
        ("Z is missing + b.", lambda: (getattr(ref, activation)(Z_without_b)[0], (linear_cache, Z_without_b))),
        (
            f"the activation cache is Z, the second thing {activation}(Z) returns, not A.",
            lambda: (A, (linear_cache, A)),
        ),
        # The same words as the fallback on the cache's first part: with this mistake modelled
        # whole, they explain its second part too (the linear cache where Z belongs).
        (_CONTAINER_FALLBACKS["linear_activation_forward"]["cache[0] (linear_cache)"], lambda: (A, (Z, linear_cache))),
    ]


def _forward(X, parameters, ref, activations, every_layer_gets_x=False):
    """A forward pass with the given activation per layer (a correct one: relu..., sigmoid)."""
    A, caches = X, []
    for l, activation in enumerate(activations, start=1):
        A, cache = ref.linear_activation_forward(
            X if every_layer_gets_x else A, parameters[f"W{l}"], parameters[f"b{l}"], activation
        )
        caches.append(cache)
    return A, caches


def _L_model_forward(args, ref):
    X, parameters = args
    L = len(parameters) // 2
    return [
        (
            "the last layer (layer L) uses sigmoid; only layers 1 to L-1 use relu.",
            lambda: _forward(X, parameters, ref, ["relu"] * L),
        ),
        (
            "layers 1 to L-1 use relu; only the last layer uses sigmoid.",
            lambda: _forward(X, parameters, ref, ["sigmoid"] * L),
        ),
        (
            "every layer was given X: each layer's input is the output A of the layer before it.",
            lambda: _forward(X, parameters, ref, ["relu"] * (L - 1) + ["sigmoid"], every_layer_gets_x=True),
        ),
    ]


def _compute_cost(args, ref):
    AL, Y = args
    m = Y.shape[1]
    positive, negative = Y * np.log(AL), (1 - Y) * np.log(1 - AL)
    return [
        (
            "the cost is missing the (1 - Y) * np.log(1 - AL) term, which counts the examples labelled 0.",
            lambda: -np.sum(positive) / m,
        ),
        (
            "the second term is (1 - Y) * np.log(1 - AL): the log of 1 - AL, not of AL.",
            lambda: -np.sum(positive + (1 - Y) * np.log(AL)) / m,
        ),
        (
            "the sum is not divided by m: m is the number of examples, Y.shape[1] (the number of columns).",
            lambda: -np.sum(positive + negative),
        ),
        (
            "the cost needs its minus sign: J = -(1/m) * sum(Y log(AL) + (1 - Y) log(1 - AL)).",
            lambda: np.sum(positive + negative) / m,
        ),
    ]


def _wrong_order(outputs):
    """The same outputs returned in every other order."""
    text = "the outputs are returned in the wrong order: return dA_prev, dW, db."
    # permutations() yields the right order first.
    return [(text, lambda order=order: order) for order in list(itertools.permutations(outputs))[1:]]


def _linear_backward(args, ref):
    dZ, (A_prev, W, b) = args
    m, n = A_prev.shape[1], dZ.shape[0]
    dA_prev, dW, db = ref.linear_backward(dZ, (A_prev, W, b))
    axis0 = (
        "db has shape (1, m): it was summed over axis 0, the units. Sum over axis 1 (the "
        "examples) with keepdims=True, so that db has the shape (n, 1) of b."
    )
    wrong_m = "m is the number of examples: A_prev.shape[1], the number of columns."
    return [
        (axis0, lambda: (dA_prev, dW, np.sum(dZ, axis=0, keepdims=True) / m)),
        (axis0, lambda: (dA_prev, dW, np.sum(dZ, axis=0) / m)),
        (
            "db lost its second axis: np.sum(dZ, axis=1, keepdims=True) keeps the shape (n, 1).",
            lambda: (dA_prev, dW, np.sum(dZ, axis=1) / m),
        ),
        (
            "db summed all of dZ into one number: sum over axis 1 only (the examples), with keepdims=True.",
            lambda: (dA_prev, dW, np.sum(dZ) / m),
        ),
        (
            "dA_prev = np.dot(W.T, dZ) has no 1/m: only dW and db are averaged over the examples.",
            lambda: (dA_prev / m, dW, db),
        ),
        ("dW is missing the division by m, the number of examples.", lambda: (dA_prev, dW * m, db)),
        ("db is missing the division by m, the number of examples.", lambda: (dA_prev, dW, db * m)),
        (wrong_m, lambda: (dA_prev, dW * m / n, db * m / n)),
        (wrong_m, lambda: (dA_prev, dW * m / A_prev.shape[0], db * m / A_prev.shape[0])),
        ("dW has the shape of W, (n, n_prev): np.dot(dZ, A_prev.T) / m, with dZ first.", lambda: (dA_prev, dW.T, db)),
    ] + _wrong_order((dA_prev, dW, db))


def _linear_activation_backward(args, ref):
    dA, (linear_cache, Z), activation = args
    other = "relu" if activation == "sigmoid" else "sigmoid"
    backward = lambda dZ: ref.linear_backward(dZ, linear_cache)  # noqa: E731
    mistakes = [
        (
            f"the {activation} branch used {other}_backward: a {activation} layer needs "
            f"{activation}_backward(dA, activation_cache).",
            lambda: backward(getattr(ref, f"{other}_backward")(dA, Z)),
        ),
        (
            f"dZ was taken to be dA: multiply by the activation's derivative, "
            f"dZ = {activation}_backward(dA, activation_cache).",
            lambda: backward(dA),
        ),
    ]
    if activation == "sigmoid":
        mistakes.append(
            (
                "the sigmoid's derivative is s * (1 - s) with s = sigmoid(Z), not Z * (1 - Z).",
                lambda: backward(dA * Z * (1 - Z)),
            )
        )
    else:
        mistakes += [
            (
                "relu's derivative keeps dA where Z > 0: the mask comes from Z (the activation cache), not from dA.",
                lambda: backward(np.maximum(dA, 0)),
            ),
            ("dZ = dA * (Z > 0): the mask times dA, not the mask alone.", lambda: backward((Z > 0).astype(float))),
        ]
    return mistakes + _wrong_order(ref.linear_activation_backward(dA, (linear_cache, Z), activation))


def _backward(AL, Y, caches, ref, dAL, activations, every_layer_gets_dAL=False):
    """A backward pass like the reference's, with the given dAL and activation per layer."""
    grads, dA = {}, dAL
    for l in range(len(caches), 0, -1):
        dA_prev, grads[f"dW{l}"], grads[f"db{l}"] = ref.linear_activation_backward(
            dAL if every_layer_gets_dAL else dA, caches[l - 1], activations[l - 1]
        )
        grads[f"dA{l - 1}"] = dA = dA_prev
    return grads


def _L_model_backward(args, ref):
    AL, Y, caches = args
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    layers = ["relu"] * (L - 1) + ["sigmoid"]
    return [
        (
            "every gradient has the wrong sign: dAL = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)).",
            lambda: _backward(AL, Y, caches, ref, -dAL, layers),
        ),
        (
            "AL - Y is the last layer's dZ, not dAL: start from dAL = -(np.divide(Y, AL) - "
            "np.divide(1 - Y, 1 - AL)) and let linear_activation_backward apply the sigmoid's derivative.",
            lambda: _backward(AL, Y, caches, ref, AL - Y, layers),
        ),
        (
            'the last layer is a sigmoid layer: its backward step uses "sigmoid"; only layers L-1 to 1 use "relu".',
            lambda: _backward(AL, Y, caches, ref, dAL, ["relu"] * L),
        ),
        (
            'layers L-1 to 1 are relu layers: their backward step uses "relu"; only layer L uses "sigmoid".',
            lambda: _backward(AL, Y, caches, ref, dAL, ["sigmoid"] * L),
        ),
        (
            "each relu layer starts from the dA that the layer above returned (grads['dA' + str(l)]), not from dAL.",
            lambda: _backward(AL, Y, caches, ref, dAL, layers, every_layer_gets_dAL=True),
        ),
    ]


def _update_parameters(args, ref):
    parameters, grads, learning_rate = args
    L = len(parameters) // 2

    def update(step, layers=range(1, L + 1), names=("W", "b")):
        updated = dict(parameters)
        for l in layers:
            for name in names:
                updated[f"{name}{l}"] = step(parameters[f"{name}{l}"], grads[f"d{name}{l}"])
        return updated

    return [
        (
            "the update adds the gradient: gradient descent subtracts it, W = W - learning_rate * dW.",
            lambda: update(lambda p, g: p + learning_rate * g),
        ),
        ("the gradient is not multiplied by learning_rate.", lambda: update(lambda p, g: p - g)),
        (
            "the last layer was not updated: the loop must run over l = 1, ..., L, that is range(1, L + 1).",
            lambda: update(lambda p, g: p - learning_rate * g, layers=range(1, L)),
        ),
        (
            "the biases were not updated: update each b with its db, as well as each W with its dW.",
            lambda: update(lambda p, g: p - learning_rate * g, names=("W",)),
        ),
    ]


_MISTAKES = {
    "initialize_parameters": _initialize_parameters,
    "initialize_parameters_deep": _initialize_parameters_deep,
    "linear_forward": _linear_forward,
    "linear_activation_forward": _linear_activation_forward,
    "L_model_forward": _L_model_forward,
    "compute_cost": _compute_cost,
    "linear_backward": _linear_backward,
    "linear_activation_backward": _linear_activation_backward,
    "L_model_backward": _L_model_backward,
    "update_parameters": _update_parameters,
}


def _seed_fallback(seed, order):
    return (
        f"the weights differ from the expected random draws: keep np.random.seed({seed}) as the "
        f"first line, then draw {order} with np.random.randn(rows, columns) * 0.01, and no other "
        "random numbers."
    )


_ZERO_BIAS = "the biases start at zero: np.zeros((rows, 1))."
_is_weight = lambda label: label.startswith("parameters['W")  # noqa: E731
_is_bias = lambda label: label.startswith("parameters['b")  # noqa: E731

# Said about an output when no specific mistake explains it: label test -> text.
_FALLBACKS = {
    "initialize_parameters": [(_is_weight, _seed_fallback(1, "W1, then W2,")), (_is_bias, _ZERO_BIAS)],
    "initialize_parameters_deep": [
        (_is_weight, _seed_fallback(3, "W1, W2, ... in layer order")),
        (_is_bias, _ZERO_BIAS),
    ],
}
# The same for containers that have the wrong type or length.
_CONTAINER_FALLBACKS = {
    "linear_activation_forward": {
        "cache[0] (linear_cache)": "cache is (linear_cache, activation_cache), in this order: "
        "(A_prev, W, b) first, then Z.",
    },
    "L_model_forward": {
        "caches": "caches holds one cache per layer, L in all, layer 1 first: append each relu "
        "layer's cache inside the loop and the sigmoid layer's cache after it.",
    },
}


# ---------------------------------------------------------------------------------------------
# Numerical gradients
# ---------------------------------------------------------------------------------------------


def _central_differences(objective, array):
    """d objective() / d array, entry by entry (``array`` is changed in place and restored)."""
    gradient = np.zeros(array.shape)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + STEP
        above = objective()
        array[index] = original - STEP
        below = objective()
        array[index] = original
        gradient[index] = (above - below) / (2 * STEP)
    return gradient


def _floats(*arrays):
    return [np.array(array, dtype=float) for array in arrays]


def _linear_backward_gradients(args, ref):
    """dW and db are gradients of J = sum(dZ * Z) / m, where Z = W A_prev + b; dA_prev is the
    gradient of m J (the 1/m of the cost is applied once, in dW and db)."""
    dZ, (A_prev, W, b) = args
    A_prev, W, b = _floats(A_prev, W, b)
    m = A_prev.shape[1]

    def objective():
        return np.sum(dZ * ref.linear_forward(A_prev, W, b)[0]) / m

    return {
        "dA_prev": m * _central_differences(objective, A_prev),
        "dW": _central_differences(objective, W),
        "db": _central_differences(objective, b),
    }


def _linear_activation_backward_gradients(args, ref):
    """As for linear_backward, with J = sum(dA * activation(Z)) / m.  The cached Z need not equal
    W A_prev + b (the test cases draw it separately), so the layer's Z is shifted by a constant
    to pass through the cached Z; the shift changes no derivative."""
    dA, ((A_prev, W, b), Z), activation = args
    A_prev, W, b = _floats(A_prev, W, b)
    m = A_prev.shape[1]
    shift = Z - ref.linear_forward(A_prev, W, b)[0]

    def objective():
        return np.sum(dA * ref.linear_activation_forward(A_prev, W, b + shift, activation)[0]) / m

    return {
        "dA_prev": m * _central_differences(objective, A_prev),
        "dW": _central_differences(objective, W),
        "db": _central_differences(objective, b),
    }


def _L_model_backward_gradients(args, ref):
    """Gradients of the cost of the forward pass that made the caches: dW{l} and db{l} of the
    cost, dA{l-1} of m times the cost.  None when the caches do not come from a real forward pass
    (the visible case), since they then define no cost."""
    AL, Y, caches = args
    L = len(caches)
    parameters = {}
    for l, ((_, W, b), _) in enumerate(caches, start=1):
        parameters[f"W{l}"], parameters[f"b{l}"] = _floats(W, b)
    inputs = _floats(*(linear_cache[0] for linear_cache, _ in caches))
    AL_again, caches_again = ref.L_model_forward(inputs[0].copy(), parameters)
    consistent = np.allclose(AL_again, AL) and all(
        np.allclose(again[1], cache[1]) for again, cache in zip(caches_again, caches)
    )
    if not consistent:
        return None
    Y = Y.reshape(AL.shape)
    m = AL.shape[1]

    def cost_from(first_layer, A):
        for l in range(first_layer, L + 1):
            A, _ = ref.linear_activation_forward(
                A, parameters[f"W{l}"], parameters[f"b{l}"], "sigmoid" if l == L else "relu"
            )
        return float(ref.compute_cost(A, Y))

    gradients = {}
    for l in range(1, L + 1):
        A_in = inputs[l - 1]
        gradients[f"grads['dA{l - 1}']"] = m * _central_differences(lambda: cost_from(l, A_in), A_in)
        for name in ("W", "b"):
            gradients[f"grads['d{name}{l}']"] = _central_differences(
                lambda: cost_from(1, inputs[0]), parameters[f"{name}{l}"]
            )
    return gradients


_NUMERICAL_GRADIENTS = {
    "linear_backward": _linear_backward_gradients,
    "linear_activation_backward": _linear_activation_backward_gradients,
    "L_model_backward": _L_model_backward_gradients,
}
