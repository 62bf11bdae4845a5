def two_layer_model(X, Y, layers_dims, learning_rate=None, num_iterations=None, print_cost=None):
    """Leaves the def line's defaults as None and fills them in in the body (0.0075, 3000, False):
    the same calls do the same as the notebook's def line, so the case that leaves them to the
    defaults is run for real and passes, and records each cost as a Python float."""
    learning_rate = 0.0075 if learning_rate is None else learning_rate
    num_iterations = 3000 if num_iterations is None else num_iterations
    print_cost = False if print_cost is None else print_cost
    np.random.seed(1)
    costs = []
    n_x, n_h, n_y = layers_dims

    parameters = initialize_parameters(n_x, n_h, n_y)

    for i in range(num_iterations):
        A1, cache1 = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
        A2, cache2 = linear_activation_forward(A1, parameters["W2"], parameters["b2"], "sigmoid")
        cost = float(compute_cost(A2, Y))
        dA2 = -(Y / A2 - (1 - Y) / (1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        _, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads = dict(zip(("dW1", "db1", "dW2", "db2"), (dW1, db1, dW2, db2)))
        parameters = update_parameters(parameters, grads, learning_rate)

        if i % 100 == 0:
            costs.append(cost)
        if print_cost and (i % 100 == 0 or i == num_iterations - 1):
            print(f"Cost after iteration {i}: {cost}")

    return parameters, costs
