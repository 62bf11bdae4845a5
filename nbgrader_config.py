"""nbgrader configuration of the course.  The repository root is the course directory.

Settings an instructor may want to change can also come from the environment:
  DNN_GRADEBOOK_URL   gradebook database (default: sqlite file gradebook.db at the course root)
  DNN_EXCHANGE        exchange folder for nbgrader release/collect (default: exchange/ here)
  DNN_CELL_TIMEOUT    seconds a cell may run while grading (default: 60)
"""

import os
import sys

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, COURSE_ROOT)  # the kit's preprocessors live in dnngrader/ next to this file

from dnngrader import preprocessors as kit  # noqa: E402

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.course_id = "dnn-step-by-step"
c.CourseDirectory.db_url = os.environ.get(
    "DNN_GRADEBOOK_URL", "sqlite:///" + os.path.join(COURSE_ROOT, "gradebook.db"))

c.Exchange.root = os.environ.get("DNN_EXCHANGE", os.path.join(COURSE_ROOT, "exchange"))
os.makedirs(c.Exchange.root, exist_ok=True)

# The student version: solutions become this stub, hidden tests disappear.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Grading.
c.Execute.timeout = int(os.environ.get("DNN_CELL_TIMEOUT", "60"))
c.Execute.interrupt_on_timeout = True
c.OverwriteCells.add_missing_cells = True  # a deleted test cell is put back, then run
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute",
    # Replaces each test cell's output with the verdict judged outside the kernel: stray
    # stderr, warnings and anything a student cell does in the kernel cannot change a grade.
    kit.JudgeTestCells,
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# `nbgrader export` writes one row per student with a column per graded function.
c.ExportApp.plugin_class = "dnngrader.export.FunctionGradesExport"

# Feedback shows each test's verdict but not the hook that runs the hidden checks.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
