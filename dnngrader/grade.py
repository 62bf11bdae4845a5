"""Grade a whole class on Dask: autograde every submission side by side, then report.

    python -m dnngrader.grade [--jobs N | --scheduler ADDRESS [--tls-ca-file CA --tls-cert CERT
                              --tls-key KEY]] [--zip DOWNLOAD.zip [--pattern REGEX]
                              [--timestamp-format FORMAT] [--timezone ZONE]] [--force]
                              [--no-feedback] [--course DIR] [--db URL] [--timings FILE]

1. With --zip, collects an LMS download into submitted/ as `nbgrader zip_collect` does; the
   submission times in its file names are read with --timestamp-format in --timezone, never
   guessed.
2. Autogrades the submissions in submitted/ on Dask's distributed scheduler: by default a local
   cluster of N worker processes (default: one per core); with --scheduler (or the environment
   variable DNN_DASK_SCHEDULER), the workers of an existing Dask cluster, which need the kit's
   Python environment but no shared file system.  Each submission is one task that carries its
   files and gets a new kernel of its own; nbgrader's own Autograde converter does the grading,
   configured by the course's nbgrader_config.py (which travels with the grading plan).  The
   results come back as data, and this command alone writes them into the course's gradebook
   and folders, so the gradebook ends as sequential `nbgrader autograde` leaves it.  A progress
   bar with an ETA runs on stderr.
3. Generates each student's feedback HTML under feedback/ (on the workers, too).
4. Writes reports/grades.csv (a row per student with a submission folder, graded or not, a
   column per function, the total, notes), prints the pass rate of each function and draws
   reports/grades.png (score distribution, pass rates); then prints, per function, each hint
   the judge gave with the number and share of autograded students who got it, and writes the
   same to reports/mistakes.csv (mistakes.py).

A run that is interrupted or killed can simply be started again: submissions already graded
(and not submitted again since) are not graded again.  --force grades everything again.  A
worker that dies costs nothing: Dask grades its submission again on another worker.  The
workers' logs and each submission's nbgrader log go to reports/grading.log.
"""

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

from nbgrader.api import Gradebook

from . import (analytics, cluster, export, gradebook_access, hooks, lms, mistakes, plan, submissions, timestamps,
               timing, worker)
from .paths import COURSE_ROOT
from .progress import Progress, format_duration
from .results import ResultWriter

LOG_TAIL = 1500  # characters of a failed submission's log shown on the terminal


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m dnngrader.grade", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="worker processes of the local Dask cluster, i.e. submissions graded at the same "
                        "time (default: the number of cores, %(default)s); not used with --scheduler")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=os.environ.get(cluster.SCHEDULER_VARIABLE),
                        help="grade on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:8786, or "
                        "tls://HOST:8786 with the three options below) instead of a local cluster (default: "
                        f"the environment variable {cluster.SCHEDULER_VARIABLE})")
    parser.add_argument("--tls-ca-file", metavar="FILE", type=Path,
                        help="the CA certificate (PEM) that signed the scheduler's and workers' certificates")
    parser.add_argument("--tls-cert", metavar="FILE", type=Path, help="this client's certificate (PEM)")
    parser.add_argument("--tls-key", metavar="FILE", type=Path, help="this client's private key (PEM)")
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

    def __init__(self, progress, writer, log_path):
        self.progress, self.writer, self.log_path = progress, writer, log_path
        self.graded, self.failed = [], []
        self.reasons = {}  # student -> why grading failed
        self.seconds, self.cpu = Counter(), Counter()
        self.kernels = {}  # student -> process ids of the kernels that ran the submission
        self.workers = Counter()  # worker address -> submissions it graded
        self.write_seconds = 0.0
        self.cluster_cpu = None  # CPU seconds of the cluster's worker processes, when known

    def record(self, result):
        """Write one result into the course (once per student) and account for it."""
        started = time.perf_counter()
        result = self.writer.write(result)
        self.write_seconds += time.perf_counter() - started
        if result is None:  # this student's result was already written in this run
            return
        student = result["student"]
        with open(self.log_path, "a", encoding="utf-8") as log:
            where = f" on {result['worker']} ({result['host']})" if result.get("worker") else ""
            log.write(f"==== {student}: {'graded' if result['ok'] else 'FAILED'}{where} ====\n{result['log']}\n")
        (self.graded if result["ok"] else self.failed).append(student)
        self.seconds.update(result["seconds"])
        self.cpu.update(result["cpu"])
        self.kernels[student] = result.get("kernels", [])
        if result.get("worker"):
            self.workers[result["worker"]] += 1
        if not result["ok"]:
            self.reasons[student] = result.get("reason") or "see the grading log"
            self.progress.note(f"FAILED {student}: {self.reasons[student]}\n{result['log'][-LOG_TAIL:].rstrip()}")
        self.progress.advance(result["ok"])


def _report(app, reports, failures):
    """Write the CSVs and the PNG, print the pass rates and the hints the judge gave; returns
    the export rows.  ``failures``: student -> why grading failed in this run, which opens that
    student's notes."""
    coursedir = app.coursedir
    autograded = coursedir.format_path(coursedir.autograded_directory, ".", ".")
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        rows = export.grade_rows(gradebook, autograded=autograded,
                                 submitted=coursedir.format_path(coursedir.submitted_directory, ".", "."))
        points = export.max_points(gradebook)
        # The classic mistakes, read from the judge's records in the autograded notebooks.
        tally = mistakes.read_class(gradebook, coursedir.assignment_id, autograded)
    for row in rows:
        if row["student"] not in failures:
            continue
        note = row.get("notes") or ""
        if note.startswith("not autograded:") and note != hooks.NOT_GRADED_YET:
            continue  # it already says what is wrong with the submission
        failed = f"grading failed: {failures[row['student']]} (see reports/grading.log)"
        row["notes"] = failed if note == hooks.NOT_GRADED_YET or not note else f"{failed}; {note}"
    csv_path, png_path = reports / "grades.csv", reports / "grades.png"
    mistakes_path = reports / "mistakes.csv"
    export.write_csv(rows, csv_path)
    mistakes.write_csv([tally], mistakes_path)
    if rows:
        print(analytics.format_pass_rates(analytics.pass_rates(rows, points)))
        analytics.write_png(rows, points, png_path)
    if tally.autograded or tally.unrecorded:
        print(mistakes.format_tally(tally))
    print(f"Grades:    {csv_path}")
    if rows:
        print(f"Chart:     {png_path}")
    print(f"Mistakes:  {mistakes_path}")
    return rows


def _to_do(app, args):
    """(submitted students, what is left to do for them); None when the gradebook lacks the assignment."""
    coursedir = app.coursedir
    students = submissions.submitted_students(coursedir)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        state = submissions.GradingState(coursedir, gradebook, permissions=worker.autograded_permissions(app))
        if not state.notebooks:
            return None
        return students, state.tasks(students, feedback=not args.no_feedback, force=args.force)


def _grade(app, args, tasks, jobs, log_path):
    """Grade the tasks on Dask with a progress bar; (the Run, None) or (None, why it stopped)."""
    coursedir = app.coursedir
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        run = Run(Progress(len(tasks)), ResultWriter(coursedir, gradebook), log_path)
        if not tasks:
            return run, None
        client_security = cluster.security(args.tls_ca_file, args.tls_cert, args.tls_key)
        try:
            grading_plan = plan.build(coursedir, gradebook, Path(coursedir.root) / "nbgrader_config.py")
            with cluster.connect(args.scheduler, jobs, client_security, log_path) as client:
                run.progress.start()
                try:
                    cluster.grade(client, grading_plan, tasks, lambda work: plan.task(coursedir, gradebook, work),
                                  run.record)
                finally:
                    run.progress.finish()
                run.cluster_cpu = cluster.cpu_seconds(client)
        except KeyboardInterrupt:
            return None, "Interrupted"
        except cluster.ClusterLost as error:
            return None, f"Stopped: {error}"
    return run, None


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
    todo = _to_do(app, args)
    if todo is None:
        print(f"The gradebook {coursedir.db_url} does not know the assignment {coursedir.assignment_id}: "
              "run `make release` (nbgrader generate_assignment) with that gradebook first.", file=sys.stderr)
        return 2
    students, tasks = todo
    nothing_to_grade = sorted(set(export.submission_folders(
        coursedir.format_path(coursedir.submitted_directory, ".", "."), coursedir.assignment_id)) - set(students))
    if nothing_to_grade:
        print(f"No notebook to grade in the submission folder of {', '.join(nothing_to_grade)}: "
              "0 points and a note in the grades", file=sys.stderr)
    if args.scheduler:
        problem = cluster.check_address(args.scheduler, cluster.security(args.tls_ca_file, args.tls_cert,
                                                                         args.tls_key))
        if problem:
            print(f"--scheduler: {problem}", file=sys.stderr)
            return 2
    jobs = max(1, min(args.jobs, len(tasks) or 1))
    to_grade = sum(task["autograde"] for task in tasks)
    feedback_only = f", {len(tasks) - to_grade} to give feedback" if len(tasks) > to_grade else ""
    where = f"on the Dask cluster at {args.scheduler}" if args.scheduler else f"{jobs} local Dask worker(s)"
    print(f"{len(students)} submissions in {coursedir.submitted_directory}/: {len(students) - to_grade} already "
          f"graded, {to_grade} to grade{feedback_only} ({where})", flush=True)

    log_path = reports / "grading.log"
    log_path.write_text("")
    grading_started = time.monotonic()
    cpu_started = time.process_time()
    run, stopped = _grade(app, args, tasks, jobs, log_path)
    if run is None:
        print(f"{stopped}: run the same command again to grade the rest.", file=sys.stderr)
        return 130 if stopped == "Interrupted" else 1
    grading_seconds = time.monotonic() - grading_started
    client_cpu = time.process_time() - cpu_started

    report_started = time.monotonic()
    rows = _report(app, reports, run.reasons)
    report_seconds = time.monotonic() - report_started
    print(f"Feedback:  {Path(coursedir.root) / coursedir.feedback_directory}/<student>/{coursedir.assignment_id}/")
    print(f"Log:       {log_path}")
    if tasks:
        print(f"Graded {len(run.graded)} submission(s) in {format_duration(grading_seconds)} "
              f"({grading_seconds / len(tasks):.2f} s per submission; {len(run.workers)} Dask worker(s) took part).")
    if args.timings:
        args.timings.write_text(json.dumps({
            "submissions": len(tasks), "jobs": jobs, "scheduler": args.scheduler, "workers": dict(run.workers),
            "grading_seconds": grading_seconds, "seconds_before_grading": grading_started - started,
            "report_seconds": report_seconds, "write_seconds": run.write_seconds, "client_cpu": client_cpu,
            "cluster_cpu": run.cluster_cpu,
            "phase_seconds": dict(run.seconds), "cpu_seconds": dict(run.cpu), "kernel_pids": run.kernels,
            "graded": run.graded, "failed": run.failed, "failure_reasons": run.reasons,
            "students_in_report": len(rows)}, indent=1))
        print("\n".join(["Where the grading time went (summed over workers):"]
                        + timing.breakdown(run.seconds, len(tasks))))
    if run.failed:
        print(f"{len(run.failed)} submission(s) could not be graded: {', '.join(run.failed)} "
              f"(details above and in {log_path})", file=sys.stderr)
        return 1
    return 1 if nothing_to_grade else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # before grading started, or while reporting
        print("Interrupted: run the same command again to grade the rest.", file=sys.stderr)
        sys.exit(130)
