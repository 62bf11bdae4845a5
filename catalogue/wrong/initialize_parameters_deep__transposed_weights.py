def initialize_parameters_deep(layer_dims):
    """[shapes] Gives W the shape (layer_dims[l - 1], layer_dims[l]): the transpose of the right one."""
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims) - 1
    for l in range(1, L + 1):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l - 1], layer_dims[l]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
