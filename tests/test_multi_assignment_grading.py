"""The class-scale tools serve every assignment of the course: `dnngrader grade` grades
the second assignment as stock `nbgrader autograde dnn_application` does, grades every
assignment with submissions in one run, and writes one grade sheet (a row per student, columns
per assignment and function), a chart with a row of panels per assignment, and the pass rates
and hints per assignment.

One scratch course with both assignments registered is copied twice: stock nbgrader grades the
second assignment's samples (samples/dnn_application/) in one copy, the kit's grader in the
other; the gradebooks must agree.  The kit's course then gets two submissions of the first
assignment and a folder with nothing to grade, and is graded again with no --assignment.
"""

import ast
import csv
import io
import json
import re
import shutil
import zipfile

import pytest
from nbgrader.api import Gradebook

from dnngrader.batch import analytics, snapshot
from dnngrader import assignments
from dnngrader.plugins import export, sandbox
from dnngrader.tools import samples
from dnngrader.tools.course import ScratchCourse
from dnngrader.paths import APPLICATION, ASSIGNMENT, COURSE_ROOT, GRADED_FUNCTIONS

from grading_class import COURSE_ID, GRADE_TIMEOUT, gradebook_snapshot
from shared_setup import copy_of_blank_course

APPLICATION_STUDENTS = samples.sample_students(APPLICATION)
FIRST_STUDENTS = ["ada_full_marks", "dev_cost_and_keys"]  # of the first assignment's samples
EMPTY = "ivy_no_notebook"  # a dnn_application folder without a notebook
# The second assignment's samples with one mistake: the function it must cost.
MISTAKES = {"cleo_shapes": "two_layer_model", "eli_layers": "L_layer_model", "gus_threshold": "predict"}


# ---------------------------------------------------------------------------------------------
# Without grading
# ---------------------------------------------------------------------------------------------


def _answer_cells_in_order(notebook_path):
    notebook = json.loads(notebook_path.read_text())
    return [
        cell["metadata"]["nbgrader"]["grade_id"]
        for cell in notebook["cells"]
        if cell["metadata"].get("nbgrader", {}).get("solution") and cell["cell_type"] == "code"
    ]


@pytest.mark.parametrize("name", assignments.names())
def test_graded_functions_are_in_notebook_order(name):
    answers = [
        cell
        for cell in _answer_cells_in_order(assignments.source_notebook(name))
        if cell in assignments.graded_functions(name)
    ]
    assert list(assignments.graded_functions(name)) == answers
    for test_id, test in assignments.find(name).tests.items():
        assert assignments.function_of(name, test_id) == test.function
    assert assignments.graded_functions(ASSIGNMENT) == GRADED_FUNCTIONS


MACHINERY = (
    "batch/grade",
    "batch/worker",
    "batch/plan",
    "batch/submissions",
    "batch/results",
    "plugins/export",
    "batch/analytics",
    "batch/mistakes",
    "batch/cluster",
    "tools/demo",
    "tools/samples",
    "plugins/lms",
)


@pytest.mark.parametrize("module", MACHINERY)
def test_the_grading_machinery_names_no_assignment(module):
    """It takes the assignments and their functions from the registry (assignments.py)."""
    code = (COURSE_ROOT / "dnngrader" / f"{module}.py").read_text()
    assert APPLICATION not in code and "APPLICATION" not in code
    imported = {
        alias.name
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.ImportFrom) and node.module == "paths"
        for alias in node.names
    }
    assert not imported & {"ASSIGNMENT", "GRADED_FUNCTIONS"} or module in ("plugins/lms",), imported


def test_the_sheet_has_empty_cells_where_a_student_did_not_submit():
    first = {
        "student": "ann",
        **{name: 1.0 for name in GRADED_FUNCTIONS},
        "total": 10.0,
        "max": 100.0,
        "flagged": True,
        "notes": "tampering detected: numpy.py",
    }
    second = {
        "student": "bob",
        "initialize_parameters_deep_scaled": 15.0,
        "two_layer_model": 0.0,
        "L_layer_model": 35.0,
        "predict": 20.0,
        "total": 70.0,
        "max": 100.0,
        "flagged": False,
        "notes": "a note",
    }
    also = {**second, "student": "ann", "notes": ""}
    rows = export.sheet_rows({ASSIGNMENT: [first], APPLICATION: [also, second]}, [ASSIGNMENT, APPLICATION])
    by_student = {row["student"]: row for row in rows}
    assert list(by_student) == ["ann", "bob"]
    assert by_student["ann"][f"{ASSIGNMENT}:total"] == 10.0 and by_student["ann"][f"{APPLICATION}:total"] == 70.0
    assert by_student["bob"][f"{ASSIGNMENT}:total"] is None
    assert by_student["bob"][f"{ASSIGNMENT}:linear_forward"] is None
    assert by_student["ann"]["flagged"] and not by_student["bob"]["flagged"]
    assert by_student["ann"]["notes"] == f"{ASSIGNMENT}: tampering detected: numpy.py"
    assert by_student["bob"]["notes"] == f"{APPLICATION}: a note"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=export.columns([ASSIGNMENT, APPLICATION]))
    writer.writeheader()
    writer.writerows(rows)
    bob = list(csv.DictReader(io.StringIO(out.getvalue())))[1]
    assert bob[f"{ASSIGNMENT}:total"] == "" and bob[f"{APPLICATION}:two_layer_model"] == "0.0"


def test_samples_know_their_assignment():
    assert samples.with_samples() == [ASSIGNMENT, APPLICATION]
    assert samples.sample_students(ASSIGNMENT) == sorted(p.stem for p in (COURSE_ROOT / "samples").glob("*.py"))
    assert {"ada_full_marks", "ben_blank", *MISTAKES} == set(APPLICATION_STUDENTS)
    for spec in samples.sample_files(APPLICATION):
        assert samples.assignment_of(spec) == APPLICATION
        answers, start_from = samples.parse_answers(spec.read_text(), APPLICATION)
        assert set(answers) <= {MISTAKES.get(spec.stem)}, spec.stem  # one function each, or none
    assert samples.assignment_of(samples.sample_files()[0]) == ASSIGNMENT


# ---------------------------------------------------------------------------------------------
# Graded for real
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    if not sandbox.available():
        pytest.skip(f"the grading sandbox cannot run here: {sandbox.unavailable_reason()}")
    return copy_of_blank_course(
        tmp_path_factory, tmp_path_factory.mktemp("both") / "course", assignments=(ASSIGNMENT, APPLICATION)
    )


def _copy(blank, tmp_path_factory, name):
    root = tmp_path_factory.mktemp(name) / "course"
    shutil.copytree(blank.root, root, symlinks=True)
    course = ScratchCourse(root)
    samples.write_samples(course.submitted, root / "release" / APPLICATION / f"{APPLICATION}.ipynb", APPLICATION)
    return course


@pytest.fixture(scope="module")
def stock(blank, tmp_path_factory):
    course = _copy(blank, tmp_path_factory, "stock")
    done = course.autograde(assignment=APPLICATION)
    assert done.returncode == 0, done.stderr[-3000:]
    return gradebook_snapshot(course)


@pytest.fixture(scope="module")
def kit(blank, tmp_path_factory):
    """The kit's course: the second assignment graded alone, then both with no --assignment."""
    course = _copy(blank, tmp_path_factory, "kit")
    alone = course.grade("--assignment", APPLICATION, "--jobs", "2", timeout=GRADE_TIMEOUT)
    graded_alone = gradebook_snapshot(course)
    for student in FIRST_STUDENTS:
        answers, start_from = samples.parse_answers((COURSE_ROOT / "samples" / f"{student}.py").read_text())
        samples.write_submission(
            samples.fill_answers(answers, start_from, course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
            student,
            course.submitted,
            course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        )
    (course.submitted / EMPTY / APPLICATION).mkdir(parents=True)
    (course.submitted / EMPTY / APPLICATION / "notes.txt").write_text("I could not finish\n")
    both = course.grade("--jobs", "2", timeout=GRADE_TIMEOUT)
    reports = course.root / "reports"
    return {
        "course": course,
        "alone": alone,
        "graded_alone": graded_alone,
        "both": both,
        "csv": (reports / "grades.csv").read_text(),
        "png": reports / "grades.png",
        "mistakes": list(csv.DictReader((reports / "mistakes.csv").open())),
    }


def test_the_second_assignment_is_graded_as_stock_nbgrader_autograde_grades_it(stock, kit):
    done = kit["alone"]
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert (
        f"{APPLICATION}: {len(APPLICATION_STUDENTS)} submissions in submitted/: 0 already graded, "
        f"{len(APPLICATION_STUDENTS)} to grade" in done.stdout
    )
    assert ASSIGNMENT not in done.stdout.split("Pass rate")[0]  # only the assignment asked for
    assert sorted(stock["students"]) == APPLICATION_STUDENTS
    assert stock["rows"]["grade"] == len(APPLICATION_STUDENTS) * len(assignments.find(APPLICATION).tests)
    assert snapshot.differences(stock, kit["graded_alone"]) == []


def test_each_application_sample_loses_its_own_function(kit):
    grades = kit["course"].grades(APPLICATION)
    full = export.max_points
    with Gradebook(kit["course"].db_url, COURSE_ID) as gradebook:
        points = full(gradebook, APPLICATION)
    assert list(points) == list(assignments.graded_functions(APPLICATION)) and sum(points.values()) == 100
    assert grades["ada_full_marks"]["total"] == 100 and grades["ben_blank"]["total"] == 0
    for student, function in MISTAKES.items():
        for name, most in points.items():
            assert grades[student][name] == (0 if name == function else most), (student, name)


def test_one_run_grades_every_assignment_with_submissions(kit):
    done = kit["both"]
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-3000:]  # ivy has nothing to grade
    assert f"No notebook to grade in the submission folder of {EMPTY} ({APPLICATION})" in done.stderr
    assert "could not be graded" not in done.stderr
    assert f"{ASSIGNMENT}: 2 submissions in submitted/: 0 already graded, 2 to grade" in done.stdout
    assert (
        f"{APPLICATION}: {len(APPLICATION_STUDENTS)} submissions in submitted/: "
        f"{len(APPLICATION_STUDENTS)} already graded, 0 to grade" in done.stdout
    )
    assert done.stdout.index(f"{ASSIGNMENT}: 2 submissions") < done.stdout.index(f"{APPLICATION}: ")
    graded = gradebook_snapshot(kit["course"])["students"]
    assert graded["ada_full_marks"]["submissions"][ASSIGNMENT]["score"] == 100
    assert graded["dev_cost_and_keys"]["submissions"][ASSIGNMENT]["score"] < 100
    for student in FIRST_STUDENTS:
        assert (kit["course"].root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()
    for student in APPLICATION_STUDENTS:
        assert (kit["course"].root / "feedback" / student / APPLICATION / f"{APPLICATION}.html").is_file()


def test_the_grade_sheet_has_one_row_per_student_and_columns_per_assignment(kit):
    rows = list(csv.DictReader(io.StringIO(kit["csv"])))
    header = list(rows[0])
    assert header == export.columns([ASSIGNMENT, APPLICATION])
    assert header[:3] == ["student", f"{ASSIGNMENT}:total", f"{ASSIGNMENT}:max"]
    assert f"{APPLICATION}:two_layer_model" in header and header[-2:] == ["flagged", "notes"]
    by_student = {row["student"]: row for row in rows}
    everyone = sorted({*FIRST_STUDENTS, *APPLICATION_STUDENTS, EMPTY})
    assert [row["student"] for row in rows] == everyone
    graded = gradebook_snapshot(kit["course"])["students"]
    for student, row in by_student.items():
        for assignment in (ASSIGNMENT, APPLICATION):
            cells = [
                row[export.column(assignment, name)]
                for name in ("total", "max", *assignments.graded_functions(assignment))
            ]
            submission = graded.get(student, {}).get("submissions", {}).get(assignment)
            if submission is None and not (student == EMPTY and assignment == APPLICATION):
                assert cells == [""] * len(cells), (student, assignment)  # no submission: empty, not 0
                continue
            total = float(row[export.column(assignment, "total")])
            assert total == pytest.approx(sum(float(cell) for cell in cells[2:]))
            assert total == pytest.approx(submission["score"] if submission else 0.0), (student, assignment)
    assert by_student[EMPTY]["notes"] == (
        f"{APPLICATION}: not autograded: the submission has no {APPLICATION}.ipynb (it has no notebook at all)"
    )
    assert by_student[EMPTY][f"{APPLICATION}:max"] == "100.0"
    assert by_student["ada_full_marks"]["notes"] == "" and by_student["ada_full_marks"]["flagged"] == "False"


def test_nbgrader_export_writes_the_same_sheet(kit, tmp_path):
    destination = tmp_path / "grades.csv"
    done = kit["course"].nbgrader("export", "--to", str(destination), check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert destination.read_text() == kit["csv"]


def test_the_chart_has_a_row_of_panels_per_assignment(kit):
    drawn = analytics.read_plotted(kit["png"])
    assert drawn["order"] == [ASSIGNMENT, APPLICATION]
    first, second = drawn["assignments"][ASSIGNMENT], drawn["assignments"][APPLICATION]
    assert first["students"] == 2 and second["students"] == len(APPLICATION_STUDENTS) + 1  # ivy: 0 points
    assert list(second["pass_rate_percent"]) == list(assignments.graded_functions(APPLICATION))
    # Passing: ada everywhere, and each one-mistake student everywhere but in their mistake's function.
    students = second["students"]
    for function in assignments.graded_functions(APPLICATION):
        passed = 1 + sum(1 for student, wrong in MISTAKES.items() if wrong != function)
        assert second["pass_rate_percent"][function] == pytest.approx(100 * passed / students), function
    assert second["students_per_bin"][0] == 2 and second["students_per_bin"][-1] == 1  # ben, ivy; ada
    import matplotlib.image

    pixels = matplotlib.image.imread(kit["png"])
    assert pixels.shape[0] >= 800 and pixels.shape[1] >= 1000  # two rows of panels


def test_pass_rates_and_hints_are_printed_per_assignment(kit):
    out = kit["both"].stdout
    students = len(APPLICATION_STUDENTS) + 1
    for assignment, count in ((ASSIGNMENT, 2), (APPLICATION, students)):
        assert f"Pass rate per function of {assignment} (all of its points), {count} students:" in out
        assert f"Hints the judge gave per function ({assignment})" in out
    assert re.search(rf"^\s+predict\s+{students - 3}/{students}\s", out, re.M)  # not ben, ivy, gus
    assert out.index(f"Pass rate per function of {ASSIGNMENT}") < out.index(f"Pass rate per function of {APPLICATION}")
    assert {row["assignment"] for row in kit["mistakes"]} <= {ASSIGNMENT, APPLICATION}
    assert any(row["assignment"] == ASSIGNMENT for row in kit["mistakes"])  # dev's mistakes


def test_a_zip_needs_the_assignment_when_the_course_has_several(kit, tmp_path):
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as archive:
        archive.writestr("readme.txt", "nothing")
    done = kit["course"].grade("--zip", str(download), timeout=GRADE_TIMEOUT)
    assert done.returncode == 2 and "--assignment NAME" in done.stderr, done.stderr[-2000:]
    unknown = kit["course"].grade("--assignment", "no_such_assignment", timeout=GRADE_TIMEOUT)
    assert unknown.returncode == 2 and "does not know the assignment no_such_assignment" in unknown.stderr


def test_pass_rates_leave_out_submissions_not_graded_yet_or_failed():
    """`make grade ASSIGNMENT=one` reports the whole sheet: another assignment's submissions not
    graded yet have 0-point rows there, but the pass rates and chart leave them out, as they do a
    submission whose grading failed; one with nothing to grade counts with its 0 points."""
    from dnngrader.batch import grade
    from dnngrader.plugins import hooks

    rows = [
        {"student": "ann", "notes": ""},
        {"student": "bob", "notes": hooks.NOT_GRADED_YET},
        {"student": "cy", "notes": hooks.NOT_GRADED_YET},
        {"student": "di", "notes": "not autograded: the folder holds no notebook"},
    ]
    export.note_failures(rows, {"cy": "the worker died twice"})
    assert rows[2]["notes"].startswith("grading failed: the worker died twice")
    assert [row["student"] for row in rows if not grade._awaiting_grading(row)] == ["ann", "di"]
