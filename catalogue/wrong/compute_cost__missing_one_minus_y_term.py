def compute_cost(AL, Y):
    """[term] Leaves out the (1 - Y) log(1 - AL) term, so examples labelled 0 cost nothing."""
    m = Y.shape[1]
    cost = -1 / m * np.sum(Y * np.log(AL))
    cost = np.squeeze(cost)
    return cost
