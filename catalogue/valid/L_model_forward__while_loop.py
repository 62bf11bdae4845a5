def L_model_forward(X, parameters):
    """A while loop over the relu layers, with a separate A_prev variable."""
    caches = []
    A = X
    L = len(parameters) // 2
    l = 1
    while l < L:
        A_prev = A
        A, cache = linear_activation_forward(A_prev, parameters["W" + str(l)], parameters["b" + str(l)], activation="relu")
        caches.append(cache)
        l += 1
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], activation="sigmoid")
    caches.append(cache)
    return AL, caches
