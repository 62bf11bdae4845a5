def linear_activation_forward(A_prev, W, b, activation):
    """[cache] Keeps A instead of Z as the activation cache."""
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, _ = sigmoid(Z)
    elif activation == "relu":
        A, _ = relu(Z)
    cache = (linear_cache, A)
    return A, cache
