import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# nbgrader runs `alembic` from PATH: the virtual environment's bin goes first.
os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")

from dnngrader.course import ScratchCourse  # noqa: E402


@pytest.fixture(scope="session")
def scratch_course(tmp_path_factory):
    """A course directory of its own for the session, with the assignment registered."""
    return ScratchCourse(tmp_path_factory.mktemp("course")).create()
