def compute_cost(AL, Y):
    """[shapes] Puts the transpose on the wrong side of the dot products: np.dot(Y.T, np.log(AL))
    is an (m, m) matrix of every label times every prediction, and its sum is not the cost."""
    m = Y.shape[1]
    cost = -1 / m * np.sum(np.dot(Y.T, np.log(AL)) + np.dot((1 - Y).T, np.log(1 - AL)))
    return cost
