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

from dnngrader.course import ScratchCourse  # noqa: E402


@pytest.fixture(scope="session")
def scratch_course(tmp_path_factory):
    """A course directory of its own for the session, with the assignment registered."""
    return ScratchCourse(tmp_path_factory.mktemp("course")).create()
