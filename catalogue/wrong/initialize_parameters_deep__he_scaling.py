def initialize_parameters_deep(layer_dims):
    """[init] Scales the draws by sqrt(2/n) of the layer's input (He initialisation) instead of 0.01."""
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * np.sqrt(2 / layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
