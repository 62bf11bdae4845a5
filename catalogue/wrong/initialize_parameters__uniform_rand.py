def initialize_parameters(n_x, n_h, n_y):
    """[init] Draws the weights with np.random.rand (uniform on [0, 1)) instead of np.random.randn."""
    np.random.seed(1)
    W1 = np.random.rand(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.rand(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return parameters
