def predict(X, y, parameters):
    """[prints] Prints the accuracy, as the original course's predict did, although predict prints
    nothing here."""
    probabilities, caches = L_model_forward(X, parameters)
    p = (probabilities > 0.5).astype(float)
    print("Accuracy: " + str(np.sum((p == y) / X.shape[1])))
    return p


HINT = "where it should print nothing"
