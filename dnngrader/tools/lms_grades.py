"""Write the class's grades as the LMSs import them: reports/canvas_grades.csv (Canvas's
gradebook import) and reports/moodle_grades.csv (Moodle's CSV grade import), one row per student
of the roster, matched by their LMS id, one column per assignment with its points.

    dnngrader lms-grades --roster ROSTER.csv [--to DIR] [--missing empty|zero]
                         [--canvas-column ASSIGNMENT=HEADING ...] [--course DIR]

The grades are read from the course's gradebook as ``dnngrader grade`` left it, the same totals
as reports/grades.csv (see dnngrader/plugins/lms_grades.py for both formats).  Exit status 1 when
a graded student is not a student of the roster (their grades are in neither file) or a roster
student has no lms_id; 2 when the roster or the gradebook cannot be used.
"""

import argparse
import os
import sys
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.apps import NbGrader
from nbgrader.coursedir import CourseDirectory

from dnngrader import roster as class_roster
from dnngrader.plugins import export, lms_grades


def course_directory(course):
    """The nbgrader CourseDirectory of the course folder ``course``, as its nbgrader_config.py sets it."""
    cwd = os.getcwd()
    os.chdir(course)
    try:
        app = NbGrader()
        app.load_config_file()
        coursedir = CourseDirectory(config=app.config, root=str(Path(course).resolve()))
    finally:
        os.chdir(cwd)
    return coursedir


def class_totals(coursedir):
    """(course's assignments, {assignment: {student: total}}, {assignment: points}) from the gradebook."""
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        course = export.course_assignments(gradebook)
        per_assignment, _ = export.class_grades(
            gradebook,
            autograded=coursedir.format_path(coursedir.autograded_directory, ".", "."),
            submitted=coursedir.format_path(coursedir.submitted_directory, ".", "."),
            course=course,
        )
        points = lms_grades.points_of(gradebook, course)
    return course, lms_grades.scores(per_assignment), points


def write(roster_path, coursedir, folder, missing="empty", canvas_columns=None):
    """Write both files into ``folder``; returns (their paths, the roster's rows, the graded
    students the roster lacks).  Raises RosterError."""
    rows = class_roster.read_roster(roster_path)
    course, totals, points = class_totals(coursedir)
    paths = lms_grades.write_files(folder, rows, totals, points, course, missing, canvas_columns)
    return paths, rows, lms_grades.unmatched(rows, totals)


def main(argv=None):
    """Command line (see the module's docstring)."""
    parser = argparse.ArgumentParser(prog="dnngrader lms-grades", description=__doc__.split("\n\n")[0])
    parser.add_argument("--roster", type=Path, required=True, help="the class roster CSV file (the hub's)")
    parser.add_argument("--to", type=Path, help="the folder to write them in (default: COURSE/reports)")
    parser.add_argument(
        "--missing",
        choices=sorted(lms_grades.MISSING),
        default="empty",
        help="a roster student without a submission: an empty cell, which the LMS skips (default), or 0",
    )
    parser.add_argument(
        "--canvas-column",
        action="append",
        default=[],
        metavar="ASSIGNMENT=HEADING",
        help="the Canvas column of an assignment, e.g. 'dnn_application=DNN application (12345)' "
        "to update that Canvas assignment (default: the assignment's name, a new one)",
    )
    parser.add_argument(
        "--course", type=Path, default=Path.cwd(), metavar="DIR", help="the course folder (default: the current one)"
    )
    args = parser.parse_args(argv)
    columns = {}
    for item in args.canvas_column:
        assignment, separator, heading = item.partition("=")
        if not separator or not heading:
            parser.error(f"--canvas-column {item!r}: give ASSIGNMENT=HEADING")
        columns[assignment] = heading
    coursedir = course_directory(args.course)
    try:
        paths, rows, strangers = write(
            args.roster, coursedir, args.to or Path(args.course) / "reports", args.missing, columns
        )
    except class_roster.RosterError as error:
        print(f"dnngrader lms-grades: {error}", file=sys.stderr)
        return 2
    students = class_roster.students(rows)
    print(
        f"Wrote the grades of {len(lms_grades.with_ids(rows))} of the roster's {len(students)} students: "
        f"{paths[0]} (Canvas), {paths[1]} (Moodle)"
    )
    status = 0
    for student in strangers:
        print(
            f"not in the roster: {student} has grades, which are in neither file (add them to the roster)",
            file=sys.stderr,
        )
        status = 1
    for student in lms_grades.missing_ids(rows):
        print(
            f"no lms_id: {student} is left out of both files, the LMS could not match them (fill lms_id in the roster)",
            file=sys.stderr,
        )
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
