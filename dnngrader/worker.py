"""One grading worker: nbgrader's own Autograde and GenerateFeedback converters, run in this
process for one submission at a time, with the course's configuration loaded once.

The converters, their preprocessors and their order all come from the course's
nbgrader_config.py, exactly as `nbgrader autograde` and `nbgrader generate_feedback` use them.
What differs touches no grade:
- the Execute preprocessor gets its kernels from forked_kernels (a new kernel per submission,
  forked from a template instead of spawned);
- work that nbgrader repeats for every submission is done once per worker (speedups.py);
- the steps are timed (timing.PhaseClock), so the benchmark can say where the time goes.
"""

import io
import logging
import os
import time
import traceback

from nbclient import NotebookClient
from nbconvert.exporters import HTMLExporter
from nbgrader.apps.autogradeapp import AutogradeApp
from nbgrader.converters import Autograde, GenerateFeedback

from . import forked_kernels, gradebook_access, speedups
from .paths import ASSIGNMENT
from .preprocessors import JudgeTestCells
from .timing import PhaseClock

DATABASE_ATTEMPTS = 3
_clock = None  # the clock of the submission being graded, read by the database timers


def current_clock():
    return _clock


def load_course(course_root, db_url=None):
    """nbgrader's AutogradeApp, configured from the course directory as `nbgrader autograde` is
    (nbgrader_config.py of the course, and of the Jupyter config path); not started."""
    os.chdir(course_root)
    app = AutogradeApp.instance()  # the application the course's hooks log to, as under `nbgrader`
    app.initialize(["--db", db_url] if db_url else [])
    app.coursedir.assignment_id = ASSIGNMENT
    return app


def autograded_permissions(app):
    """The permission bits nbgrader's Autograde gives its output files, as configured for ``app``."""
    return int(str(Autograde(coursedir=app.coursedir, parent=app).permissions), 8)


def _kernel_pid(execute):
    return getattr(getattr(execute.km, "provisioner", None), "pid", None)


def _kernel_cpu_seconds(pid):
    """CPU seconds the process ``pid`` has used (Linux /proc; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _instrument_execute(execute, clock, fork_kernels, usage):
    """Time the kernel's start and stop separately from the execution of the cells, and note
    each kernel's process id and the CPU time it used (in ``usage``)."""
    if fork_kernels and forked_kernels.SUPPORTED:
        execute.kernel_manager_class = forked_kernels.ForkedKernelManager
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


class KitAutograde(Autograde):
    """nbgrader's Autograde with forked kernels and timed steps (see the module docstring)."""

    def __init__(self, clock, usage, fork_kernels=True, **kwargs):
        super().__init__(**kwargs)
        self.clock = clock
        self.usage = usage
        self.fork_kernels = fork_kernels

    def _init_preprocessors(self):
        super()._init_preprocessors()
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
        gradebook_access.wait_for_sqlite_writers()
        gradebook_access.time_database_calls(current_clock)
        speedups.install()

    def _run(self, make_converter):
        """Run the converter ``make_converter()`` makes; (whether it succeeded, its log and the
        traceback if it failed).  A run that failed on a locked database is tried again."""
        for attempt in range(1, DATABASE_ATTEMPTS + 1):
            ok, log = self._run_once(make_converter())
            if ok or "database is locked" not in log:
                break
            self.app.log.warning("The gradebook was locked (attempt %d of %d)", attempt, DATABASE_ATTEMPTS)
        return ok, log

    def _run_once(self, converter):
        buffer = io.StringIO()
        handler = logging.StreamHandler(buffer)
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
        (their process ids)} for one student."""
        global _clock
        clock = _clock = PhaseClock()
        usage = {}
        cpu_before = time.process_time()
        coursedir = self.app.coursedir
        coursedir.student_id = student
        ok, log = True, ""
        try:
            if autograde:
                # force: the grader decided this submission needs grading (again)
                ok, log = self._run(lambda: KitAutograde(clock, usage, self.fork_kernels, coursedir=coursedir,
                                                         parent=self.app, force=True))
            if ok and feedback:
                with clock.phase("feedback"):
                    ok, feedback_log = self._run(lambda: KitFeedback(coursedir=coursedir, parent=self.app, force=True))
                log += feedback_log
        finally:
            _clock = None
            coursedir.student_id = "*"
        kernels = usage.pop("kernels", [])
        usage["worker cpu"] = time.process_time() - cpu_before
        return {"student": student, "ok": ok, "log": log, "seconds": clock.read(), "cpu": usage,
                "kernels": kernels}
