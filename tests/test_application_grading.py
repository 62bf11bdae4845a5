"""The second assignment, dnn_application, graded end to end by the real `nbgrader autograde`
(the course's nbgrader_config.py, every kernel in the sandbox): hidden cases judged outside the
kernel, each mistake costing its own function only."""

import re
import shutil

import nbformat
import pytest
from nbgrader.api import Gradebook

from dnngrader.assignments import reference
from dnngrader.plugins import sandbox
from dnngrader.assignments.dnn_application.cases import TESTS
from dnngrader.paths import APPLICATION, APPLICATION_SOURCE_NOTEBOOK
from dnngrader.tools.samples import without_solution_markers
from shared_setup import copy_of_blank_course

FUNCTIONS = ("initialize_parameters_deep_scaled", "two_layer_model", "L_layer_model", "predict")
SOLUTIONS = {
    name: without_solution_markers(source)
    for name, source in reference.solution_sources(APPLICATION_SOURCE_NOTEBOOK).items()
}


def changed(name, old, new):
    """The solution of ``name`` with ``old`` (which must occur in it) replaced by ``new``."""
    assert old in SOLUTIONS[name], (name, old)
    return {name: SOLUTIONS[name].replace(old, new)}


SMALL_INITIALISATION = """parameters = {}
    for l in range(1, len(layers_dims)):
        parameters["W" + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))"""

# student -> (answers replacing the solutions, or None for the blank release; the functions that
# must lose points)
SUBMISSIONS = {
    "app_solutions": ({}, set()),
    "app_blank": (None, set(FUNCTIONS)),
    # Right on the visible case only: its layer sizes written in.
    "app_hard_coded_dims": (
        changed("two_layer_model", "n_x, n_h, n_y = layers_dims", "n_x, n_h, n_y = 10, 5, 1"),
        {"two_layer_model"},
    ),
    # The first assignment's initialisation (x 0.01) instead of initialize_parameters_deep_scaled.
    "app_small_initialisation": (
        changed("L_layer_model", "parameters = initialize_parameters_deep_scaled(layers_dims)", SMALL_INITIALISATION),
        {"L_layer_model"},
    ),
    "app_predict_at_least_half": (changed("predict", "> 0.5", ">= 0.5"), {"predict"}),
    # Prints the costs whatever print_cost says: right numbers, but noise on every call.
    "app_prints_regardless": (
        changed("two_layer_model", "if print_cost and (i % 100", "if (i % 100"),
        {"two_layer_model"},
    ),
}


def submission(answers, release):
    """The released notebook with every answer cell filled in: the solutions, except ``answers``
    (None: left as released)."""
    notebook = nbformat.read(str(release / f"{APPLICATION}.ipynb"), as_version=4)
    if answers is None:
        return notebook
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in FUNCTIONS:
            cell.source = answers.get(grade_id, SOLUTIONS[grade_id])
    return notebook


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    if not sandbox.available():
        pytest.skip(f"the grading sandbox cannot run here: {sandbox.unavailable_reason()}")
    course = copy_of_blank_course(
        tmp_path_factory, tmp_path_factory.mktemp("application") / "course", assignments=(APPLICATION,)
    )
    release = course.root / "release" / APPLICATION
    for student, (answers, _) in SUBMISSIONS.items():
        # As a student hands it in: the released folder, without the first assignment beside it.
        folder = course.submitted / student / APPLICATION
        shutil.copytree(release, folder)
        nbformat.write(submission(answers, release), str(folder / f"{APPLICATION}.ipynb"))
    done = course.autograde(assignment=APPLICATION)
    assert done.returncode == 0, done.stderr[-3000:]
    return course


@pytest.fixture(scope="module")
def scores(course):
    """student -> {function: points, "total": points}, from the gradebook."""
    table = {}
    with Gradebook(course.db_url) as gradebook:
        for student in SUBMISSIONS:
            row = {
                test.function: gradebook.find_grade(test_id, APPLICATION, APPLICATION, student).score
                for test_id, test in TESTS.items()
            }
            row["total"] = gradebook.find_submission(APPLICATION, student).score
            table[student] = row
    return table


def test_the_solutions_score_100_and_the_blank_release_0(scores):
    assert scores["app_solutions"]["total"] == 100
    assert scores["app_blank"]["total"] == 0


@pytest.mark.parametrize("student", [name for name in SUBMISSIONS if name not in ("app_solutions", "app_blank")])
def test_each_mistake_costs_its_own_function_only(scores, student):
    wrong = SUBMISSIONS[student][1]
    for function in FUNCTIONS:
        full = scores["app_solutions"][function]
        if function in wrong:
            assert scores[student][function] == 0, (student, function)
        else:
            assert scores[student][function] == full > 0, (student, function)


def cells(course, student):
    notebook = nbformat.read(str(course.autograded_notebook(student, APPLICATION)), as_version=4)
    return {cell.metadata.get("nbgrader", {}).get("grade_id"): cell for cell in notebook.cells}


def text_of(cell):
    return "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")


def test_every_test_cell_shows_the_judges_verdict_on_hidden_cases(course):
    graded = cells(course, "app_solutions")
    for test_id, test in TESTS.items():
        text = text_of(graded[test_id])
        hidden = len(test.cases) - 1
        assert f"{test.function}: all {len(test.cases)} checks passed (1 visible, {hidden} hidden)." in text, text


def test_the_notebook_runs_to_the_end_without_the_first_notebook(course, scores):
    """In the sandbox the student's first notebook is not there: the grader hands the kernel the
    course's versions of the first assignment's functions right before the cell that loads them,
    so the cells after it run instead of failing with NameErrors, up to the last graded cell.
    The cells after that (training, figures, accuracy) are not run, and each says so
    (tests/test_grading_time.py).  The loading cell says where the functions came from."""
    graded = cells(course, "app_solutions")
    assert "handed over by the grader" in text_of(graded["step_by_step_functions"])
    notebook = nbformat.read(str(course.autograded_notebook("app_solutions", APPLICATION)), as_version=4)
    errors = [
        (index, output.ename)
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert errors == [], errors
    accuracy = next(cell for cell in notebook.cells if cell.cell_type == "code" and "train accuracy" in cell.source)
    assert [output.metadata.get("dnngrader") for output in accuracy.outputs] == ["not run"]
    assert scores["app_solutions"]["total"] == 100


def test_the_notebooks_own_cells_are_not_flagged(course):
    """Its ungraded cells, as released, read the environment and paths: that is not the
    student's code reaching for the grader."""
    notebook = nbformat.read(str(course.autograded_notebook("app_solutions", APPLICATION)), as_version=4)
    assert not any("Tampering" in cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def test_hidden_cases_show_no_inputs_or_expected_values(course):
    """A failing hidden case says which outputs are wrong and their shapes, never a value the
    student could copy (no expected or returned array, no number with decimals).  The hints
    after the cases are fixed sentences (dnngrader/assignments/dnn_application/hints.py), which may name the
    0.5 threshold or the 0.01 scale."""
    failing = 0
    for student in ("app_hard_coded_dims", "app_small_initialisation", "app_predict_at_least_half"):
        for test_id in TESTS:
            lines = text_of(cells(course, student)[test_id]).splitlines()
            in_hidden = False
            for line in lines:
                if line.lstrip().startswith(("\u2713", "\u2717")):
                    in_hidden = "hidden case" in line
                elif in_hidden and not line.lstrip().startswith("Hint:"):  # hints are fixed sentences
                    assert "expected:" not in line and "got:" not in line, (student, line)
                    assert not re.search(r"\d\.\d", line), (student, line)
                    failing += 1
    assert failing >= 3  # each of the three students has a failing hidden case


def test_a_model_that_prints_with_print_cost_false_is_told_so(course):
    text = text_of(cells(course, "app_prints_regardless")["test_two_layer_model"])
    assert (
        "where it should print nothing (the rule: " in text
        and "print_cost=False (the default) it prints nothing" in text
    ), text
