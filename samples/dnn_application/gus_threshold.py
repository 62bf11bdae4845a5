"""A student who handed in the second assignment only. Their predict labels an output of exactly
0.5 as a cat (`>= 0.5` instead of `> 0.5`), which the hidden cases test. Everything else is
correct."""


def predict(X, y, parameters):
    probabilities, caches = L_model_forward(X, parameters)
    p = (probabilities >= 0.5).astype(float)
    return p
