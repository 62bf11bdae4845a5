def initialize_parameters_deep_scaled(layer_dims):
    """[keys] Stores the weights under "w" + str(l) (w1, w2, ...) instead of "W" + str(l): the
    right draws under misspelled keys."""
    np.random.seed(1)
    parameters = {}
    for l in range(1, len(layer_dims)):
        fan_in = layer_dims[l - 1]
        parameters["w" + str(l)] = np.random.randn(layer_dims[l], fan_in) / np.sqrt(fan_in)
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


HINT = "the parameters are stored under the expected keys spelled otherwise"
