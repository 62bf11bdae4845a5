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
"""

import json
import os
import types
from pathlib import Path

import numpy as np

import dnn_utils

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
# Said when the grader runs this notebook on its own, without the first one: the graded cells do
# not need it, so the student must not think this error cost anything.
GRADED_WITHOUT_FIRST_NOTEBOOK = (
    f"not loaded while this notebook was graded: the grader runs it without your {NOTEBOOK_NAME}. "
    "This costs no points: your four graded functions were checked with the course's correct "
    "versions of the first assignment's functions.  The training cells below need them, so they "
    "show NameErrors here; in your own copy they run as before")


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
    there; under nbgrader autograde, saying that grading does not need it.
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
                f"../{FIRST_ASSIGNMENT}/{NOTEBOOK_NAME}")
        return path.resolve()
    path = folder.resolve().parent / FIRST_ASSIGNMENT / NOTEBOOK_NAME
    if not path.is_file() and os.environ.get("NBGRADER_EXECUTION") == "autograde":
        raise HelperError(GRADED_WITHOUT_FIRST_NOTEBOOK)
    if not path.is_file():
        raise HelperError(
            f"Your first assignment's notebook was not found: looked for {path}.  This assignment "
            f"uses the functions you wrote in {NOTEBOOK_NAME}.  Put its folder {FIRST_ASSIGNMENT}/ "
            f"next to this assignment's folder (fetch it in the Assignments panel), or set the "
            f"environment variable {ENV_VARIABLE} to the notebook's path, e.g. in a cell before this "
            f"one: import os; os.environ[{ENV_VARIABLE!r}] = '/path/to/{NOTEBOOK_NAME}'")
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
        raise HelperError(f"{path} could not be read as a notebook ({error}).  Open it in JupyterLab "
                          "and save it again, or fetch a fresh copy") from error


def load_step_by_step(path=None, folder=None, names=NEEDED):
    """A namespace holding your first assignment's functions ``names`` and dnn_utils' activations.

    path -- the notebook to read (default: ``find_notebook(folder)``)
    folder -- this assignment's folder, where the search starts (default: the current folder)

    Only ``import numpy as np``, the activations of dnn_utils.py and the answer cells of the
    functions ``names`` run, in a namespace of their own: nothing else of that notebook (its
    checks, your experiments) runs.  The namespace's ``path`` attribute is the notebook read.

    Raises HelperError when the notebook is not found, an answer cell is missing, still holds
    ``raise NotImplementedError()`` or fails to run.
    """
    path = Path(path) if path is not None else find_notebook(folder)
    cells = answer_cells(read_notebook(path))
    missing = [name for name in names if name not in cells]
    if missing:
        raise HelperError(
            f"{path} has no answer cell for {', '.join(missing)} (a code cell whose nbgrader grade_id is "
            "the function's name).  Copy the cell back from a fresh copy of the first assignment and "
            "write the function again, or point to the right notebook")
    unfinished = [name for name in names if STUB in cells[name]]
    if unfinished:
        which = unfinished[0] if len(unfinished) == 1 else "them"
        raise HelperError(
            f"{', '.join(unfinished)} still {'raises' if len(unfinished) == 1 else 'raise'} "
            f"NotImplementedError in {path}: finish {which} in {FIRST_ASSIGNMENT} first (write the "
            "body in place of `raise NotImplementedError()`, save the notebook), then run this cell again")
    namespace = types.ModuleType(f"{FIRST_ASSIGNMENT}_functions")
    namespace.np = np
    for helper in ACTIVATIONS:
        setattr(namespace, helper, getattr(dnn_utils, helper))
    for name in names:
        try:
            exec(compile(cells[name], f"<{FIRST_ASSIGNMENT}: {name}>", "exec"), namespace.__dict__)
        except Exception as error:
            raise HelperError(f"the answer cell of {name} in {path} does not run: "
                              f"{type(error).__name__}: {error}.  Fix it in {FIRST_ASSIGNMENT} first") from error
        if not callable(getattr(namespace, name, None)):
            raise HelperError(f"the answer cell of {name} in {path} does not define a function {name}: "
                              "keep its `def` line as it was given")
    namespace.path = path
    return namespace
