"""Grading time does not depend on what a submission's ungraded cells do (issue 19, point 6), and
the feedback never shows a cell the grader did not run as the student's result (point 5).

Real `nbgrader autograde` of the second assignment, every kernel in the sandbox:

- the shared case experiment_cells_slow_grading.ipynb (two experiment cells of 2500 iterations
  each after section 5) used to take about 66 s against under 5 s; the cells after the last
  graded cell are now not run, each saying so, and the grade is unchanged;
- a training-settings cell with NUM_ITERATIONS hard-coded to the notebook's full 2500 likewise;
- an ungraded cell the student added before the test cells that never ends is interrupted when
  the ungraded cells' budget is spent, the later ungraded cells are skipped, and every graded
  cell still runs.
"""

import shutil
import time

import nbformat
import pytest
from nbgrader.api import Gradebook

from dnngrader.paths import APPLICATION
from dnngrader.plugins import execute, findings, sandbox
from shared_cases import application_case
from shared_setup import copy_of_blank_course


def _release_with_solutions(course):
    """The released notebook with every answer cell holding the source's solution."""
    from test_application_grading import submission

    return submission({}, course.root / "release" / APPLICATION)


def _hand_in(course, student, notebook):
    folder = course.submitted / student / APPLICATION
    shutil.copytree(course.root / "release" / APPLICATION, folder)
    nbformat.write(notebook, str(folder / f"{APPLICATION}.ipynb"))


def _timed_autograde(course, student, *options):
    started = time.monotonic()
    done = course.nbgrader("autograde", APPLICATION, "--force", "--student", student, *options, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return time.monotonic() - started


def _endless_cell_before_the_tests(notebook):
    """The solutions, with a cell added before the first answer cell that never finishes, and an
    ungraded cell after it that would print."""
    first_answer = next(
        index for index, cell in enumerate(notebook.cells) if cell.metadata.get("nbgrader", {}).get("solution")
    )
    notebook.cells[first_answer:first_answer] = [
        nbformat.v4.new_code_cell("import time\nwhile True:\n    time.sleep(0.1)"),
        nbformat.v4.new_code_cell("print('after the endless cell')"),
    ]
    return notebook


def _hard_coded_iterations(notebook):
    cell = next(cell for cell in notebook.cells if cell.source.startswith("NUM_ITERATIONS"))
    cell.source = cell.source.replace('int(os.environ.get("DNN_TRAINING_ITERATIONS", "2500"))', "2500")
    assert "NUM_ITERATIONS = 2500" in cell.source
    return notebook


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(course, {student: seconds its autograde took})."""
    if not sandbox.available():
        pytest.skip(f"the grading sandbox cannot run here: {sandbox.unavailable_reason()}")
    experiments = application_case("experiment_cells_slow_grading.ipynb")
    course = copy_of_blank_course(
        tmp_path_factory, tmp_path_factory.mktemp("grading-time") / "course", assignments=(APPLICATION,)
    )
    _hand_in(course, "ordinary", _release_with_solutions(course))
    _hand_in(course, "experiments", nbformat.read(str(experiments), as_version=4))
    _hand_in(course, "hard_coded", _hard_coded_iterations(_release_with_solutions(course)))
    _hand_in(course, "endless", _endless_cell_before_the_tests(_release_with_solutions(course)))
    seconds = {student: _timed_autograde(course, student) for student in ("ordinary", "experiments", "hard_coded")}
    # A small budget, so that the endless cell costs this test seconds, not the default 20.
    seconds["endless"] = _timed_autograde(course, "endless", "--ResilientExecute.ungraded_seconds=4")
    return course, seconds


def _notebook(course, student):
    return nbformat.read(str(course.autograded_notebook(student, APPLICATION)), as_version=4)


def _score(course, student):
    with Gradebook(course.db_url) as gradebook:
        return gradebook.find_submission(APPLICATION, student).score


def _last_graded(notebook):
    return max(
        index
        for index, cell in enumerate(notebook.cells)
        if cell.metadata.get("nbgrader", {}).get("grade") or cell.metadata.get("nbgrader", {}).get("solution")
    )


def _not_run(cell):
    return any(output.get("metadata", {}).get("dnngrader") == "not run" for output in cell.get("outputs", []))


@pytest.mark.parametrize("student", ["ordinary", "experiments", "hard_coded"])
def test_cells_after_the_last_graded_cell_are_not_run_and_say_so(graded, student):
    course, _ = graded
    notebook = _notebook(course, student)
    last = _last_graded(notebook)
    after = [cell for cell in notebook.cells[last + 1 :] if cell.cell_type == "code" and cell.source.strip()]
    assert len(after) >= 7, len(after)  # training, curves, accuracy, mislabelled, own image (+ experiments)
    for number, cell in enumerate(after):
        assert _not_run(cell), cell.source[:80]
        text = "".join(output["data"]["text/plain"] for output in cell.outputs)
        assert "Not run by the grader" in text and "is a result of your notebook" in text, text
        # The reason in full at the first cell skipped; the others point to it.
        assert ("to keep the time a submission takes independent" in text) == (number == 0), text
        # Nothing the grader ran stands beside the note: no accuracy, no figure, no cost line.
        assert len(cell.outputs) == 1
    assert _score(course, student) == 100


def test_the_experiments_take_about_as_long_as_an_ordinary_submission(graded):
    """Before, 66 s against under 5 s for an ordinary one (a quiet machine).  The margin is wide,
    for a busy machine: only the experiments' training, which takes over a minute, would break it."""
    _, seconds = graded
    for student in ("experiments", "hard_coded"):
        assert seconds[student] < max(3 * seconds["ordinary"], seconds["ordinary"] + 30), seconds


def test_an_endless_ungraded_cell_is_cut_at_the_budget_and_the_graded_cells_still_run(graded):
    course, seconds = graded
    notebook = _notebook(course, "endless")
    endless = next(cell for cell in notebook.cells if cell.source.startswith("import time\nwhile True"))
    assert any(output.get("ename") == "CellTimeoutError" for output in endless.outputs), endless.outputs
    after = next(cell for cell in notebook.cells if "after the endless cell" in cell.source)
    assert _not_run(after)
    assert "used up the 4 s" in after.outputs[0]["data"]["text/plain"]
    assert _score(course, "endless") == 100
    notes = findings.texts(findings.of(notebook), findings.NOTE)
    assert any("is not graded and was interrupted" in note for note in notes), notes
    assert any("were not run; graded cells were" in note for note in notes), notes
    assert seconds["endless"] < seconds["ordinary"] + 4 + 60, seconds  # the cell timeout is 60 s


def test_the_budget_and_the_skip_are_settings_with_help():
    traits = execute.ResilientExecute.class_traits(config=True)
    assert traits["ungraded_seconds"].default_value == 20.0
    assert traits["skip_after_last_graded"].default_value is True
    assert "budget" in traits["ungraded_seconds"].help and "unrun" in traits["skip_after_last_graded"].help


def test_the_first_assignment_gets_the_same_budget(tmp_path_factory):
    """The budget is the grader's, not the second assignment's: a cell added before the first
    notebook's tests that never ends is cut at the budget, and every function still gets its
    points."""
    if not sandbox.available():
        pytest.skip(f"the grading sandbox cannot run here: {sandbox.unavailable_reason()}")
    from dnngrader.paths import ASSIGNMENT
    from dnngrader.tools import samples

    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("grading-time-first") / "course")
    samples.write_submission(_endless_cell_before_the_tests(samples.fill_answers({})), "endless", course.submitted)
    done = course.nbgrader(
        "autograde", ASSIGNMENT, "--force", "--student", "endless", "--ResilientExecute.ungraded_seconds=3", check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    notebook = nbformat.read(str(course.autograded_notebook("endless")), as_version=4)
    endless = next(cell for cell in notebook.cells if cell.source.startswith("import time\nwhile True"))
    assert any(output.get("ename") == "CellTimeoutError" for output in endless.outputs)
    assert _not_run(next(cell for cell in notebook.cells if "after the endless cell" in cell.source))
    with Gradebook(course.db_url) as gradebook:
        assert gradebook.find_submission(ASSIGNMENT, "endless").score == 100
