"""Other correct routes: answers that differ from the reference only on inputs that break the
function's own contract, and are therefore accepted.

A function's docstring promises how its inputs relate: the AL given to ``L_model_backward`` is
the sigmoid of the last cache's Z (``L_model_forward`` made both), and the Z in a layer's cache
equals W A_prev + b of its linear cache.  Some test cases break that promise, because their
arrays are drawn independently of each other (the visible cases keep the seeded draws of the
original exercise, and so its expected values).  On such inputs an answer that is right for
every input the contract allows can still return something other than the reference.  The judge
then also compares the answer with each route below, computed on the same inputs; a match
passes, with a line saying which route was recognised.  On inputs that keep the contract every
route returns the reference's output (``tests/test_grading_accuracy.py`` checks this), so
accepting a route never lets a wrong answer through.

The visible check in the notebook (``dnn_checks.check``) accepts the same routes: their outputs
on the visible and practice cases are computed here when the practice file is built
(dnngrader/assignments/dnn_step_by_step/practice.py), and ``dnn_checks.accepted_routes`` reads them from it.
"""

import numpy as np


def _output_layer_from_AL_minus_Y(args, ref):
    """L_model_backward starting the sigmoid output layer from dZ = AL - Y (the derivative of
    the cross-entropy cost through a sigmoid, right when AL = sigmoid(Z_L)); the relu layers as
    in the reference.  Returns grads with the keys of the reference."""
    AL, Y, caches = args
    L = len(caches)
    Y = np.reshape(Y, AL.shape)
    grads = {}
    linear_cache, _ = caches[L - 1]
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = ref.linear_backward(AL - Y, linear_cache)
    for l in range(L - 1, 0, -1):
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = ref.linear_activation_backward(
            grads[f"dA{l}"], caches[l - 1], "relu"
        )
    return grads


def _Z_from_linear_cache(args, ref):
    """linear_activation_backward taking Z as W A_prev + b from the linear cache instead of the
    activation cache (the two are equal for a cache made by linear_activation_forward)."""
    dA, (linear_cache, _), activation = args
    A_prev, W, b = linear_cache
    Z = np.dot(W, A_prev) + b
    return ref.linear_activation_backward(dA, (linear_cache, Z), activation)


# function -> [(what the route does, in words a student recognises; route(args, reference))]
ROUTES = {
    "L_model_backward": [
        (
            "the output layer's dZ taken directly as AL - Y, which is right whenever AL is the sigmoid of "
            "the last layer's Z, as L_model_forward makes it",
            _output_layer_from_AL_minus_Y,
        ),
    ],
    "linear_activation_backward": [
        (
            "Z recomputed from the linear cache as W A_prev + b instead of read from the activation "
            "cache, which gives the same Z for any cache linear_activation_forward makes",
            _Z_from_linear_cache,
        ),
    ],
}


def outputs(function, args, reference):
    """[(description, the route's output)] for ``function`` on ``args``; routes that cannot run
    on these inputs are left out.  ``args`` is not modified."""
    import copy

    found = []
    for description, route in ROUTES.get(function, ()):
        try:
            with np.errstate(all="ignore"):
                found.append((description, route(copy.deepcopy(args), reference)))
        except Exception:  # e.g. a cache of another structure: the route does not apply
            continue
    return found
