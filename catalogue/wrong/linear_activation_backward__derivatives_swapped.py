def linear_activation_backward(dA, cache, activation):
    """[mixup] Calls sigmoid_backward in the relu branch and relu_backward in the sigmoid branch."""
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = sigmoid_backward(dA, activation_cache)
    elif activation == "sigmoid":
        dZ = relu_backward(dA, activation_cache)
    dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db
