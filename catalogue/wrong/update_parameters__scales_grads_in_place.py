def update_parameters(parameters, grads, learning_rate):
    """[inputs] Scales the gradients in place with *=, which changes the caller's grads (the
    updated parameters themselves are right)."""
    L = len(parameters) // 2
    for l in range(1, L + 1):
        step_W = grads["dW" + str(l)]
        step_W *= learning_rate
        step_b = grads["db" + str(l)]
        step_b *= learning_rate
        parameters["W" + str(l)] = parameters["W" + str(l)] - step_W
        parameters["b" + str(l)] = parameters["b" + str(l)] - step_b
    return parameters
