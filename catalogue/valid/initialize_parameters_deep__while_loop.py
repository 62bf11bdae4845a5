def initialize_parameters_deep(layer_dims):
    """A while loop over the layers, and the shape passed to randn as an unpacked tuple."""
    np.random.seed(3)
    parameters = {}
    l = 1
    while l < len(layer_dims):
        shape = (layer_dims[l], layer_dims[l - 1])
        parameters["W%d" % l] = 0.01 * np.random.randn(*shape)
        parameters["b%d" % l] = np.zeros((shape[0], 1))
        l += 1
    return parameters
