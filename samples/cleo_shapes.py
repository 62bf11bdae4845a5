"""Shape mistakes: the linear forward pass with its product reversed, and db summed over the
wrong axis. Everything else is correct."""

FROM_CATALOGUE = ["wrong/linear_backward__db_summed_over_axis0"]


def linear_forward(A, W, b):
    Z = np.dot(A.T, W.T) + b.T
    cache = (A, W, b)
    return Z, cache
