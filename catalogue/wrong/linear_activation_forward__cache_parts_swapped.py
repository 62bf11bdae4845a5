def linear_activation_forward(A_prev, W, b, activation):
    """[cache] Returns cache = (activation_cache, linear_cache), the two parts swapped."""
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    elif activation == "relu":
        A, activation_cache = relu(Z)
    cache = (activation_cache, linear_cache)
    return A, cache
