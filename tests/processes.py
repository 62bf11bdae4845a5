"""Stopping servers that tests start in process groups of their own (jupyter lab, with kernels)."""

import os
import signal
import time

import psutil


def _group_gone(process, seconds):
    """Wait up to ``seconds`` for the process group of ``process`` to end; whether it did."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        process.poll()
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def stop_process_group(process, grace=30):
    """SIGTERM to the process group of ``process`` (a Popen started with start_new_session=True),
    so that a server can shut its kernels down; SIGKILL to the group after ``grace`` seconds; then
    SIGKILL to any of its descendants left in sessions of their own (kernels).  Reaps ``process``."""
    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.Error:
        descendants = []
    for signum, seconds in ((signal.SIGTERM, grace), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            break
        if _group_gone(process, seconds):
            break
    process.wait()
    for child in descendants:
        try:
            child.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(descendants, timeout=10)
