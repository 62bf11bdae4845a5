def linear_forward(A, W, b):
    """Writes the matrix product with np.einsum."""
    Z = np.einsum("ij,jk->ik", W, A) + b
    cache = (A, W, b)
    return Z, cache
