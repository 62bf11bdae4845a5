def initialize_parameters_deep(layer_dims):
    """[init] Calls np.random.seed(3) inside the loop, so every layer starts from the same numbers."""
    parameters = {}
    L = len(layer_dims) - 1
    for l in range(1, L + 1):
        np.random.seed(3)
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
