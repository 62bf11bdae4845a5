def predict(X, y, parameters):
    """[threshold] Says cat where the output probability is 0.5 or more (>= 0.5), instead of
    strictly greater than 0.5."""
    probabilities, caches = L_model_forward(X, parameters)
    p = (probabilities >= 0.5).astype(float)
    return p


HINT = "predict says cat where the output probability is exactly 0.5"
