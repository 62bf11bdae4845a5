"""Preprocessors that clean a submission before its notebook runs (nbgrader's sanitize step).

nbgrader_config.py puts them in ``Autograde.sanitize_preprocessors``, so they run for the
command line and the formgrader alike:

- ``InspectSubmissionFolder``: files next to the notebook (shadowing modules, replaced helpers,
  extra notebooks, junk);
- ``RestoreGradedCells``: the graded cells' metadata, order and presence, before nbgrader's
  OverwriteCells restores their source;
- ``FlagSuspiciousCode``: the code the student wrote, scanned for code aimed at the grader.
"""

import difflib
import fnmatch
import importlib.util
import json
import shutil
import sys
from pathlib import Path

from nbformat.v4 import new_code_cell, new_markdown_cell
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from dnngrader.kernel import notebook
from dnngrader.plugins import codescan, findings, overwrite
from dnngrader.plugins.timestamps import TIMESTAMP_FILE

# Modules a grading kernel imports (besides those the grading process has loaded itself): a
# file or folder of one of these names next to the notebook would replace it in the kernel.
KERNEL_MODULES = {
    "numpy",
    "dnngrader",
    *notebook.MODULES,
    "IPython",
    "ipykernel",
    "zmq",
    "tornado",
    "traitlets",
    "jupyter_client",
    "jupyter_core",
    "comm",
    "debugpy",
}
# Files that run code when the interpreter starts rather than when imported by name.
IMPORT_HOOKS = {"sitecustomize", "usercustomize"}
MODULE_SUFFIXES = (".py", ".pyw", ".pyc", ".so", ".pyd")
# What nbgrader itself puts in a submission folder, never the student's doing, so never reported:
# the submission time (nbgrader submit, collect and zip_collect) and the key its feedback is
# released under (submit, collect: nbgrader/exchange/default/submit.py).
NBGRADER_FILES = {TIMESTAMP_FILE, "submission_secret.txt"}
# The feedback a student fetched (fetch_feedback writes it into the assignment folder, which a new
# submission then carries); nbgrader's default CourseDirectory.ignore already skips it.
NBGRADER_FOLDERS = {"feedback"}


def _coursedir(preprocessor):
    return CourseDirectory(config=preprocessor.config)


def _source_folder(coursedir, assignment):
    return Path(coursedir.format_path(coursedir.source_directory, ".", assignment))


# ---------------------------------------------------------------------------------------------
# Files next to the notebook
# ---------------------------------------------------------------------------------------------


def module_name(path):
    """The name under which ``path`` could be imported from its folder, or None."""
    if path.is_dir():
        holds_code = any(child.suffix in MODULE_SUFFIXES for child in path.iterdir())
        return path.name if path.name.isidentifier() and holds_code else None
    if path.suffix == ".pth":
        return path.name
    if path.suffix in MODULE_SUFFIXES:
        name = path.name.split(".")[0]
        return name if name.isidentifier() else None
    return None


def shadows_real_module(name):
    """Whether a module ``name`` next to the notebook would take the place of a module that
    grading uses (or one of the standard library's)."""
    if name in KERNEL_MODULES:
        return True
    if name in sys.modules or name in sys.stdlib_module_names:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _same_text(first, second):
    """Equal up to line endings and trailing blank space (an editor on Windows changes both)."""

    def normal(path):
        return path.read_bytes().replace(b"\r\n", b"\n").rstrip()

    return normal(first) == normal(second)


def _remove(path):
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


class InspectSubmissionFolder(NbGraderPreprocessor):
    """Check the files a student submitted next to the notebook.

    nbgrader already replaces the provided helpers (dnn_utils.py, test_cases.py, dnn_checks.py)
    with the course's copies; a changed copy is reported.  Anything else Python could import
    (a ``numpy.py``, a package folder, a ``.pth`` or ``.so``) is deleted from the autograded copy
    before the kernel starts; it is flagged when it would replace a real module.  Other files are
    left alone and listed as ignored, except those nbgrader itself writes into a submission
    (``NBGRADER_FILES``, ``NBGRADER_FOLDERS``), which are never reported to the student.

    The first of the kit's preprocessors: it also clears any findings the submission carried.
    """

    def preprocess(self, nb, resources):
        findings.reset(nb)
        coursedir = _coursedir(self)
        info = resources["nbgrader"]
        submitted = Path(resources["metadata"]["path"])
        source = _source_folder(coursedir, info["assignment"])
        autograded = Path(coursedir.format_path(coursedir.autograded_directory, info["student"], info["assignment"]))
        provided = {path.name for path in source.iterdir()} if source.is_dir() else set()
        ignored = []
        for entry in sorted(submitted.iterdir()):
            name = entry.name
            if any(fnmatch.fnmatch(name, pattern) for pattern in coursedir.ignore):
                continue
            if name.endswith(".ipynb"):
                if name not in provided:
                    findings.add(
                        nb,
                        findings.NOTE,
                        f"the extra notebook {name} was not graded; only {info['notebook']}.ipynb is.",
                    )
            elif name in provided:
                if entry.is_file() and not _same_text(entry, source / name):
                    findings.add(
                        nb,
                        findings.TAMPERING,
                        f"the provided file {name} was changed; the course's copy was used instead.",
                    )
            elif name in NBGRADER_FILES and entry.is_file():
                continue
            elif module_name(entry):
                _remove(autograded / name)
                module = module_name(entry)
                if module.endswith(".pth") or module in IMPORT_HOOKS:
                    findings.add(
                        nb,
                        findings.TAMPERING,
                        f"{name} next to the notebook could run code "
                        "when Python starts; it was deleted before the notebook ran.",
                    )
                elif shadows_real_module(module):
                    findings.add(
                        nb,
                        findings.TAMPERING,
                        f"{name} next to the notebook would replace "
                        f"the module '{module}' while grading; it was deleted before the "
                        "notebook ran.",
                    )
                else:
                    findings.add(
                        nb,
                        findings.NOTE,
                        f"the extra Python file {name} was deleted before grading: only the notebook is graded.",
                    )
            elif name in NBGRADER_FOLDERS and entry.is_dir():
                continue
            else:
                ignored.append(name)
        if ignored:
            findings.add(nb, findings.NOTE, "extra files in the submission were ignored: " + ", ".join(ignored) + ".")
        return nb, resources


# ---------------------------------------------------------------------------------------------
# The graded cells
# ---------------------------------------------------------------------------------------------


def _nbgrader_metadata(name, locked, grade_points=None, solution=False):
    meta = {
        "grade": grade_points is not None,
        "grade_id": name,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
        "task": False,
    }
    if grade_points is not None:
        meta["points"] = grade_points
    return meta


class _ExpectedCell:
    """What the assignment says a graded cell is: its type, nbgrader metadata and source."""

    def __init__(self, source_cell, points, solution):
        self.name = source_cell.name
        self.cell_type = source_cell.cell_type
        self.locked = source_cell.locked
        self.grade = points is not None
        self.meta = _nbgrader_metadata(source_cell.name, source_cell.locked, points, solution)
        self.source = source_cell.source
        self.checksum = source_cell.checksum

    def label(self):
        if self.grade:
            return f"the test cell {self.name}"
        return f"the answer cell of {self.name}" if self.meta["solution"] else f"the cell {self.name}"

    def new_cell(self):
        make = new_code_cell if self.cell_type == "code" else new_markdown_cell
        cell = make(self.source)
        cell.metadata["nbgrader"] = dict(self.meta, checksum=self.checksum)
        if self.locked:
            cell.metadata.update(editable=False, deletable=False)
        return cell


def _metadata_changes(cell, expected):
    """Readable differences between a cell's type and nbgrader metadata and the assignment's,
    as (text, could_raise_a_grade) pairs.

    A change could raise a grade when, left in place, it could stop a test from running or
    counting, give points, or change code the grader relies on: any change to a test cell or a
    locked cell, and points or grading asked for on an answer cell.  What can only keep an
    answer from running (an answer cell turned into markdown or raw, an answer cell marked
    locked or not a solution: slips a student makes with Jupyter's cell-type menu or toolbar)
    cannot: nbgrader would only give less."""
    harmless_on = (
        {"solution", "locked", "task", "cell type"}
        if expected.meta["solution"] and not expected.grade and not expected.locked
        else set()
    )
    changes = []
    if cell.cell_type != expected.cell_type:
        changes.append((f"cell type {cell.cell_type} instead of {expected.cell_type}", "cell type" not in harmless_on))
    meta = cell.metadata.get("nbgrader", {})
    for key in ("grade", "solution", "locked", "task"):
        if bool(meta.get(key, False)) != bool(expected.meta[key]):
            changes.append(
                (f"{key}: {bool(meta.get(key, False))} instead of {bool(expected.meta[key])}", key not in harmless_on)
            )
    if expected.grade:
        try:
            points_differ = float(meta.get("points")) != float(expected.meta["points"])
        except (TypeError, ValueError):
            points_differ = True
        if points_differ:
            changes.append((f"points: {meta.get('points')} instead of {expected.meta['points']:g}", True))
    elif "points" in meta:
        changes.append((f"points: {meta.get('points')} on a cell that gives none", True))
    return changes


def _set_cell_type(cell, cell_type):
    if cell.cell_type == cell_type:
        return
    cell.cell_type = cell_type
    if cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def _edited(cell, expected, preprocessor):
    if not expected.locked:
        return False
    released = overwrite.released_source(expected.source, preprocessor)
    return cell.source.strip() not in (released.strip(), expected.source.strip())


class RestoreGradedCells(NbGraderPreprocessor):
    """Put the graded cells back as the assignment has them, and say what was changed.

    nbgrader's OverwriteCells restores a locked cell's source, but a test cell re-marked as not
    graded, an answer cell re-marked as a test, a renamed grade id or a duplicated cell either
    stops nbgrader for that student or slips past it.  Before OverwriteCells runs, this:

    - turns cells with grade ids the assignment does not have into ordinary cells;
    - keeps the last of duplicated cells (as nbgrader's DeduplicateIds does) and makes the
      others ordinary cells;
    - restores every graded cell's type and nbgrader metadata from the gradebook;
    - puts graded cells back in the assignment's order, so no test runs before the tests of
      the functions it relies on;
    - puts back missing test cells and locked cells right after the graded cell before them.
      A missing answer cell is not put back: the function is graded from whatever cell
      defines it.
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
            points = {cell.name: cell.max_score for cell in notebook.grade_cells}
            solutions = {cell.name for cell in notebook.solution_cells}
            expected = {
                cell.name: _ExpectedCell(cell, points.get(cell.name), cell.name in solutions)
                for cell in notebook.source_cells
            }
        order = self._assignment_order(info, expected)
        kept = self._restore_metadata(nb, expected)
        nb.cells = self._arrange(nb, kept, order, expected)
        return nb, resources

    def _assignment_order(self, info, expected):
        """Grade ids in the order of the source notebook (the gradebook keeps no order)."""
        coursedir = _coursedir(self)
        path = _source_folder(coursedir, info["assignment"]) / f"{info['notebook']}.ipynb"
        try:
            with open(path, encoding="utf-8") as handle:
                cells = json.load(handle)["cells"]
            order = [cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") for cell in cells]
            order = [name for name in order if name in expected]
        except (OSError, ValueError, KeyError):
            order = []
        return order if set(order) == set(expected) else list(expected)

    def _restore_metadata(self, nb, expected):
        """grade id -> the submitted cell that stands for it, metadata restored."""
        copies = {}
        for index, cell in enumerate(nb.cells):
            meta = cell.metadata.get("nbgrader")
            if meta is None:
                continue
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            grade_id = grade_id if isinstance(grade_id, str) else None
            if grade_id in expected:
                copies.setdefault(grade_id, []).append(cell)
                continue
            del cell.metadata["nbgrader"]
            if not isinstance(meta, dict):
                continue
            # Only a cell that asks for points could raise a grade; a cell marked as an answer or
            # locked under a new id (a pasted cell whose id Jupyter renamed, say) could not.
            if meta.get("grade"):
                findings.add(
                    nb,
                    findings.TAMPERING,
                    f"cell {index + 1} was marked as the graded cell "
                    f"'{grade_id}', which the assignment does not have; it ran as an ordinary cell.",
                )
            elif meta.get("solution") or meta.get("locked"):
                findings.add(
                    nb,
                    findings.NOTE,
                    f"cell {index + 1} carried nbgrader's marks under the id "
                    f"'{grade_id}', which the assignment does not have; it ran as an ordinary cell.",
                )
        kept = {}
        for grade_id, cells in copies.items():
            cell, extra = cells[-1], cells[:-1]
            info = expected[grade_id]
            for duplicate in extra:
                del duplicate.metadata["nbgrader"]
            if extra:
                kind = findings.TAMPERING if info.grade else findings.NOTE
                findings.add(
                    nb,
                    kind,
                    f"{info.label()} appeared {len(cells)} times; the last copy was "
                    "graded and the others ran as ordinary cells.",
                )
            changes = _metadata_changes(cell, info)
            if any(could_raise for _, could_raise in changes):
                findings.add(
                    nb,
                    findings.TAMPERING,
                    f"{info.label()} had its nbgrader metadata changed "
                    f"({'; '.join(text for text, _ in changes)}); the assignment's was put back.",
                )
            elif changes:
                findings.add(
                    nb,
                    findings.NOTE,
                    f"{info.label()} had been changed "
                    f"({'; '.join(text for text, _ in changes)}), which can only keep an answer "
                    "from being graded; it was put back as a code answer cell and graded as usual.",
                )
            _set_cell_type(cell, info.cell_type)
            cell.metadata["nbgrader"] = dict(info.meta, checksum=info.checksum)
            if _edited(cell, info, self):
                findings.add(nb, findings.TAMPERING, f"{info.label()} was edited; the original was put back and run.")
            kept[grade_id] = cell
        return kept

    def _arrange(self, nb, kept, order, expected):
        """The cells with the graded ones in assignment order and the missing ones put back;
        the student's other cells keep their places."""
        present = [name for name in order if name in kept]
        placed_at = {id(kept[name]): position for position, name in enumerate(present)}
        slots = [placed_at[id(cell)] for cell in nb.cells if id(cell) in placed_at]
        if slots != sorted(slots):
            findings.add(
                nb, findings.NOTE, "graded cells were out of order; they were put back in the assignment's order."
            )
        missing_after, previous = {}, None
        for name in order:
            if name in kept:
                previous = name
            elif expected[name].locked:
                missing_after.setdefault(previous, []).append(name)
            else:
                findings.add(
                    nb,
                    findings.NOTE,
                    f"{expected[name].label()} was missing; {name} was graded from whichever cell defines it.",
                )

        def put_back(after):
            cells = []
            for name in missing_after.get(after, []):
                info = expected[name]
                kind = findings.TAMPERING if info.grade else findings.NOTE
                findings.add(nb, kind, f"{info.label()} was missing; it was put back and run.")
                cells.append(info.new_cell())
            return cells

        arranged, next_present = [], iter(present)
        for cell in nb.cells:
            if id(cell) not in placed_at:
                arranged.append(cell)
                continue
            name = next(next_present)
            if name == present[0]:
                arranged += put_back(None)  # missing cells that come before any present one
            arranged.append(kept[name])
            arranged += put_back(name)
        if not present:
            arranged += put_back(None)
        return arranged


# ---------------------------------------------------------------------------------------------
# The student's code
# ---------------------------------------------------------------------------------------------


class FlagSuspiciousCode(NbGraderPreprocessor):
    """Flag the code students wrote that reaches for the grader (see ``codescan``).

    Runs after OverwriteCells, so locked cells already hold the assignment's code.  Every other
    code cell is compared with the cell of the released notebook it came from (``released_origin``):
    code that came with the release is the course's, wherever it stands, so a given cell the
    student edited as the notebook invites (a setting, a file name, a label) is not flagged for
    the notebook's own code in it; only what the student wrote is scanned, in such a cell as in
    a cell of their own.  An edit that adds nothing suspicious is not reported at all: the notebook
    asks for such edits, and none of them can change a grade.  This only flags: the grade comes
    from the judge, which the kernel cannot reach, so the scan is a tripwire for the instructor,
    not a defence.
    """

    def preprocess(self, nb, resources):
        released = _released_cells(self, resources)
        as_released = {cell["source"].strip() for cell in released}
        for index, cell in enumerate(nb.cells):
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code" or meta.get("locked") or meta.get("grade"):
                continue
            if cell.source.strip() in as_released:
                continue  # a released cell as it is, wherever it stands
            origin = released_origin(cell, released)
            if meta.get("grade_id"):
                where = f"the answer cell of {meta['grade_id']}"
            elif origin is not None:
                where = f"cell {index + 1} (given code, edited by the student)"
            else:
                where = f"cell {index + 1} (added by the student)"
            given = origin["source"] if origin is not None else None
            for line, what in codescan.suspicious(cell.source, given):
                findings.add(nb, findings.TAMPERING, f"{where} {what} (line {line}).")
        return nb, resources


# How much of a cell must be a released cell's, line for line, for the cell to count as that one
# edited (difflib's ratio: twice the lines in common over the lines of both): a copy of a given
# cell with a changed line or two passes, a cell of the student's own with a stray given line
# does not.
SIMILAR = 0.5


def released_origin(cell, released):
    """The released code cell (one of ``released``, as ``_released_cells`` gives them) that the
    submitted code ``cell`` came from, or None for a cell the student added.

    An answer cell is the released cell of its grade id (RestoreGradedCells has put its nbgrader
    metadata back); any other cell the released cell of its cell id, which Jupyter keeps through
    edits and gives anew to a pasted or added cell; failing both (a copy of a given cell, a
    notebook saved without cell ids), the released cell most like it, if at least ``SIMILAR``
    alike.  A wrong match costs nothing: only code that is in the matched released cell is left
    out of the scan, and that code is the course's."""
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
    for key, value in (("grade_id", grade_id), ("id", cell.get("id"))):
        if value:
            match = next((given for given in released if given[key] == value), None)
            if match is not None:
                return match
    lines = _code_lines(cell.source)
    best, best_ratio = None, 0.0
    for given in released:
        ratio = difflib.SequenceMatcher(None, _code_lines(given["source"]), lines, autojunk=False).ratio()
        if ratio >= SIMILAR and ratio > best_ratio:
            best, best_ratio = given, ratio
    return best


def _code_lines(source):
    """The non-blank lines of ``source``, without indentation or trailing blank space."""
    return [line.strip() for line in source.splitlines() if line.strip()]


def _released_cells(preprocessor, resources):
    """The code cells of the released notebook being graded, as {"id", "grade_id", "source"}
    (absent ids and grade ids are None); empty when the release is not there."""
    coursedir = _coursedir(preprocessor)
    info = resources["nbgrader"]
    path = (
        Path(coursedir.format_path(coursedir.release_directory, ".", info["assignment"])) / f"{info['notebook']}.ipynb"
    )
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    code = []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        metadata = cell.get("metadata")
        meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        code.append(
            {
                "id": cell.get("id") or None,
                "grade_id": grade_id or None,
                "source": source if isinstance(source, str) else "".join(source),
            }
        )
    return code
