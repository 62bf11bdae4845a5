"""The course's gradebook while grading: SQLite writers wait their turn, and database time is
measured.

Only the grading command writes the course's gradebook (the Dask workers grade in private
copies, see worker.py and results.py), but it may not be the only writer: an instructor may be
saving manual grades in the formgrader at the same moment.  nbgrader opens SQLite through
SQLAlchemy and Python's sqlite3 driver, which start a transaction only at a statement that
writes: a process that wants to write while another one does waits for the other's commit for
at most the driver's busy timeout (5 s), after which it fails with "database is locked".  The
grading command waits as long as it takes (``BUSY_TIMEOUT_MS``): transactions are short, but a
disk can stall.  Other databases, PostgreSQL among them, lock rows and need nothing of this.
The workers count the time nbgrader spends in their gradebook as the "database" phase.
"""

import functools
import sqlite3

from nbgrader import api
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

BUSY_TIMEOUT_MS = 10 * 60 * 1000
_installed = set()


def _on_connect(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def wait_for_sqlite_writers():
    """Give every SQLite connection this process opens from now on a long busy timeout."""
    if "wait" not in _installed:
        event.listen(Pool, "connect", _on_connect)
        _installed.add("wait")


def _timed_method(owner, name, current_clock):
    method = getattr(owner, name)

    @functools.wraps(method)
    def timed(*args, **kwargs):
        clock = current_clock()
        if clock is None:
            return method(*args, **kwargs)
        with clock.phase("database"):
            return method(*args, **kwargs)
    setattr(owner, name, timed)


def time_database_calls(current_clock):
    """Count the time spent in the gradebook (nbgrader's Gradebook and the SQLAlchemy session
    under it) as the "database" phase of ``current_clock()`` (when that returns a clock)."""
    if "time" in _installed:
        return
    gradebook_methods = [name for name, value in vars(api.Gradebook).items()
                         if callable(value) and (not name.startswith("_") or name == "__init__")]
    for name in gradebook_methods:
        _timed_method(api.Gradebook, name, current_clock)
    for name in ("execute", "commit", "flush", "rollback", "close"):
        _timed_method(Session, name, current_clock)
    _installed.add("time")
