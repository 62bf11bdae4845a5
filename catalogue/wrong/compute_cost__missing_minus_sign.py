def compute_cost(AL, Y):
    """[mixup] Drops the minus sign: returns the mean log-likelihood, a negative number."""
    m = Y.shape[1]
    cost = 1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))
    cost = np.squeeze(cost)
    return cost
