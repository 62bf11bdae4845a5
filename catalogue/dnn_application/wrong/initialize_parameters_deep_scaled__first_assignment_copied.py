def initialize_parameters_deep_scaled(layer_dims):
    """[init] The first assignment's initialize_parameters_deep pasted in: seed 3 and draws times
    0.01."""
    np.random.seed(3)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


HINT = "these are the first assignment's draws (np.random.seed(3), times 0.01)"
