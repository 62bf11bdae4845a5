"""The reference models of the second assignment: a two-layer and an L-layer network trained by
plain gradient descent, built from the first assignment's helpers.

The helpers (``linear_activation_forward``, ``L_model_forward``, ``compute_cost``,
``linear_activation_backward``, ``L_model_backward``, ``update_parameters``,
``initialize_parameters``) are the instructor's solutions, executed from the first assignment's
source notebook by ``dnngrader.assignments.reference.load()``: they are written once, there.

Semantics, as in the original exercise (the reference numbers depend on every one of them):

- both models call ``np.random.seed(1)`` before initialising;
- the two-layer model initialises as the first assignment's ``initialize_parameters`` does
  (W = randn * 0.01, b = 0); the L-layer model uses this module's ``initialize_parameters_deep``
  (seed 1, W = randn / sqrt(fan-in), b = 0), not the first assignment's (seed 3, * 0.01);
- each iteration computes the cost of the current parameters, then takes one step;
- the returned ``costs`` hold the cost at iterations 0, 100, 200, ... only.  The original also
  prints (with ``print_cost``) the cost at the last iteration, but its recording condition,
  ``i == num_iterations``, is never true, so that cost is not in the list: 2500 iterations give
  25 costs (0 .. 2400), and 2 iterations give one ([0.70723944] in the data-free check).
  Pass a dict as ``history`` to get every cost that ``print_cost`` would print, the last one
  included.
"""

import numpy as np

from dnngrader.assignments import reference

RECORD_EVERY = 100  # iterations between two recorded costs


def helpers():
    """The first assignment's reference solution, as a module (``dnngrader.assignments.reference.load()``)."""
    return reference.load()


def initialize_parameters_deep(layer_dims):
    """Parameters of an L-layer network, initialised as this assignment's original does.

    layer_dims -- layer sizes, input first: [n0, n1, ..., nL]

    Returns a dict with Wl of shape (n_l, n_{l-1}), drawn from N(0, 1) and divided by
    sqrt(n_{l-1}) (a Xavier-like scale, so that deep ReLU stacks keep their signal), and bl =
    zeros (n_l, 1), for l = 1 .. L.  Seeds NumPy's global generator with 1 first.
    """
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters[f"W{l}"] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters[f"b{l}"] = np.zeros((layer_dims[l], 1))
    return parameters


def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False, *, history=None):
    """Train LINEAR -> RELU -> LINEAR -> SIGMOID by gradient descent.

    X -- inputs, shape (n_x, m), floats (pixels scaled to [0, 1] for the images)
    Y -- labels 0 / 1, shape (1, m)
    layers_dims -- (n_x, n_h, n_y)
    learning_rate -- the step size alpha
    num_iterations -- number of gradient steps
    print_cost -- print the cost every 100 iterations and at the last one
    history -- optional dict, filled with {iteration: cost} for every cost print_cost would print

    Returns (parameters, costs): the dict W1 (n_h, n_x), b1 (n_h, 1), W2 (n_y, n_h), b2 (n_y, 1)
    after the last step, and the list of the costs at iterations 0, 100, 200, ... (see the
    module's docstring for the last iteration).
    """
    ref = helpers()
    np.random.seed(1)
    n_x, n_h, n_y = layers_dims
    parameters = ref.initialize_parameters(n_x, n_h, n_y)

    def step(parameters):
        A1, cache1 = ref.linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = ref.linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = ref.compute_cost(A2, Y)
        dA2 = -(np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))  # d cost / d A2, times m
        dA1, dW2, db2 = ref.linear_activation_backward(dA2, cache2, "sigmoid")
        _, dW1, db1 = ref.linear_activation_backward(dA1, cache1, "relu")
        grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
        return cost, ref.update_parameters(parameters, grads, learning_rate)

    return gradient_descent(step, parameters, num_iterations, print_cost, history)


def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False, *, history=None):
    """Train [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID by gradient descent.

    X -- inputs, shape (n0, m); Y -- labels 0 / 1, shape (1, m)
    layers_dims -- layer sizes, input first: (n0, n1, ..., nL), nL = 1
    learning_rate, num_iterations, print_cost, history -- as for two_layer_model

    Returns (parameters, costs): the dict W1, b1, ..., WL, bL after the last step (shapes as in
    initialize_parameters_deep) and the list of the costs at iterations 0, 100, 200, ...
    """
    ref = helpers()
    np.random.seed(1)
    parameters = initialize_parameters_deep(layers_dims)

    def step(parameters):
        AL, caches = ref.L_model_forward(X, parameters)
        cost = ref.compute_cost(AL, Y)
        grads = ref.L_model_backward(AL, Y, caches)
        return cost, ref.update_parameters(parameters, grads, learning_rate)

    return gradient_descent(step, parameters, num_iterations, print_cost, history)


def gradient_descent(step, parameters, num_iterations, print_cost=False, history=None):
    """Run ``step`` (parameters -> (cost before the step, new parameters)) num_iterations times.

    Returns (parameters, costs) with the costs at iterations 0, 100, 200, ...; prints and puts
    into ``history`` (a dict, when given) those and the last iteration's cost.
    """
    costs = []
    for i in range(num_iterations):
        cost, parameters = step(parameters)
        if i % RECORD_EVERY == 0:
            costs.append(cost)
        if i % RECORD_EVERY == 0 or i == num_iterations - 1:
            if print_cost:
                print(f"Cost after iteration {i}: {float(cost)}")
            if history is not None:
                history[i] = float(cost)
    return parameters, costs


def predict(X, y, parameters):
    """Predicted labels of a trained network (either model: both store W1, b1, ..., WL, bL).

    X -- inputs, shape (n0, m); y -- labels, shape (1, m), used only by ``accuracy``
    parameters -- as returned by two_layer_model or L_layer_model

    Returns p, shape (1, m), floats: 1.0 where the output probability is strictly greater than
    0.5, else 0.0.  Compute the accuracy with ``accuracy(p, y)``.
    """
    probabilities, _ = helpers().L_model_forward(X, parameters)
    return (probabilities > 0.5).astype(float)


def accuracy(p, y):
    """The share of correct predictions, summed as the original does: sum((p == y) / m).

    p, y -- shape (1, m).  Returns a float in [0, 1].  Summing m terms of 1/m gives
    0.9999999999999998, not 1.0, for a perfect fit of the 209 training images: the reference
    table's figures are exactly these sums.
    """
    m = y.shape[1]
    return float(np.sum((p == y) / m))
