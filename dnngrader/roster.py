"""The class roster's CSV file, read: the one place both the hub (``dnngrader.hub.roster``, which
makes its rows Unix users) and the grading side (an LMS download matched to the class, the LMS
grade exports) read it from.  It imports nothing of the kit.

The file has a header row and these columns, in any order::

    username,full_name,email,lms_id,role
    ada,Ada Lovelace,ada@example.org,A-1001,student
    grace,Grace Hopper,grace@example.org,S-1,instructor

``role`` is ``student``, ``instructor`` or ``ta``; ``lms_id`` is the student's id in the learning
management system (Canvas's SIS User ID, Moodle's ID number).
"""

import csv
import re

COLUMNS = ("username", "full_name", "email", "lms_id", "role")
STUDENT, INSTRUCTOR, TA = "student", "instructor", "ta"
ROLES = (STUDENT, INSTRUCTOR, TA)  # the hub's roles (dnngrader.hub.access.ROLES)
# A Unix login name useradd accepts everywhere, and nbgrader too (no '+' or '*').
USERNAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


class RosterError(Exception):
    """The roster file cannot be used; the message says which row and why."""


def read_roster(path):
    """The rows of the roster CSV file ``path`` as dicts of COLUMNS, checked: every column present,
    usernames valid and unique, roles known.  Raises RosterError."""
    try:
        handle = open(path, newline="", encoding="utf-8-sig")
    except OSError as error:
        raise RosterError(f"{path}: cannot be read: {error.strerror or error}") from error
    with handle:
        reader = csv.DictReader(handle)
        header = [name.strip().lower() for name in reader.fieldnames or []]
        missing = [name for name in COLUMNS if name not in header]
        if missing:
            raise RosterError(f"{path}: the header row lacks {', '.join(missing)} (it must name {', '.join(COLUMNS)})")
        rows, seen, problems = [], set(), []
        for number, raw in enumerate(reader, start=2):
            row = {key.strip().lower(): (value or "").strip() for key, value in raw.items() if key}
            if not any(row.values()):
                continue
            name, role = row["username"], row["role"].lower()
            if not USERNAME.match(name):
                problems.append(
                    f"line {number}: {name!r} is not a username this machine can have "
                    "(lower-case letters, digits, _ and -, starting with a letter or _)"
                )
            elif name in seen:
                problems.append(f"line {number}: {name} is listed twice")
            if role not in ROLES:
                problems.append(f"line {number}: role {row['role']!r} is not one of {', '.join(ROLES)}")
            seen.add(name)
            rows.append({**{key: row.get(key, "") for key in COLUMNS}, "role": role})
    if problems:
        raise RosterError(f"{path}:\n  " + "\n  ".join(problems))
    return rows


def students(rows):
    """The rows of ``rows`` (``read_roster``'s) whose role is student, by username."""
    return sorted((row for row in rows if row["role"] == STUDENT), key=lambda row: row["username"])


def match(rows, read_id):
    """The username of the roster's student ``read_id`` names: their username or their LMS id
    (``lms_id``, compared without regard to case); None when it names nobody of ``rows``."""
    for row in students(rows):
        if read_id == row["username"]:
            return row["username"]
    wanted = read_id.strip().casefold()
    for row in students(rows):
        if row["lms_id"] and row["lms_id"].casefold() == wanted:
            return row["username"]
    return None
