"""What a grading worker needs, as data: grading on Dask needs no shared file system.

The **grading plan** is the same for every submission of a run; the grading command sends it
to the cluster once.  It holds:
- the course's configuration, so that every worker grades with it: ``nbgrader_config.py`` (its
  text), the grading command's ``--Class.trait=VALUE`` arguments, and the value of each grading
  setting of the kit (``settings.GRADING_CLASSES``: ResilientExecute's, Sandbox's) as the command
  resolved it, a traitlets configuration the worker applies last.  A worker's own environment
  counts for none of them (no DNN_* variable is read there);
- the assignment's files from ``source/<assignment>/`` other than notebooks (the helpers
  ``nbgrader autograde`` copies over each submission; no solution is among them), and an
  outline of each source notebook: its cells' types and nbgrader metadata, in order, with
  every source and output left out (the kit's RestoreGradedCells reads the graded cells' order
  from it);
- the code cells of the student version in ``release/<assignment>/`` (public: what students get),
  with their cell ids, with which the kit tells the released notebook's own code from the student's;
- the assignment's definition from the gradebook (due date, notebooks, grade, solution, task
  and source cells), as a small SQLite gradebook made with nbgrader's own ``Gradebook``.

A **task** carries one student's submission: the files of ``submitted/<student>/<assignment>/``
(or, when only the feedback is missing, of ``autograded/<student>/<assignment>/``), the
student's rows in the course's gradebook (so a late penalty, an extension, a manual grade or a
flag counts exactly as it would in place) and the notes made about the submission time while
collecting it.  A worker's **result** comes back the same way: the student's rows after
grading, and the files of the autograded and feedback folders.

Files travel as ``{"path": relative path, "mode": permission bits, "data": bytes}``, or
``{"path": ..., "link": target}`` for a symbolic link.
"""

import contextlib
import fnmatch
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import tempfile
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from nbgrader.api import Assignment, Gradebook, GradeCell, MissingEntry, Notebook, SolutionCell, SourceCell, TaskCell
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from dnngrader import settings
from dnngrader.plugins import timestamps


# ---------------------------------------------------------------------------------------------
# Folders as data
# ---------------------------------------------------------------------------------------------


def read_folder(folder, skip=()):
    """The files under ``folder`` as data, sorted by path ([] when there is no such folder);
    files and folders whose name matches a pattern of ``skip`` are left out (as nbgrader's
    ``utils.find_all_files`` leaves out what ``CourseDirectory.ignore`` matches)."""
    folder = Path(folder)
    files = []
    if not folder.is_dir():
        return files
    for directory, subfolders, names in os.walk(folder):
        here = Path(directory)
        subfolders[:] = [name for name in subfolders if not any(fnmatch.fnmatch(name, pattern) for pattern in skip)]
        for name in sorted(subfolders):
            if (here / name).is_symlink():  # os.walk lists it, but does not go into it
                names.append(name)
        for name in sorted(names):
            if any(fnmatch.fnmatch(name, pattern) for pattern in skip):
                continue
            path = here / name
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink():
                files.append({"path": relative, "link": os.readlink(path)})
            elif path.is_file():
                files.append({"path": relative, "mode": stat.S_IMODE(path.lstat().st_mode), "data": path.read_bytes()})
    return sorted(files, key=lambda entry: entry["path"])


def _inside(folder, relative):
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        raise ValueError(f"not a path inside the folder: {relative!r}")
    return Path(folder).joinpath(*parts)


def write_folder(files, folder):
    """Make ``folder`` hold exactly ``files`` (data as ``read_folder`` gives it): whatever was
    there is removed first."""
    folder = Path(folder)
    remove_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for entry in files:
        path = _inside(folder, entry["path"])
        path.parent.mkdir(parents=True, exist_ok=True)
        if "link" in entry:
            os.symlink(entry["link"], path)
        else:
            path.write_bytes(entry["data"])
            os.chmod(path, entry["mode"])


def _known_data(known):
    return {entry["path"]: entry["data"] for entry in known if "data" in entry}


def by_reference(files, known):
    """``files`` (as ``read_folder`` gives them) for the way to or from a worker: each file whose
    bytes equal those of the file at the same path in ``known`` (the plan's ``source_files``,
    which every worker holds) becomes {"path", "mode", "known": True}.  A submission carries the
    course's support files (the second assignment's come to 2.8 MB, its autograded and feedback
    folders to twice that); this way they cross the network once per worker, in the plan, not
    three times per submission.  ``with_data`` undoes it."""
    index = _known_data(known)
    return [
        {"path": entry["path"], "mode": entry["mode"], "known": True}
        if "data" in entry and index.get(entry["path"]) == entry["data"]
        else entry
        for entry in files
    ]


def with_data(files, known):
    """``files`` as ``by_reference`` gave them, each referenced file with its bytes from
    ``known`` again (as ``read_folder`` gives them).  Raises ValueError for a reference to a
    path ``known`` does not hold (files referenced against another plan)."""
    index = _known_data(known)
    restored = []
    for entry in files:
        if entry.get("known"):
            if entry["path"] not in index:
                raise ValueError(f"{entry['path']} was sent as one of the plan's files, but the plan has no such file")
            entry = {"path": entry["path"], "mode": entry["mode"], "data": index[entry["path"]]}
        restored.append(entry)
    return restored


def _result_files(result, grading_plan, convert):
    return {
        **result,
        **{
            key: convert(result[key], grading_plan["source_files"])
            for key in ("autograded", "feedback")
            if result.get(key)
        },
    }


def result_by_reference(result, grading_plan):
    """The result of worker.grade_task with the files of its autograded and feedback folders sent
    by reference (``by_reference``), as a worker sends it back."""
    return _result_files(result, grading_plan, by_reference)


def result_with_data(result, grading_plan):
    """A result as ``result_by_reference`` gave it, with those files in full again
    (``with_data``), as the course's results writer takes it."""
    return _result_files(result, grading_plan, with_data)


def remove_folder(folder):
    folder = Path(folder)
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.exists():
        shutil.rmtree(folder)


def size(files):
    return sum(len(entry.get("data", b"")) for entry in files)


# ---------------------------------------------------------------------------------------------
# The assignment, as the gradebook defines it
# ---------------------------------------------------------------------------------------------


def iso(when):
    """A datetime (or None) as plan data: ISO 8601 text."""
    return when.isoformat() if when is not None else None


def moment(text):
    """The datetime (or None) ``iso`` wrote."""
    return datetime.fromisoformat(text) if text is not None else None


def _schema_version(gradebook):
    """The gradebook's database schema version (alembic's), or None."""
    try:
        return gradebook.db.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        gradebook.db.rollback()
        return None


def assignment_definition(gradebook, assignment):
    """The assignment's rows in ``gradebook`` (an open nbgrader Gradebook) as plain data, in the
    gradebook's own order, with the database's schema version.  Raises MissingEntry when it has
    no such assignment."""
    found = gradebook.find_assignment(assignment)
    notebooks = []
    for notebook in found.notebooks:
        notebooks.append(
            {
                "name": notebook.name,
                "kernelspec": notebook.kernelspec,
                "grade_cells": [
                    {"name": cell.name, "max_score": cell.max_score, "cell_type": cell.cell_type}
                    for cell in notebook.grade_cells
                ],
                "solution_cells": [cell.name for cell in notebook.solution_cells],
                "task_cells": [
                    {"name": cell.name, "max_score": cell.max_score, "cell_type": cell.cell_type}
                    for cell in notebook.task_cells
                ],
                "source_cells": [
                    {
                        "name": cell.name,
                        "cell_type": cell.cell_type,
                        "locked": cell.locked,
                        "source": cell.source,
                        "checksum": cell.checksum,
                    }
                    for cell in notebook.source_cells
                ],
            }
        )
    return {
        "name": found.name,
        "duedate": iso(found.duedate),
        "notebooks": notebooks,
        "schema_version": _schema_version(gradebook),
    }


def definition_gradebook(definition, course_id, path):
    """Write a new SQLite gradebook at ``path`` holding only the assignment ``definition``
    (nbgrader's Gradebook and its models, the rows its add_* methods make, in one commit)."""
    if definition["schema_version"]:
        # nbgrader asks the `alembic` command for the version of a new database (seconds, and
        # it must be on PATH); the definition's is the same.
        with contextlib.closing(sqlite3.connect(path)) as database, database:
            database.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            database.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (definition["schema_version"],))
    with Gradebook(f"sqlite:///{path}", course_id) as gradebook:
        assignment = Assignment(name=definition["name"], duedate=moment(definition["duedate"]), course_id=course_id)
        for saved in definition["notebooks"]:
            notebook = Notebook(name=saved["name"], assignment=assignment, kernelspec=saved["kernelspec"])
            for cell in saved["grade_cells"]:
                GradeCell(notebook=notebook, **cell)
            for name in saved["solution_cells"]:
                SolutionCell(notebook=notebook, name=name)
            for cell in saved["task_cells"]:
                TaskCell(notebook=notebook, **cell)
            for cell in saved["source_cells"]:
                SourceCell(notebook=notebook, **cell)
        gradebook.db.add(assignment)
        gradebook.db.commit()


def outline(notebook_path, code=False):
    """The notebook at ``notebook_path`` with its cells' types and nbgrader metadata only; with
    ``code``, its code cells keep their source and cell id too."""
    with open(notebook_path, encoding="utf-8") as handle:
        notebook = json.load(handle)
    cells = []
    for cell in notebook.get("cells", []):
        kept = {"cell_type": cell.get("cell_type", "code"), "metadata": {}, "source": ""}
        if code and kept["cell_type"] == "code":
            source = cell.get("source", "")
            kept["source"] = source if isinstance(source, str) else "".join(source)
            if "id" in cell:  # the code scan knows an edited given cell by its id
                kept["id"] = cell["id"]
        if "nbgrader" in cell.get("metadata", {}):
            kept["metadata"]["nbgrader"] = cell["metadata"]["nbgrader"]
        if kept["cell_type"] == "code":
            kept.update(outputs=[], execution_count=None)
        cells.append(kept)
    return {
        "cells": cells,
        "metadata": notebook.get("metadata", {}),
        "nbformat": notebook.get("nbformat", 4),
        "nbformat_minor": notebook.get("nbformat_minor", 5),
    }


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------


def grading_settings(config):
    """{class: {trait: value}}: every grading setting of the kit (ResilientExecute's and
    Sandbox's traits) as ``config`` (a traitlets Config: nbgrader_config.py and the command line)
    and, where it sets none, this process's defaults make it, a deprecated DNN_* variable
    included."""
    return settings.resolved(config, settings.GRADING_CLASSES)


def build(coursedir, gradebook, config_path, assignment=None, arguments=()):
    """The grading plan for ``assignment`` (default: ``coursedir.assignment_id``) of the course
    ``coursedir`` (an nbgrader CourseDirectory, whose ``config`` is the configuration of the
    command), read from the open ``gradebook`` and the configuration file ``config_path`` (a
    Path; a course may have none); ``arguments``: the command's --Class.trait=VALUE arguments.
    The settings are resolved from the configuration of the application ``coursedir`` belongs
    to: ``coursedir.config`` itself lacks what nbgrader_config.py sets when the course directory
    was made before nbgrader loaded that file.
    Raises MissingEntry when the gradebook lacks the assignment."""
    assignment = assignment or coursedir.assignment_id
    definition = assignment_definition(gradebook, assignment)
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    outlines = {path.name: outline(path) for path in sorted(source.glob("*.ipynb"))}
    # The student version's code cells: code of the student's notebook that is in the released
    # cell it came from is not the student's (sanitize.FlagSuspiciousCode reads them from release/).
    release = Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
    released = {path.name: outline(path, code=True) for path in sorted(release.glob("*.ipynb"))}
    plan = {
        "course_id": coursedir.course_id,
        "assignment": assignment,
        "course_root": str(coursedir.root),
        "config": config_path.read_text(encoding="utf-8") if config_path.is_file() else "",
        "arguments": list(arguments),
        "settings": grading_settings((coursedir.parent or coursedir).config),
        # What nbgrader's Autograde copies over each submission: not the notebooks, nor what
        # the course ignores (the second assignment's data, say).
        "source_files": read_folder(source, skip=[*coursedir.ignore, "*.ipynb"]),
        "outlines": outlines,
        "released": released,
        "definition": definition,
    }
    digest = hashlib.sha256(
        json.dumps(
            {key: value for key, value in plan.items() if key != "source_files"}, sort_keys=True, default=str
        ).encode()
    )
    for entry in plan["source_files"]:
        digest.update(
            entry["path"].encode()
            + b"\0"
            + repr(entry.get("mode")).encode()
            + b"\0"
            + entry.get("data", entry.get("link", "").encode())
            + b"\0"
        )
    plan["hash"] = digest.hexdigest()
    with tempfile.TemporaryDirectory(prefix="dnngrader-plan-") as folder:
        path = Path(folder) / "gradebook.db"
        definition_gradebook(definition, coursedir.course_id, path)
        plan["gradebook"] = path.read_bytes()
    return plan


# ---------------------------------------------------------------------------------------------
# A student's rows in the gradebook
# ---------------------------------------------------------------------------------------------


def cell_names(submitted_notebook):
    """{cell id: cell name} of a submitted notebook's cells, in one query (a grade's or comment's
    ``name`` loads its cell on its own)."""
    return {cell.id: cell.name for cell in submitted_notebook.notebook._base_cells}


def student_state(gradebook, assignment, student):
    """The rows of ``student``'s submission of ``assignment`` as plain data; None when the
    gradebook has no such submission."""
    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return None
    person = submission.student
    notebooks = {}
    for notebook in submission.notebooks:
        names = cell_names(notebook)
        notebooks[notebook.notebook.name] = {
            "flagged": bool(notebook.flagged),
            "late_submission_penalty": notebook.late_submission_penalty,
            "grades": {
                names[grade.cell_id]: {
                    "auto_score": grade.auto_score,
                    "manual_score": grade.manual_score,
                    "extra_credit": grade.extra_credit,
                    "needs_manual_grade": grade.needs_manual_grade,
                }
                for grade in notebook.grades
            },
            "comments": {
                names[comment.cell_id]: {"auto_comment": comment.auto_comment, "manual_comment": comment.manual_comment}
                for comment in notebook.comments
            },
        }
    extension = submission.extension
    return {
        "student": {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "lms_user_id": person.lms_user_id,
        },
        "timestamp": iso(submission.timestamp),
        "extension": extension.total_seconds() if extension is not None else None,
        "notebooks": notebooks,
    }


def restore_state(gradebook, assignment, student, state):
    """Give ``student`` in ``gradebook`` (a worker's copy of the plan's) the rows ``state``
    describes (as ``student_state`` gives them); nothing when ``state`` is None."""
    if state is None:
        return
    gradebook.update_or_create_student(student, **state["student"])
    submission = gradebook.add_submission(assignment, student)
    submission.timestamp = moment(state["timestamp"])
    if state["extension"] is not None:
        submission.extension = timedelta(seconds=state["extension"])
    for notebook in submission.notebooks:
        saved = state["notebooks"].get(notebook.notebook.name)
        if saved is None:
            continue
        names = cell_names(notebook)
        notebook.flagged = saved["flagged"]
        notebook.late_submission_penalty = saved["late_submission_penalty"]
        for grade in notebook.grades:
            for field, value in saved["grades"].get(names[grade.cell_id], {}).items():
                setattr(grade, field, value)
        for comment in notebook.comments:
            for field, value in saved["comments"].get(names[comment.cell_id], {}).items():
                setattr(comment, field, value)
    gradebook.db.commit()


# ---------------------------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------------------------


def task(coursedir, gradebook, work, assignment=None):
    """The task for ``work`` ({"student", "autograde", "feedback"}, from GradingState.tasks) of
    ``assignment`` (default: ``coursedir.assignment_id``): everything a worker needs to do it,
    read from the course directory and the open gradebook."""
    student, assignment = work["student"], assignment or coursedir.assignment_id
    data = dict(work)
    if work["autograde"]:
        folder = coursedir.format_path(coursedir.submitted_directory, student, assignment)
    else:  # feedback only: from the autograded submission
        folder = coursedir.format_path(coursedir.autograded_directory, student, assignment)
    data["files"] = read_folder(folder)
    data["state"] = student_state(gradebook, assignment, student)
    notes = timestamps.notes_path(coursedir.root, assignment)
    try:
        every = json.loads(notes.read_text(encoding="utf-8"))
        data["notes"] = every.get(student) if isinstance(every, dict) else None
    except (OSError, ValueError):
        data["notes"] = None
    return data
