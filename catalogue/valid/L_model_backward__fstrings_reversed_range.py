def L_model_backward(AL, Y, caches):
    """f-string keys and a reversed() loop over the relu layers."""
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = -Y / AL + (1 - Y) / (1 - AL)
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_activation_backward(dAL, caches[-1], "sigmoid")
    for l in reversed(range(1, L)):
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = \
            linear_activation_backward(grads[f"dA{l}"], caches[l - 1], "relu")
    return grads
