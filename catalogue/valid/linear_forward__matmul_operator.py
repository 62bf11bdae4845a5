def linear_forward(A, W, b):
    """Uses the @ operator instead of np.dot."""
    Z = W @ A + b
    return Z, (A, W, b)
