def update_parameters(parameters, grads, learning_rate):
    """[loop] Uses range(L) directly as the layer number, so it asks for W0, which does not exist."""
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters
