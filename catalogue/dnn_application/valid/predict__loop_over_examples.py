def predict(X, y, parameters):
    """Fills np.zeros((1, m)) example by example, as the original exercise's helper does."""
    m = X.shape[1]
    p = np.zeros((1, m))
    probabilities, caches = L_model_forward(X, parameters)
    for i in range(probabilities.shape[1]):
        if probabilities[0, i] > 0.5:
            p[0, i] = 1
        else:
            p[0, i] = 0
    return p
