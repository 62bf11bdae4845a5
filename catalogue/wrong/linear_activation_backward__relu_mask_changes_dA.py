def linear_activation_backward(dA, cache, activation):
    """[inputs] Writes relu's derivative inline as dZ = dA; dZ[Z <= 0] = 0, which zeroes the
    caller's dA in place (the gradients themselves are right)."""
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = dA
        dZ[activation_cache <= 0] = 0
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
    dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db
