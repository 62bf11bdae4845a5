def initialize_parameters_deep_scaled(layer_dims):
    """[init] Divides each layer's draws by the square root of that layer's own size,
    layer_dims[l], instead of the size of the layer before it (its number of inputs)."""
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


HINT = "the weights are divided by the square root of the layer's own size, layer_dims[l]"
