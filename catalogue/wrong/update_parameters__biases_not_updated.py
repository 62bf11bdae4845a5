def update_parameters(parameters, grads, learning_rate):
    """[term] Updates the weights only and leaves every bias as it was."""
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
    return parameters
