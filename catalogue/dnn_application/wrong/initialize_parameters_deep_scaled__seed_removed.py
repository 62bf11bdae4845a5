def initialize_parameters_deep_scaled(layer_dims):
    """[init] Leaves out np.random.seed(1): the draws depend on whatever ran before."""
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


HINT = "the weights differ from the expected random draws: keep np.random.seed(1) as the first line"
