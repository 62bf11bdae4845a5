"""`dnngrader validate`: real notebooks, built from the release, run in real kernels.

Each notebook runs once (module-scope fixtures); the tests read its exit status, its table and
its JSON.  Every notebook is laid out as a student has it: beside the release's helper files.
"""

import json
import shutil
import time
import os
import subprocess
import sys

import nbformat
import pytest

from dnngrader.tools import samples, validate
from dnngrader.paths import ASSIGNMENT, COURSE_ROOT, GRADED_FUNCTIONS

POINTS = {
    "initialize_parameters": 5,
    "initialize_parameters_deep": 10,
    "linear_forward": 5,
    "linear_activation_forward": 10,
    "L_model_forward": 15,
    "compute_cost": 10,
    "linear_backward": 10,
    "linear_activation_backward": 10,
    "L_model_backward": 15,
    "update_parameters": 10,
}
ZERO_COST = "def compute_cost(AL, Y):\n    return 0.0\n"


def cell_of(nb, grade_id):
    return next(cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def write(nb, root, name):
    """The notebook, written as a student's copy: in a folder of its own with the helpers."""
    folder = samples.write_submission(nb, name, root)
    return folder / f"{ASSIGNMENT}.ipynb"


def validate_cli(*args, env=None):
    """Run the command as a student does, from the repository root; (exit status, stdout, stderr)."""
    done = subprocess.run(
        [sys.executable, "-m", "dnngrader.tools.validate", *map(str, args)],
        cwd=COURSE_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=240,
    )
    return done.returncode, done.stdout, done.stderr


def read_json(path):
    result = json.loads(path.read_text())
    (notebook,) = result["notebooks"]
    return result, notebook


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("validate")


@pytest.fixture(scope="module")
def correct(root):
    path = write(samples.fill_answers({}), root, "correct")
    code, out, err = validate_cli(path, "--json", root / "correct.json")
    return code, out, err, root / "correct.json"


@pytest.fixture(scope="module")
def wrong_cost(root):
    # Under autograde the visible checks step aside for the grader: the command must not let an
    # inherited NBGRADER_EXECUTION make a wrong answer pass.
    path = write(samples.fill_answers({"compute_cost": ZERO_COST}), root, "wrong_cost")
    code, out, err = validate_cli(path, "--json", root / "wrong_cost.json", env={"NBGRADER_EXECUTION": "autograde"})
    return code, out, err, root / "wrong_cost.json"


@pytest.fixture(scope="module")
def untouched_release(root):
    path = write(nbformat.read(str(samples.RELEASE_NOTEBOOK), as_version=4), root, "release")
    return validate_cli(path, "--json", "-")


@pytest.fixture(scope="module")
def broken(root):
    """Errors of several kinds in one notebook, none of which may hide the others."""
    nb = samples.fill_answers(
        {
            # defined correctly, then a NameError further down its answer cell
            "linear_forward": (
                "def linear_forward(A, W, b):\n    Z = np.dot(W, A) + b\n    return Z, (A, W, b)\n\n"
                "print(not_defined_anywhere)\n"
            ),
            "compute_cost": "def compute_cost(AL, Y):\n    while True:\n        pass\n",
            "update_parameters": "import os\nos._exit(1)\n",
        }
    )
    # A cell of the student's own, with an error: shown, but it is no graded function's.
    position = nb.cells.index(cell_of(nb, "initialize_parameters"))
    nb.cells.insert(position, nbformat.v4.new_code_cell("scratch = 1 / 0"))
    path = write(nb, root, "broken")
    code, out, err = validate_cli(path, "--timeout", "3", "--json", root / "broken.json")
    return code, out, err, root / "broken.json"


@pytest.fixture(scope="module")
def damaged(root):
    nb = samples.fill_answers({})
    nb.cells.remove(cell_of(nb, "test_compute_cost"))
    del cell_of(nb, "test_linear_forward").metadata["nbgrader"]
    path = write(nb, root, "damaged")
    code, out, err = validate_cli(path, "--json", root / "damaged.json")
    return code, out, err, root / "damaged.json"


def test_correct_notebook_passes_with_exit_0(correct):
    code, out, err, report = correct
    assert code == 0, out + err
    assert "visible checks: 10 of 10 functions pass" in out
    assert "hidden cases" in out  # says what was not checked
    assert "FAIL" not in out and "Traceback" not in out + err
    result, notebook = read_json(report)
    assert result["exit_code"] == 0 and notebook["exit_code"] == 0 and notebook["errors"] == []
    assert list(notebook["functions"]) == list(GRADED_FUNCTIONS)
    assert {name: entry["points"] for name, entry in notebook["functions"].items()} == POINTS
    assert all(entry["passed"] is True for entry in notebook["functions"].values())
    parts = notebook["functions"]["linear_activation_forward"]["cells"]
    assert set(parts) == {
        "linear_activation_forward",
        "test_linear_activation_forward_sigmoid",
        "test_linear_activation_forward_relu",
    }


def test_one_wrong_function_exits_1_and_shows_the_checks_message(wrong_cost):
    code, out, err, report = wrong_cost
    assert code == 1, out + err
    assert "visible checks: 9 of 10 functions pass" in out
    row = next(line for line in out.splitlines() if line.strip().startswith("compute_cost "))
    assert row.split()[-1] == "FAIL" and row.split()[-2] == "10"
    assert "cost has the wrong value: expected 0.2797765635793422, got 0.0" in out
    result, notebook = read_json(report)
    assert result["exit_code"] == 1
    cost = notebook["functions"]["compute_cost"]
    assert cost["passed"] is False and cost["points"] == 10
    assert any("cost has the wrong value" in line for line in cost["messages"])
    assert all(entry["passed"] for name, entry in notebook["functions"].items() if name != "compute_cost")


def test_untouched_release_exits_1_every_function_not_written(untouched_release):
    code, out, err = untouched_release
    assert code == 1, out + err
    result = json.loads(out)  # --json -: stdout is the JSON only; the table goes to stderr
    assert "visible checks: 0 of 10 functions pass" in err
    (notebook,) = result["notebooks"]
    assert notebook["summary"].startswith("visible checks: 0 of 10")
    for name, entry in notebook["functions"].items():
        assert entry["passed"] is False, name
        assert any("NotImplementedError" in line and f"answer cell of {name}" in line for line in entry["messages"]), (
            entry["messages"]
        )


def test_errors_are_reported_where_they_happen_and_later_cells_still_run(broken):
    code, out, err, report = broken
    assert code == 1, out + err
    result, notebook = read_json(report)
    functions = notebook["functions"]
    # The NameError in linear_forward's answer cell is linear_forward's, though its check passes.
    forward = functions["linear_forward"]
    assert forward["passed"] is False
    assert forward["cells"]["test_linear_forward"]["passed"] is True
    assert any("NameError" in line and "not_defined_anywhere" in line for line in forward["messages"])
    # The endless loop is interrupted after the timeout; the cells after it still run.
    cost = functions["compute_cost"]
    assert cost["passed"] is False and any("3 s timeout" in line for line in cost["messages"])
    # ... and the message names the remedy for a cell that is meant to take long.
    assert any("--timeout SECONDS" in line for line in cost["messages"])
    assert all(
        functions[name]["passed"] for name in ("linear_backward", "linear_activation_backward", "L_model_backward")
    )
    # The kernel dies in update_parameters' answer cell: that function fails, and says why.
    update = functions["update_parameters"]
    assert update["passed"] is False and any("kernel died" in line for line in update["messages"])
    # The student's own cell: reported on its own, charged to no function.
    (other,) = notebook["other_cells"]
    assert other["first_line"] == "scratch = 1 / 0" and "ZeroDivisionError" in other["messages"][0]
    assert all(functions[name]["passed"] for name in ("initialize_parameters", "initialize_parameters_deep"))
    assert "visible checks: 7 of 10 functions pass" in out
    assert "not_defined_anywhere" in out and "ZeroDivisionError" in out


def test_a_deleted_test_cell_or_lost_metadata_exits_2(damaged):
    code, out, err, report = damaged
    assert code == 2, out + err
    assert "test_compute_cost (of compute_cost) is missing" in out
    assert "test_linear_forward (of linear_forward) has lost its nbgrader metadata" in out
    result, notebook = read_json(report)
    assert result["exit_code"] == 2 and len(notebook["errors"]) == 2
    assert notebook["functions"]["compute_cost"]["passed"] is None
    assert notebook["functions"]["linear_forward"]["passed"] is None
    # The rest of the notebook still ran and was checked.
    assert notebook["ran"] and notebook["functions"]["L_model_backward"]["passed"] is True
    assert "8 of 10 functions pass, 2 not checked" in notebook["summary"]


@pytest.mark.parametrize(
    "content, says",
    [
        ('{"cells": [', "is not valid JSON (Expecting value at line 1"),
        ('{"hello": "world"}', "is JSON but not a Jupyter notebook"),
        (None, "no such file"),
    ],
)
def test_an_unreadable_notebook_exits_2_with_a_plain_message(tmp_path, capsys, content, says):
    path = tmp_path / "dnn_step_by_step.ipynb"
    if content is not None:
        path.write_text(content)
    code = validate.main([str(path), "--json", str(tmp_path / "report.json")])
    out = capsys.readouterr().out
    assert code == 2
    assert says in out and "Traceback" not in out
    result = json.loads((tmp_path / "report.json").read_text())
    (notebook,) = result["notebooks"]
    assert result["exit_code"] == 2 and notebook["ran"] is False
    assert says in notebook["errors"][0] and notebook["functions"] == {}


def test_the_assignment_cells_come_from_the_nbgrader_metadata():
    cells = validate.assignment_cells(validate.default_assignment_notebook())
    answers = [cell.grade_id for cell in cells if cell.kind == "answer"]
    assert answers == list(GRADED_FUNCTIONS)
    owners = {cell.grade_id: cell.function for cell in cells if cell.kind == "test"}
    assert owners["test_initialize_parameters_deep"] == "initialize_parameters_deep"
    assert owners["test_linear_activation_backward_relu"] == "linear_activation_backward"
    assert sum(cell.points for cell in cells) == 100


def test_without_the_source_the_release_says_which_cells_are_graded(monkeypatch, tmp_path):
    """A clone without source/: the release notebook's metadata gives the same cells and points."""
    from_source = validate.assignment_cells(validate.SOURCE_NOTEBOOK)
    monkeypatch.setattr(validate, "SOURCE_NOTEBOOK", tmp_path / "no-source.ipynb")
    assert validate.default_assignment_notebook() == validate.RELEASE_NOTEBOOK
    assert validate.assignment_cells(validate.default_assignment_notebook()) == from_source


def test_make_validate_runs_the_working_copy_or_else_the_release(tmp_path):
    work = COURSE_ROOT / "work" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    default = work if work.is_file() else COURSE_ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    mine = tmp_path / "mine.ipynb"
    runs = [
        ([], [str(default.relative_to(COURSE_ROOT))]),
        ([f"NB={mine}", "VALIDATE_ARGS=--timeout 7 --json -"], [str(mine), "--timeout", "7", "--json", "-"]),
    ]
    for make_args, expected in runs:
        done = subprocess.run(
            ["make", "-n", "validate", *make_args], cwd=COURSE_ROOT, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        [line] = [line for line in done.stdout.splitlines() if line.split()[1:2] == ["validate"]]
        assert line.split()[0].endswith("/dnngrader") and line.split()[2:] == expected


def test_a_notebook_is_checked_against_the_assignment_its_file_name_names(tmp_path):
    from dnngrader.paths import APPLICATION_SOURCE_NOTEBOOK, SOURCE_NOTEBOOK
    from dnngrader.tools.validate import default_assignment_notebook

    work = tmp_path / "work"
    assert (
        default_assignment_notebook(work / "dnn_application" / "dnn_application.ipynb") == APPLICATION_SOURCE_NOTEBOOK
    )
    assert default_assignment_notebook(work / "dnn_step_by_step" / "dnn_step_by_step.ipynb") == SOURCE_NOTEBOOK
    assert default_assignment_notebook(work / "my copy.ipynb") == SOURCE_NOTEBOOK  # any other name: the first


def test_the_second_notebook_is_checked_without_its_training_cells(tmp_path):
    """The second notebook's training cells come after its last graded cell.  With NUM_ITERATIONS
    hard-coded to the full 2500 they would train for minutes and be cut at the 60 s timeout, and
    the cells after them would fail with NameErrors (issue 19).  validate does not run them, as
    the grader does not, says so, and passes the four functions well within the timeout."""
    from dnngrader.paths import APPLICATION, SOURCE_NOTEBOOK
    from test_application_grading import submission

    folder = tmp_path / APPLICATION
    shutil.copytree(COURSE_ROOT / "release" / APPLICATION, folder)
    # The first assignment's solutions beside it, where the notebook looks for the student's own.
    shutil.copytree(SOURCE_NOTEBOOK.parent, tmp_path / SOURCE_NOTEBOOK.parent.name)
    nb = submission({}, folder)
    settings = next(cell for cell in nb.cells if cell.source.startswith("NUM_ITERATIONS"))
    settings.source = settings.source.replace('int(os.environ.get("DNN_TRAINING_ITERATIONS", "2500"))', "2500")
    nbformat.write(nb, str(folder / f"{APPLICATION}.ipynb"))
    started = time.monotonic()
    code, out, err = validate_cli(folder / f"{APPLICATION}.ipynb", "--json", tmp_path / "report.json")
    assert code == 0, out + err
    assert time.monotonic() - started < 60  # 4 s on a quiet machine; training alone takes minutes
    _, notebook = read_json(tmp_path / "report.json")
    assert notebook["other_cells"] == []
    assert any("after the last graded cell" in note and "were not run here" in note for note in notebook["notes"])
    assert "visible checks: 4 of 4 functions pass" in out
