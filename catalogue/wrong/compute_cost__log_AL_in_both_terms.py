def compute_cost(AL, Y):
    """[term] Writes np.log(AL) in the second term too, instead of np.log(1 - AL)."""
    m = Y.shape[1]
    cost = -1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(AL))
    cost = np.squeeze(cost)
    return cost
