"""The reference solution, read from the instructor's source notebook.

The notebook is the one place the solutions are written; this module executes the answer cells
(the cells whose nbgrader grade_id is a graded function's name) in a fresh namespace, so the
grader, the tests and the companion notebooks all use exactly what the instructor wrote.

The functions are made from those cells, and lent to a student's code, by
dnngrader/kernel/lending.py (``module_of``, ``lent``), which a grading kernel imports too.
"""

import json

from dnngrader.kernel import lending
from dnngrader import paths
from dnngrader.paths import ASSIGNMENT, GRADED_FUNCTIONS

_cache = {}


def answer_cells(notebook):
    """grade_id -> source of every answer (solution) cell of a notebook."""
    cells = {}
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell["cell_type"] == "code":
            source = cell["source"]
            # On disk a cell's source may be a list of lines; nbformat joins them when it reads.
            cells[meta["grade_id"]] = source if isinstance(source, str) else "".join(source)
    return cells


def _first_source_notebook():
    root = paths.course_root()
    return root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def solution_sources(path=None):
    """grade_id -> source of the answer cells of the source notebook at ``path`` (default: the
    first assignment's, in the course graded), read once per process."""
    path = path or _first_source_notebook()
    key = ("sources", str(path))
    if key not in _cache:
        # Plain JSON, not nbformat: importing nbformat (jsonschema and its format grammars) costs
        # seconds, and a kernel that judges outside the grader (kernel/runtime.py) comes here.
        with open(path, encoding="utf-8") as handle:
            _cache[key] = answer_cells(json.load(handle))
    return _cache[key]


def load(path=None):
    """A module whose attributes are the ten reference functions and the dnn_utils helpers, from
    the source notebook at ``path`` (default: the first assignment's, in the course graded)."""
    path = path or _first_source_notebook()
    key = ("module", str(path))
    if key not in _cache:
        _cache[key] = lending.module_of(solution_sources(path), GRADED_FUNCTIONS)
    return _cache[key]
