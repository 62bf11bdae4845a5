def L_layer_model(X, Y, layers_dims, learning_rate=0.01, num_iterations=3000, print_cost=False):
    """[defaults] Changes the default learning rate to 0.01: right whenever the caller passes a
    learning rate, wrong when the default applies."""
    np.random.seed(1)
    costs = []

    parameters = initialize_parameters_deep_scaled(layers_dims)

    for i in range(num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)

        if i % 100 == 0:
            costs.append(cost)
        if print_cost and (i % 100 == 0 or i == num_iterations - 1):
            print(f"Cost after iteration {i}: {float(cost)}")

    return parameters, costs


HINT = "your def line changes them: learning_rate has another default"
