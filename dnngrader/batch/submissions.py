"""Which submissions there are, and which of them an earlier run has already graded.

A submission counts as autograded when both hold:
- nbgrader finished with it: its autograded notebook has the permissions nbgrader gives its
  output as its very last step (444 by default; while it works, the files keep the usual
  permissions), is valid JSON, and is at least as recent as every file the student submitted;
- the gradebook has the student's submitted notebook, with an automatic score for every
  autograded test cell (the database may have been reset or switched since).
Its feedback is done when the feedback HTML is at least as recent as the autograded notebook.
So a run that was killed resumes where it stopped, and a student who submits again is graded again.
"""

import glob
import json
import os
import re
import stat

from nbgrader.api import MissingEntry


def submitted_students(coursedir, assignment=None):
    """Ids of the students with a notebook in their submitted folder of ``assignment`` (default:
    ``coursedir.assignment_id``), sorted (as nbgrader finds them)."""
    assignment = assignment or coursedir.assignment_id
    pattern = coursedir.format_path(coursedir.submitted_directory, "*", assignment)
    regexp = coursedir.format_path(coursedir.submitted_directory, "(?P<student_id>[^/]+)", assignment, escape=True)
    students = []
    for folder in glob.glob(pattern):
        match = re.fullmatch(regexp, folder)
        if match and glob.glob(os.path.join(folder, "*.ipynb")):
            students.append(match.group("student_id"))
    return sorted(students)


def _newest_mtime(folder):
    newest = 0.0
    for directory, _, names in os.walk(folder):
        for name in names:
            newest = max(newest, os.stat(os.path.join(directory, name)).st_mtime)
    return newest


def _complete_notebook(path):
    try:
        with open(path, encoding="utf-8") as handle:
            json.load(handle)
        return True
    except (OSError, ValueError):
        return False


class GradingState:
    """What is already done for each student of ``assignment`` (default: ``coursedir.assignment_id``),
    from the files and ``gradebook``."""

    def __init__(self, coursedir, gradebook, assignment=None, permissions=0o444):
        """``permissions``: what nbgrader sets on the autograded files (Autograde.permissions)."""
        self.coursedir, self.gradebook = coursedir, gradebook
        self.assignment = assignment or coursedir.assignment_id
        self.permissions = permissions
        try:
            self.notebooks = [notebook.name for notebook in gradebook.find_assignment(self.assignment).notebooks]
        except MissingEntry:
            self.notebooks = []

    def _path(self, step, student, notebook, extension):
        folder = self.coursedir.format_path(step, student, self.assignment)
        return os.path.join(folder, notebook + extension)

    def _submitted_notebooks(self, student):
        return [
            name
            for name in self.notebooks
            if os.path.exists(self._path(self.coursedir.submitted_directory, student, name, ".ipynb"))
        ]

    def _scores_saved(self, student, notebook):
        try:
            submitted = self.gradebook.find_submission_notebook(notebook, self.assignment, student)
        except MissingEntry:
            return False
        solutions = {cell.name for cell in submitted.notebook.solution_cells}
        autograded = [
            grade for grade in submitted.grades if grade.cell.cell_type == "code" and grade.name not in solutions
        ]
        return all(grade.auto_score is not None for grade in autograded)

    def autograded(self, student):
        notebooks = self._submitted_notebooks(student)
        submitted_at = _newest_mtime(
            self.coursedir.format_path(self.coursedir.submitted_directory, student, self.assignment)
        )
        for notebook in notebooks:
            path = self._path(self.coursedir.autograded_directory, student, notebook, ".ipynb")
            if not os.path.exists(path):
                return False
            status = os.stat(path)
            finished = stat.S_IMODE(status.st_mode) == self.permissions
            if not (finished and status.st_mtime >= submitted_at and _complete_notebook(path)):
                return False
            if not self._scores_saved(student, notebook):
                return False
        return bool(notebooks)

    def has_feedback(self, student):
        for notebook in self._submitted_notebooks(student):
            graded = self._path(self.coursedir.autograded_directory, student, notebook, ".ipynb")
            feedback = self._path(self.coursedir.feedback_directory, student, notebook, ".html")
            if not (os.path.exists(feedback) and os.stat(feedback).st_mtime >= os.stat(graded).st_mtime):
                return False
        return True

    def tasks(self, students, feedback=True, force=False):
        """What is left to do for ``students``: [{"student", "autograde", "feedback"}]."""
        tasks = []
        for student in students:
            autograde = force or not self.autograded(student)
            give_feedback = feedback and (autograde or not self.has_feedback(student))
            if autograde or give_feedback:
                tasks.append({"student": student, "autograde": autograde, "feedback": give_feedback})
        return tasks
