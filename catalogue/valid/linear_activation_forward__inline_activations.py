def linear_activation_forward(A_prev, W, b, activation):
    """Computes the sigmoid and relu inline instead of calling the helpers (cache still Z)."""
    Z, linear_cache = linear_forward(A_prev, W, b)
    if activation == "sigmoid":
        A = 1 / (1 + np.exp(-Z))
    else:
        A = np.where(Z > 0, Z, 0.0)
    return A, (linear_cache, Z)
