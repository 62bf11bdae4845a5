def update_parameters(parameters, grads, learning_rate):
    """A dict comprehension over the parameters' keys: W1 pairs with dW1, b1 with db1, and so on."""
    return {key: value - learning_rate * grads["d" + key] for key, value in parameters.items()}
