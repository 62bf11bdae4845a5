"""Activation functions for the step-by-step deep network, each with its backward pass.

Every forward function returns ``(A, cache)`` where ``cache`` is the pre-activation ``Z``;
the matching backward function takes the upstream gradient ``dA`` and that cache and returns
``dZ``.  All arrays keep the shape of ``Z``.
"""

import numpy as np


def sigmoid(Z):
    """A = 1 / (1 + exp(-Z)).  Returns (A, cache) with cache = Z."""
    # For Z below about -709, exp(-Z) overflows to inf and 1 / (1 + inf) is 0.0, which is the
    # correctly rounded answer; numpy would still warn, and a warning on stderr costs a student
    # the points of an nbgrader test cell.  Elsewhere this is the textbook formula, bit for bit.
    with np.errstate(over="ignore"):
        A = 1 / (1 + np.exp(-Z))
    return A, Z


def relu(Z):
    """A = max(0, Z), elementwise.  Returns (A, cache) with cache = Z."""
    A = np.maximum(0, Z)
    return A, Z


def relu_backward(dA, cache):
    """dZ = dA where Z > 0 and 0 where Z <= 0 (the gradient at exactly 0 is taken as 0)."""
    Z = cache
    dZ = np.array(dA, dtype=float, copy=True)
    dZ[Z <= 0] = 0
    return dZ


def sigmoid_backward(dA, cache):
    """dZ = dA * s * (1 - s) with s = sigmoid(Z)."""
    Z = cache
    s, _ = sigmoid(Z)
    return dA * s * (1 - s)
