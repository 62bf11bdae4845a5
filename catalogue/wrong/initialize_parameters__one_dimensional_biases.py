def initialize_parameters(n_x, n_h, n_y):
    """[shapes] Makes the biases 1-D with np.zeros(n_h) instead of column vectors (n_h, 1)."""
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros(n_h)
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros(n_y)
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return parameters
