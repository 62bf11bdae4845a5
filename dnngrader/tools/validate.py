"""Run notebooks of the assignment as a student's notebook runs, and say which visible checks pass.

    dnngrader validate NOTEBOOK... [--timeout SECONDS] [--json FILE|-] [--against NOTEBOOK]

`nbgrader validate` exits 0 even when tests fail (jupyter/nbgrader#1908).  This runs each notebook
for real, top to bottom, in a fresh kernel started in the notebook's own folder (nbclient, with
errors allowed, so one mistake does not hide the others), NOT under autograde: each test cell
runs the visible check a student sees.  It then reports, per graded function, whether the
function's answer cell ran and its test cells passed, with the checks' own messages for every
failure.  The hidden cases the grader also runs are not run here.

Exit status: 0 when every visible check passed; 1 when any failed (or could not run); 2 when a
notebook could not be checked: missing, not a notebook, invalid JSON, an answer or test cell of
the assignment missing or without its nbgrader metadata, or a kernel that would not start.

The assignment's graded cells (answer cells, test cells and their points) are read from the
nbgrader metadata of the notebook given with --against; by default, of the instructor's source
notebook when the course's source/ is there, else of the release notebook (a student who has
only a clone without source/).  Cells are matched by grade id, never by position: answer cells
are named after their function, test cells test_<function> or test_<function>_<part>.
"""

import argparse
import json
import logging
import os
import re
import sys
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from dnngrader.paths import ASSIGNMENT, RELEASE_NOTEBOOK, SOURCE_NOTEBOOK

EXIT_PASSED, EXIT_FAILED, EXIT_UNCHECKED = 0, 1, 2
DEFAULT_TIMEOUT = 60
# Said for every assignment: each has hidden cases of its own kind (other sizes and depths, other
# data sets and iteration counts), so the sentence names none.
NOT_CHECKED_HERE = (
    "the grader also runs hidden cases on inputs you have not seen (other sizes, "
    "and other values), which are not run here"
)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CELL_FRAME = re.compile(r"Cell In\[(\d+)\], line (\d+)")
# The kernel's own warnings that say nothing about the student's notebook.
KERNEL_NOISE = ("Kernel is running over TCP without encryption",)


# nbclient logs a timeout or a dead kernel as an error; the report says it in its own words.
_QUIET = logging.getLogger("dnngrader.tools.validate.nbclient")
_QUIET.setLevel(logging.CRITICAL)
_QUIET.propagate = False


class NotebookProblem(Exception):
    """A notebook that cannot be checked; the message says why, in words for a student."""


@dataclass
class GradedCell:
    """One graded cell of the assignment: an answer cell or a test cell."""

    grade_id: str
    kind: str  # "answer" or "test"
    function: str  # the graded function it belongs to
    points: float = 0  # a test cell's points; 0 for an answer cell


# ---------------------------------------------------------------------------------------------
# Reading notebooks
# ---------------------------------------------------------------------------------------------


def read_notebook(path):
    """The notebook at ``path`` as an nbformat v4 NotebookNode.

    Raises NotebookProblem, with a message a student can act on, when the file is missing, is a
    folder, is not text, is not valid JSON, is not a notebook or breaks the notebook format.
    """
    path = Path(path)
    if not path.exists():
        raise NotebookProblem(f"{path}: no such file.")
    if path.is_dir():
        raise NotebookProblem(f"{path} is a folder, not a notebook: give the path of the .ipynb file.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise NotebookProblem(f"{path} is not a notebook: it is not a text file.") from None
    except OSError as error:
        raise NotebookProblem(f"{path} cannot be read: {error.strerror or error}.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookProblem(
            f"{path} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}), so "
            "it is not a notebook Jupyter can open. Was it edited outside Jupyter? Take back an "
            "earlier version, or copy your answers into a fresh copy of the release."
        ) from None
    if not isinstance(data, dict) or "nbformat" not in data or not isinstance(data.get("cells", []), list):
        raise NotebookProblem(f"{path} is JSON but not a Jupyter notebook (no nbformat version or cells).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # nbformat's reader joins each cell's list of source lines, as Jupyter does.
            notebook = nbformat.convert(nbformat.reader.reads(text), 4)
            nbformat.validate(notebook)
    except Exception as error:  # nbformat's ValidationError, or a conversion that cannot work
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise NotebookProblem(f"{path} is not a valid notebook ({reason[:200]}).") from None
    return notebook


def _nbgrader(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def _owner(test_id, functions):
    """The graded function a test cell ``test_<function>`` or ``test_<function>_<part>`` belongs
    to: the longest matching one (test_initialize_parameters_deep is initialize_parameters_deep's)."""
    matching = [name for name in functions if test_id == f"test_{name}" or test_id.startswith(f"test_{name}_")]
    return max(matching, key=len) if matching else test_id.removeprefix("test_")


def assignment_cells(path):
    """The graded cells of the assignment, in notebook order, as read from the nbgrader metadata
    of the notebook at ``path`` (the instructor's source notebook, or a release notebook):
    answer cells (``solution``) and test cells (``grade``, with their points).

    Returns a list of GradedCell.  Raises NotebookProblem when that notebook cannot be read or
    has no graded cells.
    """
    notebook = read_notebook(path)
    answers, tests = [], {}
    for cell in notebook.cells:
        meta = _nbgrader(cell)
        grade_id = meta.get("grade_id")
        if not grade_id:
            continue
        if meta.get("grade"):
            points = float(meta.get("points") or 0)
            tests[grade_id] = int(points) if points.is_integer() else points
        elif meta.get("solution") and cell.cell_type == "code":
            answers.append(grade_id)
    if not answers or not tests:
        raise NotebookProblem(
            f"{path} has no answer cells or no test cells in its nbgrader metadata, "
            "so it cannot say what the assignment grades."
        )
    cells = []
    for cell in notebook.cells:
        grade_id = _nbgrader(cell).get("grade_id")
        if grade_id in answers:
            cells.append(GradedCell(grade_id, "answer", grade_id))
        elif grade_id in tests:
            cells.append(GradedCell(grade_id, "test", _owner(grade_id, answers), tests[grade_id]))
    return cells


def default_assignment_notebook(notebook=None):
    """Where the assignment's list of graded cells is read from: the source notebook when the
    course's source/ is there, else the release notebook.  The assignment is the one whose
    notebook has the file name of ``notebook`` (a Path; e.g. work/dnn_application/
    dnn_application.ipynb is checked against source/dnn_application/), else the first
    assignment.  Returns a Path, or None when neither exists."""
    candidates = []
    if notebook is not None:
        name = Path(notebook).stem
        # The folders of every assignment's source and release: source/ and release/.
        candidates = [Path(path).parent.parent / name / f"{name}.ipynb" for path in (SOURCE_NOTEBOOK, RELEASE_NOTEBOOK)]
    for path in (*candidates, SOURCE_NOTEBOOK, RELEASE_NOTEBOOK):
        if path.is_file():
            return path
    return None


def _display(path):
    """``path`` relative to the working directory when it is under it (shorter to read)."""
    path = Path(path).absolute()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ---------------------------------------------------------------------------------------------
# Comparing a student's notebook with the assignment
# ---------------------------------------------------------------------------------------------


def _looks_like(cell, expected):
    """Whether a cell without a grade id looks like the graded cell ``expected`` (so it has lost
    its nbgrader metadata rather than been deleted)."""
    if cell.cell_type != "code":
        return False
    source = cell.source
    if expected.kind == "answer":
        return re.search(rf"^\s*def\s+{re.escape(expected.function)}\s*\(", source, re.M) is not None
    if not re.search(rf"""check\(\s*["']{re.escape(expected.function)}["']""", source):
        return False
    part = expected.grade_id.removeprefix(f"test_{expected.function}").removeprefix("_")
    return not part or re.search(rf"""["']{re.escape(part)}["']""", source) is not None


def _repair(graded, release):
    """What a student does about a graded cell that is missing or lost its metadata."""
    if graded.kind == "answer":
        return (
            f"Open a fresh copy of {release}, paste your code for {graded.function} into its answer "
            "cell (and your other answers into theirs), and go on in that copy."
        )
    return (
        f"Put the cell back as released, from a fresh copy of {release} (test cells are locked: "
        "what they contain in your copy does not count)."
    )


def structure(notebook, expected):
    """How the graded cells of ``notebook`` compare with the assignment's (``expected``, a list
    of GradedCell).

    Returns (cells, errors, notes): ``cells`` maps each expected grade id to the indices of the
    notebook's cells that carry it; ``errors`` are the problems that stop a graded cell from
    being checked (missing, lost or changed nbgrader metadata); ``notes`` are the rest.
    """
    found = {}
    for index, cell in enumerate(notebook.cells):
        grade_id = _nbgrader(cell).get("grade_id")
        if grade_id:
            found.setdefault(grade_id, []).append(index)
    known = {cell.grade_id for cell in expected}
    release = _display(RELEASE_NOTEBOOK) if RELEASE_NOTEBOOK.is_file() else f"the release's {ASSIGNMENT}.ipynb"
    cells, errors, notes = {}, [], []
    for graded in expected:
        what = (
            f"the answer cell of {graded.function}"
            if graded.kind == "answer"
            else f"the test cell {graded.grade_id} (of {graded.function})"
        )
        indices = found.get(graded.grade_id, [])
        cells[graded.grade_id] = indices
        if not indices:
            lookalikes = [
                index
                for index, cell in enumerate(notebook.cells)
                if not _nbgrader(cell).get("grade_id") and _looks_like(cell, graded)
            ]
            if lookalikes:
                errors.append(
                    f"{what} has lost its nbgrader metadata (cell {lookalikes[0] + 1} looks like it "
                    f"but has no grade id {graded.grade_id!r}). {_repair(graded, release)}"
                )
            else:
                errors.append(
                    f"{what} is missing: no cell has the grade id {graded.grade_id!r}. {_repair(graded, release)}"
                )
            continue
        for index in indices:
            meta = _nbgrader(notebook.cells[index])
            flag = "solution" if graded.kind == "answer" else "grade"
            if not meta.get(flag):
                errors.append(
                    f"{what} (cell {index + 1}) has lost part of its nbgrader metadata: it is no "
                    f"longer marked as {'an answer' if graded.kind == 'answer' else 'a graded test'} "
                    f"cell. {_repair(graded, release)}"
                )
        if len(indices) > 1:
            notes.append(
                f"{len(indices)} cells carry the grade id {graded.grade_id!r} (cells "
                f"{', '.join(str(index + 1) for index in indices)}); the assignment has one. Delete "
                "the copies you made."
            )
    for grade_id, indices in found.items():
        if grade_id not in known and any(
            _nbgrader(notebook.cells[index]).get(flag) for index in indices for flag in ("grade", "solution")
        ):
            notes.append(
                f"cell {indices[0] + 1} is marked as graded with the grade id {grade_id!r}, which the "
                "assignment does not have."
            )
    return cells, errors, notes


# ---------------------------------------------------------------------------------------------
# Running a notebook
# ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    """What happened when a notebook ran: the executed notebook and, per cell index, why a
    cell did not run or was cut short (absent when it ran normally)."""

    notebook: object
    trouble: dict  # cell index -> message
    started: bool = True
    kernel_log: str = ""


def kernel_environment():
    """The environment of the kernel: the caller's, as when a student starts Jupyter, without
    nbgrader's execution markers (so a test cell runs its visible check, not the grader's
    hand-over to the judge)."""
    env = dict(os.environ)
    for name in ("NBGRADER_EXECUTION", "NBGRADER_VALIDATING"):
        env.pop(name, None)
    return env


def run_notebook(notebook, folder, timeout=DEFAULT_TIMEOUT, kernel_name="python3", upto=None):
    """Execute every code cell of ``notebook`` (changed in place), top to bottom, in a fresh
    kernel ``kernel_name`` started in ``folder``, with errors allowed so that later cells still
    run; with ``upto`` (a cell index), the cells after it are not run.  A cell running longer
    than ``timeout`` seconds is interrupted; if the kernel then does not answer, or dies, the
    remaining cells are not run.

    Returns a Run.  Raises nothing for what the notebook's code does; a kernel that cannot be
    started is reported as ``Run.started == False``.
    """
    client = NotebookClient(
        notebook,
        timeout=timeout,
        allow_errors=True,
        interrupt_on_timeout=True,
        # After an interrupt, do not wait for a kernel that may ignore it; the real
        # KeyboardInterrupt, if it comes, still lands in the cell's outputs.
        error_on_timeout={"ename": "CellTimeout", "evalue": f"interrupted after {timeout} s", "traceback": []},
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(folder)}},
        log=_QUIET,
    )
    trouble, timed_out = {}, set()

    def note_timeout(cell, cell_index, execute_reply):
        if (execute_reply or {}).get("content", {}).get("ename") == "CellTimeout":
            timed_out.add(cell_index)

    client.on_cell_executed = note_timeout
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as kernel_log:

        def log_tail():
            kernel_log.flush()
            kernel_log.seek(0)
            lines = [
                line
                for line in kernel_log.read().splitlines()
                if line.strip() and not any(noise in line for noise in KERNEL_NOISE)
            ]
            return "\n".join(lines[-15:])

        client.reset_execution_trackers()
        try:
            setup = client.setup_kernel(cwd=str(folder), env=kernel_environment(), stderr=kernel_log)
            setup.__enter__()
        except Exception as error:
            detail = log_tail()
            return Run(
                notebook,
                {},
                started=False,
                kernel_log=f"{type(error).__name__}: {error}" + (f"\n{detail}" if detail else ""),
            )
        try:
            lost = None
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code" or not cell.source.strip() or (upto is not None and index > upto):
                    continue
                if lost:
                    trouble[index] = f"not run: {lost}"
                    continue
                try:
                    client.execute_cell(cell, index)
                except DeadKernelError:
                    trouble[index] = "the kernel died while this cell ran (a crash, os._exit() or too much memory)"
                    last_words = log_tail().splitlines()[-1:]
                    if last_words:
                        trouble[index] += f"; the kernel's last message: {last_words[0].strip()[:200]}"
                    lost = f"the kernel died in cell {index + 1}"
                    continue
                except CellTimeoutError:
                    trouble[index] = f"no answer from the kernel after {timeout} s"
                    lost = f"the kernel stopped answering in cell {index + 1}"
                    continue
                if index in timed_out:
                    interrupted = any(output.get("output_type") == "error" for output in cell.outputs)
                    trouble[index] = (
                        f"the cell ran longer than the {timeout} s timeout and was interrupted "
                        "(an endless loop? a much too slow computation? If it is meant to take "
                        "that long, give it more time: --timeout SECONDS, or make validate "
                        "VALIDATE_ARGS='--timeout 300')"
                    )
                    if not interrupted:
                        lost = f"the kernel did not stop cell {index + 1} when interrupted"
                        trouble[index] += "; the kernel did not stop, so the cells after it were not run"
        finally:
            try:
                setup.__exit__(None, None, None)
            except Exception:  # a kernel that is already gone: nothing to clean up
                pass
        return Run(notebook, trouble, kernel_log=log_tail())


# ---------------------------------------------------------------------------------------------
# Reading the results
# ---------------------------------------------------------------------------------------------


def _lines(text):
    return [line.rstrip() for line in ANSI.sub("", text).splitlines() if line.strip()]


def _labels(notebook, expected):
    """cell index -> how to name that cell to a student."""
    by_id = {graded.grade_id: graded for graded in expected}
    labels = {}
    for index, cell in enumerate(notebook.cells):
        graded = by_id.get(_nbgrader(cell).get("grade_id"))
        if graded and graded.kind == "answer":
            labels[index] = f"the answer cell of {graded.function}"
        elif graded:
            labels[index] = f"the test cell {graded.grade_id}"
        else:
            labels[index] = f"cell {index + 1}"
    return labels


def cell_messages(notebook, index, labels):
    """The lines a student reads in cell ``index`` of an executed ``notebook``: what it printed
    (stdout, stderr, displayed text) and its error, if any, as "Name: message", with where the
    error was raised when that is another cell (or, in a cell other than a test cell, its line).

    Returns (lines, raised): raised is True when the cell ended in an error.
    """
    cell = notebook.cells[index]
    by_count = {
        other.get("execution_count"): position
        for position, other in enumerate(notebook.cells)
        if other.cell_type == "code" and other.get("execution_count")
    }
    lines, raised = [], False
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            lines += _lines(output.get("text", ""))
        elif kind in ("execute_result", "display_data"):
            lines += _lines(output.get("data", {}).get("text/plain", ""))
        elif kind == "error":
            raised = True
            ename, evalue = output.get("ename", "Error"), str(output.get("evalue", "")).strip()
            traceback = [ANSI.sub("", line) for line in output.get("traceback", [])]
            if traceback and not any("Traceback (most recent call last)" in line for line in traceback):
                # An error that renders itself (IPython's _render_traceback_, as the visible
                # checks' CheckFailed does): what the notebook shows is the message.
                def name_cell(match):
                    where = by_count.get(int(match[1]))
                    return f"line {match[2]}" + (f" of {labels[where]}" if where not in (None, index) else "")

                lines += _lines(CELL_FRAME.sub(name_cell, "\n".join(traceback)))
                continue
            text = f"{ename}: {evalue}" if evalue else ename
            if ename == "NotImplementedError":
                text += ": not written yet (replace raise NotImplementedError() with your code)"
            frames = CELL_FRAME.findall("\n".join(traceback))
            if frames:
                count, line = frames[-1]
                where = by_count.get(int(count))
                if where is not None and where != index:
                    text += f" (raised at line {line} of {labels[where]})"
                elif where == index and not labels[index].startswith("the test cell"):
                    text += f" (at line {line})"
            lines += text.splitlines()
    return lines, raised


def _ran(notebook, index, run, labels):
    """(lines, raised) of code cell ``index`` after ``run``: its messages, with why it was cut
    short or not run at all."""
    lines, raised = cell_messages(notebook, index, labels)
    if index in run.trouble:
        lines.append(run.trouble[index])
        raised = True
    return lines, raised


def _graded_result(notebook, graded, indices, run, labels):
    """The result of one graded cell of the assignment (``graded``), found at ``indices`` of the
    executed notebook: kind, points, passed (None when it is missing) and messages.  A test cell
    passes when it ran without an error; an answer cell, when it ran without one (its messages
    are then left out: what it prints is the student's own)."""
    result = {"kind": graded.kind, "points": graded.points, "passed": True, "messages": []}
    if not indices:
        result["passed"] = None
        what = "its answer cell" if graded.kind == "answer" else "this test cell"
        result["messages"].append(f"{what} is missing or has lost its nbgrader metadata, so it was not checked.")
    for index in indices:
        cell = notebook.cells[index]
        if cell.cell_type != "code":
            result["passed"] = False
            result["messages"].append(
                f"{labels[index]} (cell {index + 1}) is a {cell.cell_type} cell, so it "
                "never runs: make it a code cell again (in JupyterLab, select it and "
                "press Y)."
            )
            continue
        lines, raised = _ran(notebook, index, run, labels)
        if raised:
            result["passed"] = False
        if graded.kind == "test" or raised:
            result["messages"] += lines
    return result


def _settle(entry):
    """A function's verdict from its cells' results (any failure fails it; a missing cell leaves
    it unchecked), and its messages: those of the cells that did not pass (of every test cell
    when all passed), each line prefixed with its cell when more than one cell speaks."""
    states = [result["passed"] for result in entry["cells"].values()]
    entry["passed"] = False if False in states else (None if None in states else True)
    shown = {
        grade_id: result
        for grade_id, result in entry["cells"].items()
        if result["passed"] is not True and result["messages"]
    }
    if not shown:
        shown = {grade_id: result for grade_id, result in entry["cells"].items() if result["kind"] == "test"}
    prefix = len(shown) > 1
    entry["messages"] = []
    for grade_id, result in shown.items():
        name = "answer cell" if result["kind"] == "answer" else grade_id
        entry["messages"] += [
            f"{name}: {line}" if prefix or result["kind"] == "answer" else line for line in result["messages"]
        ]
    if float(entry["points"]).is_integer():
        entry["points"] = int(entry["points"])


def due_notes(path):
    """[the due date of the notebook's assignment as the course sets it, in the student's time
    zone, with her extension] (dnngrader/tools/deadlines.py); [] when none is set.  Where the kit
    is not installed (self_check.py, this file's copy; a hub's student), it is read by the
    due_date.py released next to the notebook, from the course's settings or the due dates the
    course publishes in its exchange."""
    try:
        from dnngrader.tools.deadlines import due_line
    except Exception:  # no kit, or one this user may not read (a hub closes the course to students)
        due_line = _released_due_line
    due = due_line(path)
    return [due] if due else []


def _released_due_line(path):
    """The due line as the due_date.py next to the notebook ``path`` gives it; None when there is
    no such module or no due date."""
    import importlib.util

    module_path = Path(path).absolute().parent / "due_date.py"
    try:
        spec = importlib.util.spec_from_file_location("_released_due_date", module_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.due_line(module.find(Path(path).stem, Path(path).absolute().parent))
    except Exception:
        return None


def validate_notebook(path, expected, timeout=DEFAULT_TIMEOUT, kernel_name="python3", against=None):
    """Check one notebook: read it, compare its graded cells with the assignment's
    (``expected``: a list of GradedCell, read from ``against``, a path shown in the report), run
    it and read each graded function's result.

    Returns a dict: path, checked_against, ran, exit_code (0, 1 or 2), summary, functions
    (function -> passed (True, False, or None when not checked), points, messages, cells),
    other_cells (errors in cells that are not graded), errors and notes.  Raises nothing for a
    bad notebook: its problems are in ``errors``.
    """
    report = {
        "path": _display(path),
        "checked_against": _display(against) if against else None,
        "ran": False,
        "exit_code": EXIT_UNCHECKED,
        "summary": "",
        "functions": {},
        "other_cells": [],
        "errors": [],
        "notes": [],
    }
    try:
        notebook = read_notebook(path)
    except NotebookProblem as problem:
        report["errors"].append(str(problem))
        report["summary"] = "nothing checked: the notebook cannot be read."
        return report
    cells, errors, notes = structure(notebook, expected)
    report["errors"] += errors
    report["notes"] += due_notes(path) + notes
    folder = Path(path).absolute().parent
    # Every visible check is in a graded cell: the cells after the last one (training on the
    # images, figures, experiments) are not graded and may run for minutes, so they are not run
    # here, as the grader does not run them either.
    graded_indices = {index for indices in cells.values() for index in indices}
    last = max(graded_indices) if graded_indices else None
    skipped = [
        index
        for index, cell in enumerate(notebook.cells)
        if last is not None and index > last and cell.cell_type == "code" and cell.source.strip()
    ]
    if skipped:
        report["notes"].append(
            f"the {len(skipped)} code cell{'s' if len(skipped) != 1 else ''} after the last "
            "graded cell (not graded: training, figures, your own experiments) "
            f"{'were' if len(skipped) != 1 else 'was'} not run here; run "
            f"{'them' if len(skipped) != 1 else 'it'} in your notebook."
        )
    run = run_notebook(notebook, folder, timeout, kernel_name, upto=last)
    if not run.started:
        report["errors"].append(f"the kernel {kernel_name!r} would not start, so nothing ran: {run.kernel_log}")
        report["summary"] = "nothing checked: the kernel would not start."
        return report
    report["ran"] = True
    labels = _labels(notebook, expected)
    functions = report["functions"]
    for graded in expected:
        entry = functions.setdefault(graded.function, {"passed": True, "points": 0, "messages": [], "cells": {}})
        entry["points"] += graded.points
        entry["cells"][graded.grade_id] = _graded_result(notebook, graded, cells[graded.grade_id], run, labels)
    for entry in functions.values():
        _settle(entry)
    for index, cell in enumerate(notebook.cells):
        if index in graded_indices or cell.cell_type != "code":
            continue
        lines, raised = _ran(notebook, index, run, labels)
        if raised:
            report["other_cells"].append(
                {
                    "cell": index + 1,
                    "grade_id": _nbgrader(cell).get("grade_id"),
                    "first_line": cell.source.strip().splitlines()[0][:80],
                    "messages": lines,
                }
            )
    passed = sum(entry["passed"] is True for entry in functions.values())
    unchecked = sum(entry["passed"] is None for entry in functions.values())
    summary = f"visible checks: {passed} of {len(functions)} functions pass"
    if unchecked:
        summary += f", {unchecked} not checked (a graded cell is missing)"
    report["summary"] = summary + f"; {NOT_CHECKED_HERE}."
    if report["errors"]:
        report["exit_code"] = EXIT_UNCHECKED
    elif passed == len(functions):
        report["exit_code"] = EXIT_PASSED
    else:
        report["exit_code"] = EXIT_FAILED
    return report


# ---------------------------------------------------------------------------------------------
# Showing the results
# ---------------------------------------------------------------------------------------------


def format_report(report):
    """The text a student reads for one notebook's report (a dict from validate_notebook)."""
    out = [f"{report['path']}"]
    if report["checked_against"]:
        out[0] += f"  (graded cells compared with {report['checked_against']})"
    for error in report["errors"]:
        out.append(f"  ERROR: {error}")
    for note in report["notes"]:
        out.append(f"  note: {note}")
    if report["functions"]:
        width = max(len("function"), *(len(name) for name in report["functions"]))
        out.append("")
        out.append(f"  {'function':<{width}}  points  visible check")
        for name, entry in report["functions"].items():
            state = {True: "pass", False: "FAIL", None: "not checked"}[entry["passed"]]
            out.append(f"  {name:<{width}}  {entry['points']:>6}  {state}")
    for cell in report["other_cells"]:
        out.append("")
        which = f"cell {cell['cell']}" + (f" ({cell['grade_id']})" if cell["grade_id"] else "")
        out.append(f"{which}, not graded, raised an error (it starts with: {cell['first_line']}):")
        out += [f"    {line}" for line in cell["messages"]]
    for name, entry in report["functions"].items():
        if entry["passed"] is True:
            continue
        out.append("")
        out.append(f"{name}: {'FAIL' if entry['passed'] is False else 'not checked'}")
        for grade_id, result in entry["cells"].items():
            if result["passed"] is True or not result["messages"]:
                continue
            out.append(f"  {grade_id}:" if result["kind"] == "test" else "  its answer cell:")
            out += [f"    {line}" for line in result["messages"]]
    out.append("")
    out.append(report["summary"])
    return "\n".join(out)


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="dnngrader validate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "notebooks",
        nargs="+",
        metavar="NOTEBOOK",
        type=Path,
        help="the notebooks to run and check, e.g. work/dnn_step_by_step/dnn_step_by_step.ipynb",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="seconds a cell may run before it is interrupted (default: %(default)s)",
    )
    parser.add_argument(
        "--json",
        metavar="FILE",
        help="also write the results as JSON to FILE ('-' for stdout; the table then goes to stderr)",
    )
    parser.add_argument(
        "--against",
        type=Path,
        metavar="NOTEBOOK",
        help="read the assignment's graded cells (grade ids, points) from this notebook "
        f"(default: {_display(SOURCE_NOTEBOOK)} when it exists, else "
        f"{_display(RELEASE_NOTEBOOK)})",
    )
    parser.add_argument(
        "--kernel",
        default="python3",
        metavar="NAME",
        help="the kernelspec to run the notebooks in (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error("--timeout must be a positive number of seconds")
    return args


def main(argv=None):
    """Run the command line: check every notebook given, print a table per notebook, write the
    JSON when asked.  Returns the exit status: 0 when every visible check of every notebook
    passed, 1 when any failed, 2 when any notebook could not be checked."""
    args = parse_args(argv)
    text_out = sys.stderr if args.json == "-" else sys.stdout
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    against = args.against or default_assignment_notebook(args.notebooks[0])
    result = {
        "exit_code": EXIT_UNCHECKED,
        "checked_against": _display(against) if against else None,
        "notebooks": [],
        "errors": [],
    }
    expected = None
    if against is None:
        result["errors"].append(
            f"cannot tell which cells the assignment grades: neither "
            f"{_display(SOURCE_NOTEBOOK)} nor {_display(RELEASE_NOTEBOOK)} exists; "
            "give one with --against."
        )
    else:
        try:
            expected = assignment_cells(against)
        except NotebookProblem as problem:
            result["errors"].append(f"cannot tell which cells the assignment grades: {problem}")
    if expected is None:
        print(f"ERROR: {result['errors'][0]}", file=text_out)
    else:
        for index, path in enumerate(args.notebooks):
            if index:
                print("", file=text_out)
            report = validate_notebook(path, expected, args.timeout, args.kernel, against)
            result["notebooks"].append(report)
            print(format_report(report), file=text_out, flush=True)
        result["exit_code"] = max(report["exit_code"] for report in result["notebooks"])
    if args.json:
        text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
        if args.json == "-":
            sys.stdout.write(text)
        else:
            try:
                Path(args.json).write_text(text, encoding="utf-8")
            except OSError as error:
                print(f"ERROR: cannot write {args.json}: {error.strerror or error}", file=sys.stderr)
                return EXIT_UNCHECKED
    return result["exit_code"]


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
