"""The main job, end to end, on the sample submissions bundled in samples/.

    python -m dnngrader.demo [--into DIR]        (or: make demo)

The demo never touches the course's own data (submitted/, autograded/, feedback/, reports/,
gradebook.db, exchange/, release/), so a later `make grade` grades the class and no sample
student.  It grades in a scratch course of its own, demo/ at the repository root unless --into
says otherwise (git-ignored, made afresh on every run, removed by `make clean`), which links to
the kit's code and source/ (dnngrader.course.ScratchCourse).  There, it

1. generates the student version from source/ (nbgrader generate_assignment, which registers the
   assignment in the scratch course's own gradebook);
2. writes each sample as a submission under submitted/<student>/;
3. autogrades them with nbgrader and generates their feedback HTML under feedback/;
4. exports the grades to reports/grades.csv and prints a table per student and per function.
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from nbgrader.api import Gradebook

from . import export, samples
from .course import ScratchCourse
from .paths import ASSIGNMENT, COURSE_ROOT

DEMO_ROOT = COURSE_ROOT / "demo"
# Written into every scratch course the demo makes: a folder without it is never deleted.
MARKER = ".dnngrader-demo"


def prepare(root):
    """A fresh scratch course at ``root`` with the assignment registered; the previous demo's
    course there is removed first.  Raises ValueError rather than delete a non-empty folder the
    demo did not make."""
    root = Path(root).resolve()
    if root.exists():
        if not (root / MARKER).is_file() and any(root.iterdir()):
            raise ValueError(f"{root} exists and was not made by the demo: remove it, or give the "
                             "demo another folder with --into.")
        shutil.rmtree(root)  # symbolic links to the kit's code and source/ are unlinked, not followed
    root.mkdir(parents=True)
    (root / MARKER).write_text("A scratch course made by `make demo` (python -m dnngrader.demo): "
                               "safe to delete.\n")
    return ScratchCourse(root).create()


def grade_students(course, students):
    """Autograde and generate feedback in ``course`` for each student; returns those nbgrader
    failed on."""
    failed = []
    for student in students:
        for step in ("autograde", "generate_feedback"):
            done = course.nbgrader(step, ASSIGNMENT, "--student", student, "--force", check=False)
            if done.returncode != 0:
                failed.append(student)
                print(f"  nbgrader {step} failed for {student}:\n{done.stderr[-2000:]}")
                break
        else:
            print(f"  graded {student}")
    return failed


def main(argv=None):
    """Grade the samples in a scratch course and print the results; exit status 1 when nbgrader
    failed on a sample, 2 when the scratch folder cannot be used."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--into", type=Path, default=DEMO_ROOT,
                        help="the scratch course's folder (default: demo/ at the repository root)")
    args = parser.parse_args(argv)
    print(f"Grading the samples in a scratch course, {args.into.resolve()}: the course's own "
          "submissions and gradebook are not touched.")
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
    release = course.root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    students = samples.write_samples(course.submitted, release)
    print("Autograding with nbgrader and generating feedback ...")
    failed = grade_students(course, students)
    reports = course.root / "reports"
    reports.mkdir(exist_ok=True)
    with Gradebook(course.db_url) as gradebook:
        rows = [row for row in export.grade_rows(gradebook, autograded=course.root / "autograded")
                if row["student"] in students]
        points = export.max_points(gradebook)
    export.write_csv(rows, reports / "grades.csv")
    print()
    print(export.format_table(rows, points))
    print()
    print(f"Demo course: {course.root}  (a scratch copy of the course; `make clean` removes it)")
    print(f"Feedback:    {course.root / 'feedback'}/<student>/{ASSIGNMENT}/{ASSIGNMENT}.html")
    print(f"Grades:      {reports / 'grades.csv'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
