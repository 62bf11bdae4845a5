def linear_activation_forward(A_prev, W, b, activation):
    """[term] Computes Z inline instead of calling linear_forward, and forgets + b."""
    Z = np.dot(W, A_prev)
    linear_cache = (A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = sigmoid(Z)
    elif activation == "relu":
        A, activation_cache = relu(Z)
    cache = (linear_cache, activation_cache)
    return A, cache
