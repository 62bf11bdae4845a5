def initialize_parameters(n_x, n_h, n_y):
    """[shapes] Gives W1 and W2 the shapes (n_x, n_h) and (n_h, n_y): inputs first, transposed."""
    np.random.seed(1)
    W1 = np.random.randn(n_x, n_h) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_h, n_y) * 0.01
    b2 = np.zeros((n_y, 1))
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return parameters
