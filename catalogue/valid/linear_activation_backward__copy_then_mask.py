def linear_activation_backward(dA, cache, activation):
    """Masks a copy of dA for relu (so dA is left alone) and looks the sigmoid's derivative up in a dict."""
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = dA.copy()
        dZ[activation_cache <= 0] = 0
    else:
        dZ = {"sigmoid": sigmoid_backward}[activation](dA, activation_cache)
    dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db
