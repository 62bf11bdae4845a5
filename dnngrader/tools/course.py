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
from dnngrader.paths import APPLICATION, ASSIGNMENT, COURSE_ROOT

LINKED = ("dnngrader", "source", "dnn_utils.py", "test_cases.py")


# Where the course's own settings start in its nbgrader_config.py (the kit's, copied, before it).
SETTINGS_MARKER = "# ScratchCourse: this course's own settings (dnngrader/tools/course.py)"


class ScratchCourse:
    """A course directory at ``root``, with its own gradebook (``db_url``, default: gradebook.db
    in it) and exchange folder (``exchange``, default: exchange/ in it), whatever the environment
    says (DNN_GRADEBOOK_URL and DNN_EXCHANGE are left out of the environment of the commands run
    in it), and ``settings`` ({"Class.trait": value}, e.g. {"ResilientExecute.timeout": 20}).
    Those that are not the defaults are written at the end of its nbgrader_config.py, after the
    kit's.  ``assignments``: the assignments ``create`` registers (ASSIGNMENT, APPLICATION or
    both); only the first by default, as each costs a generate_assignment."""

    def __init__(self, root, db_url=None, exchange=None, assignments=(ASSIGNMENT,), settings=None):
        self.root = Path(root)
        self.assignments = tuple(assignments)
        self.db_url = db_url or f"sqlite:///{self.root / 'gradebook.db'}"
        self.exchange = Path(exchange) if exchange else self.root / "exchange"
        self.settings = dict(settings or {})

    def create(self):
        """Lay the course out and run generate_assignment in it for each assignment; returns self."""
        self.root.mkdir(parents=True, exist_ok=True)
        for name in LINKED:
            link = self.root / name
            if not link.exists():
                link.symlink_to(COURSE_ROOT / name)
        shutil.copyfile(COURSE_ROOT / "nbgrader_config.py", self.root / "nbgrader_config.py")
        self.write_settings()
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

    def settings_lines(self):
        """The lines of nbgrader_config.py that set this course's own settings."""
        lines = []
        if self.db_url != f"sqlite:///{self.root / 'gradebook.db'}":
            lines.append(f"c.CourseDirectory.db_url = {self.db_url!r}")
        if self.exchange != self.root / "exchange":
            lines.append(f"c.Exchange.root = {str(self.exchange)!r}")
            lines.append("os.makedirs(c.Exchange.root, exist_ok=True)")
        lines += [f"c.{name} = {value!r}" for name, value in self.settings.items()]
        return lines

    def write_settings(self):
        """Write this course's own settings at the end of its nbgrader_config.py (replacing those
        written before); nothing when it has none, or no nbgrader_config.py yet."""
        path = self.root / "nbgrader_config.py"
        if not path.is_file():
            return
        text = path.read_text(encoding="utf-8")
        kit = text.split(f"\n{SETTINGS_MARKER}\n")[0]
        lines = self.settings_lines()
        wanted = kit + (f"\n{SETTINGS_MARKER}\n" + "\n".join(lines) + "\n" if lines else "")
        if wanted != text:
            path.write_text(wanted, encoding="utf-8")

    def env(self):
        """The environment of commands run in this course (its own gradebook and exchange come from
        its nbgrader_config.py, brought up to date here)."""
        self.write_settings()
        env = build.nbgrader_env()
        for name in ("DNN_GRADEBOOK_URL", "DNN_EXCHANGE"):  # deprecated: they would win over the defaults
            env.pop(name, None)
        return env

    def nbgrader(self, *args, check=True, timeout=None):
        """Run an nbgrader command in this course; returns the CompletedProcess (output captured)."""
        import subprocess
        import sys

        return subprocess.run(
            [sys.executable, "-m", "nbgrader", *args],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            check=check,
            timeout=timeout,
        )

    def autograde(self, student=None, check=False, assignment=ASSIGNMENT):
        """Stock nbgrader autograde of ``assignment``: one student, or every submission in turn."""
        args = ["autograde", assignment, "--force"] + (["--student", student] if student else [])
        return self.nbgrader(*args, check=check)

    def grade(self, *args, timeout=None):
        """The kit's parallel grader (dnngrader grade) on this course; output captured."""
        import subprocess
        import sys

        return subprocess.run(
            [sys.executable, "-m", "dnngrader.batch.prestart", "--course", str(self.root), *args],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def grades(self, assignment=ASSIGNMENT):
        """student -> the row of ``assignment`` (a score per function, total, max, flagged, notes;
        export.assignment_rows)."""
        with Gradebook(self.db_url) as gradebook:
            rows = export.assignment_rows(gradebook, assignment, autograded=self.root / "autograded")
        return {row["student"]: row for row in rows}

    def autograded_notebook(self, student, assignment=ASSIGNMENT):
        return self.root / "autograded" / student / assignment / f"{assignment}.ipynb"
