def compute_cost(AL, Y):
    """[scalar] Sums with axis=1, keepdims=True and returns that (1, 1) array."""
    m = Y.shape[1]
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL), axis=1, keepdims=True) / m
    return cost
