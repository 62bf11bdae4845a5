def compute_cost(AL, Y):
    """[scale] Sums over the examples without dividing by m."""
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    cost = np.squeeze(cost)
    return cost
