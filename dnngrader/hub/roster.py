"""The class roster: a CSV file whose rows become real, separate Unix users of the course's hub.

    dnngrader roster sync ROSTER.csv [--adopt-existing] [--state DIR] [--course DIR]
    dnngrader roster remove USER [--delete-home | --keep-account] [--state DIR] [--course DIR]
    dnngrader roster list [--state DIR]

The CSV file has a header row and these columns, in any order::

    username,full_name,email,lms_id,role
    ada,Ada Lovelace,ada@example.org,A-1001,student
    grace,Grace Hopper,grace@example.org,S-1,instructor

``role`` is ``student``, ``instructor`` or ``ta``.  ``sync`` (as root) creates each user that does
not exist yet with ``useradd`` (a home folder only its owner can open, and a login shell), sets a
new random password for the users it creates, and prints them once and writes them once to a file
only root can read (``STATE/passwords/<time>.csv``): hand them to the users, who log in to the hub
with them (PAM, as any local user logs in) and may change them with ``passwd`` in a terminal.
Instructors and TAs are put in the course's staff group, students in its students group.  Running
it again changes nothing for users already there but their group when their role changed: it is
idempotent.  A user the roster names who exists on the machine but was not created by the roster
(``root``, a service account, a colleague's account) is refused, never changed, unless
``--adopt-existing`` takes it in (never a system account): a person in two courses, each with its
roster, is created by the first and adopted by the second.

The roster as synced is kept in ``STATE/roster.json`` (the hub reads each user's role there; the
staff may read it).  Students in ``roster.json`` and no longer in the CSV are reported, not
removed: ``remove`` removes one (``userdel``; their home folder is kept unless ``--delete-home``,
and their submissions stay in the exchange), or with ``--keep-account``, and always for an adopted
account, only takes them out of the course's groups and roster.
"""

import argparse
import csv
import datetime
import json
import os
import pwd
import secrets
import subprocess
import sys
from pathlib import Path

from dnngrader.hub import access
from dnngrader.roster import COLUMNS, USERNAME, RosterError, read_roster  # noqa: F401 (this module's API)

# The CSV file is read by dnngrader.roster, below the hub (the grading side reads it too).
ROSTER_FILE = "roster.json"
PASSWORD_BYTES = 12
# Below this uid, an account is the system's (Debian's UID_MIN): never adopted into a roster.
FIRST_UID = 1000


def load_state(state):
    """The roster as last synced: {"users": {name: row}, "removed": {...}} (empty when none)."""
    path = Path(state) / ROSTER_FILE
    if not path.exists():
        return {"users": {}, "removed": {}}
    return json.loads(path.read_text())


def save_state(state, data, staff_group):
    """Write the roster kept for the hub, readable by root and the staff group."""
    path = Path(state) / ROSTER_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.chown(path, 0, access.ensure_group(staff_group))
    os.chmod(path, 0o640)


def user_exists(name):
    """Whether the machine has a user ``name``."""
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def set_password(name, password):
    """Set ``name``'s password (chpasswd reads it from its input, never from the command line)."""
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)


def set_groups(name, role, staff_group, students_group):
    """Put ``name`` in the course group of its role and out of the other."""
    member, other = (staff_group, students_group) if role in access.STAFF_ROLES else (students_group, staff_group)
    subprocess.run(["gpasswd", "--add", name, member], check=True, capture_output=True)
    subprocess.run(["gpasswd", "--delete", name, other], capture_output=True)  # fails when not a member


def create_user(row, staff_group, students_group):
    """Create the Unix user of a roster ``row`` with a new random password; returns the password."""
    name = row["username"]
    group = staff_group if row["role"] in access.STAFF_ROLES else students_group
    comment = row["full_name"].replace(":", " ").replace(",", " ")
    subprocess.run(
        ["useradd", "--create-home", "--shell", "/bin/bash", "--comment", comment, "--groups", group, name],
        check=True,
        capture_output=True,
        text=True,
    )
    os.chmod(pwd.getpwnam(name).pw_dir, 0o700)
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    set_password(name, password)
    return password


def sync(rows, state, course_id, adopt=False):
    """Make the machine's users match the roster ``rows`` for the course ``course_id``; returns
    (created {name: password}, updated [names whose role changed or who were adopted], refused
    [messages], not in the roster any more [names]).  With ``adopt``, a user who exists but was
    not created by this roster (a student of another course's roster, a staff member's own
    account) joins it, password untouched; a system account (uid below FIRST_UID) never does."""
    staff_group, students_group = access.group_names(course_id)
    access.ensure_group(staff_group)
    access.ensure_group(students_group)
    data = load_state(state)
    created, updated, refused = {}, [], []
    for row in rows:
        name = row["username"]
        known = data["users"].get(name)
        if known is None and user_exists(name):
            if not adopt or pwd.getpwnam(name).pw_uid < FIRST_UID:
                refused.append(
                    f"{name}: a user of that name exists on this machine and was not created "
                    "by the roster; it is left alone (rename the row, remove that user, or "
                    "--adopt-existing to take a person's account into the course)"
                )
                continue
            set_groups(name, row["role"], staff_group, students_group)
            updated.append(name)
            row = {**row, "adopted": True}
        elif known is None or not user_exists(name):
            created[name] = create_user(row, staff_group, students_group)
        elif known["role"] != row["role"]:
            set_groups(name, row["role"], staff_group, students_group)
            updated.append(name)
        if known is not None and known.get("adopted"):
            row = {**row, "adopted": True}
        data["users"][name] = row
        data["removed"].pop(name, None)
    listed = {row["username"] for row in rows}
    gone = sorted(name for name in data["users"] if name not in listed)
    data["course_id"] = course_id
    save_state(state, data, staff_group)
    return created, updated, refused, gone


def write_passwords(state, created, rows):
    """Write the new passwords once to STATE/passwords/<time>.csv, readable by root only;
    returns its path (None when there are none)."""
    if not created:
        return None
    folder = Path(state) / "passwords"
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H-%M-%SZ") + ".csv")
    by_name = {row["username"]: row for row in rows}
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "full_name", "email", "role", "password"])
        for name, password in created.items():
            row = by_name[name]
            writer.writerow([name, row["full_name"], row["email"], row["role"], password])
    return path


def remove(name, state, delete_home=False, keep_account=False):
    """Remove the roster's user ``name`` from the course: from the roster kept for the hub, and
    from the machine (userdel), unless the roster adopted the account or ``keep_account`` (a
    person still in another course): then only from the course's groups.  Raises RosterError when
    the roster does not hold that user or userdel fails (a user whose server still runs: stop it in
    the hub's admin page first).  Returns the user's roster row."""
    data = load_state(state)
    if name not in data["users"]:
        raise RosterError(f"{name} is not in the roster of {state}: only users the roster holds are removed")
    staff_group, students_group = access.group_names(data.get("course_id", ""))
    row = data["users"][name]
    if user_exists(name) and (keep_account or row.get("adopted")):
        for group in (staff_group, students_group):
            subprocess.run(["gpasswd", "--delete", name, group], capture_output=True)  # fails when not a member
    elif user_exists(name):
        command = ["userdel", *(["--remove"] if delete_home else []), name]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            raise RosterError(f"userdel {name} failed: {done.stderr.strip()}")
    data["users"].pop(name)
    data["removed"][name] = {**row, "removed": datetime.datetime.now(datetime.timezone.utc).isoformat()}
    save_state(state, data, staff_group)
    return row


def course_id_of(course):
    """The course id the course folder's nbgrader_config.py sets."""
    from dnngrader.hub.server import course_settings

    return course_settings(course)[0]


def main(argv=None):
    """Command line: sync, remove or list."""
    from dnngrader.hub.server import default_state

    parser = argparse.ArgumentParser(prog="dnngrader roster", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--course", type=Path, default=Path.cwd(), metavar="DIR", help="the course folder (default: the current folder)"
    )
    parser.add_argument("--state", type=Path, help="the hub's folder (default: COURSE/.hub)")
    commands = parser.add_subparsers(dest="action", required=True)
    sync_parser = commands.add_parser("sync", help="create the roster's users that do not exist yet")
    sync_parser.add_argument("roster", type=Path, help="the roster CSV file")
    sync_parser.add_argument(
        "--adopt-existing",
        action="store_true",
        help="take users who exist already (not system accounts) into the roster, "
        "passwords untouched: a person in two courses, a colleague's account",
    )
    remove_parser = commands.add_parser("remove", help="remove one user the roster created")
    remove_parser.add_argument("username")
    remove_parser.add_argument("--delete-home", action="store_true", help="delete their home folder too")
    remove_parser.add_argument(
        "--keep-account",
        action="store_true",
        help="only take them out of the course (a person still in another course)",
    )
    commands.add_parser("list", help="list the roster as synced")
    args = parser.parse_args(argv)
    state = args.state or default_state(args.course)
    try:
        if args.action == "list":
            for name, row in sorted(load_state(state)["users"].items()):
                print(f"{name}\t{row['role']}\t{row['full_name']}\t{row['email']}\t{row['lms_id']}")
            return 0
        if os.geteuid() != 0:
            print(f"dnngrader roster {args.action}: creating and removing users needs root", file=sys.stderr)
            return 2
        if args.action == "remove":
            row = remove(args.username, state, args.delete_home, args.keep_account)
            kept = args.keep_account or row.get("adopted")
            print(
                f"Removed {args.username} ({row['full_name']}, {row['role']}) from the course"
                + (", their account kept" if kept else "")
                + "; their submissions stay in the exchange"
                + ("" if args.delete_home or kept else ", their home folder is kept")
            )
            return 0
        rows = read_roster(args.roster)
        created, updated, refused, gone = sync(rows, state, course_id_of(args.course), args.adopt_existing)
        path = write_passwords(state, created, rows)
        for name, password in created.items():
            print(f"created {name}\tpassword {password}")
        if path:
            print(f"These passwords are shown once and kept in {path} (root only).")
        for name in updated:
            print(f"in the course as {next(r['role'] for r in rows if r['username'] == name)}: {name}")
        for name in gone:
            print(f"not in the roster any more: {name} (remove with `dnngrader roster remove {name}`)")
        for message in refused:
            print(f"refused: {message}", file=sys.stderr)
        print(
            f"{len(rows)} in the roster: {len(created)} created, {len(updated)} changed, "
            f"{len(rows) - len(created) - len(updated) - len(refused)} already there, {len(refused)} refused"
        )
        return 1 if refused else 0
    except (RosterError, OSError, subprocess.CalledProcessError) as error:
        print(f"dnngrader roster: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
