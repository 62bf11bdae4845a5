def compute_cost(AL, Y):
    """np.mean instead of the sum divided by m, returned as a Python float."""
    cost = -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    return float(cost)
