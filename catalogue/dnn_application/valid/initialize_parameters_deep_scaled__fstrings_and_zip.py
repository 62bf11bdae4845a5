def initialize_parameters_deep_scaled(layer_dims):
    """Walks the pairs (layer size, size of the layer before) with zip and enumerate, with f-string
    keys."""
    np.random.seed(1)
    parameters = {}
    for l, (n, fan_in) in enumerate(zip(layer_dims[1:], layer_dims[:-1]), start=1):
        parameters[f"W{l}"] = np.random.randn(n, fan_in) / np.sqrt(fan_in)
        parameters[f"b{l}"] = np.zeros((n, 1))
    return parameters
