def linear_backward(dZ, cache):
    """[scale] Sums dZ over axis 0 (the units) for db instead of axis 1 (the examples)."""
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(dZ, A_prev.T) / m
    db = np.sum(dZ, axis=0, keepdims=True) / m
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
