"""The hook of the hidden tests: ``run_hidden_tests(test_id)``.

The hidden part of every test cell of an instructor's notebook calls it (nbgrader removes that
part from the release).  The hidden cases and the judge live in the course kit, the installed
``dnngrader`` package, never in an assignment's folder: this hands the test cell to the kit's
kernel runtime (dnngrader/kernel/runtime.py), which a grading sandbox mounts read-only where the
environment finds it.  Nothing of the student's checks (dnn_checks.py, dnn_app_checks.py) is
imported on the way, so they never depend on the grader.
"""


def run_hidden_tests(test_id):
    """Run the hidden cases of the test cell ``test_id`` (its grade_id).  Raises RuntimeError when
    the notebook's environment does not have the course kit installed."""
    try:
        from dnngrader.kernel import runtime
    except ImportError as error:
        raise RuntimeError(
            "Hidden tests need the course kit (the dnngrader package) installed in this "
            f"notebook's environment: {error}"
        ) from None
    runtime.run_hidden_tests(test_id)
