def compute_cost(AL, Y):
    """Clips the probabilities away from 0 and 1 before taking logs, as a guard against log(0)."""
    m = Y.shape[1]
    AL = np.clip(AL, 1e-12, 1 - 1e-12)
    cost = -np.sum(np.multiply(Y, np.log(AL)) + np.multiply(1 - Y, np.log(1 - AL))) / m
    return np.squeeze(cost)
