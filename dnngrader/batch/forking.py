"""The local Dask cluster's forkserver: what it imports, where its output goes, starting it early.

The local cluster's worker processes are forked from a process that has imported the grading
code once, multiprocessing's forkserver, instead of each importing nbgrader and its dependencies
anew (seconds of CPU per worker, and per worker started again).  `dnngrader grade` starts it
before it imports that code itself (prestart.py); cluster.py starts the cluster's workers from
it.  This module imports nothing of the grading code.
"""

import contextlib
import multiprocessing
import os
import signal
from multiprocessing import forkserver
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[2]  # the folder the dnngrader package is in
# What the forkserver imports once for every worker process forked from it.
PRELOAD = ("distributed", "dnngrader.batch.worker", "dnngrader.batch.cluster")


@contextlib.contextmanager
def into_log(log_path):
    """While a process of the local cluster starts: this process's stdout and stderr go to the
    log, and so do those of the processes it starts (they keep them)."""
    saved = [os.dup(1), os.dup(2)]
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.dup2(log, 1)
        os.dup2(log, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved + [log]:
            os.close(fd)


@contextlib.contextmanager
def in_kit_folder():
    """The forkserver starts in the kit's folder, so that it finds the kit whatever the course."""
    here = os.getcwd()
    os.chdir(KIT_ROOT)
    try:
        yield
    finally:
        os.chdir(here)


def start(log_path):
    """Start the local cluster's forkserver now, its output going to ``log_path``; returns at once
    while it imports ``PRELOAD`` in the background.  The cluster's workers are forked from it
    (cluster.connect); if it is not running by then, they start it themselves."""
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(PRELOAD))
    with into_log(log_path), in_kit_folder():
        forkserver.ensure_running()


def stop():
    """Stop the forkserver ``start`` started, when no local cluster will use it (a run with
    nothing to grade): otherwise it goes on importing ``PRELOAD`` for seconds after the command
    has ended, and only then notices that it is alone.  Does nothing when none runs.

    It is killed first, since it reads its "stop" signal (its end of a pipe closing) only once
    its imports are done; multiprocessing's own ``_stop`` (CPython 3.8 and later) then forgets it
    and removes its socket."""
    server = forkserver._forkserver
    pid = getattr(server, "_forkserver_pid", None)
    if not pid or not hasattr(server, "_stop"):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    with contextlib.suppress(OSError):
        server._stop()
