"""Grade a whole class on Dask: autograde every submission side by side, then report.

    dnngrader grade [--assignment NAME] [--jobs N | --scheduler ADDRESS [--tls-ca-file CA
                              --tls-cert CERT --tls-key KEY]] [--zip DOWNLOAD.zip [--pattern REGEX]
                              [--timestamp-format FORMAT] [--timezone ZONE] [--roster ROSTER.csv]] [--force]
                              [--no-feedback] [--course DIR] [--db URL] [--timings FILE]
                              [--Class.trait=VALUE ...]

The assignments graded: --assignment NAME, or by default every assignment of the course (those
of dnngrader/assignments/__init__.py, and any other the gradebook knows) that has submissions in
submitted/<student>/<assignment>/, one after another, on the same Dask cluster.

1. With --zip, collects an LMS download of one assignment (--assignment, or the gradebook's only
   one) into submitted/ as `nbgrader zip_collect` does; the submission times in its file names
   are read with --timestamp-format in --timezone, never guessed.
2. Autogrades the submissions in submitted/ on Dask's distributed scheduler: by default a local
   cluster of N worker processes (default: one per core); with --scheduler (or
   DaskGrader.scheduler), the workers of an existing Dask cluster, which need the kit's
   Python environment but no shared file system.  Each assignment has a grading plan of its own
   (plan.py); each submission is one task that carries its files and gets a new kernel of its
   own; nbgrader's own Autograde converter does the grading, configured by the course's
   nbgrader_config.py and this command's --Class.trait=VALUE arguments (both travel with the
   grading plan, with the grading settings as this command resolved them; a worker's own
   environment does not count).  The results come back as data,
   and this command alone writes them into the course's gradebook and folders, so the gradebook
   ends as sequential `nbgrader autograde <assignment>` leaves it.  A progress bar with an ETA
   runs on stderr, one per assignment.
3. Generates each student's feedback HTML under feedback/ (on the workers, too).
4. Writes reports/grades.csv (export.py: a row per student with a submission folder of any
   assignment, graded or not; per assignment its total, max and a column per function; flagged,
   notes), prints the pass rate of each function of each assignment and draws
   reports/grades.png (per assignment: score distribution, pass rates); then prints, per
   assignment and function, each hint the judge gave with the number and share of autograded
   students who got it, and writes the same to reports/mistakes.csv (mistakes.py).

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
from traitlets import Integer, Unicode
from traitlets.config import LoggingConfigurable

from dnngrader import roster as class_roster
from dnngrader import settings
from dnngrader.batch import analytics, cluster, forking, gradebook_access, mistakes, plan, submissions, timing, worker
from dnngrader import assignments
from dnngrader.plugins import deadlines, export, hooks, lms, lms_grades, sandbox, timestamps
from dnngrader.paths import COURSE_ROOT
from dnngrader.batch.progress import Progress, format_duration
from dnngrader.batch.results import ResultWriter

LOG_TAIL = 1500  # characters of a failed submission's log shown on the terminal


class DaskGrader(LoggingConfigurable):
    """The settings of this command (``dnngrader grade``): where it grades.  Its options of the
    same names win over them for one run."""

    scheduler = Unicode(
        "",
        help="Address of the Dask scheduler to grade on (tcp://HOST:8786, or tls://HOST:8786 "
        "with the TLS files below) instead of a local cluster; empty: a local cluster.",
    ).tag(config=True)
    _scheduler_default = settings.trait_default("DNN_DASK_SCHEDULER")

    jobs = Integer(
        0,
        help="Worker processes of the local Dask cluster, i.e. submissions graded at the same "
        "time (0: one per core); not used with a scheduler.",
    ).tag(config=True)

    tls_ca_file = Unicode(
        "", help="The CA certificate (PEM) that signed the scheduler's and workers' certificates."
    ).tag(config=True)

    tls_cert = Unicode("", help="This client's certificate (PEM), for a tls:// scheduler.").tag(config=True)

    tls_key = Unicode("", help="This client's private key (PEM), for a tls:// scheduler.").tag(config=True)


def _config_arguments(unknown, parser):
    """The --Class.trait=VALUE (or --Class.trait VALUE) arguments among ``unknown``, for
    traitlets; anything else is an error of ``parser``."""
    kept, index = [], 0
    while index < len(unknown):
        word = unknown[index]
        name = word[2:].split("=", 1)[0]
        if not (word.startswith("--") and "." in name and name[:1].isupper()):
            parser.error(f"unrecognized arguments: {' '.join(unknown[index:])}")
        kept.append(word)
        if "=" not in word and index + 1 < len(unknown) and not unknown[index + 1].startswith("--"):
            kept.append(unknown[index + 1])
            index += 1
        index += 1
    return kept


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="dnngrader grade",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Any setting can be given as for nbgrader, --Class.trait=VALUE (e.g. "
        "--ResilientExecute.timeout=30, --Sandbox.disk_mb=128, "
        "--DaskGrader.scheduler=tcp://HOST:8786; docs/reference/configuration.md "
        "lists the kit's): it wins over nbgrader_config.py, here and on every worker.",
    )
    parser.add_argument(
        "--assignment",
        "-a",
        metavar="NAME",
        help="grade this assignment only (default: every assignment with submissions in submitted/, one after another)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        help="worker processes of the local Dask cluster, i.e. submissions graded at the same "
        f"time (default: DaskGrader.jobs, else the number of cores, {os.cpu_count() or 1}); "
        "not used with --scheduler",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="grade on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:8786, or "
        "tls://HOST:8786 with the three options below) instead of a local cluster (default: "
        "DaskGrader.scheduler)",
    )
    parser.add_argument(
        "--tls-ca-file",
        metavar="FILE",
        type=Path,
        help="the CA certificate (PEM) that signed the scheduler's and workers' certificates "
        "(default: DaskGrader.tls_ca_file)",
    )
    parser.add_argument(
        "--tls-cert", metavar="FILE", type=Path, help="this client's certificate (PEM) (default: DaskGrader.tls_cert)"
    )
    parser.add_argument(
        "--tls-key", metavar="FILE", type=Path, help="this client's private key (PEM) (default: DaskGrader.tls_key)"
    )
    parser.add_argument(
        "--zip",
        type=Path,
        help="an LMS download of one assignment (--assignment, needed when "
        "the gradebook has several) to collect into submitted/ first",
    )
    parser.add_argument(
        "--pattern",
        help="regular expression for the file names in the zip, with groups "
        "student_id and file_id (and optionally timestamp); default: "
        "<student_id>_<notebook>.ipynb or <student_id>/<notebook>.ipynb",
    )
    parser.add_argument(
        "--timestamp-format",
        metavar="FORMAT",
        help="strptime format of the submission time in the zip's file names (the pattern's "
        "timestamp group), e.g. %%Y-%%m-%%d-%%H-%%M-%%S or '%%d.%%m.%%Y %%H:%%M'; a time that "
        "does not match is reported and counts as on time (default: "
        "TimedFileNameCollector.timestamp_format of nbgrader_config.py)",
    )
    parser.add_argument(
        "--timezone",
        metavar="ZONE",
        help="IANA time zone of those times, e.g. Europe/Berlin or UTC (default: "
        "TimedFileNameCollector.timezone of nbgrader_config.py)",
    )
    parser.add_argument(
        "--roster",
        type=Path,
        metavar="ROSTER.csv",
        help="the class roster (the hub's CSV file): a file of the zip naming no student of it "
        "(username or lms_id) is reported, not collected (default: "
        "TimedFileNameCollector.roster of nbgrader_config.py); and the grades are written "
        "as Canvas and Moodle import them too, reports/canvas_grades.csv and moodle_grades.csv",
    )
    parser.add_argument("--force", action="store_true", help="grade every submission again, even those already graded")
    parser.add_argument("--no-feedback", action="store_true", help="do not generate feedback HTML")
    parser.add_argument(
        "--course",
        type=Path,
        default=COURSE_ROOT,
        metavar="DIR",
        help="the course directory (default: the current folder; for a kit installed from "
        "its clone, that clone's own course)",
    )
    parser.add_argument(
        "--db",
        help="gradebook database URL (default: db_url of nbgrader_config.py), "
        "e.g. postgresql://user@host:5432/gradebook",
    )
    parser.add_argument("--timings", type=Path, help="also write the run's timings, as JSON, to this file")
    args, unknown = parser.parse_known_args(argv)
    args.config = _config_arguments(unknown, parser)
    return args


def _settle(args, app):
    """Fill in the options not given from the DaskGrader settings of ``app``'s configuration."""
    chosen = DaskGrader(config=app.config)
    args.scheduler = args.scheduler or chosen.scheduler or None
    args.jobs = args.jobs or chosen.jobs or os.cpu_count() or 1
    for option in ("tls_ca_file", "tls_cert", "tls_key"):
        if getattr(args, option) is None and getattr(chosen, option):
            setattr(args, option, Path(getattr(chosen, option)))


class Run:
    """What one grading run did: outcomes, failures and where the time went."""

    def __init__(self, assignment, progress, writer, log_path):
        self.assignment = assignment
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
            log.write(
                f"==== {student}: {'graded' if result['ok'] else 'FAILED'}{where} [{self.assignment}] ====\n"
                f"{result['log']}\n"
            )
        (self.graded if result["ok"] else self.failed).append(student)
        self.seconds.update(result["seconds"])
        self.cpu.update(result["cpu"])
        self.kernels[student] = result.get("kernels", [])
        if result.get("worker"):
            self.workers[result["worker"]] += 1
        if not result["ok"]:
            self.reasons[student] = result.get("reason") or "see the grading log"
            self.progress.note(
                f"{self.assignment}: FAILED {student}: {self.reasons[student]}\n{result['log'][-LOG_TAIL:].rstrip()}"
            )
        self.progress.advance(result["ok"])


def _awaiting_grading(row):
    """Whether a grade sheet row (export.assignment_rows) is a submission nbgrader has not graded
    yet, or whose grading failed in this run, rather than a graded one."""
    notes = row.get("notes") or ""
    return notes == hooks.NOT_GRADED_YET or notes.startswith(export.GRADING_FAILED)


def _report(app, reports, failures, roster_rows=None):
    """Write the CSVs and the PNG, print the pass rates and the hints the judge gave, per
    assignment; returns the grade sheet's rows.  ``failures``: assignment -> {student: why
    grading failed in this run}, which opens that student's notes on that assignment.
    ``roster_rows`` (the class roster's, --roster): also the grades as Canvas and Moodle import
    them, beside grades.csv (lms_grades.py)."""
    coursedir = app.coursedir
    autograded = coursedir.format_path(coursedir.autograded_directory, ".", ".")
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        course = export.course_assignments(gradebook)
        per_assignment, rows = export.class_grades(
            gradebook,
            autograded=autograded,
            submitted=coursedir.format_path(coursedir.submitted_directory, ".", "."),
            course=course,
            failures=failures,
        )
        points = {assignment: export.max_points(gradebook, assignment) for assignment in course}
        # The classic mistakes, read from the judge's records in the autograded notebooks.
        tallies = {assignment: mistakes.read_class(gradebook, assignment, autograded) for assignment in course}
        lms_points = lms_grades.points_of(gradebook, course) if roster_rows is not None else None
    csv_path, png_path = reports / "grades.csv", reports / "grades.png"
    mistakes_path = reports / "mistakes.csv"
    export.write_csv(rows, csv_path, course)
    mistakes.write_csv(list(tallies.values()), mistakes_path)
    # Pass rates and the chart leave out a submission not graded yet (another assignment's, when
    # --assignment names one) or whose grading failed: it has a 0-point row in the sheet, but
    # counting it here would read as a student who failed every function.  A submission with
    # nothing to grade (no notebook) counts, with its 0 points.
    panels = []
    for assignment in course:
        graded_rows = [row for row in per_assignment[assignment] if not _awaiting_grading(row)]
        if graded_rows:
            panels.append((assignment, graded_rows, points[assignment]))
    for assignment, assignment_rows, assignment_points in panels:
        print(analytics.format_pass_rates(analytics.pass_rates(assignment_rows, assignment_points), assignment))
        tally = tallies[assignment]
        if tally.autograded or tally.unrecorded:
            print(mistakes.format_tally(tally))
    if panels:
        analytics.write_png(panels, png_path)
    print(f"Grades:    {csv_path}")
    if roster_rows is not None:
        totals = lms_grades.scores(per_assignment)
        canvas, moodle = lms_grades.write_files(reports, roster_rows, totals, lms_points, course)
        print(f"LMS:       {canvas} (Canvas), {moodle} (Moodle)")
        for student in lms_grades.unmatched(roster_rows, totals):
            print(f"not in the roster: {student} has grades, which are in neither LMS file", file=sys.stderr)
        for student in lms_grades.missing_ids(roster_rows):
            print(f"no lms_id: {student} is left out of the LMS files (fill lms_id in the roster)", file=sys.stderr)
    if panels:
        print(f"Chart:     {png_path}")
    print(f"Mistakes:  {mistakes_path}")
    return rows


def _assignments(app, args):
    """(the assignments to grade, in order; None) or (None, why not)."""
    coursedir = app.coursedir
    submitted = coursedir.format_path(coursedir.submitted_directory, ".", ".")
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        known = [assignment.name for assignment in gradebook.assignments]
    if args.assignment:
        chosen = [args.assignment]
    else:
        candidates = assignments.names() + sorted(set(known) - set(assignments.names()))
        chosen = [name for name in candidates if export.submission_folders(submitted, name)]
    unknown = [name for name in chosen if name not in known]
    if unknown:
        return None, (
            f"The gradebook {coursedir.db_url} does not know the assignment {', '.join(unknown)}: "
            "run `make release` (nbgrader generate_assignment) with that gradebook first."
        )
    return chosen, None


def _zip_assignment(app, args):
    """The assignment an LMS download is of: --assignment, or the gradebook's only one; None
    when that cannot be told."""
    if args.assignment:
        return args.assignment
    coursedir = app.coursedir
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        known = [assignment.name for assignment in gradebook.assignments]
    return known[0] if len(known) == 1 else None


def _to_do(app, assignment, args):
    """(submitted students, what is left to do for them, students whose folder holds nothing to
    grade) for ``assignment``."""
    coursedir = app.coursedir
    students = submissions.submitted_students(coursedir, assignment)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        state = submissions.GradingState(
            coursedir, gradebook, assignment, permissions=worker.autograded_permissions(app)
        )
        tasks = state.tasks(students, feedback=not args.no_feedback, force=args.force)
    nothing_to_grade = sorted(
        set(export.submission_folders(coursedir.format_path(coursedir.submitted_directory, ".", "."), assignment))
        - set(students)
    )
    return students, tasks, nothing_to_grade


def _grade(app, args, todo, jobs, log_path):
    """Grade each assignment's tasks (``todo``: assignment -> tasks) on Dask, one assignment
    after another on the same cluster, with a progress bar each; ({assignment: Run}, cluster CPU
    seconds or None, None) or (None, None, why it stopped)."""
    coursedir = app.coursedir
    config_path = Path(coursedir.root) / "nbgrader_config.py"
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        runs = {}
        for assignment, tasks in todo.items():
            coursedir.assignment_id = assignment  # the ResultWriter's
            runs[assignment] = Run(assignment, Progress(len(tasks)), ResultWriter(coursedir, gradebook), log_path)
        work = [(assignment, tasks) for assignment, tasks in todo.items() if tasks]
        if not work:
            return runs, None, None
        client_security = cluster.security(args.tls_ca_file, args.tls_cert, args.tls_key)
        try:
            plans = {
                assignment: plan.build(coursedir, gradebook, config_path, assignment, arguments=args.config)
                for assignment, _ in work
            }
            with cluster.connect(args.scheduler, jobs, client_security, log_path) as client:
                analytics.import_plotting_in_background()
                for assignment, tasks in work:
                    run = runs[assignment]
                    coursedir.assignment_id = assignment
                    if len(work) > 1:
                        print(f"Grading {assignment} ...", flush=True)
                    run.progress.start()
                    try:
                        cluster.grade(
                            client,
                            plans[assignment],
                            tasks,
                            lambda each, name=assignment: plan.task(coursedir, gradebook, each, name),
                            run.record,
                        )
                    finally:
                        run.progress.finish()
                cluster_cpu = cluster.cpu_seconds(client)
        except KeyboardInterrupt:
            return None, None, "Interrupted"
        except cluster.ClusterLost as error:
            return None, None, f"Stopped: {error}"
    return runs, cluster_cpu, None


def _timings(
    runs, todo, jobs, args, started, grading_started, grading_seconds, report_seconds, client_cpu, cluster_cpu, rows
):
    """The run's timings as JSON data; the per-student entries are summed over the assignments,
    and each assignment's are under "assignments" too."""
    seconds, cpu, kernels, workers = Counter(), Counter(), {}, Counter()
    graded, failed, reasons = [], [], {}
    for run in runs.values():
        seconds.update(run.seconds)
        cpu.update(run.cpu)
        workers.update(run.workers)
        graded += run.graded
        failed += run.failed
        reasons.update(run.reasons)
        for student, pids in run.kernels.items():
            kernels.setdefault(student, []).extend(pids)
    return {
        "submissions": sum(len(tasks) for tasks in todo.values()),
        "jobs": jobs,
        "scheduler": args.scheduler,
        "workers": dict(workers),
        "grading_seconds": grading_seconds,
        "seconds_before_grading": grading_started - started,
        "report_seconds": report_seconds,
        "write_seconds": sum(run.write_seconds for run in runs.values()),
        "client_cpu": client_cpu,
        "cluster_cpu": cluster_cpu,
        "phase_seconds": dict(seconds),
        "cpu_seconds": dict(cpu),
        "kernel_pids": kernels,
        "graded": graded,
        "failed": failed,
        "failure_reasons": reasons,
        "students_in_report": len(rows),
        "assignments": {
            name: {
                "submissions": len(todo[name]),
                "graded": run.graded,
                "failed": run.failed,
                "failure_reasons": run.reasons,
                "phase_seconds": dict(run.seconds),
            }
            for name, run in runs.items()
        },
    }


def main(argv=None):
    args = parse_args(argv)
    if args.zip and not args.zip.is_file():
        print(f"No such file: {args.zip}", file=sys.stderr)
        return 2
    roster_rows = None
    if args.roster:
        try:
            roster_rows = class_roster.read_roster(args.roster)
        except class_roster.RosterError as error:
            print(f"--roster: {error}", file=sys.stderr)
            return 2
    started = time.monotonic()
    # Also moves into the course directory.  Settings: nbgrader_config.py, then --Class.trait=VALUE.
    app = worker.load_course(args.course.resolve(), args.db, arguments=args.config)
    _settle(args, app)
    sandbox.activate(app.config)  # says here, once, when grading cannot be sandboxed
    coursedir = app.coursedir
    reports = Path(coursedir.root) / "reports"
    reports.mkdir(exist_ok=True)
    gradebook_access.wait_for_sqlite_writers()
    # The due dates of nbgrader_config.py (Deadlines.due_dates) into the gradebook the plans read.
    deadlines.store_due_dates(app.config, coursedir.db_url, coursedir.course_id)

    if args.zip:
        zip_assignment = _zip_assignment(app, args)
        if zip_assignment is None:
            print(
                "--zip: say which assignment the download is of with --assignment NAME (make grade "
                "ASSIGNMENT=NAME ZIP=...): the gradebook has several assignments, or none.",
                file=sys.stderr,
            )
            return 2
        coursedir.assignment_id = zip_assignment  # where zip_collect's notes go
        try:
            changed = lms.collect_zip(
                coursedir,
                args.zip.resolve(),
                zip_assignment,
                args.pattern,
                timestamp_format=args.timestamp_format,
                timezone=args.timezone,
                arguments=args.config,
                roster=args.roster,
            )
        except timestamps.TimestampError as error:
            print(f"--timestamp-format/--timezone: {error}", file=sys.stderr)
            return 2
        except class_roster.RosterError as error:
            print(f"--roster: {error}", file=sys.stderr)
            return 2
        print(f"Collected {args.zip} ({zip_assignment}): {len(changed)} new or changed submission(s)")
    chosen, problem = _assignments(app, args)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if not chosen:
        print(f"Nothing submitted in {coursedir.submitted_directory}/ for any assignment.")
    # Each kernel reads the assignment's data from the course's data/ (read-only in the sandbox)
    # instead of making its own copy, about a second of each second-assignment kernel.
    for name, note in assignments.prepare_data(coursedir.root, chosen).items():
        print(f"{name} is graded on {note}")
    if args.scheduler:
        problem = cluster.check_address(args.scheduler, cluster.security(args.tls_ca_file, args.tls_cert, args.tls_key))
        if problem:
            print(f"--scheduler: {problem}", file=sys.stderr)
            return 2
    todo, counts, nothing_to_grade = {}, {}, {}
    for assignment in chosen:
        students, todo[assignment], empty = _to_do(app, assignment, args)
        counts[assignment] = len(students)
        if empty:
            nothing_to_grade[assignment] = empty
            print(
                f"No notebook to grade in the submission folder of {', '.join(empty)} ({assignment}): "
                "0 points and a note in the grades",
                file=sys.stderr,
            )
    all_tasks = sum(len(tasks) for tasks in todo.values())
    jobs = max(1, min(args.jobs, max([len(tasks) for tasks in todo.values()], default=1) or 1))
    where = f"on the Dask cluster at {args.scheduler}" if args.scheduler else f"{jobs} local Dask worker(s)"
    for assignment, tasks in todo.items():
        to_grade = sum(task["autograde"] for task in tasks)
        feedback_only = f", {len(tasks) - to_grade} to give feedback" if len(tasks) > to_grade else ""
        print(
            f"{assignment}: {counts[assignment]} submissions in {coursedir.submitted_directory}/: "
            f"{counts[assignment] - to_grade} already graded, {to_grade} to grade{feedback_only}"
            + (f" ({where})" if tasks else ""),
            flush=True,
        )

    log_path = reports / "grading.log"
    if all_tasks:  # a run with nothing to grade keeps the last run's log
        log_path.write_text("")
    grading_started = time.monotonic()
    cpu_started = time.process_time()
    runs, cluster_cpu, stopped = _grade(app, args, todo, jobs, log_path)
    # The local cluster is gone, or was never needed: its forkserver (prestart.py) stops now,
    # rather than go on importing, or outlive this command, once it notices it is alone.
    forking.stop()
    if runs is None:
        print(f"{stopped}: run the same command again to grade the rest.", file=sys.stderr)
        return 130 if stopped == "Interrupted" else 1
    grading_seconds = time.monotonic() - grading_started
    client_cpu = time.process_time() - cpu_started

    report_started = time.monotonic()
    rows = _report(app, reports, {assignment: run.reasons for assignment, run in runs.items()}, roster_rows)
    report_seconds = time.monotonic() - report_started
    if chosen:
        print(
            f"Feedback:  {Path(coursedir.root) / coursedir.feedback_directory}/<student>/<assignment>/ "
            f"({', '.join(chosen)})"
        )
    print(f"Log:       {log_path}")
    graded_now = [assignment for assignment, tasks in todo.items() if tasks]
    if graded_now:
        workers = set().union(*(runs[assignment].workers for assignment in graded_now))
        each = ", ".join(f"{len(runs[assignment].graded)} of {assignment}" for assignment in graded_now)
        print(
            f"Graded {sum(len(runs[assignment].graded) for assignment in graded_now)} submission(s) ({each}) in "
            f"{format_duration(grading_seconds)} ({grading_seconds / all_tasks:.2f} s per submission; "
            f"{len(workers)} Dask worker(s) took part)."
        )
    if args.timings:
        timings = _timings(
            runs,
            todo,
            jobs,
            args,
            started,
            grading_started,
            grading_seconds,
            report_seconds,
            client_cpu,
            cluster_cpu,
            rows,
        )
        args.timings.write_text(json.dumps(timings, indent=1))
        print(
            "\n".join(
                ["Where the grading time went (summed over workers):"]
                + timing.breakdown(Counter(timings["phase_seconds"]), all_tasks)
            )
        )
    failed = [(assignment, student) for assignment, run in runs.items() for student in run.failed]
    if failed:
        names = [student if len(runs) == 1 else f"{student} ({assignment})" for assignment, student in failed]
        print(
            f"{len(failed)} submission(s) could not be graded: {', '.join(names)} (details above and in {log_path})",
            file=sys.stderr,
        )
        return 1
    return 1 if nothing_to_grade else 0


def command(argv=None):
    """``main`` as a command: its exit status, 130 after Ctrl-C before grading started or while
    reporting (one during grading stops the cluster and ends ``main`` with 130 itself)."""
    try:
        return main(argv)
    except KeyboardInterrupt:
        print("Interrupted: run the same command again to grade the rest.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(command())
