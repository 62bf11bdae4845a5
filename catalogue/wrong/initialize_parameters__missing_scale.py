def initialize_parameters(n_x, n_h, n_y):
    """[init] Forgets the * 0.01: the weights are standard normal draws, 100 times too large."""
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x)
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h)
    b2 = np.zeros((n_y, 1))
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return parameters
