"""Submissions that were graded wrongly (../shared/cases/2026-12/, see its README), with cases of
our own of the same kinds, graded in one batch by the real `nbgrader autograde`:

- a correct answer on a route that the visible case's inputs do not exercise the same way (its
  inputs break the function's contract) gets full marks and no hint;
- a slip that cannot raise a grade (an answer cell turned into markdown or raw, or re-marked) is
  a note, not tampering: the submission is graded, not flagged, and the feedback does not open
  with "Tampering detected"; what could raise a grade stays tampering.
"""

import copy

import nbformat
import pytest

from dnngrader.tools import samples
from dnngrader.paths import ASSIGNMENT, COURSE_ROOT, GRADED_FUNCTIONS
from shared_cases import case
from shared_setup import copy_of_blank_course

RELEASE_FILES = {path.name: path.read_text() for path in (COURSE_ROOT / "release" / ASSIGNMENT).glob("*.py")}


def shared_case(name):
    return nbformat.read(str(case(name)), as_version=4)


def cell_of(nb, grade_id):
    return next(cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def changed(grade_id, **changes):
    """The solution notebook with the cell ``grade_id`` changed: cell_type and nbgrader keys."""
    nb = samples.fill_answers({})
    cell = cell_of(nb, grade_id)
    if "cell_type" in changes:
        cell.cell_type = changes.pop("cell_type")
        if cell.cell_type != "code":
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    cell.metadata["nbgrader"].update(changes)
    return nb


def pasted_copy_with_new_id():
    """An answer cell copied and pasted (the copy carries nbgrader's marks under another id)."""
    nb = samples.fill_answers({})
    original = cell_of(nb, "compute_cost")
    pasted = copy.deepcopy(original)
    pasted.metadata["nbgrader"]["grade_id"] = "cell-3f2a9c"
    pasted["id"] = "pasted-copy"  # Jupyter gives a pasted cell an id of its own
    nb.cells.insert(nb.cells.index(original) + 1, pasted)
    return nb


Z_FROM_LINEAR_CACHE = """def linear_activation_backward(dA, cache, activation):
    (A_prev, W, b), _ = cache
    Z = W @ A_prev + b
    dZ = relu_backward(dA, Z) if activation == "relu" else sigmoid_backward(dA, Z)
    return linear_backward(dZ, (A_prev, W, b))
"""

# student -> (notebook, flagged, text the notes must contain)
SUBMISSIONS = {
    "valid_output_layer_shortcut": (
        lambda: shared_case("valid_L_model_backward_output_layer_shortcut.ipynb"),
        False,
        "",
    ),
    "answer_turned_markdown": (
        lambda: shared_case("answer_cell_turned_markdown.ipynb"),
        False,
        "the answer cell of compute_cost had been changed (cell type markdown instead of code)",
    ),
    "answer_turned_raw": (
        lambda: shared_case("answer_cell_turned_raw.ipynb"),
        False,
        "the answer cell of linear_forward had been changed (cell type raw instead of code)",
    ),
    # Our own, of the same kinds.
    "valid_z_from_linear_cache": (
        lambda: samples.fill_answers({"linear_activation_backward": Z_FROM_LINEAR_CACHE}),
        False,
        "",
    ),
    "answer_marked_locked": (
        lambda: changed("linear_backward", locked=True),
        False,
        "the answer cell of linear_backward had been changed (locked: True instead of False)",
    ),
    "answer_marked_not_a_solution": (
        lambda: changed("update_parameters", solution=False),
        False,
        "the answer cell of update_parameters had been changed",
    ),
    "answer_pasted_twice": (pasted_copy_with_new_id, False, "carried nbgrader's marks under the id 'cell-3f2a9c'"),
    # What could raise a grade stays tampering.
    "test_turned_raw": (
        lambda: changed("test_compute_cost", cell_type="raw"),
        True,
        "the test cell test_compute_cost had its nbgrader metadata changed",
    ),
    "answer_given_points": (
        lambda: changed("compute_cost", grade=True, points=50),
        True,
        "the answer cell of compute_cost had its nbgrader metadata changed",
    ),
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("shared_cases"))
    for student, (make, _, _) in SUBMISSIONS.items():
        folder = course.submitted / student / ASSIGNMENT
        folder.mkdir(parents=True)
        for name, text in RELEASE_FILES.items():
            (folder / name).write_text(text)
        nbformat.write(make(), str(folder / f"{ASSIGNMENT}.ipynb"))
    course.run = course.autograde()
    course.rows = course.grades()
    return course


@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_each_case_is_graded_and_flagged_as_it_should_be(course, student):
    _, flagged, says = SUBMISSIONS[student]
    row = course.rows[student]
    assert row["flagged"] is flagged, row["notes"]
    assert says in row["notes"], row["notes"]
    if student == "test_turned_raw":  # its test ran as the assignment has it: nothing lost
        assert row["total"] == 100
    else:
        assert row["total"] == 100, {name: row[name] for name in GRADED_FUNCTIONS}


@pytest.fixture(scope="module")
def slips_feedback(course):
    """One `nbgrader generate_feedback` run for both students of the next test (--student takes a
    glob): a run each would only start nbgrader twice."""
    done = course.nbgrader("generate_feedback", ASSIGNMENT, "--student", "answer_turned_*", "--force", check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.mark.parametrize("student", ["answer_turned_markdown", "answer_turned_raw"])
def test_a_harmless_slip_is_a_note_at_the_top_of_the_feedback(course, slips_feedback, student):
    html = (course.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "Tampering detected" not in html
    assert "Notes from the grader" in html and "can only keep an answer from being graded" in html
    nb = nbformat.read(str(course.autograded_notebook(student)), as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("**Notes from the grader")


def test_the_shortcut_gets_no_hint_and_says_which_route_was_accepted(course):
    nb = nbformat.read(str(course.autograded_notebook("valid_output_layer_shortcut")), as_version=4)
    text = "".join(output.get("text", "") for output in cell_of(nb, "test_L_model_backward").outputs)
    assert "all 5 checks passed" in text and "accepted: the output layer's dZ taken directly as AL - Y" in text
    assert "Hint" not in text


def test_the_batch_went_through(course):
    assert course.run.returncode == 0, course.run.stderr[-2000:]
    assert set(course.rows) == set(SUBMISSIONS)
