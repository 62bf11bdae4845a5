"""Judging that is fair to the student (issue: faults found by replaying public reports).

- An answer that is right under the function's contract passes, also on a case whose inputs
  break the contract (the visible cases keep the original seeded draws):
  dnngrader/assignments/dnn_step_by_step/routes.py.
- A hint names a mistake only when that mistake explains every failing case; when several do,
  all are named (dnn_checks.hint_lines).

Verdicts are computed here as the grader computes them (judge/verdict.py on the cell's cases, with
the reference callees); tests/test_shared_cases.py grades the same answers through nbgrader.
"""

import contextlib
import copy
import io

import numpy as np
import pytest

from dnngrader.kernel.notebook import dnn_checks
from dnngrader.assignments.dnn_step_by_step import hints
from dnngrader.assignments import reference
from dnngrader.assignments.dnn_step_by_step import routes
from in_process_judge import define, verdict
from dnngrader.assignments.dnn_step_by_step.cases import TESTS


@pytest.fixture(scope="module")
def ref():
    return reference.load()


def visible_check(code, name, ref, part=None):
    """What the notebook's test cell prints for ``code``, and whether it passed."""
    function = define(code, ref)[name]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            dnn_checks.check(name, function, part)
        except AssertionError:
            return out.getvalue(), False
    return out.getvalue(), True


# --- answers right under the contract ------------------------------------------------------

SHORTCUT = """
def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    linear_cache, _ = caches[L - 1]
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = linear_backward(AL - Y, linear_cache)
    for l in reversed(range(L - 1)):
        grads["dA" + str(l)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = \\
            linear_activation_backward(grads["dA" + str(l + 1)], caches[l], "relu")
    return grads
"""

Z_FROM_LINEAR_CACHE = """
def linear_activation_backward(dA, cache, activation):
    (A_prev, W, b), _ = cache
    Z = W @ A_prev + b
    dZ = relu_backward(dA, Z) if activation == "relu" else sigmoid_backward(dA, Z)
    return linear_backward(dZ, (A_prev, W, b))
"""

# The same shortcut, with a mistake: it must still fail.
SHORTCUT_WITHOUT_1_OVER_M = SHORTCUT.replace(
    "linear_backward(AL - Y, linear_cache)", "linear_backward((AL - Y) * AL.shape[1], linear_cache)"
)


def test_the_output_layer_shortcut_passes_the_grader_and_says_why(ref):
    result = verdict(SHORTCUT, "test_L_model_backward", ref)
    assert result.passed, result.text
    assert "accepted: the output layer's dZ taken directly as AL - Y" in result.text
    assert "Hint" not in result.text


def test_the_output_layer_shortcut_passes_the_notebooks_check(ref):
    printed, passed = visible_check(SHORTCUT, "L_model_backward", ref)
    assert passed, printed
    assert "another correct route" in printed and "AL - Y" in printed
    assert "Hint" not in printed


@pytest.mark.parametrize("part", ["relu", "sigmoid"])
def test_z_recomputed_from_the_linear_cache_passes_both_checks(ref, part):
    result = verdict(Z_FROM_LINEAR_CACHE, f"test_linear_activation_backward_{part}", ref)
    assert result.passed, result.text
    assert "accepted: Z recomputed from the linear cache" in result.text
    printed, passed = visible_check(Z_FROM_LINEAR_CACHE, "linear_activation_backward", ref, part)
    assert passed, printed


def test_a_wrong_answer_on_an_accepted_route_still_fails(ref):
    result = verdict(SHORTCUT_WITHOUT_1_OVER_M, "test_L_model_backward", ref)
    assert not result.passed
    printed, passed = visible_check(SHORTCUT_WITHOUT_1_OVER_M, "L_model_backward", ref)
    assert not passed


@pytest.mark.parametrize("test_id", sorted(t for t in TESTS if TESTS[t].function in routes.ROUTES))
def test_a_route_equals_the_reference_wherever_the_inputs_keep_the_contract(ref, test_id):
    """So accepting a route can never pass an answer that is wrong for a consistent input."""
    test = TESTS[test_id]
    for case in test.cases:
        args = case.make_args(ref)
        if test.function == "linear_activation_backward":  # make the cached Z consistent
            dA, ((A_prev, W, b), _), activation = args
            args = (dA, ((A_prev, W, b), np.dot(W, A_prev) + b), activation)
        elif not contract_holds(test.function, args, ref):
            continue
        expected = getattr(ref, test.function)(*copy.deepcopy(args))
        for description, output in routes.outputs(test.function, args, ref):
            assert not dnn_checks.compare_returned(expected, output, dnn_checks.RETURN_NAMES[test.function]), (
                test_id,
                case.description,
                description,
            )


def test_the_routes_written_into_the_notebook_check_are_the_ones_the_grader_computes(ref):
    checked = 0
    for name, part in sorted({(t.function, t.part) for t in TESTS.values()}, key=str):
        accepted = dnn_checks.accepted_routes(name, part)
        _, arguments, _ = dnn_checks.visible_case(name, part)
        computed = [
            (description, output)
            for description, output in routes.outputs(name, arguments, ref)
            if dnn_checks.compare_returned(
                getattr(ref, name)(*copy.deepcopy(arguments)), output, dnn_checks.RETURN_NAMES[name]
            )
        ]
        assert [description for description, _ in accepted] == [description for description, _ in computed]
        for (_, written), (_, output) in zip(accepted, computed):
            exact = dict(dnn_checks.labelled_leaves(output, dnn_checks.RETURN_NAMES[name]))
            written = dict(dnn_checks.labelled_leaves(written, dnn_checks.RETURN_NAMES[name]))
            assert sorted(written) == sorted(exact)
            for label, value in written.items():
                # The practice file keeps 10 significant digits.
                np.testing.assert_allclose(value, exact[label], rtol=1e-9, atol=1e-12, err_msg=f"{name} {part} {label}")
            checked += 1
    assert checked == 3  # L_model_backward and both branches of linear_activation_backward


def contract_holds(function, args, ref):
    """Whether a case's inputs relate as the function's docstring promises (None: no promise)."""
    close = np.allclose
    if function == "L_model_backward":
        AL, Y, caches = args
        A = caches[0][0][0]
        for l, ((A_prev, W, b), Z) in enumerate(caches, start=1):
            if not (close(A_prev, A) and close(Z, W @ A_prev + b)):
                return False
            A = ref.sigmoid(Z)[0] if l == len(caches) else ref.relu(Z)[0]
        return close(AL, A) and set(np.unique(Y)) <= {0, 1}
    if function == "linear_activation_backward":
        _, ((A_prev, W, b), Z), _ = args
        return close(Z, W @ A_prev + b)
    if function == "compute_cost":
        AL, Y = args
        return bool(np.all((AL > 0) & (AL < 1))) and set(np.unique(Y)) <= {0, 1}
    return None


@pytest.mark.parametrize("name,part", sorted({(t.function, t.part) for t in TESTS.values()}, key=str))
def test_every_visible_case_keeps_its_contract_or_has_an_accepted_route(ref, name, part):
    """The audit of the visible cases: those whose inputs break a promise of the contract are
    exactly those for which other correct routes are accepted (and the notebook says so)."""
    _, arguments, _ = dnn_checks.visible_case(name, part)
    holds = contract_holds(name, arguments, ref)
    if holds is False:
        assert dnn_checks.accepted_routes(name, part), f"{name} ({part}): its visible case breaks the contract"
    assert holds is not False or name in ("L_model_backward", "linear_activation_backward")


# --- hints only from evidence that fits every failing case ---------------------------------

TRANSPOSE_ON_THE_WRONG_SIDE = """
def compute_cost(AL, Y):
    m = Y.shape[1]
    return -1 / m * np.sum(np.dot(Y.T, np.log(AL)) + np.dot((1 - Y).T, np.log(1 - AL)))
"""


def test_a_cost_with_the_transpose_on_the_wrong_side_is_not_told_to_divide_by_m(ref):
    result = verdict(TRANSPOSE_ON_THE_WRONG_SIDE, "test_compute_cost", ref)
    assert not result.passed
    # On the all-zero-labels case its cost is m times the right one, as if the 1/m were missing;
    # on the other failing cases it is not, so that mistake is not named.
    assert "divided by m" not in result.text and "multiple" not in result.text, result.text
    assert "Hint:" not in result.text


XAVIER = """
def initialize_parameters(n_x, n_h, n_y):
    np.random.seed(1)
    return {"W1": np.random.randn(n_h, n_x) / np.sqrt(n_x), "b1": np.zeros((n_h, 1)),
            "W2": np.random.randn(n_y, n_h) / np.sqrt(n_h), "b2": np.zeros((n_y, 1))}
"""

XAVIER_DEEP = """
def initialize_parameters_deep(layer_dims):
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters
"""


@pytest.mark.parametrize(
    "code,test_id", [(XAVIER, "test_initialize_parameters"), (XAVIER_DEEP, "test_initialize_parameters_deep")]
)
def test_an_initialiser_scaled_by_one_over_sqrt_n_is_not_told_it_is_unscaled(ref, code, test_id):
    result = verdict(code, test_id, ref)
    assert not result.passed
    # The single-unit case (sqrt(1) = 1) looks exactly like unscaled draws; the others do not.
    assert "not scaled" not in result.text, result.text
    assert "not by 1/sqrt(n)" in result.text


def test_on_a_single_case_every_mistake_that_fits_is_named(ref):
    args = TESTS["test_initialize_parameters"].cases[2].make_args(ref)  # (1, 1, 1)
    assert args == (1, 1, 1)
    got = define(XAVIER, ref)["initialize_parameters"](*args)
    expected = ref.initialize_parameters(*args)
    problems = dnn_checks.compare_returned(
        expected, got, "parameters", hints=hints.for_case("initialize_parameters", args, got, ref)
    )
    lines = dnn_checks.hint_lines([problems])
    assert len(lines) == 1 and "more than one mistake" in lines[0], lines
    assert "not scaled" in lines[0] and "1/sqrt(n)" in lines[0]


def test_the_hint_rule_keeps_only_what_explains_every_failing_case():
    def problem(*explained_by, advice=()):
        return dnn_checks.Problem("dW is wrong.", "dW", explained_by, advice)

    # Two cases: one fits mistakes a and b, the other only b.
    assert dnn_checks.hint_lines([[problem("a", "b")], [problem("b")]]) == ["Hint: b"]
    # Nothing fits both: no mistake is named, and advice that fits both is given instead.
    assert dnn_checks.hint_lines([[problem("a", advice=["x"])], [problem("b", advice=["x"])]]) == ["Hint: x"]
    assert dnn_checks.hint_lines([[problem("a")], [problem("b")]]) == []
    # A hint must explain every failing output too, not one output at a time: dW fits a, db fits
    # c, and no single mistake explains both, so none is named.
    db = dnn_checks.Problem("db is wrong.", "db", ("c",))
    assert dnn_checks.hint_lines([[problem("a"), db], [problem("a"), db]]) == []
    both = dnn_checks.Problem("db is wrong.", "db", ("a", "c"))
    assert dnn_checks.hint_lines([[problem("a"), both], [problem("a"), both]]) == ["Hint: a"]


def test_a_mistake_that_explains_every_case_is_still_named_once(ref):
    code = """
def L_model_backward(AL, Y, caches):
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = np.divide(Y, AL) - np.divide(1 - Y, 1 - AL)
    grads["dA" + str(L - 1)], grads["dW" + str(L)], grads["db" + str(L)] = \\
        linear_activation_backward(dAL, caches[L - 1], "sigmoid")
    for l in reversed(range(L - 1)):
        grads["dA" + str(l)], grads["dW" + str(l + 1)], grads["db" + str(l + 1)] = \\
            linear_activation_backward(grads["dA" + str(l + 1)], caches[l], "relu")
    return grads
"""
    text = verdict(code, "test_L_model_backward", ref).text
    assert text.count("Hint: every gradient has the wrong sign") == 1, text
