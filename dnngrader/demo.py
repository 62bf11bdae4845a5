"""The main job, end to end, on the sample submissions bundled in samples/.

    python -m dnngrader.demo

1. regenerates the student version (release/) from source/;
2. writes each sample as a submission under submitted/<student>/ (other students are untouched);
3. autogrades them with nbgrader and generates their feedback HTML under feedback/;
4. exports the grades to reports/grades.csv and prints a table per student and per function.
"""

import sys

from nbgrader.api import Gradebook

from . import build, export, samples
from .paths import ASSIGNMENT, COURSE_ROOT

REPORTS = COURSE_ROOT / "reports"


def db_url():
    """The gradebook nbgrader_config.py points at."""
    from traitlets.config import PyFileConfigLoader
    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE_ROOT)).load_config()
    return config.CourseDirectory.db_url


def grade_students(students, quiet=True):
    """Autograde and generate feedback for each student; returns those nbgrader failed on."""
    failed = []
    for student in students:
        for step in ("autograde", "generate_feedback"):
            done = build.nbgrader(step, ASSIGNMENT, "--student", student, "--force",
                                  check=False, capture_output=quiet, text=True)
            if done.returncode != 0:
                failed.append(student)
                print(f"  nbgrader {step} failed for {student}:\n{done.stderr[-2000:]}")
                break
        else:
            print(f"  graded {student}")
    return failed


def main():
    print("Regenerating release/ from source/ ...")
    build.generate_release(quiet=True)
    print("Writing the sample submissions to submitted/ ...")
    students = samples.write_samples(COURSE_ROOT / "submitted")
    print("Autograding with nbgrader and generating feedback ...")
    failed = grade_students(students)
    REPORTS.mkdir(exist_ok=True)
    with Gradebook(db_url()) as gradebook:
        rows = [row for row in export.grade_rows(gradebook) if row["student"] in students]
        points = export.max_points(gradebook)
    export.write_csv(rows, REPORTS / "grades.csv")
    print()
    print(export.format_table(rows, points))
    print()
    print(f"Feedback:  {COURSE_ROOT / 'feedback'}/<student>/{ASSIGNMENT}/{ASSIGNMENT}.html")
    print(f"Grades:    {REPORTS / 'grades.csv'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
