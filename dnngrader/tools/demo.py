"""The main job, end to end, on the sample submissions bundled in samples/, of every assignment.

    dnngrader demo [--into DIR]        (or: make demo)

The demo never touches the course's own data (submitted/, autograded/, feedback/, reports/,
gradebook.db, exchange/, release/), so a later `make grade` grades the class and no sample
student.  It grades in a scratch course of its own, demo/ at the repository root unless --into
says otherwise (git-ignored, made afresh on every run, removed by `make clean`), which links to
the kit's code and source/ (dnngrader.tools.course.ScratchCourse).  There, it

1. generates the student version of each assignment from source/ (nbgrader generate_assignment,
   which registers the assignment in the scratch course's own gradebook);
2. writes each sample as a submission under submitted/<student>/<assignment>/ (samples.py: the
   first assignment's samples/*.py, the others' samples/<assignment>/*.py);
3. autogrades them with nbgrader and generates their feedback HTML under feedback/, one
   assignment after the other;
4. exports the grades to reports/grades.csv (a row per student, columns per assignment and
   function) and prints a table per assignment: a row per student, a column per function.
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from nbgrader.api import Gradebook

from dnngrader import assignments
from dnngrader.plugins import export
from dnngrader.tools import samples
from dnngrader.tools.course import ScratchCourse
from dnngrader.paths import COURSE_ROOT

DEMO_ROOT = COURSE_ROOT / "demo"
# Written into every scratch course the demo makes: a folder without it is never deleted.
MARKER = ".dnngrader-demo"


def prepare(root, course=None):
    """A fresh scratch course at ``root`` with the assignments ``course`` (default: every one
    with samples) registered; the previous demo's course there is removed first.  Raises
    ValueError rather than delete a non-empty folder the demo did not make."""
    root = Path(root).resolve()
    if root.exists():
        if not (root / MARKER).is_file() and any(root.iterdir()):
            raise ValueError(
                f"{root} exists and was not made by the demo: remove it, or give the demo another folder with --into."
            )
        shutil.rmtree(root)  # symbolic links to the kit's code and source/ are unlinked, not followed
    root.mkdir(parents=True)
    (root / MARKER).write_text("A scratch course made by `make demo` (dnngrader demo): safe to delete.\n")
    return ScratchCourse(root, assignments=course or samples.with_samples()).create()


def grade_students(course, assignment, students):
    """Autograde ``assignment`` and generate its feedback in ``course`` (one nbgrader command
    each, for every student of its submitted/); returns the students nbgrader failed on."""
    failed = set()
    for step, output in (("autograde", "autograded"), ("generate_feedback", "feedback")):
        done = course.nbgrader(step, assignment, "--force", check=False)
        missing = [
            student
            for student in students
            if student not in failed and not (course.root / output / student / assignment).is_dir()
        ]
        if done.returncode != 0 and not missing:  # it failed, and did not say on whom
            missing = [student for student in students if student not in failed]
        if missing:
            failed.update(missing)
            print(
                f"  nbgrader {step} {assignment} failed for {', '.join(missing) or 'a student'}:\n{done.stderr[-2000:]}"
            )
    for student in students:
        if student not in failed:
            print(f"  graded {student} ({assignment})")
    return sorted(failed)


def main(argv=None):
    """Grade the samples in a scratch course and print the results; exit status 1 when nbgrader
    failed on a sample, 2 when the scratch folder cannot be used."""
    parser = argparse.ArgumentParser(
        prog="dnngrader demo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--into",
        type=Path,
        default=DEMO_ROOT,
        help="the scratch course's folder (default: demo/ at the repository root)",
    )
    args = parser.parse_args(argv)
    print(
        f"Grading the samples in a scratch course, {args.into.resolve()}: the course's own "
        "submissions and gradebook are not touched."
    )
    print("Generating the student version there from source/ ...")
    try:
        course = prepare(args.into)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        print(f"nbgrader generate_assignment failed:\n{error.stderr[-3000:]}", file=sys.stderr)
        return 1
    print("Writing the sample submissions to its submitted/ ...")
    course_assignments = samples.with_samples()
    students = {
        assignment: samples.write_samples(
            course.submitted, course.root / "release" / assignment / f"{assignment}.ipynb", assignment
        )
        for assignment in course_assignments
    }
    print("Autograding with nbgrader and generating feedback ...")
    failed = [
        student
        for assignment in course_assignments
        for student in grade_students(course, assignment, students[assignment])
    ]
    reports = course.root / "reports"
    reports.mkdir(exist_ok=True)
    with Gradebook(course.db_url) as gradebook:
        per_assignment, rows = export.class_grades(
            gradebook, autograded=course.root / "autograded", course=course_assignments
        )
        points = {assignment: export.max_points(gradebook, assignment) for assignment in course_assignments}
    everyone = set().union(*students.values())
    export.write_csv([row for row in rows if row["student"] in everyone], reports / "grades.csv", course_assignments)
    for assignment in course_assignments:
        print()
        if len(course_assignments) > 1:
            print(f"{assignment} ({len(assignments.graded_functions(assignment))} graded functions):")
        print(
            export.format_table(
                [row for row in per_assignment[assignment] if row["student"] in students[assignment]],
                points[assignment],
            )
        )
    legend = export.shortened([name for assignment in course_assignments for name in points[assignment]])
    if legend:
        print()
        print(legend)
    print()
    print(f"Demo course: {course.root}  (a scratch copy of the course; `make clean` removes it)")
    print(f"Feedback:    {course.root / 'feedback'}/<student>/<assignment>/<assignment>.html")
    print(
        f"Grades:      {reports / 'grades.csv'}  (a row per student; per assignment, its total and a "
        "column per function)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
