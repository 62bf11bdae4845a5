import atexit
import functools
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The kit is imported as installed (`make venv` installs it editable): no sys.path edit here.
# nbgrader runs `alembic` from PATH: the virtual environment's bin goes first.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

# Every run starts from an empty HOME and no Jupyter settings of the developer's, as on a fresh
# machine: a Jupyter runtime folder, a kernelspec or a config file left in a home folder must not
# make a test pass.  Removed when the test process ends.
os.environ["HOME"] = tempfile.mkdtemp(prefix="dnn-test-home-")
atexit.register(shutil.rmtree, os.environ["HOME"], ignore_errors=True)
for _name in [name for name in os.environ if name.startswith("JUPYTER_") or name == "XDG_RUNTIME_DIR"]:
    del os.environ[_name]

# One BLAS thread per process, as the grader gives each kernel (dnngrader/plugins/execute.py):
# the suite runs three test processes on the cores and each starts kernels, servers and commands
# beside it, so OpenBLAS's extra threads only spin against them.  A test that trains a model in
# process took 80 s instead of 8 that way.  Set before NumPy is first imported (below), inherited
# by every command a test starts; a value set by whoever runs the tests wins.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from dnngrader.kernel.notebook import test_cases  # noqa: E402
from dnngrader.paths import ASSIGNMENT, COURSE_ROOT  # noqa: E402
from dnngrader.tools.course import ScratchCourse  # noqa: E402
from grading_class import gradebook_snapshot, write_class  # noqa: E402
from shared_setup import copy_of_blank_course, made_once  # noqa: E402

# The kit's own test_cases.py is in no assignment's folder: the tests read the first assignment's
# practice cases where `make release` writes them for its notebook.
test_cases.PRACTICE_FOLDER = str(COURSE_ROOT / "source" / ASSIGNMENT)


@pytest.fixture(scope="session")
def scratch_course(tmp_path_factory):
    """A course directory of its own for the session, with the assignment registered."""
    return copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="session")
def class_submissions(tmp_path_factory):
    """The grading tests' class (grading_class.STUDENTS), in a folder laid out as submitted/."""
    folder = tmp_path_factory.mktemp("class")
    write_class(folder)
    return folder


@pytest.fixture(scope="session")
def new_class_course(tmp_path_factory, class_submissions):
    """Make a copy of the blank course (quicker than registering the assignment again) with
    the class's submissions."""

    def make(name):
        course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp(name) / "course")
        shutil.copytree(class_submissions, course.submitted)
        return course

    return make


def _stock_class(tmp_path_factory, class_submissions):
    """The folder, made once per test run, of the class graded by stock sequential `nbgrader
    autograde`: course/, the course it was graded in, and snapshot.json, its gradebook's snapshot."""

    def make(folder):
        course = copy_of_blank_course(tmp_path_factory, folder / "course")
        shutil.copytree(class_submissions, course.submitted)
        done = course.nbgrader("autograde", ASSIGNMENT, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        (folder / "snapshot.json").write_text(json.dumps(gradebook_snapshot(course)))

    return made_once(tmp_path_factory, "stock-snapshot", make)


@pytest.fixture(scope="session")
def stock_snapshot(tmp_path_factory, class_submissions):
    """Snapshot of the class's gradebook after stock sequential `nbgrader autograde`.  Made once
    per test run (tests/test_parallel_grade.py and tests/test_dask_cluster.py both compare with
    it, often on different xdist workers) and read back as the plain data it is."""
    return json.loads((_stock_class(tmp_path_factory, class_submissions) / "snapshot.json").read_text())


@pytest.fixture(scope="session")
def stock_graded_class(tmp_path_factory, class_submissions):
    """Make a copy of the course in which stock `nbgrader autograde` graded the class (the one
    stock_snapshot reads; tests/test_autograde.py reads its grades and grades more in it)."""

    def make(name):
        root = tmp_path_factory.mktemp(name) / "course"
        shutil.copytree(_stock_class(tmp_path_factory, class_submissions) / "course", root, symlinks=True)
        course = ScratchCourse(root)
        course.write_settings()
        return course

    return make


# The test files that take longest (summed test time of a whole run, longest first: `make test`
# at commit 3c2ae8b on 7 December 2026, 1111 tests, the machine quiet; every file of 25 s or
# more).  pytest-xdist hands whole files to its workers in collection order (pytest.ini: --dist
# loadfile --no-loadscope-reorder), so these go first and the short files fill in at the end:
# started last, a long file would leave the other workers idle while it runs.  Only the order of
# files changes; within a file the tests keep theirs.
LONGEST_FIRST = (
    "test_parallel_grade.py",
    "test_hostile.py",
    "test_dask_cluster.py",
    "test_instructor_commands.py",
    "test_sandbox.py",
    "test_timestamps.py",
    "test_hub_round_trip.py",
    "test_settings.py",
    "test_one_engine.py",
    "test_ci_workflows.py",
    "test_multi_assignment_grading.py",
    "test_application_catalogue.py",
    "test_grading_accuracy.py",
    "test_hub_courses.py",
    "test_edited_given_cells.py",
    "test_hub_exchange.py",
    "test_deadlines.py",
    "test_third_assignment.py",
    "test_hub_deadlines.py",
    "test_hub.py",
    "test_browser_round_trip.py",
    "test_grading_time.py",
    "test_shared_cases.py",
    "test_cli.py",
    "test_lms_names.py",
    "test_postgres.py",
    "test_kernel_preload.py",
    "test_student_lab.py",
    "test_application_grading.py",
    "test_application_notebook.py",
    "test_patches.py",
    "test_wheel.py",
    "test_validate.py",
    "test_strict_lending.py",
    "test_mistake_counts.py",
    "test_lab_browser.py",
)


@functools.cache
def _why_users_cannot_run_the_kit():
    from dnngrader.hub import access

    try:
        access.users_environment(ROOT)  # either environment lies in the clone: it checks the clone too
    except ValueError as error:
        return f"the hub tests cannot run: {error}"
    return None


@pytest.fixture(scope="module", autouse=True)  # before the module's hub fixture
def _users_reach_the_kit(request):
    """A hub test (test_hub*.py: real Unix users logged in to a hub, whose servers run the kit's
    environment) fails at once, saying why, when those users cannot run that environment (a
    clone in a folder only its owner can enter): instead of in the middle of its set-up, with
    "Permission denied"."""
    if request.path.name.startswith("test_hub"):
        problem = _why_users_cannot_run_the_kit()
        if problem:
            pytest.fail(problem, pytrace=False)


def pytest_collection_modifyitems(items):
    def rank(item):
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the other files, and every file's tests, stay in collection order
