def initialize_parameters_deep_scaled(layer_dims):
    """[init] Scales the draws by 0.01, as the first assignment's initialisation does, instead of
    dividing them by the square root of the layer's number of inputs."""
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


HINT = "the weights look scaled by 0.01, like the first assignment's initialisation"
