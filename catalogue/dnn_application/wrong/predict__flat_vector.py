def predict(X, y, parameters):
    """[shapes] Returns the labels as a vector of shape (m,) instead of (1, m)."""
    probabilities, caches = L_model_forward(X, parameters)
    p = (probabilities[0] > 0.5).astype(float)
    return p


HINT = "p is a flat list or vector of the m labels"
