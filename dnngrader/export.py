"""Grades per student and per function, read from the gradebook.

``FunctionGradesExport`` is an nbgrader export plugin (nbgrader_config.py selects it), so
``nbgrader export --to grades.csv`` writes one row per student: a column per graded function,
the total, whether the submission was flagged for the instructor, and the grader's notes (the
tampering it detected and other findings, read from the autograded notebook; see findings.py).
Every student with a folder in submitted/ has a row, even one nbgrader never recorded (no
notebook, a renamed or unreadable one): 0 points and a note saying why.
"""

import csv
from pathlib import Path

from nbgrader.api import MissingEntry
from nbgrader.plugins import ExportPlugin

from . import findings, hooks
from .cases import TESTS
from .paths import ASSIGNMENT, COURSE_ROOT, GRADED_FUNCTIONS

NOTEBOOK = ASSIGNMENT


def function_of(grade_id):
    test = TESTS.get(grade_id)
    return test.function if test else None


def submission_folders(submitted, assignment=ASSIGNMENT):
    """{student id: folder} of every ``submitted/<student>/<assignment>/`` folder, whatever it holds."""
    root = Path(submitted)
    if not root.is_dir():
        return {}
    return {folder.parent.name: folder for folder in sorted(root.glob(f"*/{assignment}")) if folder.is_dir()}


def _not_graded_row(student, max_score, note):
    row = {"student": student, **{name: 0.0 for name in GRADED_FUNCTIONS}}
    row.update(total=0.0, max=max_score, flagged=False, notes=note)
    return row


def grade_rows(gradebook, assignment=ASSIGNMENT, autograded=COURSE_ROOT / "autograded", submitted=None):
    """One dict per student with a submission: student, each function's score, total, max,
    flagged, notes.

    ``autograded``: the folder of autograded submissions.  ``submitted``: the folder of
    submissions (submitted/); when given, every student with a folder there has a row, those
    nbgrader has no submission of (nothing to grade, a renamed or unreadable notebook, not graded
    yet) with 0 points and a note saying why, and a submission without an autograded notebook
    gets the reason as its note.  Raises MissingEntry when the gradebook lacks the assignment's
    notebook and some student needs such a row.
    """
    folders = submission_folders(submitted, assignment) if submitted is not None else {}
    expected = [f"{NOTEBOOK}.ipynb"]
    rows = []
    recorded = set()
    for student in sorted(gradebook.students, key=lambda s: s.id):
        try:
            submission = gradebook.find_submission_notebook(NOTEBOOK, assignment, student.id)
        except MissingEntry:
            continue
        recorded.add(student.id)
        row = {"student": student.id, **{name: 0.0 for name in GRADED_FUNCTIONS}}
        for grade in submission.grades:
            function = function_of(grade.name)
            if function:
                row[function] += grade.score or 0.0
        row["total"] = round(sum(row[name] for name in GRADED_FUNCTIONS), 2)
        row["max"] = submission.max_score
        row["flagged"] = bool(submission.flagged)
        notebook = Path(autograded) / student.id / assignment / f"{NOTEBOOK}.ipynb"
        found = findings.read(notebook)
        if found is None and student.id in folders:
            row["notes"] = hooks.not_graded_reason(folders[student.id], expected)
        else:
            row["notes"] = findings.summary(found)
        rows.append(row)
    missing = sorted(set(folders) - recorded)
    if missing:
        max_score = gradebook.find_notebook(NOTEBOOK, assignment).max_score
        rows += [_not_graded_row(student, max_score, hooks.not_graded_reason(folders[student], expected))
                 for student in missing]
        rows.sort(key=lambda row: row["student"])
    return rows


def max_points(gradebook, assignment=ASSIGNMENT):
    notebook = gradebook.find_notebook(NOTEBOOK, assignment)
    points = {name: 0.0 for name in GRADED_FUNCTIONS}
    for cell in notebook.grade_cells:
        function = function_of(cell.name)
        if function:
            points[function] += cell.max_score
    return points


COLUMNS = ["student", *GRADED_FUNCTIONS, "total", "max", "flagged", "notes"]


def write_csv(rows, path):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


class FunctionGradesExport(ExportPlugin):
    """nbgrader export plugin: the per-function CSV of this course."""

    def export(self, gradebook):
        destination = self.to or "grades.csv"
        coursedir = self.parent.coursedir
        rows = grade_rows(gradebook, autograded=coursedir.format_path(coursedir.autograded_directory, ".", "."),
                          submitted=coursedir.format_path(coursedir.submitted_directory, ".", "."))
        if self.student:
            rows = [row for row in rows if row["student"] in self.student]
        write_csv(rows, destination)
        self.log.info("Wrote grades of %d students to %s", len(rows), destination)


# Column headings for the functions in plain-text tables.
SHORT_NAMES = {name: name.replace("initialize_parameters", "init").replace("linear_activation", "lin_act")
               .replace("_forward", "_fwd").replace("_backward", "_bwd").replace("_parameters", "_params")
               for name in GRADED_FUNCTIONS}


def format_table(rows, points):
    """A plain-text table: one row per student, one column per function, then the total; the
    grader's notes on a student follow the table."""
    short = SHORT_NAMES
    header = ["student"] + [short[name] for name in GRADED_FUNCTIONS] + ["total"]
    body = [[row["student"] + (" (flagged)" if row["flagged"] else "")]
            + [f"{row[name]:g}/{points[name]:g}" for name in GRADED_FUNCTIONS]
            + [f"{row['total']:g}/{row['max']:g}"] for row in rows]
    widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)) for line in [header] + body]
    lines.insert(1, "  ".join("-" * width for width in widths))
    noted = [row for row in rows if row.get("notes")]
    if noted:
        lines += [""] + [f"{row['student']}: {row['notes']}" for row in noted]
    return "\n".join(lines)
