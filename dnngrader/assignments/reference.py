"""The reference solution, read from the instructor's source notebook.

The notebook is the one place the solutions are written; this module executes the answer cells
(the cells whose nbgrader grade_id is a graded function's name) in a fresh namespace, so the
grader, the tests and the companion notebooks all use exactly what the instructor wrote.
"""

import json
import types

import numpy as np

from dnngrader.paths import GRADED_FUNCTIONS, SOURCE_NOTEBOOK

# The provided helpers (dnn_utils.py) every module of reference functions holds, and that the
# grader lends the function under test as provided, whatever the notebook redefined.
HELPERS = ("sigmoid", "relu", "sigmoid_backward", "relu_backward")
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


def solution_sources(path=SOURCE_NOTEBOOK):
    """grade_id -> source of the source notebook's answer cells, read once per process."""
    key = ("sources", str(path))
    if key not in _cache:
        # Plain JSON, not nbformat: this runs in every grading kernel, and importing nbformat
        # (jsonschema and its format grammars) costs seconds there.
        with open(path, encoding="utf-8") as handle:
            _cache[key] = answer_cells(json.load(handle))
    return _cache[key]


def load(path=SOURCE_NOTEBOOK):
    """A module whose attributes are the ten reference functions and the dnn_utils helpers."""
    key = ("module", str(path))
    if key not in _cache:
        _cache[key] = module_of(solution_sources(path))
    return _cache[key]


def module_of(cells, names=GRADED_FUNCTIONS, helpers=HELPERS):
    """A module of the functions ``names``, defined by executing their answer cells (``cells``:
    grade_id -> source) and nothing else, and of the provided helpers ``helpers`` (names in
    dnn_utils.py, imported only when there are some: an assignment may have no dnn_utils)."""
    module = types.ModuleType("dnn_reference")
    module.np = np
    if helpers:
        import dnn_utils  # next to the notebook in a kernel, at the course root in the grader
        for helper in helpers:
            setattr(module, helper, getattr(dnn_utils, helper))
    for name in names:
        code = compile(cells[name], f"<reference {name}>", "exec")
        exec(code, module.__dict__)
    return module
