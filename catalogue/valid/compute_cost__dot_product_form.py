def compute_cost(AL, Y):
    """The dot-product form of the sum, squeezed to a scalar."""
    m = Y.shape[1]
    cost = -(np.dot(Y, np.log(AL).T) + np.dot(1 - Y, np.log(1 - AL).T)) / m
    cost = np.squeeze(cost)
    return cost
