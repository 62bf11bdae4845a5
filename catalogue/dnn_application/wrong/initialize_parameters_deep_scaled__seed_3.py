def initialize_parameters_deep_scaled(layer_dims):
    """[init] Scales the draws right but seeds with 3, the first assignment's seed for deep
    networks, instead of the given 1."""
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        fan_in = layer_dims[l - 1]
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], fan_in) / np.sqrt(fan_in)
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


HINT = "these are the draws of np.random.seed(3): keep np.random.seed(1) as given."
