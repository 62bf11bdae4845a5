def compute_cost(AL, Y):
    """[scalar] Uses the dot-product form and forgets np.squeeze: returns an array of shape (1, 1)."""
    m = Y.shape[1]
    cost = -1 / m * (np.dot(Y, np.log(AL).T) + np.dot(1 - Y, np.log(1 - AL).T))
    return cost
