def initialize_parameters(n_x, n_h, n_y):
    """Draws with np.random.standard_normal(shape), the same stream as randn, and builds the dict with dict()."""
    np.random.seed(1)
    W1 = np.random.standard_normal((n_h, n_x)) * 0.01
    W2 = np.random.standard_normal((n_y, n_h)) * 0.01
    return dict(W1=W1, b1=np.zeros((n_h, 1)), W2=W2, b2=np.zeros((n_y, 1)))
