"""The case that leaves a model's learning_rate, num_iterations and print_cost to the signature's
defaults (issue 19: the defaults are part of the contract) is judged from the def line when the
def line keeps the notebook's defaults: the call would then run as the explicit call with those
values, which the other cases test, and its 3000 iterations took most of a model's checking time.
A def line that changes a default is run for real, and its verdict names the parameter.

The runtime's own code runs each case here (``runtime.run_case``, what a grading kernel runs),
and the judge gives the verdict, with the reference models of the second assignment.
"""

import numpy as np
import pytest

from dnngrader.assignments.dnn_application import cases
from dnngrader.judge.verdict import judge
from dnngrader.kernel import payload, runtime
from dnngrader.kernel.notebook import dnn_checks

DEFAULTS = {"learning_rate": 0.0075, "num_iterations": 3000, "print_cost": False}


def model(learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """A two-layer model with the given def line that trains as the reference does and counts
    its calls."""
    calls = []
    reference = cases.reference().two_layer_model
    defaults = f"learning_rate={learning_rate!r}, num_iterations={num_iterations!r}, print_cost={print_cost!r}"
    namespace = {"reference": reference, "calls": calls}
    exec(
        f"def two_layer_model(X, Y, layers_dims, {defaults}):\n"
        "    calls.append(num_iterations)\n"
        "    return reference(X, Y, layers_dims, learning_rate, num_iterations, print_cost)\n",
        namespace,
    )
    return namespace["two_layer_model"], calls


def results_of(function):
    ref = cases.reference()
    test = cases.TESTS["test_two_layer_model"]
    return [
        runtime.run_case(function, case.make_args(ref), {}, 600, case.defaults(ref) if case.defaults else None)
        for case in test.cases
    ]


def verdict_of(function):
    results = results_of(function)
    return judge("test_two_layer_model", payload.loads(payload.dumps(results)), cases.reference())


def test_the_plan_takes_the_defaults_from_the_reference_def_line():
    ref = cases.reference()
    for test_id in ("test_two_layer_model", "test_L_layer_model"):
        left = [case for case in cases.TESTS[test_id].cases if case.defaults]
        assert len(left) == 1, test_id
        assert left[0].defaults(ref) == DEFAULTS
        assert len(left[0].make_args(ref)) == 3  # X, Y, layers_dims: the rest is left to the def line


@pytest.mark.parametrize(
    "defaults,kept",
    [
        ({}, True),
        ({"num_iterations": 2500}, False),
        ({"num_iterations": 3000.0}, False),  # range() refuses a float: not the same default
        ({"learning_rate": 0.01}, False),
        ({"print_cost": True}, False),
        ({"print_cost": 0}, False),
        ({"learning_rate": None}, False),
    ],
)
def test_keeps_defaults_asks_for_the_same_type_and_value(defaults, kept):
    function, _ = model(**{**DEFAULTS, **defaults})
    assert dnn_checks.keeps_defaults(function, DEFAULTS) is kept


def test_keeps_defaults_is_false_for_what_has_no_def_line():
    assert not dnn_checks.keeps_defaults(len, DEFAULTS)
    assert not dnn_checks.keeps_defaults(lambda X, Y, layers_dims: None, DEFAULTS)


def test_a_def_line_that_keeps_the_defaults_is_not_run_on_that_case_and_passes():
    function, calls = model()
    results = results_of(function)
    assert [result["status"] for result in results].count("kept defaults") == 1
    assert 3000 not in calls and len(calls) == len(results) - 1
    verdict = verdict_of(function)
    assert verdict.passed, verdict.text


def test_a_def_line_that_changes_a_default_is_run_and_named():
    function, calls = model(num_iterations=2500)
    results = results_of(function)
    assert "kept defaults" not in [result["status"] for result in results]
    assert 2500 in calls  # the defaults case ran, with the student's default
    verdict = verdict_of(function)
    assert not verdict.passed
    failing = [line for line in verdict.lines if "def line changes them" in line]
    assert len(failing) == 1 and "num_iterations has another default" in failing[0], verdict.text
    assert "2500" not in verdict.text and "3000" not in failing[0]  # a hidden case shows no values


def test_a_def_line_written_otherwise_that_does_the_same_is_run_and_passes():
    """Defaults of None, filled in in the body: the def line differs, so the case runs, and the
    outputs are the reference's."""
    reference = cases.reference().two_layer_model
    namespace = {"reference": reference}
    exec(
        "def two_layer_model(X, Y, layers_dims, learning_rate=None, num_iterations=None, print_cost=None):\n"
        "    learning_rate = 0.0075 if learning_rate is None else learning_rate\n"
        "    num_iterations = 3000 if num_iterations is None else num_iterations\n"
        "    print_cost = False if print_cost is None else print_cost\n"
        "    return reference(X, Y, layers_dims, learning_rate, num_iterations, print_cost)\n",
        namespace,
    )
    results = results_of(namespace["two_layer_model"])
    assert "kept defaults" not in [result["status"] for result in results]
    verdict = verdict_of(namespace["two_layer_model"])
    assert verdict.passed, verdict.text


def test_a_kernel_that_claims_kept_defaults_on_another_case_gets_nothing():
    """The judge accepts "kept defaults" only on the case that leaves defaults out, and only for
    the notebook's defaults."""
    function, _ = model()
    results = results_of(function)
    forged = [dict(result) for result in results]
    forged[1] = {"status": "kept defaults", "defaults": DEFAULTS}
    verdict = judge("test_two_layer_model", payload.loads(payload.dumps(forged)), cases.reference())
    assert not verdict.passed
    index = next(i for i, case in enumerate(cases.TESTS["test_two_layer_model"].cases) if case.defaults)
    forged = [dict(result) for result in results]
    forged[index] = {"status": "kept defaults", "defaults": {**DEFAULTS, "num_iterations": 2500}}
    verdict = judge("test_two_layer_model", payload.loads(payload.dumps(forged)), cases.reference())
    assert not verdict.passed


def test_the_notebooks_check_takes_the_same_answer(monkeypatch, tmp_path):
    """dnn_app_checks.check, the second notebook's visible check, reads the defaults from its
    expected-results file (built from the reference's def line) and passes a def line that keeps
    them without running the case; a changed default fails that practice case."""
    import json
    import shutil

    from dnngrader.paths import COURSE_ROOT
    from dnngrader.kernel.notebook import dnn_app_checks

    expected = COURSE_ROOT / "source" / "dnn_application" / "application_checks.json"
    data = json.loads(expected.read_text())
    entries = [entry for entry in data["cases"]["two_layer_model"] if "defaults" in entry]
    assert [entry["defaults"] for entry in entries] == [DEFAULTS]
    shutil.copy(expected, tmp_path / expected.name)
    monkeypatch.setattr(dnn_app_checks, "EXPECTED_FILE", tmp_path / expected.name)
    monkeypatch.setattr(dnn_app_checks, "_data", {})
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    function, calls = model()
    np.random.seed(0)
    dnn_app_checks.check("two_layer_model", function)
    assert 3000 not in calls
    changed, calls = model(num_iterations=2500)
    with pytest.raises(AssertionError):
        dnn_app_checks.check("two_layer_model", changed)
    assert 2500 in calls
