"""Layer-loop mistakes: the forward pass applies relu to the output layer too, and the update
adds the gradient instead of subtracting it. Everything else is correct."""

FROM_CATALOGUE = [
    "wrong/L_model_forward__relu_on_output_layer",
    "wrong/update_parameters__adds_gradient",
]
