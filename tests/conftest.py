import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# nbgrader runs `alembic` from PATH: the virtual environment's bin goes first.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

# Every run starts from an empty HOME and no Jupyter settings of the developer's, as on a fresh
# machine: a Jupyter runtime folder, a kernelspec or a config file left in a home folder must not
# make a test pass.
os.environ["HOME"] = tempfile.mkdtemp(prefix="dnn-test-home-")
for _name in [name for name in os.environ if name.startswith("JUPYTER_") or name == "XDG_RUNTIME_DIR"]:
    del os.environ[_name]

import shutil  # noqa: E402

from dnngrader.tools.course import ScratchCourse  # noqa: E402
from dnngrader.paths import ASSIGNMENT  # noqa: E402
from grading_class import gradebook_snapshot, write_class  # noqa: E402


@pytest.fixture(scope="session")
def scratch_course(tmp_path_factory):
    """A course directory of its own for the session, with the assignment registered."""
    return ScratchCourse(tmp_path_factory.mktemp("course")).create()


@pytest.fixture(scope="session")
def class_submissions(tmp_path_factory):
    """The grading tests' class (grading_class.STUDENTS), in a folder laid out as submitted/."""
    folder = tmp_path_factory.mktemp("class")
    write_class(folder)
    return folder


@pytest.fixture(scope="session")
def class_blank_course(tmp_path_factory):
    """A scratch course with the assignment registered and nothing submitted, to copy."""
    return ScratchCourse(tmp_path_factory.mktemp("blank") / "course").create()


@pytest.fixture(scope="session")
def new_class_course(tmp_path_factory, class_blank_course, class_submissions):
    """Make a copy of the blank course (quicker than registering the assignment again) with
    the class's submissions."""
    def make(name):
        root = tmp_path_factory.mktemp(name) / "course"
        shutil.copytree(class_blank_course.root, root, symlinks=True)
        course = ScratchCourse(root)
        shutil.copytree(class_submissions, course.submitted)
        return course
    return make


@pytest.fixture(scope="session")
def stock_snapshot(new_class_course):
    """Snapshot of the class's gradebook after stock sequential `nbgrader autograde`."""
    course = new_class_course("stock")
    done = course.nbgrader("autograde", ASSIGNMENT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return gradebook_snapshot(course)
