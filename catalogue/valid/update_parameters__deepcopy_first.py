def update_parameters(parameters, grads, learning_rate):
    """Works on a deep copy, so the caller's parameters stay as they were."""
    import copy
    updated = copy.deepcopy(parameters)
    L = len(updated) // 2
    for l in range(1, L + 1):
        updated[f"W{l}"] = updated[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        updated[f"b{l}"] = updated[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return updated
