def L_model_forward(X, parameters):
    """[mixup] Runs the relu loop up to L, so the output layer gets relu instead of sigmoid."""
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL = A
    return AL, caches
