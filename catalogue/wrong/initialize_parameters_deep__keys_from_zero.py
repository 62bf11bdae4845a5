def initialize_parameters_deep(layer_dims):
    """[loop] Counts layers from 0: the right arrays, stored under W0, b0, ..., one key too low."""
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims) - 1
    for l in range(L):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l + 1], layer_dims[l]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l + 1], 1))
    return parameters
