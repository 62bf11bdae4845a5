def predict(X, y, parameters):
    """[shapes] Returns a Python list of labels, one per example, instead of an array of shape
    (1, m)."""
    probabilities, caches = L_model_forward(X, parameters)
    p = [1 if probability > 0.5 else 0 for probability in probabilities[0]]
    return p


HINT = "p is a flat list or vector of the m labels"
