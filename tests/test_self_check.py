"""What a student reads when a visible check fails: the problems and hints appear wherever the
failure is shown (the cell, nbgrader's Validate output), and the cell ends in one short line
instead of a traceback into dnn_checks.py."""

import shutil
import subprocess
import sys

import nbformat
import pytest

from dnngrader.tools import samples
from dnngrader.tools.build import nbgrader_env
from dnngrader.paths import ASSIGNMENT, COURSE_ROOT

MISSING_MINUS_SIGN = """def compute_cost(AL, Y):
    m = Y.shape[1]
    return np.squeeze(np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m)
"""


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """A notebook whose compute_cost lacks the minus sign, run by `nbgrader validate`."""
    folder = tmp_path_factory.mktemp("student") / ASSIGNMENT
    shutil.copytree(COURSE_ROOT / "release" / ASSIGNMENT, folder)
    path = folder / f"{ASSIGNMENT}.ipynb"
    nbformat.write(samples.fill_answers({"compute_cost": MISSING_MINUS_SIGN}), str(path))
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", "validate", str(path)],
        cwd=folder,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.stdout + done.stderr


def test_validate_shows_the_problem_and_the_hint(validated):
    assert "The following cell failed" in validated
    assert "cost has the wrong value: expected 0.2797765635793422" in validated
    # The grader's hint for this mistake (dnngrader/assignments/dnn_step_by_step/hints.py), computed at build time.
    assert "Hint: the cost needs its minus sign" in validated
    assert "listed above" not in validated


def test_the_failing_cell_ends_in_one_short_line_without_frames_of_the_checking_module(tmp_path):
    from nbclient import NotebookClient

    folder = tmp_path / ASSIGNMENT
    shutil.copytree(COURSE_ROOT / "release" / ASSIGNMENT, folder)
    nb = samples.fill_answers({"compute_cost": MISSING_MINUS_SIGN})
    NotebookClient(nb, allow_errors=True, timeout=120, resources={"metadata": {"path": str(folder)}}).execute()
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_compute_cost")
    error = next(output for output in cell.outputs if output.output_type == "error")
    assert error.ename == "CheckFailed"
    shown = "\n".join(error.traceback)
    assert "dnn_checks.py" not in shown and "Traceback" not in shown
    assert "cost has the wrong value" in shown and "Hint: the cost needs its minus sign" in shown
    assert error.traceback[-1].startswith("CheckFailed: compute_cost does not pass its visible check")
