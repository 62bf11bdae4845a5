def linear_forward(A, W, b):
    """[sizes] Adds b[0], the first unit's bias, to every unit: right only for a single unit."""
    Z = np.dot(W, A) + b[0]
    cache = (A, W, b)
    return Z, cache
