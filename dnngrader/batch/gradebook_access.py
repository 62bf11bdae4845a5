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

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

BUSY_TIMEOUT_MS = 10 * 60 * 1000
_installed = set()
_CLOCKS = "dnngrader clocks"  # in a Connection's or Session's info: the clocks of its phases under way


def _on_connect(dbapi_connection, connection_record):
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def wait_for_sqlite_writers():
    """Give every SQLite connection this process opens from now on a long busy timeout."""
    if "wait" not in _installed:
        event.listen(Pool, "connect", _on_connect)
        _installed.add("wait")


def _enter(info, current_clock):
    clock = current_clock()
    if clock is not None:
        clock.enter("database")
    info.setdefault(_CLOCKS, []).append(clock)


def _exit(info):
    clocks = info.get(_CLOCKS)
    if clocks:
        clock = clocks.pop()
        if clock is not None:
            clock.exit()


def time_database_calls(current_clock):
    """Count the time spent in the gradebook's database as the "database" phase of
    ``current_clock()`` (when that returns a clock): each statement, from before SQLAlchemy
    compiles it to its result, and each commit of an ORM session.  SQLAlchemy's own events, so
    neither nbgrader's Gradebook nor SQLAlchemy's Session is changed; the time nbgrader spends in
    Python around its queries counts in the phase that called it."""
    if "time" in _installed:
        return
    event.listen(Engine, "before_execute", lambda conn, *args: _enter(conn.info, current_clock))
    event.listen(Engine, "after_execute", lambda conn, *args: _exit(conn.info))
    event.listen(
        Engine,
        "handle_error",
        lambda context: _exit(context.connection.info) if context.connection is not None else None,
    )
    event.listen(Session, "before_commit", lambda session: _enter(session.info, current_clock))
    for name in ("after_commit", "after_rollback"):
        event.listen(Session, name, lambda session: _exit(session.info))
    _installed.add("time")
