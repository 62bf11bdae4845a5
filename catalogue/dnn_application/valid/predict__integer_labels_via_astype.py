def predict(X, y, parameters):
    """Returns the labels as integers, (probabilities > 0.5).astype(int)."""
    probabilities, _ = L_model_forward(X, parameters)
    return (probabilities > 0.5).astype(int)
