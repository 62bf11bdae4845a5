def predict(X, y, parameters):
    """[threshold] Returns the network's output probabilities instead of labels."""
    probabilities, caches = L_model_forward(X, parameters)
    p = probabilities
    return p


HINT = "p holds the output probabilities"
