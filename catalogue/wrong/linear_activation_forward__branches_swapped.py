def linear_activation_forward(A_prev, W, b, activation):
    """[mixup] Applies relu in the sigmoid branch and sigmoid in the relu branch."""
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A, activation_cache = relu(Z)
    elif activation == "relu":
        A, activation_cache = sigmoid(Z)
    cache = (linear_cache, activation_cache)
    return A, cache
