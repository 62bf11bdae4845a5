def linear_backward(dZ, cache):
    """[shapes] Computes dW as A_prev dZ^T, the transpose of the right product."""
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.dot(A_prev, dZ.T) / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db
