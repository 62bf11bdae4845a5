"""Grade a whole class: autograde every submission in parallel, then report.

    python -m dnngrader.grade [--jobs N] [--zip DOWNLOAD.zip [--pattern REGEX]
                              [--timestamp-format FORMAT] [--timezone ZONE]] [--force]
                              [--no-feedback] [--course DIR] [--db URL] [--timings FILE]

1. With --zip, collects an LMS download into submitted/ as `nbgrader zip_collect` does; the
   submission times in its file names are read with --timestamp-format in --timezone, never
   guessed.
2. Autogrades the submissions in submitted/ with N worker processes (default: one per core),
   each submission in a new kernel of its own, into the course's gradebook; a progress bar with
   an ETA runs on stderr.  nbgrader's own Autograde converter does the grading, configured by the
   course's nbgrader_config.py, so the gradebook ends as sequential `nbgrader autograde` leaves it.
3. Generates each student's feedback HTML under feedback/.
4. Writes reports/grades.csv (a row per student with a submission folder, graded or not, a
   column per function, the total, notes), prints the
   pass rate of each function and draws reports/grades.png (score distribution, pass rates).

A run that is interrupted or killed can simply be started again: submissions already graded
(and not submitted again since) are not graded again.  --force grades everything again.
Workers' and kernels' messages go to reports/grading.log.
"""

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

from nbgrader.api import Gradebook

from . import analytics, export, gradebook_access, lms, submissions, timestamps, timing, worker
from .paths import COURSE_ROOT
from .pool import GradingPool
from .progress import Progress, format_duration

LOG_TAIL = 1500  # characters of a failed submission's log shown on the terminal


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m dnngrader.grade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="submissions graded at the same time (default: the number of cores, %(default)s)")
    parser.add_argument("--zip", type=Path, help="an LMS download to collect into submitted/ first")
    parser.add_argument("--pattern", help="regular expression for the file names in the zip, with groups "
                        "student_id and file_id (and optionally timestamp); default: "
                        "<student_id>_<notebook>.ipynb or <student_id>/<notebook>.ipynb")
    parser.add_argument("--timestamp-format", metavar="FORMAT",
                        help="strptime format of the submission time in the zip's file names (the pattern's "
                        "timestamp group), e.g. %%Y-%%m-%%d-%%H-%%M-%%S or '%%d.%%m.%%Y %%H:%%M'; a time that "
                        "does not match is reported and counts as on time (default: "
                        "TimedFileNameCollector.timestamp_format of nbgrader_config.py)")
    parser.add_argument("--timezone", metavar="ZONE",
                        help="IANA time zone of those times, e.g. Europe/Berlin or UTC (default: "
                        "TimedFileNameCollector.timezone of nbgrader_config.py)")
    parser.add_argument("--force", action="store_true", help="grade every submission again, even those already graded")
    parser.add_argument("--no-feedback", action="store_true", help="do not generate feedback HTML")
    parser.add_argument("--course", type=Path, default=COURSE_ROOT, help="the course directory (default: this kit)")
    parser.add_argument("--db", help="gradebook database URL (default: db_url of nbgrader_config.py), "
                        "e.g. postgresql://user@host:5432/gradebook")
    parser.add_argument("--timings", type=Path, help="also write the run's timings, as JSON, to this file")
    return parser.parse_args(argv)


class Run:
    """What one grading run did: outcomes, failures and where the time went."""

    def __init__(self, progress):
        self.progress = progress
        self.graded, self.failed = [], []
        self.seconds, self.cpu = Counter(), Counter()
        self.kernels = {}  # student -> process ids of the kernels that ran the submission

    def record(self, result):
        (self.graded if result["ok"] else self.failed).append(result["student"])
        self.seconds.update(result["seconds"])
        self.cpu.update(result["cpu"])
        self.kernels[result["student"]] = result.get("kernels", [])
        if not result["ok"]:
            self.progress.note(f"FAILED {result['student']}:\n{result['log'][-LOG_TAIL:].rstrip()}")
        self.progress.advance(result["ok"])


def _report(app, reports):
    """Write the CSV and the PNG, print the pass rates; returns the export rows."""
    coursedir = app.coursedir
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        rows = export.grade_rows(gradebook, autograded=coursedir.format_path(coursedir.autograded_directory, ".", "."),
                                 submitted=coursedir.format_path(coursedir.submitted_directory, ".", "."))
        points = export.max_points(gradebook)
    csv_path, png_path = reports / "grades.csv", reports / "grades.png"
    export.write_csv(rows, csv_path)
    if rows:
        print(analytics.format_pass_rates(analytics.pass_rates(rows, points)))
        analytics.write_png(rows, points, png_path)
    print(f"Grades:    {csv_path}")
    if rows:
        print(f"Chart:     {png_path}")
    return rows


def _plan(app, args):
    """(submitted students, what is left to do for them); None when the gradebook lacks the assignment."""
    coursedir = app.coursedir
    students = submissions.submitted_students(coursedir)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        state = submissions.GradingState(coursedir, gradebook, permissions=worker.autograded_permissions(app))
        if not state.notebooks:
            return None
        return students, state.tasks(students, feedback=not args.no_feedback, force=args.force)


def _grade(app, tasks, jobs, log_path):
    """Grade the tasks with a progress bar; the Run, or None when interrupted."""
    run = Run(Progress(len(tasks)))
    if tasks:
        run.progress.start()
        try:
            GradingPool(app, jobs, str(log_path)).run(tasks, run.record)
        except KeyboardInterrupt:
            return None
        finally:
            run.progress.finish()
    return run


def main(argv=None):
    args = parse_args(argv)
    if args.zip and not args.zip.is_file():
        print(f"No such file: {args.zip}", file=sys.stderr)
        return 2
    started = time.monotonic()
    app = worker.load_course(args.course.resolve(), args.db)  # also moves into the course directory
    coursedir = app.coursedir
    reports = Path(coursedir.root) / "reports"
    reports.mkdir(exist_ok=True)
    gradebook_access.wait_for_sqlite_writers()

    if args.zip:
        try:
            changed = lms.collect_zip(coursedir, args.zip.resolve(), args.pattern,
                                      timestamp_format=args.timestamp_format, timezone=args.timezone)
        except timestamps.TimestampError as error:
            print(f"--timestamp-format/--timezone: {error}", file=sys.stderr)
            return 2
        print(f"Collected {args.zip}: {len(changed)} new or changed submission(s)")
    plan = _plan(app, args)
    if plan is None:
        print(f"The gradebook {coursedir.db_url} does not know the assignment {coursedir.assignment_id}: "
              "run `make release` (nbgrader generate_assignment) with that gradebook first.", file=sys.stderr)
        return 2
    students, tasks = plan
    nothing_to_grade = sorted(set(export.submission_folders(
        coursedir.format_path(coursedir.submitted_directory, ".", "."), coursedir.assignment_id)) - set(students))
    if nothing_to_grade:
        print(f"No notebook to grade in the submission folder of {', '.join(nothing_to_grade)}: "
              "0 points and a note in the grades", file=sys.stderr)
    jobs = max(1, min(args.jobs, len(tasks) or 1))
    to_grade = sum(task["autograde"] for task in tasks)
    feedback_only = f", {len(tasks) - to_grade} to give feedback" if len(tasks) > to_grade else ""
    print(f"{len(students)} submissions in {coursedir.submitted_directory}/: {len(students) - to_grade} already "
          f"graded, {to_grade} to grade{feedback_only} ({jobs} worker(s))")

    log_path = reports / "grading.log"
    log_path.write_text("")
    pool_started = time.monotonic()
    run = _grade(app, tasks, jobs, log_path)
    if run is None:
        print("Interrupted: run the same command again to grade the rest.", file=sys.stderr)
        return 130
    grading_seconds = time.monotonic() - pool_started

    report_started = time.monotonic()
    rows = _report(app, reports)
    report_seconds = time.monotonic() - report_started
    print(f"Feedback:  {Path(coursedir.root) / coursedir.feedback_directory}/<student>/{coursedir.assignment_id}/")
    print(f"Log:       {log_path}")
    if tasks:
        print(f"Graded {len(run.graded)} submission(s) in {format_duration(grading_seconds)} "
              f"({grading_seconds / len(tasks):.2f} s per submission, {jobs} worker(s)).")
    if args.timings:
        args.timings.write_text(json.dumps({
            "submissions": len(tasks), "jobs": jobs, "grading_seconds": grading_seconds,
            "seconds_before_grading": pool_started - started, "report_seconds": report_seconds,
            "phase_seconds": dict(run.seconds), "cpu_seconds": dict(run.cpu), "kernel_pids": run.kernels,
            "graded": run.graded, "failed": run.failed, "students_in_report": len(rows)}, indent=1))
        print("\n".join(["Where the grading time went (summed over workers):"]
                        + timing.breakdown(run.seconds, len(tasks))))
    if run.failed:
        print(f"{len(run.failed)} submission(s) could not be graded: {', '.join(run.failed)} "
              f"(details above and in {log_path})", file=sys.stderr)
        return 1
    return 1 if nothing_to_grade else 0


if __name__ == "__main__":
    sys.exit(main())
