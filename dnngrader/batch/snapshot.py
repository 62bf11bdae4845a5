"""A gradebook's grading results as plain data, so that two gradebooks can be compared.

Everything autograding writes is kept (students, submissions, each notebook's scores, flag and
late penalty, every grade and comment, and how many rows each table has); what differs between
two runs by nature is left out: database ids and timestamps.
"""

from nbgrader.api import Comment, Grade, Student, SubmittedAssignment, SubmittedNotebook


def _grade(grade):
    return {
        "auto_score": grade.auto_score,
        "manual_score": grade.manual_score,
        "extra_credit": grade.extra_credit,
        "needs_manual_grade": grade.needs_manual_grade,
        "max_score": grade.max_score,
    }


def _comment(comment):
    return {"auto_comment": comment.auto_comment, "manual_comment": comment.manual_comment}


def _notebook(notebook):
    return {
        "score": notebook.score,
        "max_score": notebook.max_score,
        "flagged": notebook.flagged,
        "needs_manual_grade": notebook.needs_manual_grade,
        "late_submission_penalty": notebook.late_submission_penalty,
        "grades": {grade.name: _grade(grade) for grade in notebook.grades},
        "comments": {comment.name: _comment(comment) for comment in notebook.comments},
    }


def snapshot(gradebook):
    """{"students": {id: {...}}, "rows": {table: count}} of an open nbgrader Gradebook."""
    students = {}
    for student in gradebook.students:
        students[student.id] = {
            "name": [student.first_name, student.last_name, student.email, student.lms_user_id],
            "submissions": {
                submission.assignment.name: {
                    "extension": str(submission.extension),
                    "score": submission.score,
                    "max_score": submission.max_score,
                    "notebooks": {notebook.name: _notebook(notebook) for notebook in submission.notebooks},
                }
                for submission in student.submissions
            },
        }
    rows = {
        model.__tablename__: gradebook.db.query(model).count()
        for model in (Student, SubmittedAssignment, SubmittedNotebook, Grade, Comment)
    }
    return {"students": students, "rows": rows}


def differences(expected, actual, path="", limit=20):
    """Where two snapshots differ, as readable lines (at most ``limit``)."""
    found = []

    def walk(a, b, where):
        if len(found) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b), key=str):
                if key not in a or key not in b:
                    found.append(f"{where}/{key}: only in {'actual' if key in b else 'expected'}")
                else:
                    walk(a[key], b[key], f"{where}/{key}")
        elif a != b:
            found.append(f"{where}: expected {a!r}, got {b!r}")

    walk(expected, actual, path)
    return found
