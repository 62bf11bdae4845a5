"""A given cell that the student edits, as the notebook invites, is not the student's code.

The second notebook's section 4.6 asks students to set ``my_label`` or point ``my_image`` at a
photograph of their own, and its training-settings cell sets ``NUM_ITERATIONS``; both cells
use ``os`` as released.  Doing as asked used to flag the submission: "Tampering detected: cell 39
(added by the student) uses os.path" (../shared/cases/2026-12-06/, see its README).  The code
scan now compares each cell with the released cell it came from, and scans only what the
student wrote: the notebook's own code is never a finding, a suspicious call a student adds to a
given cell still is.

Checked three ways: the scan on the released cells themselves; FlagSuspiciousCode on a made-up
assignment (the plug-in knows no assignment); and the real `nbgrader autograde` of the shared
case and cases of our own of the same kind, of both assignments, the second graded beside a
correct first notebook.
"""

import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from dnngrader.paths import APPLICATION, ASSIGNMENT, COURSE_ROOT
from dnngrader.plugins import codescan, findings, sandbox
from dnngrader.plugins.sanitize import FlagSuspiciousCode, released_origin
from dnngrader.tools import samples
from shared_cases import application_case
from shared_setup import copy_of_blank_course

RELEASED = nbformat.read(str(COURSE_ROOT / "release" / APPLICATION / f"{APPLICATION}.ipynb"), as_version=4)


def released_cell(cell_id):
    return next(cell for cell in RELEASED.cells if cell.get("id") == cell_id)


OWN_IMAGE = released_cell("try_own_image").source
SETTINGS = released_cell("training_settings").source


def edited(source, old, new):
    """``source`` with ``old`` (which must occur in it) replaced by ``new``."""
    assert old in source, old
    return source.replace(old, new)


# ---------------------------------------------------------------------------------------------
# The scan, on the released cells
# ---------------------------------------------------------------------------------------------


def test_the_released_cells_hold_code_the_scan_would_flag_on_its_own():
    """The premise: scanned as a student's own cell, the notebook's code is suspicious."""
    assert [what for _, what in codescan.suspicious(OWN_IMAGE)] == ["uses os.path"]
    assert [what for _, what in codescan.suspicious(SETTINGS)] == ["uses os.environ"]


@pytest.mark.parametrize(
    "source, given",
    [
        (edited(OWN_IMAGE, "my_label = 0", "my_label = 1"), OWN_IMAGE),
        (edited(OWN_IMAGE, "my_image = sample_image_path()", 'my_image = "my_cat.jpg"'), OWN_IMAGE),
        (edited(SETTINGS, '"2500"', '"100"'), SETTINGS),  # the default, changed where it stands
        (edited(SETTINGS, 'int(os.environ.get("DNN_TRAINING_ITERATIONS", "2500"))', "100"), SETTINGS),
        # The given line moved and re-indented: still the notebook's code.
        ("if True:\n    " + OWN_IMAGE.splitlines()[-1] + "\n" + "\n".join(OWN_IMAGE.splitlines()[:-1]), OWN_IMAGE),
    ],
    ids=["label", "image_file", "default_in_place", "setting_replaced", "line_moved"],
)
def test_code_that_came_with_the_release_is_not_a_finding(source, given):
    assert codescan.suspicious(source, given) == []


@pytest.mark.parametrize(
    "added, what",
    [
        ("import os\nos.system('cat ../*.ipynb')", "uses os.system"),
        ("print(os.listdir('..'))", "uses os.listdir"),
        # The same module as the released code, another call: os.path.basename does not cover it.
        ("print(os.path.exists('/home'))", "uses os.path"),
        ("print(open('hidden_tests.py').read())", "calls open()"),
        ("print(os.environ.get('DNN_GRADEBOOK_URL'))", "uses os.environ"),
    ],
)
def test_suspicious_code_the_student_adds_to_a_given_cell_is_still_found(added, what):
    source = edited(OWN_IMAGE, "my_label = 0", "my_label = 1") + "\n" + added
    found = codescan.suspicious(source, OWN_IMAGE)
    assert what in [found_what for _, found_what in found], found
    # On the student's line, not on the notebook's own use of os further up.
    assert min(line for line, found_what in found if found_what == what) > len(OWN_IMAGE.splitlines())


def test_a_released_call_given_other_arguments_is_the_students():
    """A call is the released one only with the released arguments: open() pointed elsewhere
    is the student's doing."""
    given = 'with open("notes.txt") as handle:\n    text = handle.read()\n'
    assert codescan.suspicious(given.replace("notes.txt", "../source/answers.py"), given) == [
        (1, "calls open()"),
        (1, "refers to the grader's files or modules"),
    ]
    assert codescan.suspicious(given + "print(text)\n", given) == []


def test_without_a_released_cell_everything_is_scanned_as_before():
    assert codescan.suspicious(OWN_IMAGE, None) == codescan.suspicious(OWN_IMAGE) == [(13, "uses os.path")]


# ---------------------------------------------------------------------------------------------
# FlagSuspiciousCode on a made-up assignment
# ---------------------------------------------------------------------------------------------

GIVEN_SOURCE = 'folder = "pictures"\nprint(os.listdir(folder))\nsize = 64\n'
ANSWER_STUB = "def area(width, height):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"


def made_up_release(root):
    """release/some_exercise/some_exercise.ipynb under ``root``: a given cell that lists a folder
    and an answer cell."""
    given = new_code_cell(GIVEN_SOURCE)
    given["id"] = "given-listing"
    answer = new_code_cell(ANSWER_STUB)
    answer["id"] = "answer-area"
    answer.metadata["nbgrader"] = {
        "grade": False,
        "grade_id": "area",
        "locked": False,
        "schema_version": 3,
        "solution": True,
        "task": False,
    }
    notebook = new_notebook(cells=[given, answer])
    folder = root / "release" / "some_exercise"
    folder.mkdir(parents=True)
    nbformat.write(notebook, str(folder / "some_exercise.ipynb"))
    return notebook


def flagged(root, notebook):
    """The findings FlagSuspiciousCode records on ``notebook``, a submission of the made-up
    assignment in the course at ``root``."""
    notebook = copy.deepcopy(notebook)
    findings.reset(notebook)
    config = Config()
    config.CourseDirectory.root = str(root)
    resources = {"nbgrader": {"assignment": "some_exercise", "notebook": "some_exercise"}}
    FlagSuspiciousCode(config=config).preprocess(notebook, resources)
    return findings.of(notebook)


@pytest.fixture
def release(tmp_path):
    return made_up_release(tmp_path)


def test_an_edited_given_cell_is_known_by_its_id(tmp_path, release):
    submission = copy.deepcopy(release)
    submission.cells[0].source = GIVEN_SOURCE.replace('"pictures"', '"my_pictures"').replace("64", "128")
    assert flagged(tmp_path, submission) == []
    submission.cells[0].source += "import subprocess\nsubprocess.run(['ls', '/'])\n"
    assert flagged(tmp_path, submission) == [
        {
            "kind": findings.TAMPERING,
            "text": "cell 1 (given code, edited by the student) imports subprocess, "
            "which the exercise does not need (line 4).",
        }
    ]


def test_a_copy_of_a_given_cell_or_a_cell_without_an_id_is_known_by_its_likeness(tmp_path, release):
    """A cell of the student's own made by copying a given cell (Jupyter gives it a new id), or a
    notebook saved without cell ids, still has the notebook's code in it."""
    submission = copy.deepcopy(release)
    copied = new_code_cell(GIVEN_SOURCE.replace('"pictures"', '"holiday"'))
    copied["id"] = "pasted-1234"
    submission.cells.append(copied)
    del submission.cells[0]["id"]
    submission.cells[0].source = GIVEN_SOURCE.replace("64", "32")
    assert flagged(tmp_path, submission) == []


def test_a_cell_of_the_students_own_is_scanned_whole(tmp_path, release):
    submission = copy.deepcopy(release)
    own = new_code_cell("import os\nfor name in os.listdir('..'):\n    print(name)\n")
    own["id"] = "students-own"
    submission.cells.append(own)
    texts = findings.texts(flagged(tmp_path, submission), findings.TAMPERING)
    assert texts == [
        "cell 3 (added by the student) imports os, which the exercise does not need (line 1).",
        "cell 3 (added by the student) uses os.listdir (line 2).",
    ]


def test_an_answer_cell_is_compared_with_its_released_stub(tmp_path, release):
    submission = copy.deepcopy(release)
    submission.cells[1].source = ANSWER_STUB.replace("raise NotImplementedError()", "return width * height")
    assert flagged(tmp_path, submission) == []
    submission.cells[1].source += "print(open('../source/some_exercise/some_exercise.ipynb').read())\n"
    assert [entry["text"] for entry in flagged(tmp_path, submission)][
        0
    ] == "the answer cell of area calls open() (line 4)."


def test_without_the_release_every_cell_is_scanned(tmp_path, release):
    submission = copy.deepcopy(release)
    submission.cells[0].source = GIVEN_SOURCE.replace("64", "32")
    assert (
        flagged(tmp_path / "elsewhere", submission)[0]["text"]
        == "cell 1 (added by the student) uses os.listdir (line 2)."
    )


# ---------------------------------------------------------------------------------------------
# Graded by the real `nbgrader autograde`
# ---------------------------------------------------------------------------------------------


def application_solutions():
    """The second assignment's released notebook with every answer cell solved."""
    return samples.fill_answers({}, assignment=APPLICATION)


def with_cell(cell_id, change):
    """The solved second notebook with ``change(source)`` as the source of the cell ``cell_id``."""

    def make():
        notebook = application_solutions()
        cell = next(cell for cell in notebook.cells if cell.get("id") == cell_id)
        cell.source = change(cell.source)
        return notebook

    return make


def own_image_in_a_cell_of_ones_own():
    """Section 4.6 copied into a cell of the student's own (Jupyter gives a copy a new id), to try
    a second picture."""
    notebook = application_solutions()
    copied = copy.deepcopy(next(cell for cell in notebook.cells if cell.get("id") == "try_own_image"))
    copied["id"] = "a3c9e1f0"
    copied.source = edited(copied.source, "my_label = 0", "my_label = 1")
    copied.source = edited(copied.source, "my_image = sample_image_path()", 'my_image = "my_cat.jpg"')
    notebook.cells.append(copied)
    return notebook


# Section 4.6 rewritten to try two photographs: little of the released cell is left, but the cell
# id Jupyter keeps still says which given cell it is, so its released os.path.basename call is not
# the student's (in the kit's batch grader too, whose grading plan carries the release's cell ids).
OWN_IMAGE_REWRITTEN = """for my_image, my_label in (("my_cat.jpg", 1), (sample_image_path(), 0)):
    image, x = load_image(my_image)
    guess = int(predict(x, np.array([[my_label]]), parameters_deep)[0, 0])
    print(f"{os.path.basename(str(my_image))}: predicted {classes[guess].decode('utf-8')}")
"""


def test_the_rewritten_cell_is_known_by_its_id_only():
    """The premise of the case own_image_rewritten: too little is left for likeness to tell."""
    rewritten = new_code_cell(OWN_IMAGE_REWRITTEN)
    released = [
        {"id": None, "grade_id": None, "source": cell.source} for cell in RELEASED.cells if cell.cell_type == "code"
    ]
    assert released_origin(rewritten, released) is None
    rewritten["id"] = "try_own_image"
    released = [
        {"id": cell.get("id"), "grade_id": None, "source": cell.source}
        for cell in RELEASED.cells
        if cell.cell_type == "code"
    ]
    assert released_origin(rewritten, released)["source"] == OWN_IMAGE


def first_with_answer(function, change):
    """The solved first notebook with ``change(source)`` as the answer cell of ``function``."""

    def make():
        notebook = samples.fill_answers({})
        cell = next(cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == function)
        cell.source = change(cell.source)
        return notebook

    return make


def first_answer_reworded(source):
    """The released docstring of compute_cost reworded and a comment of the student's added."""
    return edited(source, '"""Cross-entropy cost.', '"""Cross-entropy cost (my notes: the mean log loss).').replace(
        "def compute_cost(AL, Y):", "def compute_cost(AL, Y):\n    # Checked by hand on two examples.", 1
    )


def first_answer_lists_files(source):
    return edited(
        source, "def compute_cost(AL, Y):", "import os\nprint(os.listdir('..'))\n\n\ndef compute_cost(AL, Y):"
    )


# student -> (notebook maker, flagged, texts the notes must contain) of the second assignment
APPLICATION_STUDENTS = {
    "own_image_label_changed": (
        lambda: nbformat.read(str(application_case("own_image_cell_label_changed.ipynb")), as_version=4),
        False,
        (),
    ),
    "own_image_file": (
        with_cell(
            "try_own_image", lambda source: edited(source, "my_image = sample_image_path()", 'my_image = "my_cat.jpg"')
        ),
        False,
        (),
    ),
    "own_image_own_cell": (own_image_in_a_cell_of_ones_own, False, ()),
    "own_image_rewritten": (with_cell("try_own_image", lambda source: OWN_IMAGE_REWRITTEN), False, ()),
    "iterations_set": (
        with_cell(
            "training_settings",
            lambda source: edited(source, 'int(os.environ.get("DNN_TRAINING_ITERATIONS", "2500"))', "100"),
        ),
        False,
        (),
    ),
    "iterations_default": (with_cell("training_settings", lambda source: edited(source, '"2500"', '"100"')), False, ()),
    # What a student adds to a given cell is still scanned.
    "own_image_lists_files": (
        with_cell(
            "try_own_image", lambda source: edited(source, "my_label = 0", "my_label = 1") + "\nprint(os.listdir('..'))"
        ),
        True,
        ("cell 40 (given code, edited by the student) uses os.listdir (line 14)",),
    ),
}
# the same, of the first assignment
FIRST_STUDENTS = {
    "first_answer_reworded": (first_with_answer("compute_cost", first_answer_reworded), False, ()),
    "first_answer_lists_files": (
        first_with_answer("compute_cost", first_answer_lists_files),
        True,
        ("the answer cell of compute_cost imports os", "the answer cell of compute_cost uses os.listdir (line 2)"),
    ),
}
PHOTO = "my_cat.jpg"
WITH_PHOTO = {"own_image_file", "own_image_own_cell", "own_image_rewritten"}  # handed in beside the notebook


def write_photo(path):
    """A small JPEG, as a student's own photograph would be."""
    from PIL import Image

    Image.new("RGB", (96, 72), (200, 140, 60)).save(path, "JPEG")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    if not sandbox.available():
        pytest.skip(f"the grading sandbox cannot run here: {sandbox.unavailable_reason()}")
    course = copy_of_blank_course(
        tmp_path_factory, tmp_path_factory.mktemp("edited_given") / "course", assignments=(ASSIGNMENT, APPLICATION)
    )
    first_release = course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    app_release = course.root / "release" / APPLICATION / f"{APPLICATION}.ipynb"
    for student, (make, _, _) in APPLICATION_STUDENTS.items():
        folder = samples.write_submission(make(), student, course.submitted, app_release, APPLICATION)
        if student in WITH_PHOTO:
            write_photo(folder / PHOTO)
        # Beside it, as in the student's own folder, a correct first notebook.
        samples.write_submission(samples.fill_answers({}), student, course.submitted, first_release)
    for student, (make, _, _) in FIRST_STUDENTS.items():
        samples.write_submission(make(), student, course.submitted, first_release)
    course.runs = [course.autograde(assignment=APPLICATION), course.autograde(student="first_*", assignment=ASSIGNMENT)]
    first_rows = course.grades(ASSIGNMENT)
    course.rows = {**course.grades(APPLICATION), **{student: first_rows[student] for student in FIRST_STUDENTS}}
    return course


def test_both_runs_went_through(course):
    for done in course.runs:
        assert done.returncode == 0, done.stderr[-3000:]
    assert set(APPLICATION_STUDENTS) | set(FIRST_STUDENTS) <= set(course.rows)


@pytest.mark.parametrize("student", sorted({**APPLICATION_STUDENTS, **FIRST_STUDENTS}))
def test_full_marks_and_flagged_only_for_what_the_student_added(course, student):
    _, flag, says = {**APPLICATION_STUDENTS, **FIRST_STUDENTS}[student]
    row = course.rows[student]
    assert row["total"] == 100, row
    assert row["flagged"] is flag, row["notes"]
    assert "added by the student" not in row["notes"], row["notes"]
    # The notebook's own uses of os (os.path in 4.6, os.environ in the settings) are never findings.
    assert "uses os.path" not in row["notes"] and "uses os.environ" not in row["notes"], row["notes"]
    for text in says:
        assert text in row["notes"], row["notes"]
    if not flag:
        assert "tampering" not in row["notes"].lower() and "edited" not in row["notes"], row["notes"]


@pytest.mark.parametrize("student", sorted(name for name, (_, flag, _) in APPLICATION_STUDENTS.items() if not flag))
def test_the_graded_notebook_does_not_open_with_tampering(course, student):
    notebook = nbformat.read(str(course.autograded_notebook(student, APPLICATION)), as_version=4)
    assert not any("Tampering" in cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def test_the_kits_batch_grader_tells_them_apart_the_same_way(course):
    """`make grade`'s grader (dnngrader grade) gives every student of the second
    assignment the same total, flag and notes as `nbgrader autograde` did.  Last in this file: it
    grades the same submissions again."""
    done = course.grade("--assignment", APPLICATION, "--force", "--no-feedback", "--jobs", "2", timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    rows = course.grades(APPLICATION)
    for student in APPLICATION_STUDENTS:
        again, before = rows[student], course.rows[student]
        assert (again["total"], again["flagged"], again["notes"]) == (
            before["total"],
            before["flagged"],
            before["notes"],
        ), student
