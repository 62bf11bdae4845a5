def initialize_parameters_deep(layer_dims):
    """[init] Draws the layers from the last to the first, so the random numbers land elsewhere."""
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims) - 1
    for l in range(L, 0, -1):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
