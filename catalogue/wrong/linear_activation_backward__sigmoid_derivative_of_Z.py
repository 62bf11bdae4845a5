def linear_activation_backward(dA, cache, activation):
    """[mixup] Writes the sigmoid's derivative inline as Z * (1 - Z), forgetting to apply the sigmoid."""
    linear_cache, activation_cache = cache
    Z = activation_cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
    elif activation == "sigmoid":
        dZ = dA * Z * (1 - Z)
    dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db
