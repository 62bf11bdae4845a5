def compute_cost(AL, Y):
    """[scale] Takes m from Y.shape[0], which is always 1, instead of Y.shape[1]."""
    m = Y.shape[0]
    cost = -1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    cost = np.squeeze(cost)
    return cost
