"""A look at each submission folder before nbgrader autogrades it.

Some problems leave nbgrader nothing to grade: the notebook was renamed (nbgrader only grades
notebooks by the assignment's names) or is not a readable notebook.  nbgrader reports them in
terms of its own internals ("No notebooks found, did you forget to run generate_assignment?", a
JSON traceback), goes on with the other students and exits with an error.  This hook, run by
nbgrader before each submission (``Autograde.pre_convert_hook``), first says in plain words what
is wrong and what to do.  It changes nothing: the submitted files are the student's.
"""

import logging
from pathlib import Path

import nbformat
from traitlets.config import Application


def _log():
    return Application.instance().log if Application.initialized() else logging.getLogger("dnngrader")


def problems(folder, expected):
    """[(level, message)] about the notebooks in a submission ``folder``, given the names of
    the notebooks the assignment has."""
    student = folder.parent.name
    found = sorted(path.name for path in folder.glob("*.ipynb"))
    others = [name for name in found if name not in expected]
    messages = []
    for name in expected:
        path = folder / name
        if not path.exists():
            instead = f"; it has {', '.join(others)} instead" if others else ""
            messages.append(
                (
                    logging.ERROR,
                    f"{student}: there is no {name} in {folder}{instead}. nbgrader "
                    f"grades notebooks by name: rename the student's notebook to {name} and "
                    f"autograde {student} again. Until then {student} has no grade.",
                )
            )
            continue
        try:
            nbformat.read(str(path), as_version=4)
        except Exception as error:
            reason = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
            messages.append(
                (
                    logging.ERROR,
                    f"{student}: {path} is not a readable notebook ({reason}). It "
                    "cannot be graded: ask the student for a fresh copy (in JupyterLab, File > "
                    "Download).",
                )
            )
    if others and all((folder / name).exists() for name in expected):
        messages.append(
            (logging.WARNING, f"{student}: extra notebook(s) in {folder} are not graded: {', '.join(others)}.")
        )
    return messages


NOT_GRADED_YET = "not autograded: not graded yet, or grading failed (see the autograde log)"


def not_graded_reason(folder, expected):
    """One line for the grade export on why nbgrader has not graded the submission in ``folder``
    (the student's submitted/<student>/<assignment>/), given the names of the notebooks the
    assignment has; starts with "not autograded".  Raises nothing."""
    folder = Path(folder)
    found = sorted(path.name for path in folder.glob("*.ipynb")) if folder.is_dir() else []
    for name in expected:
        path = folder / name
        if not path.exists():
            instead = f" (it has {', '.join(found)} instead)" if found else " (it has no notebook at all)"
            return f"not autograded: the submission has no {name}{instead}"
        try:
            nbformat.read(str(path), as_version=4)
        except Exception as error:
            reason = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
            return f"not autograded: {name} is not a readable notebook ({reason})"
    return NOT_GRADED_YET


def check_submission_folder(assignment=None, student=None, notebooks=()):
    """nbgrader's pre-convert hook: log what is wrong with this submission's notebooks."""
    if not notebooks:
        return
    folder = Path(notebooks[0]).parent
    source = Path("source") / folder.name  # nbgrader runs this in the course directory
    expected = sorted(path.name for path in source.glob("*.ipynb"))
    if not expected:
        return
    for level, message in problems(folder, expected):
        _log().log(level, message)
