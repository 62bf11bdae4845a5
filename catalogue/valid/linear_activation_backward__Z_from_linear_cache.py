def linear_activation_backward(dA, cache, activation):
    """Computes Z again as W A_prev + b from the linear cache instead of reading the activation
    cache: the same Z for every cache that linear_activation_forward makes."""
    linear_cache, _ = cache
    A_prev, W, b = linear_cache
    Z = np.dot(W, A_prev) + b
    if activation == "relu":
        dZ = relu_backward(dA, Z)
    else:
        dZ = sigmoid_backward(dA, Z)
    return linear_backward(dZ, linear_cache)
