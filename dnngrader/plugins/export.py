"""Grades per student, per assignment and per function, read from the gradebook.

``FunctionGradesExport`` is an nbgrader export plugin (nbgrader_config.py selects it), so
``nbgrader export --to grades.csv`` writes the course's grade sheet, which `make grade` writes
to reports/grades.csv too: ONE ROW PER STUDENT, every student with a submission of any
assignment, and for each assignment of the course (those of dnngrader/assignments/__init__.py that the
gradebook knows, in the course's order) the columns

    <assignment>:total, <assignment>:max, <assignment>:<function> for each graded function

(the total is the functions' points less the late penalty nbgrader recorded, deadlines.py)

then ``flagged`` (any of the student's submissions was flagged for the instructor) and
``notes`` (the grader's notes: the tampering it detected and other findings, read from the
autograded notebook, see findings.py; each one opens with the assignment it is about, and
notes on two assignments are separated by " | ").  A student without a submission of an
assignment has empty cells there, not 0.  Every student with a folder in submitted/ has their
row, even one nbgrader never recorded (no notebook, a renamed or unreadable one): 0 points for
that assignment and a note saying why.

``assignment_rows`` gives one assignment's grades alone (a row per student who submitted it,
keyed by function name), for the tables and charts of a single assignment.
"""

import csv
from pathlib import Path

from nbgrader.plugins import ExportPlugin

from dnngrader import assignments
from dnngrader.plugins import findings, hooks
from dnngrader.paths import COURSE_ROOT

NOTES_SEPARATOR = " | "  # between the notes on two assignments


def functions_of(assignment):
    """The graded functions of ``assignment``, in notebook order."""
    return assignments.graded_functions(assignment)


def course_assignments(gradebook):
    """The assignments of the registry that ``gradebook`` knows, in the registry's order."""
    known = {assignment.name for assignment in gradebook.assignments}
    return [name for name in assignments.names() if name in known]


def submission_folders(submitted, assignment):
    """{student id: folder} of every ``submitted/<student>/<assignment>/`` folder, whatever it holds."""
    root = Path(submitted)
    if not root.is_dir():
        return {}
    return {folder.parent.name: folder for folder in sorted(root.glob(f"*/{assignment}")) if folder.is_dir()}


def _notebook_names(gradebook, assignment):
    return [notebook.name for notebook in gradebook.find_assignment(assignment).notebooks]


def _not_graded_row(student, functions, max_score, note):
    row = {"student": student, **{name: 0.0 for name in functions}}
    row.update(total=0.0, max=max_score, flagged=False, notes=note)
    return row


def assignment_rows(gradebook, assignment, autograded=COURSE_ROOT / "autograded", submitted=None):
    """One dict per student with a submission of ``assignment``: student, each graded
    function's score, total, max, flagged, notes.

    ``autograded``: the folder of autograded submissions.  ``submitted``: the folder of
    submissions (submitted/); when given, every student with a folder there has a row, those
    nbgrader has no submission of (nothing to grade, a renamed or unreadable notebook, not graded
    yet) with 0 points and a note saying why, and a submission without an autograded notebook
    gets the reason as its note.  Raises MissingEntry when the gradebook lacks the assignment.
    """
    functions = functions_of(assignment)
    notebooks = _notebook_names(gradebook, assignment)
    expected = [f"{name}.ipynb" for name in notebooks]
    folders = submission_folders(submitted, assignment) if submitted is not None else {}
    rows = []
    recorded = set()
    for submission in sorted(gradebook.assignment_submissions(assignment), key=lambda s: s.student.id):
        student = submission.student.id
        recorded.add(student)
        row = {"student": student, **{name: 0.0 for name in functions}}
        notes, flagged, unread = [], False, False
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                function = assignments.function_of(assignment, grade.name)
                if function:
                    row[function] += grade.score or 0.0
            flagged = flagged or bool(notebook.flagged)
            found = findings.read(Path(autograded) / student / assignment / f"{notebook.notebook.name}.ipynb")
            unread = unread or found is None
            if findings.summary(found):  # for None: "not autograded: ..."
                notes.append(findings.summary(found))
        # The total is the grade: the functions' points less any late penalty (deadlines.py).
        penalty = sum(notebook.late_submission_penalty or 0.0 for notebook in submission.notebooks)
        row["total"] = round(sum(row[name] for name in functions) - penalty, 2)
        row["max"] = submission.max_score
        row["flagged"] = flagged
        if unread and student in folders:  # what is wrong with the submitted folder
            row["notes"] = hooks.not_graded_reason(folders[student], expected)
        else:
            row["notes"] = "; ".join(notes)
        rows.append(row)
    missing = sorted(set(folders) - recorded)
    if missing:
        max_score = gradebook.find_assignment(assignment).max_score
        rows += [
            _not_graded_row(student, functions, max_score, hooks.not_graded_reason(folders[student], expected))
            for student in missing
        ]
        rows.sort(key=lambda row: row["student"])
    return rows


def max_points(gradebook, assignment=None):
    """function -> the points of its test cells, for ``assignment`` (default: the course's first)."""
    assignment = assignment or assignments.names()[0]
    points = {name: 0.0 for name in functions_of(assignment)}
    for notebook in _notebook_names(gradebook, assignment):
        for cell in gradebook.find_notebook(notebook, assignment).grade_cells:
            function = assignments.function_of(assignment, cell.name)
            if function:
                points[function] += cell.max_score
    return points


def column(assignment, name):
    """The grade sheet's column of ``name`` (total, max or a function) of ``assignment``."""
    return f"{assignment}:{name}"


def columns(course):
    """The grade sheet's columns for the assignments ``course`` (names, in order)."""
    per_assignment = [
        column(assignment, name) for assignment in course for name in ("total", "max", *functions_of(assignment))
    ]
    return ["student", *per_assignment, "flagged", "notes"]


GRADING_FAILED = "grading failed:"  # how a note on a submission whose grading failed begins


def note_failures(rows, failures):
    """Open the notes of the students whose grading failed in this run: ``failures`` is
    student -> why (for one assignment's ``rows``, as ``assignment_rows`` gives them)."""
    for row in rows:
        if row["student"] not in failures:
            continue
        note = row.get("notes") or ""
        if note.startswith("not autograded:") and note != hooks.NOT_GRADED_YET:
            continue  # it already says what is wrong with the submission
        failed = f"{GRADING_FAILED} {failures[row['student']]} (see reports/grading.log)"
        row["notes"] = failed if note == hooks.NOT_GRADED_YET or not note else f"{failed}; {note}"
    return rows


def sheet_rows(per_assignment, course):
    """The grade sheet's rows (dicts keyed by ``columns(course)``) from ``per_assignment``:
    assignment -> its rows (``assignment_rows``).  A student who did not submit an assignment
    has None (an empty cell) in its columns."""
    students = sorted({row["student"] for rows in per_assignment.values() for row in rows})
    by_student = {student: {"student": student, "flagged": False, "notes": []} for student in students}
    for assignment in course:
        names = ("total", "max", *functions_of(assignment))
        seen = {row["student"]: row for row in per_assignment.get(assignment, [])}
        for student, sheet in by_student.items():
            row = seen.get(student)
            for name in names:
                sheet[column(assignment, name)] = row[name] if row else None
            if row:
                sheet["flagged"] = sheet["flagged"] or bool(row["flagged"])
                if row.get("notes"):
                    sheet["notes"].append(f"{assignment}: {row['notes']}")
    for sheet in by_student.values():
        sheet["notes"] = NOTES_SEPARATOR.join(sheet["notes"])
    return [by_student[student] for student in students]


def class_grades(gradebook, autograded=COURSE_ROOT / "autograded", submitted=None, course=None, failures=None):
    """(assignment -> its rows as ``assignment_rows`` gives them, the grade sheet's rows) for
    the assignments ``course`` (default: every assignment of the registry the gradebook knows).
    ``failures``: assignment -> {student: why grading failed in this run}, which opens those
    notes."""
    course = course_assignments(gradebook) if course is None else list(course)
    per_assignment = {}
    for assignment in course:
        rows = assignment_rows(gradebook, assignment, autograded=autograded, submitted=submitted)
        per_assignment[assignment] = note_failures(rows, (failures or {}).get(assignment, {}))
    return per_assignment, sheet_rows(per_assignment, course)


def grade_rows(gradebook, autograded=COURSE_ROOT / "autograded", submitted=None, course=None, failures=None):
    """The grade sheet's rows: one per student with a submission of any assignment of ``course``
    (see ``class_grades``)."""
    return class_grades(gradebook, autograded, submitted, course, failures)[1]


def write_csv(rows, path, course):
    """Write the grade sheet's ``rows`` for the assignments ``course`` to ``path``."""
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns(course), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


class FunctionGradesExport(ExportPlugin):
    """nbgrader export plugin: the course's grade sheet (a row per student, columns per
    assignment and function)."""

    def export(self, gradebook):
        destination = self.to or "grades.csv"
        coursedir = self.parent.coursedir
        course = course_assignments(gradebook)
        if self.assignment:
            course = [name for name in course if name in self.assignment]
        rows = grade_rows(
            gradebook,
            autograded=coursedir.format_path(coursedir.autograded_directory, ".", "."),
            submitted=coursedir.format_path(coursedir.submitted_directory, ".", "."),
            course=course,
        )
        if self.student:
            rows = [row for row in rows if row["student"] in self.student]
        write_csv(rows, destination, course)
        self.log.info("Wrote grades of %d students to %s", len(rows), destination)


# Column headings for the functions in plain-text tables.
SHORT_NAMES = {
    name: name.replace("initialize_parameters", "init")
    .replace("linear_activation", "lin_act")
    .replace("_forward", "_fwd")
    .replace("_backward", "_bwd")
    .replace("_parameters", "_params")
    for assignment in assignments.names()
    for name in functions_of(assignment)
}


def shortened(functions):
    """A line naming each of ``functions`` whose column heading ``format_table`` shortens
    ("Shortened headings: init = initialize_parameters, ..."); "" when none is."""
    pairs = [f"{SHORT_NAMES[name]} = {name}" for name in functions if SHORT_NAMES.get(name, name) != name]
    return f"Shortened headings: {', '.join(pairs)}" if pairs else ""


def format_table(rows, points):
    """A plain-text table of one assignment's ``rows`` (``assignment_rows``): one row per
    student, one column per function of ``points`` (``max_points``), then the total; the grader's
    notes on a student follow the table."""
    functions = list(points)
    header = ["student"] + [SHORT_NAMES.get(name, name) for name in functions] + ["total"]
    body = [
        [row["student"] + (" (flagged)" if row["flagged"] else "")]
        + [f"{row[name]:g}/{points[name]:g}" for name in functions]
        + [f"{row['total']:g}/{row['max']:g}"]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header] + body) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)) for line in [header] + body]
    lines.insert(1, "  ".join("-" * width for width in widths))
    noted = [row for row in rows if row.get("notes")]
    if noted:
        lines += [""] + [f"{row['student']}: {row['notes']}" for row in noted]
    return "\n".join(lines)
