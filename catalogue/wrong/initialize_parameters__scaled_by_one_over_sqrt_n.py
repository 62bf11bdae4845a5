def initialize_parameters(n_x, n_h, n_y):
    """[init] Scales the draws by 1/sqrt(n) of the layer's input (Xavier) instead of 0.01."""
    np.random.seed(1)
    W1 = np.random.randn(n_h, n_x) / np.sqrt(n_x)
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) / np.sqrt(n_h)
    b2 = np.zeros((n_y, 1))
    return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
