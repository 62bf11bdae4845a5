def linear_backward(dZ, cache):
    """np.einsum for the products, and db reshaped to a column instead of keepdims."""
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = np.einsum("ik,jk->ij", dZ, A_prev) / m
    db = (dZ.sum(axis=1) / m).reshape(-1, 1)
    dA_prev = np.einsum("ji,jk->ik", W, dZ)
    return dA_prev, dW, db
