"""Grading on a Dask worker: nbgrader's own Autograde and GenerateFeedback converters, run in
the worker process for one submission at a time, in a scratch course made from the grading plan.

``grade_task`` is what the grading command (grade.py, through cluster.py) runs on the cluster
for each submission.  A worker needs the kit's Python environment but no shared file system:
the plan (plan.py) brings the course's configuration, the assignment's helpers and its
definition; the task brings the submission.  The configuration is the course's
nbgrader_config.py, the grading command's --Class.trait=VALUE arguments and its grading settings
as it resolved them (applied last); the worker reads no DNN_* variable of its own environment.
Once per worker process (and plan), the worker
lays out a scratch course in its local directory, loads the configuration into nbgrader's
AutogradeApp, and from then on keeps its kernel templates and caches.  For each task it
copies the plan's gradebook afresh, writes the submission into ``submitted/``, grades it as
``nbgrader autograde`` would in place, and returns the results as data: the student's rows of
the gradebook and the autograded and feedback folders' files.  Then it clears the student's
folders.

The converters, their preprocessors and their order all come from the course's
nbgrader_config.py, exactly as `nbgrader autograde` and `nbgrader generate_feedback` use them.
What differs touches no grade:
- the Execute preprocessor gets its kernels from forked_kernels (a new kernel per submission,
  forked from a template instead of spawned);
- work that nbgrader repeats for every submission is done once per worker (speedups.py);
- nbconvert validates each notebook once, after its converter's last preprocessor, instead of
  after every one of them (about twenty times per submission): nbconvert's own
  ``Exporter.optimistic_validation``.  An invalid notebook still fails its conversion; only the
  error names the last preprocessor rather than the one that broke it;
- the gradebook nbgrader writes is the worker's throwaway copy, which SQLite need not flush to
  disk at every commit; the course's own gradebook is written by the grading command alone;
- the steps are timed (timing.PhaseClock), so the benchmark can say where the time goes.
"""

import copy
import io
import json
import logging
import os
import socket
import sqlite3
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

import psutil
from nbclient import NotebookClient
from nbconvert.exporters import HTMLExporter
from nbgrader.api import Gradebook
from nbgrader.apps.autogradeapp import AutogradeApp
from nbgrader.converters import Autograde, GenerateFeedback
from sqlalchemy import event
from sqlalchemy.pool import Pool
from traitlets.config import Config

from dnngrader.batch import forked_kernels, gradebook_access, plan, speedups
from dnngrader import assignments, patching, paths, settings
from dnngrader.plugins import sandbox, timestamps
from dnngrader.plugins.preprocessors import JudgeTestCells
from dnngrader.batch.timing import PhaseClock

_clock = None  # the clock of the submission being graded, read by the database timers


def current_clock():
    return _clock


def load_course(course_root, db_url=None, assignment=None, arguments=()):
    """nbgrader's AutogradeApp, configured from the course directory as `nbgrader autograde` is
    (nbgrader_config.py of the course, and of the Jupyter config path, then ``arguments``, as
    --Class.trait=VALUE on its command line), for ``assignment`` (its ``coursedir.assignment_id``;
    none when not given); not started.  It replaces any earlier one of this process."""
    os.chdir(course_root)
    AutogradeApp.clear_instance()
    app = AutogradeApp.instance()  # the application the course's hooks log to, as under `nbgrader`
    app.initialize([*(["--db", db_url] if db_url else []), *arguments])
    if assignment:
        app.coursedir.assignment_id = assignment
    return app


def autograded_permissions(app):
    """The permission bits nbgrader's Autograde gives its output files, as configured for ``app``."""
    return int(str(Autograde(coursedir=app.coursedir, parent=app).permissions), 8)


def _kernel_pid(execute):
    return getattr(getattr(execute.km, "provisioner", None), "pid", None)


def _kernel_cpu_seconds(pid):
    """CPU seconds the process ``pid`` and its descendants have used (a sandboxed kernel runs
    under bubblewrap's process); 0 when it is gone."""
    try:
        process = psutil.Process(pid)
        processes = [process] + process.children(recursive=True)
    except psutil.Error:
        return 0.0
    total = 0.0
    for each in processes:
        try:
            times = each.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def _instrument_execute(execute, clock, fork_kernels, usage):
    """Time the kernel's start and stop separately from the execution of the cells, and note
    each kernel's process id and the CPU time it used (in ``usage``)."""
    if fork_kernels and forked_kernels.SUPPORTED:
        # In the preprocessor's own configuration, not on the instance: ResilientExecute loads
        # its configuration again each time it runs (NotebookClient.__init__), and the course's
        # may name another kernel manager (the sandbox's, for kernels not forked).
        config = copy.deepcopy(execute.config)
        config[type(execute).__name__]["kernel_manager_class"] = forked_kernels.ForkedKernelManager
        execute.config = config
    for name, phase in (("start_new_kernel", "kernel start"), ("start_new_kernel_client", "kernel start")):
        setattr(execute, name, clock.timed(phase, getattr(execute, name)))
    cleanup = clock.timed("kernel stop", execute._cleanup_kernel)

    def stop_kernel():
        pid = _kernel_pid(execute)
        usage.setdefault("kernels", []).append(pid)
        usage["kernel cpu"] = usage.get("kernel cpu", 0.0) + _kernel_cpu_seconds(pid)
        cleanup()

    execute._cleanup_kernel = stop_kernel
    return clock.timed("execution", execute)


# KitAutograde reaches into nbgrader's Autograde (its _init_preprocessors, the exporter's
# _preprocessors list) and wraps nbclient's NotebookClient._cleanup_kernel on the instance.
INSTRUMENTED = patching.Patch(
    "nbgrader's Autograde._init_preprocessors and exporter._preprocessors, and nbclient's "
    "NotebookClient._cleanup_kernel, wrapped: the workers' phase timings and forked kernels",
    "nbgrader",
    tested={"nbclient": ">=0.11,<0.12"},
)


class KitAutograde(Autograde):
    """nbgrader's Autograde with forked kernels and timed steps (see the module docstring); stock
    Autograde's steps, untimed, where INSTRUMENTED is refused."""

    def __init__(self, clock, usage, fork_kernels=True, **kwargs):
        super().__init__(**kwargs)
        self.clock = clock
        self.usage = usage
        self.fork_kernels = fork_kernels

    def _init_preprocessors(self):
        super()._init_preprocessors()
        if not INSTRUMENTED.applies():
            return
        steps = []
        for step in self.exporter._preprocessors:
            if isinstance(step, NotebookClient):
                steps.append(_instrument_execute(step, self.clock, self.fork_kernels, self.usage))
            elif isinstance(step, JudgeTestCells):
                steps.append(self.clock.timed("judge", step))
            else:
                steps.append(step)
        self.exporter._preprocessors = steps


class KitFeedback(GenerateFeedback):
    """nbgrader's GenerateFeedback, with the feedback templates compiled once per worker."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.exporter_class is HTMLExporter:
            self.exporter_class = speedups.FeedbackHTMLExporter


class SubmissionGrader:
    """Autogrades one student's submission, then generates its feedback, in this process."""

    def __init__(self, app, fork_kernels=True):
        self.app = app
        self.fork_kernels = fork_kernels
        gradebook_access.time_database_calls(current_clock)
        speedups.install()

    def _run(self, converter):
        """Run ``converter``; (whether it succeeded, its log and the traceback if it failed)."""
        buffer = io.StringIO()
        handler = logging.StreamHandler(buffer)
        handler.setLevel(self.app.log_level)  # as `nbgrader autograde` would show it
        handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
        self.app.log.addHandler(handler)
        try:
            converter.start()
            ok = True
        except Exception:  # nbgrader logs the cause, then raises NbGraderException
            buffer.write(traceback.format_exc())
            ok = False
        finally:
            self.app.log.removeHandler(handler)
        return ok, buffer.getvalue()

    def grade(self, student, autograde=True, feedback=True):
        """{"student", "ok", "log", "seconds" (per phase), "cpu" (worker and kernel), "kernels"
        (their process ids), "autograded" and "feedback" (whether each step ran)} for one student."""
        global _clock
        clock = _clock = PhaseClock()
        usage = {}
        cpu_before = time.process_time()
        coursedir = self.app.coursedir
        coursedir.student_id = student
        ok, log, ran = True, "", {"autograded": False, "feedback": False}
        try:
            if autograde:
                # force: the grader decided this submission needs grading (again)
                ran["autograded"] = True
                ok, log = self._run(
                    KitAutograde(clock, usage, self.fork_kernels, coursedir=coursedir, parent=self.app, force=True)
                )
            if ok and feedback:
                ran["feedback"] = True
                with clock.phase("feedback"):
                    ok, feedback_log = self._run(KitFeedback(coursedir=coursedir, parent=self.app, force=True))
                log += feedback_log
        finally:
            _clock = None
            coursedir.student_id = "*"
        kernels = usage.pop("kernels", [])
        usage["worker cpu"] = time.process_time() - cpu_before
        return {
            "student": student,
            "ok": ok,
            "log": log,
            "seconds": clock.read(),
            "cpu": usage,
            "kernels": kernels,
            **ran,
        }


def first_error(log):
    """The first error line of a grading log, without its level; None when there is none."""
    for line in log.splitlines():
        if line.startswith("[ERROR] ") and line[8:].strip():
            return line[8:].strip()
    return None


_scratch_databases = set()  # paths of the worker's throwaway gradebooks


def _throwaway_database(dbapi_connection, connection_record):
    """A worker's gradebook is a copy thrown away after each submission: SQLite need not wait
    for the disk at every commit (nbgrader commits once per cell)."""
    if isinstance(dbapi_connection, sqlite3.Connection) and _scratch_databases:
        row = dbapi_connection.execute("PRAGMA database_list").fetchone()
        if row and row[2] in _scratch_databases:
            dbapi_connection.execute("PRAGMA synchronous = OFF")
            dbapi_connection.execute("PRAGMA journal_mode = MEMORY")


event.listen(Pool, "connect", _throwaway_database)


class WorkerCourse:
    """The scratch course a worker grades a plan's submissions in (see the module docstring)."""

    def __init__(self, grading_plan, parent=None):
        self.plan = grading_plan
        self.assignment = grading_plan["assignment"]
        self.root = Path(tempfile.mkdtemp(prefix="dnngrader-course-", dir=parent)).resolve()
        try:
            self._lay_out(grading_plan)
        except BaseException:
            self.close()
            raise

    def _lay_out(self, grading_plan):
        settings.ignore_environment()  # the plan brings the settings (plan.py)
        # The references come from the graded course's source notebooks, where this worker sees
        # them (a worker on the grading machine, whatever folder it started in); a worker on
        # another machine reads those of the clone it runs from (paths.KIT_CHECKOUT).
        course = Path(grading_plan["course_root"])
        if assignments.source_notebook(self.assignment, course).is_file():
            paths.use_course(course)
        (self.root / "nbgrader_config.py").write_text(grading_plan["config"], encoding="utf-8")
        source = self.root / "source" / self.assignment
        plan.write_folder(grading_plan["source_files"], source)
        for name, notebook in grading_plan["outlines"].items():
            (source / name).write_text(json.dumps(notebook, indent=1), encoding="utf-8")
        self.template_gradebook = self.root / "plan-gradebook.db"
        self.template_gradebook.write_bytes(grading_plan["gradebook"])
        self.gradebook_path = self.root / "gradebook.db"
        self.db_url = f"sqlite:///{self.gradebook_path}"
        _scratch_databases.add(str(self.gradebook_path))
        self.app = load_course(self.root, self.db_url, self.assignment, grading_plan.get("arguments", ()))
        # The grading command's settings as it resolved them, over the course's and its arguments.
        self.app.update_config(Config(grading_plan["settings"]))
        self._sandbox(grading_plan)
        # Each submission's log travels with its result; the worker's own output is Dask's.
        for handler in list(self.app.log.handlers):
            if isinstance(handler, logging.StreamHandler) and handler.stream in (sys.stderr, sys.stdout):
                self.app.log.removeHandler(handler)
        self.app.update_config(Config({"Exporter": {"optimistic_validation": True}}))  # module docstring
        speedups.schema_known(self.db_url)  # every copy of the plan's gradebook has nbgrader's tables
        self.coursedir = self.app.coursedir
        release = Path(self.coursedir.format_path(self.coursedir.release_directory, ".", self.assignment))
        release.mkdir(parents=True, exist_ok=True)
        for name, notebook in grading_plan.get("released", {}).items():
            (release / name).write_text(json.dumps(notebook, indent=1), encoding="utf-8")
        self.grader = SubmissionGrader(self.app)

    def _sandbox(self, grading_plan):
        """The sandbox of this worker's kernels (loading the course configured it): it hides the
        course the plan comes from, not only this scratch copy, and mounts the assignment's data
        set, the course's own where this machine sees it, else one written here once."""
        view = sandbox.activate(self.app.config)
        if view is None:
            return
        course = Path(grading_plan["course_root"])
        view.hide(course)
        view.data = course / "data"
        if not view.data.is_dir():
            assignments.prepare_data(self.root, [self.assignment])
            view.data = self.root / "data"

    def _folder(self, step, student):
        return Path(self.coursedir.format_path(step, student, self.assignment))

    def _student_folders(self, student):
        return [
            self._folder(step, student).parent
            for step in (
                self.coursedir.submitted_directory,
                self.coursedir.autograded_directory,
                self.coursedir.feedback_directory,
            )
        ]

    def _fresh_gradebook(self):
        speedups.dispose_engines(self.db_url)  # no pooled connection may outlive the file
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.gradebook_path}{suffix}").unlink(missing_ok=True)
        self.gradebook_path.write_bytes(self.template_gradebook.read_bytes())

    def _prepare(self, task):
        student = task["student"]
        self._fresh_gradebook()
        with Gradebook(self.db_url, self.plan["course_id"]) as gradebook:
            plan.restore_state(gradebook, self.assignment, student, task["state"])
        step = self.coursedir.submitted_directory if task["autograde"] else self.coursedir.autograded_directory
        plan.write_folder(task["files"], self._folder(step, student))
        notes = timestamps.notes_path(self.root, self.assignment)
        if task.get("notes"):
            notes.parent.mkdir(parents=True, exist_ok=True)
            notes.write_text(json.dumps({student: task["notes"]}), encoding="utf-8")
        else:
            notes.unlink(missing_ok=True)

    def _clean(self, student):
        for folder in self._student_folders(student):
            plan.remove_folder(folder)
        timestamps.notes_path(self.root, self.assignment).unlink(missing_ok=True)
        speedups.dispose_engines(self.db_url)

    def grade(self, task):
        """The result of ``task`` (see plan.py), as data."""
        student = task["student"]
        started, cpu_before = time.perf_counter(), time.process_time()
        try:
            self._prepare(task)
            prepared = time.perf_counter()
            result = self.grader.grade(student, autograde=task["autograde"], feedback=task["feedback"])
            collecting = time.perf_counter()
            with Gradebook(self.db_url, self.plan["course_id"]) as gradebook:
                result["state"] = plan.student_state(gradebook, self.assignment, student)
            result["autograded"] = (
                plan.read_folder(self._folder(self.coursedir.autograded_directory, student))
                if result["autograded"]
                else None
            )
            result["feedback"] = (
                plan.read_folder(self._folder(self.coursedir.feedback_directory, student))
                if result["feedback"]
                else None
            )
            # Setting up and collecting count as the rest of the worker's time.
            result["seconds"]["other"] = (
                result["seconds"].get("other", 0.0) + (prepared - started) + (time.perf_counter() - collecting)
            )
        finally:
            self._clean(student)
        result["cpu"]["worker cpu"] = time.process_time() - cpu_before
        # The log names the course's folders, not this scratch copy's.
        result["log"] = result["log"].replace(str(self.root), self.plan["course_root"])
        result["reason"] = None if result["ok"] else (first_error(result["log"]) or "nbgrader failed (see the log)")
        return result

    def close(self):
        _scratch_databases.discard(str(getattr(self, "gradebook_path", "")))
        if hasattr(self, "db_url"):
            speedups.schema_forgotten(self.db_url)
        # The kernel templates were started for this course (its sandbox hides this root): the
        # next plan, another assignment's say, starts its own.
        forked_kernels.close_templates()
        try:
            inside = Path.cwd().resolve().is_relative_to(self.root)
        except OSError:  # the working folder is gone already
            inside = True
        if inside:  # load_course moved into it
            os.chdir(self.root.parent)
        plan.remove_folder(self.root)


_lock = threading.Lock()  # one submission at a time per process, whatever the worker's threads
_course = None  # the WorkerCourse of the plan this process grades


def _worker_identity():
    try:
        from distributed import get_worker

        worker = get_worker()
        return worker.address, worker.local_directory
    except (ImportError, ValueError):
        return f"pid {os.getpid()}", None


def close():
    """Remove this process's scratch course, if it has one (a Dask worker's goes with its local
    directory anyway)."""
    global _course
    with _lock:
        if _course is not None:
            _course.close()
            _course = None


def plan_value(grading_plan):
    """The plan itself: the task that holds the plan on the cluster (see cluster.grade)."""
    return grading_plan


def grade_task(grading_plan, task):
    """Grade one submission (``task``, from plan.task) with ``grading_plan`` (plan.build); runs on a
    Dask worker.  Returns the result as data: {"student", "ok", "reason" (why it failed, one
    line), "log", "seconds", "cpu", "kernels", "state" (the student's gradebook rows),
    "autograded" and "feedback" (the folders' files, or None when that step did not run),
    "worker", "host"}.  Raises nothing for a submission that cannot be graded."""
    global _course
    address, local_directory = _worker_identity()
    with _lock:
        try:
            if _course is None or _course.plan["hash"] != grading_plan["hash"]:
                if _course is not None:
                    _course.close()
                    _course = None
                _course = WorkerCourse(grading_plan, parent=local_directory)
            # The course's support files travel by reference (plan.by_reference), both ways.
            task = {**task, "files": plan.with_data(task["files"], grading_plan["source_files"])}
            result = plan.result_by_reference(_course.grade(task), grading_plan)
        except Exception as error:
            what = (str(error).strip().splitlines() or [""])[0][:300]
            result = {
                "student": task["student"],
                "ok": False,
                "log": traceback.format_exc(),
                "seconds": {},
                "cpu": {},
                "kernels": [],
                "state": None,
                "autograded": None,
                "feedback": None,
                "reason": f"the grading worker failed: {type(error).__name__}: {what}".rstrip(": "),
            }
    result.update(worker=address, host=socket.gethostname())
    return result
