def initialize_parameters_deep_scaled(layer_dims):
    """Computes every layer's scale at once, 1 / sqrt of an array of the fan-ins, and multiplies
    each layer's draws by its scale."""
    np.random.seed(1)
    dims = np.asarray(layer_dims)
    scales = 1.0 / np.sqrt(dims[:-1])
    parameters = {}
    for l in range(1, len(dims)):
        parameters["W" + str(l)] = np.random.randn(dims[l], dims[l - 1]) * scales[l - 1]
        parameters["b" + str(l)] = np.zeros((dims[l], 1))
    return parameters
