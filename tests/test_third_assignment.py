"""A third assignment is a new folder, not edits across the package.

tests/third_assignment/ holds a tiny assignment, tiny_vectors: its content package (test plan,
reference, callees, classic mistakes) and its source notebook.  A copy of the kit gets the two
folders, dnngrader/assignments/tiny_vectors/ and source/tiny_vectors/, and nothing else changes;
then nbgrader releases it, and a class of four is graded end to end by `make grade` (Dask,
sandboxed kernels, the judge, feedback, the grade sheet, the class report of mistakes) and by
stock `nbgrader autograde`, which must agree.

The test process itself imports the kit without tiny_vectors, so everything about the graded
class is read from what the commands wrote: the gradebook, reports/ and feedback/.
"""

import csv
import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from dnngrader.paths import COURSE_ROOT
from dnngrader.plugins import sandbox
from dnngrader.tools import build
from dnngrader.tools.course import ScratchCourse

from grading_class import GRADE_TIMEOUT, gradebook_snapshot

NAME = "tiny_vectors"
FIXTURE = Path(__file__).resolve().parent / "third_assignment"
# student -> the answers they wrote (None: the released stub left as it is)
ANSWERS = {
    "ann_right": {
        "norm": "def norm(v):\n    return float(np.sqrt(np.sum(v * v)))",
        "unit_vector": "def unit_vector(v):\n    return v / norm(v)",
    },
    "bo_blank": {},
    # A norm without its square root, and a right unit_vector that calls it: the mistake
    # costs norm alone, as unit_vector is lent the reference norm while it is graded.
    "cy_no_sqrt": {
        "norm": "def norm(v):\n    return float(np.sum(v * v))",
        "unit_vector": "def unit_vector(v):\n    return v / norm(v)",
    },
    # Right for the visible case only.
    "di_hard_coded": {
        "norm": "def norm(v):\n    return 5.0",
        "unit_vector": "def unit_vector(v):\n    return np.array([0.6, 0.8])",
    },
    # Right answers, and the hidden tests' hook switched off: the tamper scan knows the hook of
    # this assignment too (an assignment's notebook_files), and a test cell whose hidden cases
    # sent no results earns nothing.
    "eve_patches_the_hook": {
        "norm": "import hidden_tests\nhidden_tests.run_hidden_tests = lambda test_id: None\n\n"
        "def norm(v):\n    return float(np.sqrt(np.sum(v * v)))",
        "unit_vector": "def unit_vector(v):\n    return v / norm(v)",
    },
}
EXPECTED = {
    "ann_right": {"norm": 5.0, "unit_vector": 5.0, "total": 10.0},
    "bo_blank": {"norm": 0.0, "unit_vector": 0.0, "total": 0.0},
    "cy_no_sqrt": {"norm": 0.0, "unit_vector": 5.0, "total": 5.0},
    "di_hard_coded": {"norm": 0.0, "unit_vector": 0.0, "total": 0.0},
    "eve_patches_the_hook": {"norm": 0.0, "unit_vector": 0.0, "total": 0.0},
}
NO_SQUARE_ROOT = "take np.sqrt of the sum"


def _kit_with_a_third_assignment(root):
    """A copy of the kit's package at ``root``, its source/ linked folder by folder, plus the two
    folders of tiny_vectors; the rest of a course is linked by ScratchCourse."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(COURSE_ROOT / "dnngrader", root / "dnngrader", ignore=ignore)
    shutil.copytree(FIXTURE / NAME, root / "dnngrader" / "assignments" / NAME, ignore=ignore)
    # source/ as the course has it (the other assignments' folders linked), with a new folder.
    for folder in (COURSE_ROOT / "source").iterdir():
        if folder.is_dir():
            (root / "source").mkdir(exist_ok=True)
            (root / "source" / folder.name).symlink_to(folder, target_is_directory=True)
    source = root / "source" / NAME
    source.mkdir(parents=True)
    shutil.copyfile(FIXTURE / f"{NAME}.ipynb", source / f"{NAME}.ipynb")
    # The hidden-test hook every assignment's folder carries, as `make release` copies it.
    (source / "hidden_tests.py").write_bytes(build.flat_copy("hidden_tests.py"))


def _submission(release, answers):
    notebook = nbformat.read(str(release), as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return notebook


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    if not sandbox.available():
        pytest.skip(f"the grading sandbox cannot run here: {sandbox.unavailable_reason()}")
    root = tmp_path_factory.mktemp("third") / "course"
    root.mkdir()
    _kit_with_a_third_assignment(root)
    course = ScratchCourse(root, assignments=(NAME,)).create()
    release = root / "release" / NAME / f"{NAME}.ipynb"
    for student, answers in ANSWERS.items():
        folder = course.submitted / student / NAME
        folder.mkdir(parents=True)
        shutil.copyfile(release.parent / "hidden_tests.py", folder / "hidden_tests.py")
        nbformat.write(_submission(release, answers), str(folder / release.name))
    return course


@pytest.fixture(scope="module")
def stock(course, tmp_path_factory):
    """The same class graded by stock `nbgrader autograde tiny_vectors`, in a copy of the course."""
    root = tmp_path_factory.mktemp("third_stock") / "course"
    shutil.copytree(course.root, root, symlinks=True)
    copy = ScratchCourse(root)
    done = copy.autograde(assignment=NAME)
    assert done.returncode == 0, done.stderr[-3000:]
    return gradebook_snapshot(copy)


@pytest.fixture(scope="module")
def graded(course):
    done = course.grade("--assignment", NAME, timeout=GRADE_TIMEOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with open(course.root / "reports" / "grades.csv", encoding="utf-8") as sheet:
        rows = {row["student"]: row for row in csv.DictReader(sheet)}
    with open(course.root / "reports" / "mistakes.csv", encoding="utf-8") as report:
        mistakes = list(csv.DictReader(report))
    return {"run": done, "rows": rows, "mistakes": mistakes, "snapshot": gradebook_snapshot(course)}


def test_the_new_folders_are_the_only_change(course):
    """Every file of the kit's package is in the copy, byte for byte; the only files added are
    the assignment's own."""
    kit, copy = COURSE_ROOT / "dnngrader", course.root / "dnngrader"

    def files(top):
        return {path.relative_to(top) for path in top.rglob("*") if path.is_file() and "__pycache__" not in path.parts}

    added = files(copy) - files(kit)
    assert files(kit) <= files(copy)
    assert added and all(path.parts[:2] == ("assignments", NAME) for path in added), added
    assert all(filecmp.cmp(kit / path, copy / path, shallow=False) for path in files(kit))


def test_the_registry_finds_it_in_the_course_order(course):
    code = "from dnngrader import assignments\nprint(assignments.names(), assignments.graded_functions('tiny_vectors'))"
    done = subprocess.run([sys.executable, "-c", code], cwd=course.root, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ("['dnn_step_by_step', 'dnn_application', 'tiny_vectors'] ('norm', 'unit_vector')")


def test_its_release_has_stubs_and_no_hidden_tests(course):
    release = (course.root / "release" / NAME / f"{NAME}.ipynb").read_text()
    assert "raise NotImplementedError" in release
    assert "BEGIN HIDDEN TESTS" not in release and "run_hidden_tests" not in release
    assert "np.sqrt" not in release


def test_every_student_gets_what_their_functions_earn(graded):
    rows = graded["rows"]
    assert set(rows) == set(ANSWERS)
    for student, expected in EXPECTED.items():
        got = {key: float(rows[student][f"{NAME}:{key}"]) for key in expected}
        assert got == expected, (student, got)
        assert float(rows[student][f"{NAME}:max"]) == 10.0


def test_make_grade_agrees_with_stock_nbgrader_autograde(graded, stock):
    assert graded["snapshot"] == stock


def test_the_class_report_counts_the_assignments_own_classic_mistake(graded):
    rows = [row for row in graded["mistakes"] if row["assignment"] == NAME]
    assert [(row["function"], row["students"]) for row in rows if NO_SQUARE_ROOT in row["hint"]] == [("norm", "1")]
    assert NO_SQUARE_ROOT in graded["run"].stdout


def test_feedback_explains_without_showing_hidden_inputs(course, graded):
    page = (course.root / "feedback" / "cy_no_sqrt" / NAME / f"{NAME}.html").read_text(encoding="utf-8")
    assert NO_SQUARE_ROOT in page
    assert "a hidden case: 7 values" in page
    for seed, size in ((1, 7), (2, 1)):
        for value in np.random.RandomState(seed).randn(size):
            assert f"{value:.4f}" not in page and f"{value * value:.4f}" not in page
    hard_coded = (course.root / "feedback" / "di_hard_coded" / NAME / f"{NAME}.html").read_text(encoding="utf-8")
    assert "the visible case passes but hidden ones fail" in hard_coded


def test_the_tamper_scan_names_a_patched_hook(course, graded):
    page = (course.root / "feedback" / "eve_patches_the_hook" / NAME / f"{NAME}.html").read_text(encoding="utf-8")
    assert "Tampering detected" in page and "hidden_tests.run_hidden_tests" in page
    honest = (course.root / "feedback" / "ann_right" / NAME / f"{NAME}.html").read_text(encoding="utf-8")
    assert "Tampering detected" not in honest


def test_make_release_knows_its_hook_copy(course):
    """`make release` copies the hidden-test hook next to a new assignment's notebook and releases
    it; `make course-check` (build --check) names a missing or stale copy."""
    code = "from dnngrader.tools import build\nprint([str(p) for p in build.stale_copies()])"

    def ask():
        return subprocess.run(
            [sys.executable, "-c", code], cwd=course.root, capture_output=True, text=True, check=True
        ).stdout.strip()

    assert ask() == "[]"
    hook = course.root / "source" / NAME / "hidden_tests.py"
    original = hook.read_text()
    try:
        hook.write_text(original + "# edited by hand\n")
        assert ask() == f"['source/{NAME}/hidden_tests.py']"
    finally:
        hook.write_text(original)
