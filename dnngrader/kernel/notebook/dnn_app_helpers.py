"""Your own functions from the first assignment, "Building your Deep Neural Network: Step by Step",
ready to use in this one.

This assignment builds its models from the functions you wrote there (linear_forward,
L_model_forward, compute_cost, L_model_backward, update_parameters, ...).  Nothing here holds a
solution: ``load_step_by_step()`` reads YOUR notebook ``dnn_step_by_step.ipynb``, runs its answer
cells (the cells you wrote your functions in, recognised by their nbgrader metadata) in a fresh
namespace with NumPy and the activations of ``dnn_utils.py``, and hands you the functions.

Where it looks for that notebook:

1. the path in the environment variable DNN_STEP_BY_STEP_NOTEBOOK, when it is set (a notebook
   file, or the folder holding dnn_step_by_step.ipynb);
2. otherwise ``../dnn_step_by_step/dnn_step_by_step.ipynb``, next to this assignment's folder:
   where JupyterLab's Assignments panel fetches the first assignment, and where a course
   folder keeps it.

Run the first notebook's checks before you start here: a mistake there shows up here as a model
that does not learn.

While this notebook is autograded, your first notebook is not part of the submission: the grader
hands over the course's versions of these functions right before the cell that loads them, so
the training and figure cells run in the graded copy too.  That grades nothing (your four graded
functions are checked on their own, with the course's versions of what they call).
"""

import json
import os
import sys
import types
from pathlib import Path

import numpy as np

from . import dnn_utils

NOTEBOOK_NAME = "dnn_step_by_step.ipynb"
FIRST_ASSIGNMENT = "dnn_step_by_step"
ENV_VARIABLE = "DNN_STEP_BY_STEP_NOTEBOOK"
# The first assignment's functions this assignment uses; each calls only functions of this list.
NEEDED = (
    "initialize_parameters",
    "linear_forward",
    "linear_activation_forward",
    "L_model_forward",
    "compute_cost",
    "linear_backward",
    "linear_activation_backward",
    "L_model_backward",
    "update_parameters",
)
ACTIVATIONS = ("sigmoid", "relu", "sigmoid_backward", "relu_backward")  # from dnn_utils.py
STUB = "raise NotImplementedError"  # what an answer cell holds until it is answered
# Where the grader leaves the course's versions of NEEDED (JSON: name -> source) under nbgrader
# autograde, right before the cell that loads them (the kit's dnngrader/judge/delivery.py).
PROVIDED_ATTRIBUTE = "_dnngrader_provided"
PROVIDED_ORIGIN = "the course's versions, handed over by the grader (your own notebook is not graded here)"


class HelperError(Exception):
    """The first assignment's functions could not be loaded; the message says why and what to do.
    A notebook shows the message alone, without a traceback into this module."""

    def _render_traceback_(self):
        return [f"{type(self).__name__}: {self}"]


def find_notebook(folder=None):
    """The path of the first assignment's notebook.

    folder -- this assignment's folder (default: the current folder, which is the notebook's
              folder in Jupyter)

    Raises HelperError, saying where it looked and how to point to the notebook, when it is not
    there.
    """
    folder = Path.cwd() if folder is None else Path(folder)
    given = os.environ.get(ENV_VARIABLE, "").strip()
    if given:
        path = Path(given).expanduser()
        if path.is_dir():
            path = path / NOTEBOOK_NAME
        if not path.is_file():
            raise HelperError(
                f"{ENV_VARIABLE} is set to {given!r}, but there is no notebook there ({path} does not "
                f"exist).  Set it to the path of your {NOTEBOOK_NAME}, or unset it to use "
                f"../{FIRST_ASSIGNMENT}/{NOTEBOOK_NAME}"
            )
        return path.resolve()
    path = folder.resolve().parent / FIRST_ASSIGNMENT / NOTEBOOK_NAME
    if not path.is_file():
        raise HelperError(
            f"Your first assignment's notebook was not found: looked for {path}.  This assignment "
            f"uses the functions you wrote in {NOTEBOOK_NAME}.  Put its folder {FIRST_ASSIGNMENT}/ "
            f"next to this assignment's folder (fetch it in the Assignments panel), or set the "
            f"environment variable {ENV_VARIABLE} to the notebook's path, e.g. in a cell before this "
            f"one: import os; os.environ[{ENV_VARIABLE!r}] = '/path/to/{NOTEBOOK_NAME}'"
        )
    return path


def answer_cells(notebook):
    """grade_id -> source of every answer cell (an nbgrader solution cell of code) of a notebook,
    given as the JSON object read from its file."""
    cells = {}
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("solution") and meta.get("grade_id"):
            source = cell.get("source", "")
            cells[meta["grade_id"]] = source if isinstance(source, str) else "".join(source)
    return cells


def read_notebook(path):
    """The notebook at ``path`` as JSON; HelperError if it cannot be read."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise HelperError(
            f"{path} could not be read as a notebook ({error}).  Open it in JupyterLab "
            "and save it again, or fetch a fresh copy"
        ) from error


def load_step_by_step(path=None, folder=None, names=NEEDED):
    """A namespace holding your first assignment's functions ``names`` and dnn_utils' activations.

    path -- the notebook to read (default: ``find_notebook(folder)``)
    folder -- this assignment's folder, where the search starts (default: the current folder)

    Only ``import numpy as np``, the activations of dnn_utils.py and the answer cells of the
    functions ``names`` run, in a namespace of their own: nothing else of that notebook (its
    checks, your experiments) runs.  The namespace's ``path`` attribute is the notebook read and
    ``origin`` says where the functions come from.  Under nbgrader autograde, the functions the
    grader handed over are used instead (``path`` is None then).

    Raises HelperError when the notebook is not found, an answer cell is missing, still holds
    ``raise NotImplementedError()`` or fails to run.
    """
    provided = sys.__dict__.pop(PROVIDED_ATTRIBUTE, None)
    if path is None and isinstance(provided, str) and os.environ.get("NBGRADER_EXECUTION") == "autograde":
        return _namespace(json.loads(provided), names, None, PROVIDED_ORIGIN)
    path = Path(path) if path is not None else find_notebook(folder)
    cells = answer_cells(read_notebook(path))
    missing = [name for name in names if name not in cells]
    if missing:
        raise HelperError(
            f"{path} has no answer cell for {', '.join(missing)} (a code cell whose nbgrader grade_id is "
            "the function's name).  Copy the cell back from a fresh copy of the first assignment and "
            "write the function again, or point to the right notebook"
        )
    unfinished = [name for name in names if STUB in cells[name]]
    if unfinished:
        which = unfinished[0] if len(unfinished) == 1 else "them"
        raise HelperError(
            f"{', '.join(unfinished)} still {'raises' if len(unfinished) == 1 else 'raise'} "
            f"NotImplementedError in {path}: finish {which} in {FIRST_ASSIGNMENT} first (write the "
            "body in place of `raise NotImplementedError()`, save the notebook), then run this cell again"
        )
    return _namespace(cells, names, path, os.path.relpath(path))


def _namespace(cells, names, path, origin):
    """A module of NumPy, the activations and the functions ``names`` defined by their ``cells``
    (name -> source); ``path``: the notebook they come from (None: handed over by the grader)."""
    where = path if path is not None else "the grader's copy"
    namespace = types.ModuleType(f"{FIRST_ASSIGNMENT}_functions")
    namespace.np = np
    for helper in ACTIVATIONS:
        setattr(namespace, helper, getattr(dnn_utils, helper))
    for name in names:
        try:
            exec(compile(cells[name], f"<{FIRST_ASSIGNMENT}: {name}>", "exec"), namespace.__dict__)
        except Exception as error:
            raise HelperError(
                f"the answer cell of {name} in {where} does not run: "
                f"{type(error).__name__}: {error}.  Fix it in {FIRST_ASSIGNMENT} first"
            ) from error
        if not callable(getattr(namespace, name, None)):
            raise HelperError(
                f"the answer cell of {name} in {where} does not define a function {name}: "
                "keep its `def` line as it was given"
            )
    namespace.path = path
    namespace.origin = origin
    return namespace
