def linear_activation_forward(A_prev, W, b, activation):
    """Looks the activation up in a dict instead of an if/elif chain."""
    activations = {"sigmoid": sigmoid, "relu": relu}
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = activations[activation](Z)
    return A, (linear_cache, activation_cache)
