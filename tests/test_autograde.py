"""Submissions graded end to end by the real `nbgrader autograde`, kernels and all."""

import nbformat
import pytest

from dnngrader.tools import samples
from dnngrader.paths import GRADED_FUNCTIONS

NOISY_LINEAR_FORWARD = """
def linear_forward(A, W, b):
    import sys, warnings
    print("debug: shapes", A.shape, W.shape, b.shape)
    print("debug on stderr", file=sys.stderr)
    warnings.warn("a harmless warning")
    Z = W @ A + b
    return Z, (A, W, b)
"""

# sample -> the functions its mistakes are in (samples/*.py)
SAMPLE_MISTAKES = {
    "ada_full_marks": set(),
    "cleo_shapes": {"linear_forward", "linear_backward"},
    "dev_cost_and_keys": {"compute_cost", "L_model_backward"},
    "eli_layers": {"L_model_forward", "update_parameters"},
}


@pytest.fixture(scope="module")
def course(stock_graded_class):
    """The samples, as the grading tests' class (conftest.py), graded by stock `nbgrader
    autograde` once per test run (tests/test_parallel_grade.py and tests/test_dask_cluster.py
    compare with that gradebook), in a copy of that course; and noisy_but_right, autograded here."""
    course = stock_graded_class("autograde")
    assert set(SAMPLE_MISTAKES) | {"ben_blank"} <= {path.name for path in course.submitted.iterdir()}
    noisy = samples.fill_answers({"linear_forward": NOISY_LINEAR_FORWARD.strip()})
    samples.write_submission(noisy, "noisy_but_right", course.submitted)
    done = course.autograde(student="noisy_but_right")
    assert done.returncode == 0, done.stderr[-3000:]
    return course


@pytest.fixture(scope="module")
def graded(course):
    return course.grades()


def test_full_marks_submission_scores_100(graded):
    assert graded["ada_full_marks"]["total"] == 100
    assert graded["ada_full_marks"]["max"] == 100


def test_blank_release_scores_0(graded):
    assert graded["ben_blank"]["total"] == 0


@pytest.mark.parametrize("student", sorted(SAMPLE_MISTAKES))
def test_each_mistake_costs_its_own_function_only(graded, student):
    full = graded["ada_full_marks"]
    for function in GRADED_FUNCTIONS:
        score = graded[student][function]
        if function in SAMPLE_MISTAKES[student]:
            assert score < full[function], (student, function)
        else:
            assert score == full[function], (student, function)


def test_stderr_warnings_and_prints_do_not_cost_a_correct_answer(graded):
    assert graded["noisy_but_right"]["total"] == 100


def test_feedback_of_a_failed_test_says_what_to_fix(course, graded):
    notebook = nbformat.read(str(course.autograded_notebook("dev_cost_and_keys")), as_version=4)
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_compute_cost")
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    assert "compute_cost" in text and "cost has the wrong value: expected 0.279776563579342" in text
    assert any(o.output_type == "error" for o in cell.outputs)
    assert not any(o.output_type == "stream" and o.name == "stderr" for o in cell.outputs)


def test_generate_feedback_writes_html_without_the_hidden_test_hook(course, graded):
    done = course.nbgrader("generate_feedback", "dnn_step_by_step", "--student", "cleo_shapes", "--force")
    html = (course.root / "feedback" / "cleo_shapes" / "dnn_step_by_step" / "dnn_step_by_step.html").read_text()
    assert "linear_forward: " in html and "run_hidden_tests" not in html, done.stderr[-2000:]
