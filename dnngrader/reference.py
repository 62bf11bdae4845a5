"""The reference solution, read from the instructor's source notebook.

The notebook is the one place the solutions are written; this module executes the answer cells
(the cells whose nbgrader grade_id is a graded function's name) in a fresh namespace, so the
grader, the tests and the companion notebooks all use exactly what the instructor wrote.
"""

import types

import nbformat
import numpy as np

import dnn_utils
from .paths import GRADED_FUNCTIONS, SOURCE_NOTEBOOK

_cache = {}


def answer_cells(notebook):
    """grade_id -> source of every answer (solution) cell of a notebook."""
    cells = {}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            cells[meta["grade_id"]] = cell.source
    return cells


def load(path=SOURCE_NOTEBOOK):
    """A module whose attributes are the ten reference functions and the dnn_utils helpers."""
    key = str(path)
    if key not in _cache:
        notebook = nbformat.read(str(path), as_version=4)
        cells = answer_cells(notebook)
        module = types.ModuleType("dnn_reference")
        module.np = np
        for helper in ("sigmoid", "relu", "sigmoid_backward", "relu_backward"):
            setattr(module, helper, getattr(dnn_utils, helper))
        for name in GRADED_FUNCTIONS:
            code = compile(cells[name], f"<reference {name}>", "exec")
            exec(code, module.__dict__)
        _cache[key] = module
    return _cache[key]
