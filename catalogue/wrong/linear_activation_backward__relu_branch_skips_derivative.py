def linear_activation_backward(dA, cache, activation):
    """[mixup] Passes dA straight to linear_backward in the relu branch, without relu's derivative."""
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = dA
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
    dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db
