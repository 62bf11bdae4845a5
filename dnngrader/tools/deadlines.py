"""Due dates and extensions of the course (``dnngrader deadlines``).

    dnngrader [--course DIR] deadlines store       the configured due dates into the gradebook
    dnngrader deadlines extend ASSIGNMENT STUDENT --hours N [--days N] [--minutes N]
    dnngrader deadlines extend ASSIGNMENT STUDENT --remove
    dnngrader deadlines show ASSIGNMENT           due date, policy and every extension

Due dates and late policies are set in nbgrader_config.py (``c.Deadlines.due_dates``,
``c.Deadlines.late_policies``, see dnngrader/plugins/deadlines.py); grading stores them in the
gradebook.  An extension is the gradebook's ``SubmittedAssignment.extension`` (nbgrader's
``Gradebook.grant_extension``): it moves that student's due date later, and does not stack (a
second ``extend`` replaces the first).  A student who has not submitted yet is added to the
gradebook with an empty submission to hold it, as nbgrader's formgrader would.

``store`` and ``extend`` also publish copies of the due dates and extensions in the course's
exchange (dnngrader/hub/deadlines.py), where students who can read neither this configuration nor
the gradebook (a hub's) find theirs: the released notebook's due-date cell and ``dnngrader
validate`` read them (dnngrader/kernel/notebook/due_date.py).
"""

import argparse
import getpass
import os
import sys
from pathlib import Path

from jupyter_core.paths import jupyter_config_path
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import NbGrader
from nbgrader.coursedir import CourseDirectory

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from dnngrader.hub import deadlines as published
from dnngrader.kernel.notebook import due_date
from dnngrader.plugins import deadlines

CONFIG_NAME = "nbgrader_config.py"


def course_config():
    """The course's configuration (nbgrader_config.py of the current folder), as nbgrader reads it."""
    app = NbGrader()
    app.load_config_file()
    return app.config


def extend(config, assignment, student, minutes=0, hours=0, days=0):
    """Grant ``student`` an extension of ``assignment`` (all zero: remove it); returns the
    student's due date with it (naive UTC), or None while the assignment has no due date (the
    extension is kept, and counts from the due date once one is set).  Raises MissingEntry when
    the gradebook does not know the assignment."""
    coursedir = CourseDirectory(config=config)
    deadlines.store_due_dates(config, coursedir.db_url, coursedir.course_id)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        gradebook.find_assignment(assignment)
        try:
            gradebook.find_submission(assignment, student)
        except MissingEntry:
            gradebook.update_or_create_student(student)
            # nbgrader's add_submission reads relationships of the submission it is making, which
            # makes SQLAlchemy 2 flush it half-made and warn (SAWarning, "not in session").
            with gradebook.db.no_autoflush:
                gradebook.add_submission(assignment, student)
        gradebook.grant_extension(assignment, student, minutes=minutes, hours=hours, days=days)
        submission = gradebook.find_submission(assignment, student)
        # nbgrader's SubmittedAssignment.duedate adds the extension to the assignment's due date,
        # and raises TypeError when there is none.
        return None if submission.assignment.duedate is None else submission.duedate


def show(config, assignment):
    """Lines describing ``assignment``'s due date, late policy and extensions."""
    coursedir = CourseDirectory(config=config)
    settings = deadlines.Deadlines(config=config)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        found = gradebook.find_assignment(assignment)
        due = found.duedate
        lines = [
            f"{assignment}: due {settings.local(due) if due else '(no due date)'}; "
            f"{deadlines.describe_policy(settings.policy(assignment))}"
        ]
        for submission in sorted(found.submissions, key=lambda s: s.student.id):
            if submission.extension:
                lines.append(
                    f"  {submission.student.id}: extension of {submission.extension.total_seconds() / 3600:g} "
                    f"hours, due {settings.local(submission.duedate) if due else '(no due date)'}"
                )
    return lines


def config_near(folder):
    """The nbgrader configuration a notebook in ``folder`` is under: Jupyter's config folders
    (a hub's /etc/jupyter, ~/.jupyter), then every nbgrader_config.py of ``folder``'s parents, the
    nearest last (it wins).  A file that cannot be loaded is skipped."""
    folders = [Path(path) for path in reversed(jupyter_config_path())]
    folder = Path(folder).absolute()
    folders += list(reversed([folder, *folder.parents]))
    config = Config()
    for each in folders:
        if (each / CONFIG_NAME).is_file():
            try:
                config.merge(PyFileConfigLoader(CONFIG_NAME, str(each)).load_config())
            except Exception:  # someone else's configuration: not this command's to judge
                continue
    return config


def _extension(config, assignment, student):
    """The student's extension from the course's gradebook, when it is an sqlite file this user
    may read (opened read-only; never created), else None."""
    url = str(CourseDirectory(config=config).db_url)
    if not url.startswith("sqlite:///"):
        return None
    path = url[len("sqlite:///") :]
    if not (os.path.isfile(path) and os.access(path, os.R_OK)):
        return None
    try:
        with Gradebook(f"sqlite:///file:{path}?mode=ro&uri=true", CourseDirectory(config=config).course_id) as book:
            return book.find_submission(assignment, student).extension
    except Exception:  # no such submission, or a gradebook this user cannot open
        return None


def due_line(notebook, student=None):
    """What a student is told of the notebook's due date: the due date of the assignment (the
    notebook's name) set in the configuration it is under (``config_near``), with the student's
    extension when the gradebook can be read, in the student's own time zone (this process's:
    TZ, else the machine's); where neither can be read (a hub's student), what the course
    published in its exchange (due_date.find).  None when no due date is set.  Raises nothing."""
    try:
        assignment = Path(notebook).stem
        folder = Path(notebook).absolute().parent
        student = student or os.environ.get("JUPYTERHUB_USER") or getpass.getuser()
        found = due_date.find(assignment, folder, student)
        config = config_near(folder)
        settings = deadlines.Deadlines(config=config)
        due = settings.due(assignment)
        if due is not None:
            found.due, found.policy = due, settings.policy(assignment)
            extension = _extension(config, assignment, student)
            if extension is not None:
                found.extension = extension
        return due_date.due_line(found)
    except Exception:
        return None


def main(argv=None):
    """Run the command line; returns the exit status (0, or 1 with a message on stderr)."""
    parser = argparse.ArgumentParser(
        prog="dnngrader deadlines", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--course",
        type=Path,
        metavar="DIR",
        help="the course folder, holding nbgrader_config.py (default: the current folder)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("store", help="write the configured due dates into the gradebook")
    extension = commands.add_parser("extend", help="grant a student an extension (replaces an earlier one)")
    extension.add_argument("assignment", help="the assignment's name (nbgrader's assignment id)")
    extension.add_argument("student", help="the student's id in the gradebook (her user name)")
    for unit in ("minutes", "hours", "days"):
        extension.add_argument(
            f"--{unit}", type=float, default=0, help=f"{unit} added to her due date (added to the other amounts)"
        )
    extension.add_argument("--remove", action="store_true", help="take the student's extension away")
    listing = commands.add_parser("show", help="the assignment's due date, late policy and extensions")
    listing.add_argument("assignment", help="the assignment's name (nbgrader's assignment id)")
    args = parser.parse_args(argv)
    if args.course:
        os.chdir(args.course)
    config = course_config()
    try:
        if args.command == "store":
            coursedir = CourseDirectory(config=config)
            for name, due in deadlines.store_due_dates(config, coursedir.db_url, coursedir.course_id).items():
                print(f"{name}: due {deadlines.Deadlines(config=config).local(due)}")
            print("\n".join(published.publish(config)))
        elif args.command == "extend":
            amounts = {} if args.remove else {"minutes": args.minutes, "hours": args.hours, "days": args.days}
            if not args.remove and not any(amounts.values()):
                parser.error("give --minutes, --hours or --days (or --remove)")
            due = extend(config, args.assignment, args.student, **amounts)
            print(
                f"{args.student}, {args.assignment}: due "
                f"{deadlines.Deadlines(config=config).local(due) if due else '(the assignment has no due date)'}"
            )
            if due is None and not args.remove:
                print(
                    f"The extension is kept: it counts from {args.assignment}'s due date once "
                    "c.Deadlines.due_dates sets one (docs/instructors/deadlines.md)."
                )
            print("\n".join(published.publish(config)))
        else:
            print("\n".join(show(config, args.assignment)))
    except MissingEntry as error:
        print(
            f"ERROR: {error}: the gradebook knows an assignment once `dnngrader release` (make release) "
            "or nbgrader generate_assignment has made its release.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
