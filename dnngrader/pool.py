"""Worker processes that grade submissions side by side.

Each worker is forked from the grading command once, after it has loaded the course's
configuration, and grades one submission at a time with worker.SubmissionGrader; the command
hands out the next submission as soon as a worker is free.  A worker that dies (a crash, the
machine's memory killer) costs only the submission it was grading, which is reported as failed,
and is replaced.  Workers write everything they and their kernels print to a log file, so the
terminal keeps only the progress bar.
"""

import multiprocessing
import os
import signal
from multiprocessing.connection import wait

from .forked_kernels import close_templates
from .worker import SubmissionGrader


def _worker_main(app, connection, log_path, fork_kernels):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the command stops its workers itself
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    grader = SubmissionGrader(app, fork_kernels=fork_kernels)
    try:
        while True:
            task = connection.recv()
            if task is None:
                break
            connection.send(grader.grade(task["student"], autograde=task["autograde"], feedback=task["feedback"]))
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        close_templates()


class GradingPool:
    """``jobs`` workers sharing ``app`` (a configured nbgrader app, inherited when they fork)."""

    def __init__(self, app, jobs, log_path, fork_kernels=True):
        self.app, self.jobs, self.log_path, self.fork_kernels = app, jobs, log_path, fork_kernels
        self.context = multiprocessing.get_context("fork")
        self.workers = {}  # connection -> [process, task being graded or None]

    def _start_worker(self):
        ours, theirs = self.context.Pipe()
        process = self.context.Process(target=_worker_main, name="dnngrader-worker",
                                       args=(self.app, theirs, self.log_path, self.fork_kernels), daemon=True)
        process.start()
        theirs.close()
        self.workers[ours] = [process, None]

    def run(self, tasks, on_result):
        """Grade every task ({"student", "autograde", "feedback"}); call ``on_result(result)``
        as each finishes, in the order they finish."""
        pending = list(reversed(tasks))
        for _ in range(min(self.jobs, len(tasks))):
            self._start_worker()
        try:
            for connection in list(self.workers):
                self._hand_out(connection, pending)
            while any(task is not None for _, task in self.workers.values()):
                self._collect(pending, on_result)
        finally:
            self.close()

    def _hand_out(self, connection, pending):
        task = pending.pop() if pending else None
        self.workers[connection][1] = task
        connection.send(task)

    def _collect(self, pending, on_result):
        by_sentinel = {process.sentinel: connection for connection, (process, _) in self.workers.items()}
        # Results first: a worker may have sent one just before it exited.
        for ready in sorted(wait(list(self.workers) + list(by_sentinel)), key=lambda r: r in by_sentinel):
            if ready in by_sentinel:
                self._replace_dead(by_sentinel[ready], pending, on_result)
                continue
            if ready not in self.workers:
                continue  # its worker died and was replaced in this round
            try:
                result = ready.recv()
            except EOFError:
                self._replace_dead(ready, pending, on_result)
                continue
            on_result(result)
            self._hand_out(ready, pending)

    def _replace_dead(self, connection, pending, on_result):
        """A worker exited unasked: report what it was grading and start another in its place."""
        if connection not in self.workers:
            return
        process, task = self.workers.pop(connection)
        process.join()
        connection.close()
        if task is None:
            return
        on_result({"student": task["student"], "ok": False, "seconds": {}, "cpu": {},
                   "log": f"the grading worker died (exit status {process.exitcode}) while grading "
                          "this submission; see the grading log."})
        if pending:
            self._start_worker()
            self._hand_out(list(self.workers)[-1], pending)

    def close(self):
        for connection, (process, task) in list(self.workers.items()):
            if task is not None and process.is_alive():
                process.terminate()  # interrupted mid-submission: a later run grades it again
            else:
                try:
                    connection.send(None)
                except (BrokenPipeError, OSError):
                    pass
        for connection, (process, _) in self.workers.items():
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
                process.join()
            connection.close()
        self.workers = {}
