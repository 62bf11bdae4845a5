"""Grades in the files the learning management systems import, beside the kit's grades.csv:
one row per STUDENT OF THE ROSTER (``dnngrader.roster``), matched by their LMS id, and one column
per assignment holding the student's points (nbgrader's total, as in grades.csv).

Canvas (Grades > Import, a gradebook CSV file)::

    Student,ID,SIS User ID,SIS Login ID,Section,dnn_step_by_step,dnn_application
    Points Possible,,,,,95.0,30.0
    Ada Lovelace,,A-1001,,,80.5,
    ...

The first five columns are Canvas's own (its gradebook export has them too); Canvas matches a
row to a student by ``ID`` (Canvas's internal id, unknown here: left empty) or ``SIS User ID``
(the roster's ``lms_id``).  The second row, ``Points Possible``, gives each assignment's points:
Canvas reads it to create an assignment the file names that the course does not have yet (a
column named like an existing assignment, ``Name (12345)`` as in Canvas's export, updates that
one; rename the columns with ``canvas_columns``).  ``Section`` is left empty: the roster has none.

Moodle (Grades > Import > CSV file)::

    ID number,Email address,Full name,dnn_step_by_step,dnn_application
    A-1001,ada@example.org,Ada Lovelace,80.5,
    ...

Moodle asks which column identifies the user ("Map from": ``ID number`` or ``Email address``,
"Map to": the user's ID number or email address) and which grade item each other column goes to
(an existing item, or a new one); the points are the grade (the item's maximum grade must be the
assignment's points, which ``points`` gives).  There is no points row: every row is a user.

A student of the roster who has not submitted an assignment gets ``missing`` in its cell: empty
(the default), no grade (Moodle's importer reads an empty cell or ``-`` as "no grade"); or ``0``,
which records a zero.  Only the roster's students are written, and only those with an lms_id: a
row the LMS cannot match is refused by Canvas, and Moodle's importer aborts the whole import on a
user it cannot find (and skips the identifier of a row whose identifier cell is empty, so that its
grades would land on the row above's student).  ``missing_ids`` names the students left out for
that, ``unmatched`` the graded students the roster does not hold; the command reports both.
"""

import csv
from pathlib import Path

from dnngrader import roster as class_roster

CANVAS_FILE = "canvas_grades.csv"  # in reports/, beside grades.csv
MOODLE_FILE = "moodle_grades.csv"
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "Points Possible"
MOODLE_COLUMNS = ("ID number", "Email address", "Full name")
MISSING = {"empty": "", "zero": "0"}


def scores(per_assignment):
    """{assignment: {student: total}} from ``export.class_grades``' per-assignment rows (every
    student with a submission folder or a gradebook submission, 0 for one not graded)."""
    return {assignment: {row["student"]: row["total"] for row in rows} for assignment, rows in per_assignment.items()}


def points_of(gradebook, course):
    """{assignment: its points} (nbgrader's max_score) for the assignments ``course``."""
    return {assignment: gradebook.find_assignment(assignment).max_score for assignment in course}


def number(value):
    """A score as the LMSs read it: no exponent, no needless ``.0`` (``80.5``, ``95``)."""
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return text or "0"


def unmatched(rows, totals):
    """The students with a grade in ``totals`` ({assignment: {student: score}}) whom the roster
    ``rows`` does not hold as students: their grades cannot reach the LMS."""
    known = {row["username"] for row in class_roster.students(rows)}
    return sorted({student for grades in totals.values() for student in grades} - known)


def _cell(totals, assignment, student, missing):
    score = totals.get(assignment, {}).get(student)
    return MISSING[missing] if score is None else number(score)


def canvas_rows(rows, totals, points, course, missing="empty", canvas_columns=None):
    """The Canvas gradebook file's rows (lists of strings, header first, then Points Possible,
    then one per roster student with an lms_id, in username order).  ``canvas_columns``: {assignment: the
    column's heading} (default: the assignment's name)."""
    headings = [(canvas_columns or {}).get(assignment, assignment) for assignment in course]
    table = [
        [*CANVAS_COLUMNS, *headings],
        [CANVAS_POINTS_ROW, "", "", "", "", *(number(points[assignment]) for assignment in course)],
    ]
    for row in with_ids(rows):
        table.append(
            [
                row["full_name"] or row["username"],
                "",
                row["lms_id"],
                "",
                "",
                *(_cell(totals, assignment, row["username"], missing) for assignment in course),
            ]
        )
    return table


def moodle_rows(rows, totals, course, missing="empty"):
    """The Moodle grade import file's rows (header first, then one per roster student with an lms_id)."""
    table = [[*MOODLE_COLUMNS, *course]]
    for row in with_ids(rows):
        table.append(
            [
                row["lms_id"],
                row["email"],
                row["full_name"] or row["username"],
                *(_cell(totals, assignment, row["username"], missing) for assignment in course),
            ]
        )
    return table


def write_rows(table, path):
    """Write ``table`` (lists of strings) as a CSV file in UTF-8, as both LMSs read it."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)


def with_ids(rows):
    """The roster's students (in username order) who have an lms_id: the rows both files hold."""
    return [row for row in class_roster.students(rows) if row["lms_id"]]


def missing_ids(rows):
    """The roster's students without an lms_id: no LMS can match their row."""
    return [row["username"] for row in class_roster.students(rows) if not row["lms_id"]]


def write_files(folder, rows, totals, points, course, missing="empty", canvas_columns=None):
    """Write CANVAS_FILE and MOODLE_FILE into ``folder`` for the roster ``rows``, the scores
    ``totals`` ({assignment: {student: score}}) and ``points`` ({assignment: points}) of the
    assignments ``course``; returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    canvas, moodle = folder / CANVAS_FILE, folder / MOODLE_FILE
    write_rows(canvas_rows(rows, totals, points, course, missing, canvas_columns), canvas)
    write_rows(moodle_rows(rows, totals, course, missing), moodle)
    return canvas, moodle
