"""Set-up made once per test run and shared by every pytest-xdist worker: blank scratch courses
(each costs an `nbgrader generate_assignment` per assignment) and other results several test
files read but none changes.

The standard pytest-xdist recipe: the first worker that needs a result makes it under a file
lock in the folder all workers' temporary folders share; the others wait for the lock and read
what it made.  A result is marked complete only after it was made, so a failed attempt is made
again rather than read.
"""

import fcntl
import os
import random
import shutil
import socket
from pathlib import Path

from dnngrader.tools.course import ScratchCourse
from dnngrader.paths import ASSIGNMENT


def shared_folder(tmp_path_factory):
    """The folder of this test run that every worker sees: the parent of the workers' own
    temporary folders under xdist, the session's temporary folder without it."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared-setup"
    folder.mkdir(exist_ok=True)
    return folder


def made_once(tmp_path_factory, name, make):
    """The folder ``name`` of the shared folder, filled by ``make(folder)`` once per test run."""
    shared = shared_folder(tmp_path_factory)
    folder = shared / name
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not (folder / ".complete").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (folder / ".complete").touch()
    return folder


def copy_of_blank_course(tmp_path_factory, root, assignments=(ASSIGNMENT,), **options):
    """A scratch course at ``root`` with ``assignments`` registered and nothing submitted: a copy
    of the one ScratchCourse.create() made for this test run (generate_assignment in a course of
    the same layout, so the same gradebook and release).  ``options``: ScratchCourse's
    (exchange, db_url, settings); the gradebook is the copy's own unless db_url says otherwise."""
    name = "blank-" + "-".join(assignments)
    made = made_once(
        tmp_path_factory, name, lambda folder: ScratchCourse(folder / "course", assignments=assignments).create()
    )
    root = Path(root)
    shutil.copytree(made / "course", root, symlinks=True, dirs_exist_ok=True)
    course = ScratchCourse(root, assignments=assignments, **options)
    course.write_settings()
    return course


_ports_given = set()


def _ephemeral_range():
    """The ports the system gives to outgoing connections and to servers that bind port 0."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on, for a server a test starts (a hub, its
    proxy, JupyterLab, a Dask scheduler, PostgreSQL).

    Not a port the system picked for a probe bound to port 0: such a port is in the ephemeral
    range, from which every kernel, Dask process and outgoing connection of the run takes its
    own, so another process could take it between this choice and the server's bind (a hub
    once failed with "Address already in use" that way in a full run).  The port comes from
    below that range instead, from a slice of its own for each pytest-xdist worker, and is never
    given twice in one test process."""
    low = _ephemeral_range()[0]
    first, last = 20000, max(low - 1, 20999)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    slot = int(worker[2:]) if worker[2:].isdigit() else 0
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    size = max((last - first + 1) // max(count, slot + 1), 50)
    start = first + slot * size
    candidates = list(range(start, min(start + size, last + 1)))
    random.shuffle(candidates)
    for port in candidates:
        if port in _ports_given:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _ports_given.add(port)
        return port
    raise RuntimeError(f"no free TCP port between {start} and {start + size - 1} for this test process")
