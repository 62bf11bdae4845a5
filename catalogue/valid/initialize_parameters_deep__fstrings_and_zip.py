def initialize_parameters_deep(layer_dims):
    """Walks pairs of consecutive sizes with zip and enumerate, keys written as f-strings."""
    np.random.seed(3)
    parameters = {}
    for l, (n, n_prev) in enumerate(zip(layer_dims[1:], layer_dims[:-1]), start=1):
        parameters[f"W{l}"] = np.random.randn(n, n_prev) * 0.01
        parameters[f"b{l}"] = np.zeros((n, 1))
    return parameters
