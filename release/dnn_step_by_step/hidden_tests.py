"""The hook of the hidden tests: ``run_hidden_tests(test_id)``.

The hidden part of every test cell of an instructor's notebook calls it (nbgrader removes that
part from the release).  The hidden cases and the judge live with the course's grading code, the
``dnngrader`` package at the course root, never in an assignment's folder: this finds the package
in a folder above the notebook (the course root, or the folder a grading sandbox mounts it in)
and hands it the test cell.  Nothing of the student's checks (dnn_checks.py, dnn_app_checks.py)
is imported on the way, so they never depend on the grader.

Written once, at the course root; ``make release`` copies it next to each assignment's notebook.
"""

import os
import sys

RUNTIME = os.path.join("dnngrader", "judge", "runtime.py")


def run_hidden_tests(test_id):
    """Run the hidden cases of the test cell ``test_id`` (its grade_id).  Raises RuntimeError
    when no folder above the working folder holds the dnngrader package."""
    folder = os.path.abspath(os.getcwd())
    while not os.path.isfile(os.path.join(folder, RUNTIME)):
        parent = os.path.dirname(folder)
        if parent == folder:
            raise RuntimeError("Hidden tests need the course's dnngrader package, which was not "
                               "found above " + os.getcwd())
        folder = parent
    if folder not in sys.path:
        sys.path.append(folder)
    from dnngrader.judge import runtime

    runtime.run_hidden_tests(test_id)
