"""A cost that drops the (1 - y) term, and gradients stored under the older dA{l} key
convention. Everything else is correct."""

FROM_CATALOGUE = [
    "wrong/compute_cost__missing_one_minus_y_term",
    "wrong/L_model_backward__dA_keys_older_convention",
]
