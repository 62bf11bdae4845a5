"""A throwaway nbgrader course directory that shares this kit's code and assignment.

Tests, the grading report and the benchmark grade in one of these, so they never touch the
instructor's gradebook or submissions.  It links to the kit's code and source/, copies
nbgrader_config.py (which takes the course root from its own location), and registers the
assignments (the first one unless told otherwise) by generating their releases.
"""

import shutil
from pathlib import Path

from nbgrader.api import Gradebook

from dnngrader import assignments
from dnngrader.tools import build
from dnngrader.plugins import export
from dnngrader.paths import APPLICATION, ASSIGNMENT, COURSE_ROOT, SHARED_FILES

LINKED = ("dnngrader", "source", *SHARED_FILES)


class ScratchCourse:
    """A course directory at ``root``, with its own gradebook (``db_url``, default: gradebook.db
    in it) and exchange folder (``exchange``, default: exchange/ in it), whatever the environment
    says: DNN_GRADEBOOK_URL and DNN_EXCHANGE are set for every command run in it.
    ``assignments``: the assignments ``create`` registers (ASSIGNMENT, APPLICATION or both);
    only the first by default, as each costs a generate_assignment."""

    def __init__(self, root, db_url=None, exchange=None, assignments=(ASSIGNMENT,)):
        self.root = Path(root)
        self.assignments = tuple(assignments)
        self.db_url = db_url or f"sqlite:///{self.root / 'gradebook.db'}"
        self.exchange = Path(exchange) if exchange else self.root / "exchange"

    def create(self):
        """Lay the course out and run generate_assignment in it for each assignment; returns self."""
        self.root.mkdir(parents=True, exist_ok=True)
        for name in LINKED:
            link = self.root / name
            if not link.exists():
                link.symlink_to(COURSE_ROOT / name)
        shutil.copyfile(COURSE_ROOT / "nbgrader_config.py", self.root / "nbgrader_config.py")
        assignments.prepare_data(self.root, self.assignments)  # what make grade writes before it grades
        for assignment in self.assignments:
            if assignment == APPLICATION:  # its release leaves the data files out
                self.nbgrader(*build.application_generate_args())
            else:
                self.nbgrader("generate_assignment", assignment, "--force")
        return self

    @property
    def submitted(self):
        return self.root / "submitted"

    def env(self):
        """The environment of commands run in this course: its own gradebook and exchange."""
        env = build.nbgrader_env()
        env["DNN_GRADEBOOK_URL"] = self.db_url
        env["DNN_EXCHANGE"] = str(self.exchange)
        return env

    def nbgrader(self, *args, check=True, timeout=None):
        """Run an nbgrader command in this course; returns the CompletedProcess (output captured)."""
        import subprocess
        import sys
        return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=self.root, env=self.env(),
                              capture_output=True, text=True, check=check, timeout=timeout)

    def autograde(self, student=None, check=False, assignment=ASSIGNMENT):
        """Stock nbgrader autograde of ``assignment``: one student, or every submission in turn."""
        args = ["autograde", assignment, "--force"] + (["--student", student] if student else [])
        return self.nbgrader(*args, check=check)

    def grade(self, *args, timeout=None):
        """The kit's parallel grader (python -m dnngrader.batch.grade) on this course; output captured."""
        import subprocess
        import sys
        return subprocess.run([sys.executable, "-m", "dnngrader.batch.grade", "--course", str(self.root), *args],
                              cwd=self.root, env=self.env(), capture_output=True, text=True, timeout=timeout)

    def grades(self, assignment=ASSIGNMENT):
        """student -> the row of ``assignment`` (a score per function, total, max, flagged, notes;
        export.assignment_rows)."""
        with Gradebook(self.db_url) as gradebook:
            rows = export.assignment_rows(gradebook, assignment, autograded=self.root / "autograded")
        return {row["student"]: row for row in rows}

    def autograded_notebook(self, student, assignment=ASSIGNMENT):
        return self.root / "autograded" / student / assignment / f"{assignment}.ipynb"
