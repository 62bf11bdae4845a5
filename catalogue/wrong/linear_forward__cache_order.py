def linear_forward(A, W, b):
    """[cache] Stores the cache as (W, A, b) instead of (A, W, b)."""
    Z = np.dot(W, A) + b
    cache = (W, A, b)
    return Z, cache
