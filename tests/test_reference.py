"""The reference solution and the provided helpers reproduce every expected value of the
assignment's reference table exactly (8 decimals, as printed in the notebook)."""

import warnings

import numpy as np
import pytest

from dnngrader.kernel.notebook import dnn_checks
from dnngrader.kernel.notebook import dnn_utils
from dnngrader.kernel.notebook import test_cases
from dnngrader.assignments import reference
from dnngrader.assignments.dnn_step_by_step.cases import TESTS


@pytest.fixture(scope="module")
def ref():
    return reference.load()


def leaves(expected, got, label=""):
    """Pairs (label, expected array, got array) of every array in two nested structures."""
    if isinstance(expected, dict):
        assert set(expected) <= set(got), label
        for key in expected:
            yield from leaves(expected[key], got[key], f"{label}[{key}]")
    elif isinstance(expected, (tuple, list)):
        assert len(expected) == len(got), label
        for index, (want, have) in enumerate(zip(expected, got)):
            yield from leaves(want, have, f"{label}[{index}]")
    elif isinstance(expected, np.ndarray):
        yield label, expected, got


VISIBLE = sorted({(test.function, test.part) for test in TESTS.values()}, key=str)


@pytest.mark.parametrize("name,part", VISIBLE)
def test_reference_reproduces_the_visible_expected_values(ref, name, part):
    _, arguments, expected = dnn_checks.visible_case(name, part)
    got = getattr(ref, name)(*arguments)
    if name == "compute_cost":
        assert float(got) == 0.2797765635793422
        return
    if name == "L_model_forward":
        assert len(got[1]) == 3
    compared = 0
    for label, want, have in leaves(expected, got):
        assert have.shape == want.shape, label
        # Table values are rounded to 8 decimals; arrays passed through (inputs kept in a cache)
        # must come back exactly.
        assert np.array_equal(np.round(have, 8), want) or np.array_equal(have, want), f"{name} {label}"
        compared += 1
    assert compared > 0


def test_L_model_backward_also_gives_the_documented_dA0_and_layer_2_gradients(ref):
    grads = ref.L_model_backward(*test_cases.L_model_backward_test_case())
    assert sorted(grads) == ["dA0", "dA1", "dW1", "dW2", "db1", "db2"]
    assert grads["dA1"].shape == (3, 2)  # the 4a key convention


def test_cost_has_the_same_exact_value_in_the_dot_product_form():
    Y, AL = test_cases.compute_cost_test_case()
    m = Y.shape[1]
    cost = -1 / m * (np.dot(Y, np.log(AL).T) + np.dot(1 - Y, np.log(1 - AL).T))
    assert float(np.squeeze(cost)) == 0.2797765635793422


@pytest.mark.parametrize(
    "seed,first_four",
    [
        (1, [1.62434536, -0.61175641, -0.52817175, -1.07296862]),
        (2, [-0.41675785, -0.05626683, -2.1361961, 1.64027081]),
        (3, [1.78862847, 0.43650985, 0.09649747, -1.8634927]),
        (6, [-0.31178367, 0.72900392, 0.21782079, -0.8990918]),
    ],
)
def test_the_seeded_recipes_start_with_the_documented_draws(seed, first_four):
    np.random.seed(seed)
    np.testing.assert_array_equal(np.round(np.random.randn(4), 8), first_four)


def test_test_cases_follow_the_recipes():
    A, W, b = test_cases.linear_forward_test_case()
    assert (A.shape, W.shape, b.shape) == ((3, 2), (1, 3), (1, 1))
    assert A[0, 0] == pytest.approx(1.62434536)
    AL, Y, caches = test_cases.L_model_backward_test_case()
    assert Y.tolist() == [[1, 0]] and AL[0, 0] == pytest.approx(1.78862847)
    assert [c[0][1].shape for c in caches] == [(3, 4), (1, 3)]
    parameters, grads = test_cases.update_parameters_test_case()
    assert parameters["W1"][0, 0] == pytest.approx(-0.41675785)
    assert grads["dW1"][0, 0] == pytest.approx(1.78862847)


def test_sigmoid_matches_the_plain_formula_and_never_warns():
    Z = np.linspace(-700, 700, 20001).reshape(1, -1)
    A, cache = dnn_utils.sigmoid(Z)
    np.testing.assert_array_equal(A, 1 / (1 + np.exp(-Z)))
    assert cache is Z
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        extreme = np.array([[-1e6, -800.0, -710.0, 0.0, 710.0, 1e6]])
        A, _ = dnn_utils.sigmoid(extreme)
        dZ = dnn_utils.sigmoid_backward(np.ones_like(extreme), extreme)
    assert A.tolist()[0][0] == 0.0 and A.tolist()[0][-1] == 1.0 and A[0, 3] == 0.5
    assert np.all(np.isfinite(dZ)) and dZ.shape == extreme.shape


def test_relu_and_its_backward_follow_the_contract():
    Z = np.array([[-2.0, 0.0, 3.0]])
    A, cache = dnn_utils.relu(Z)
    assert A.tolist() == [[0.0, 0.0, 3.0]] and cache is Z
    dA = np.array([[5.0, 6.0, 7.0]])
    dZ = dnn_utils.relu_backward(dA, Z)
    assert dZ.tolist() == [[0.0, 0.0, 7.0]]  # the gradient at exactly 0 is 0
    assert dA.tolist() == [[5.0, 6.0, 7.0]]  # dA is not modified
    s = dnn_utils.sigmoid(Z)[0]
    np.testing.assert_allclose(dnn_utils.sigmoid_backward(dA, Z), dA * s * (1 - s))
