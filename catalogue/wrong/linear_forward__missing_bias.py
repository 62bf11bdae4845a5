def linear_forward(A, W, b):
    """[term] Leaves out the bias: Z = W A."""
    Z = np.dot(W, A)
    cache = (A, W, b)
    return Z, cache
