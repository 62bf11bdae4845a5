def initialize_parameters_deep(layer_dims):
    """[loop] Loops over range(1, len(layer_dims) - 1), so the last layer gets no W and b."""
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims) - 1):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
