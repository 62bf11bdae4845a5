"""The course's exchange on a JupyterHub: nbgrader's file-system exchange, with Unix permissions
that keep students out of each other's work, and three nbgrader exchange classes of the kit.

This module imports nothing of the kit but ``acl`` beside it (nbgrader and the standard library
otherwise): the hub copies this package's three files to a folder every user's server imports them
from, as the package ``dnngrader_hub`` (``access.exchange_python_path``), because the rest of the
kit, which holds the assignments' reference solutions, is hidden from students (and may not be in
the users' environment at all).

The layout (``prepare``; made by root, ``dnngrader hub setup``)::

    ROOT/                 root:root          1777  students may create entries (nbgrader asks for
                                                   a writable root) but, with the sticky bit,
                                                   never rename or remove the course folders
    ROOT/COURSE/          root:STAFF         2775  setgid: everything below gets the staff group
    ROOT/COURSE/outbound  root:STAFF         2775  instructors and the TA release; students read
    ROOT/COURSE/inbound   root:STAFF         3773  students create submissions but cannot list the
                                                   folder; the sticky bit stops them renaming or
                                                   removing another's
    ROOT/COURSE/feedback  root:STAFF         2771  feedback files named by a hash of a secret in
                                                   the submission: students cannot list the folder
    ROOT/COURSE/deadlines root:STAFF         2771  the due dates the staff publish (hub/deadlines.py):
                                                   the class's, readable by the course's students,
                                                   and each student's extension, readable by her;
                                                   students cannot list the folder

On a hub of several courses (``prepare`` given the course's students group), which share one
exchange root, each course's folder is closed to the other courses' users instead::

    ROOT/COURSE/          root:STAFF         2770  and an access control list letting the course's
                                                   students group read and enter it, nobody else

nbgrader runs with ``CourseDirectory.groupshared = True`` for the staff, so that several
instructors and the TA share the course folder and the exchange through the staff group.

What nbgrader alone leaves open, and the classes below close:

- ``PrivateSubmit`` (the students' ``submit``): nbgrader makes every submission folder mode 0777
  and its files 0644 (world-readable, hidden only by an unguessable name).  The kit's submit gives
  them an access control list: the submitting student and the staff group only.
  The submission's secret, from which the name of its feedback file is derived, is private with it.
- ``PrivateReleaseFeedback`` (the staff's ``release_feedback``): nbgrader's feedback files are
  readable by everyone who knows their name (a hash of the submission's secret).  The kit's gives
  each file an access control list: the instructor who released it, the staff group and the one
  student it is for may read it, nobody else (POSIX ACLs, on by default on ext4 and xfs).
- ``CheckedCollect`` (the staff's ``collect``) refuses a submission holding a symbolic link (or a
  device, a pipe): nbgrader's copy follows links, so a link to ``source/`` or to another student's
  collected work would be collected as its target, graded, and returned as feedback.  nbgrader
  takes the student's name from the submission folder's name and only warns when another user
  made the folder, so a student could submit in another's name (``nbgrader submit
  --student=alice``) and replace her work at the next ``collect --update``: the kit's collect
  refuses such a folder too.  And since a student owns their
  submission folder, they can still change it after the deadline: the kit's collect compares the
  time the submission says with the last change the file system recorded (ctime, which no user can
  set back), and when something changed later it takes that later time as the submission time,
  with a warning.
"""

import datetime
import glob
import grp
import os
import pwd
import re
import stat

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.exchange.default.submit import ExchangeSubmit
from nbgrader.utils import check_mode, notebook_hash

from .acl import open_to_group, private_to_group, readable_by_one_student, remove_access_acl, remove_default_acl

# Modes of the layout above.
ROOT_MODE = 0o1777
COURSE_MODE = 0o2775
CLOSED_COURSE_MODE = 0o2770  # a course's folder on a hub of several courses (its students by an ACL)
OUTBOUND_MODE = 0o2775
INBOUND_MODE = 0o3773
FEEDBACK_MODE = 0o2771
DEADLINES_MODE = 0o2771
# How much later than its stated time a submission may have been changed by nbgrader's own
# submit (copying, writing timestamp.txt, setting permissions) before the change counts.
CHANGE_SLACK = datetime.timedelta(seconds=120)
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"


def layout(root, course_id, closed=False):
    """The folders of one course's exchange under ``root``, with the mode each must have:
    [(path, mode), ...], the root first.  ``closed``: the course's folder of a hub of several
    courses, closed to all but the staff and the course's students."""
    course = os.path.join(root, course_id)
    return [
        (root, ROOT_MODE),
        (course, CLOSED_COURSE_MODE if closed else COURSE_MODE),
        (os.path.join(course, "outbound"), OUTBOUND_MODE),
        (os.path.join(course, "inbound"), INBOUND_MODE),
        (os.path.join(course, "feedback"), FEEDBACK_MODE),
        (os.path.join(course, "deadlines"), DEADLINES_MODE),
    ]


def prepare(root, course_id, staff_group, students_group=None):
    """Create or repair the exchange of ``course_id`` under ``root`` (as root): each folder owned
    by root, the course's folders by the ``staff_group`` group, with the modes of ``layout``.
    With ``students_group`` (a hub of several courses sharing ``root``), the course's folder is
    closed to everyone but the staff and that group (an access control list), so that no other
    course's user may list, read or submit to what is below it.
    A folder that exists but belongs to another user is an error (ValueError): whoever made it
    may have put things in it, so it is reported for a person to look at, not adopted.  Returns
    the layout."""
    gid = grp.getgrnam(staff_group).gr_gid
    folders = layout(root, course_id, closed=students_group is not None)
    for index, (path, mode) in enumerate(folders):
        if not os.path.isdir(path):
            os.makedirs(path, exist_ok=True)
        owner = os.stat(path).st_uid
        if owner != 0:
            raise ValueError(
                f"{path} belongs to {user_name(owner)}, not root: look at what is in "
                "it, remove it, and run the setup again"
            )
        os.chown(path, 0, 0 if index == 0 else gid)
        if index == 1:
            remove_access_acl(path)  # the mode alone, unless the course is closed again below
        os.chmod(path, mode)
        remove_default_acl(path)  # inherited from a closed course folder, it would close these too
        if index == 1 and students_group is not None:
            open_to_group(path, grp.getgrnam(students_group).gr_gid)
    return folders


def not_plain(path):
    """What in the submission folder ``path`` (itself included) is neither a folder nor a plain
    file, as paths: symbolic links, devices, pipes, sockets."""
    found = []
    for folder, folders, files in os.walk(path):
        for entry in [folder] + [os.path.join(folder, name) for name in folders + files]:
            mode = os.lstat(entry).st_mode
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                found.append(entry)
    return found


def user_name(uid):
    """The login name of ``uid``, or the number as text when no user has it."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def last_change(path):
    """The latest ctime (status change: written, renamed, chmod-ed) of ``path`` and everything in
    it, as an aware UTC datetime.  No user can set a ctime back."""
    latest = os.lstat(path).st_ctime
    for folder, folders, files in os.walk(path):
        for name in folders + files:
            latest = max(latest, os.lstat(os.path.join(folder, name)).st_ctime)
    return datetime.datetime.fromtimestamp(latest, datetime.timezone.utc)


def as_utc(moment):
    """``moment`` as an aware UTC datetime (nbgrader's parsed timestamps may be naive UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


class PrivateSubmit(ExchangeSubmit):
    """nbgrader's submit, then the submission made private to its student and the staff group
    (nbgrader leaves the folder writable and its files readable by everyone)."""

    def copy_files(self):
        """Submit as nbgrader does, then restrict the submission's permissions: an access control
        list gives the inbound folder's group (the staff) read access, nobody else any.  (Group
        ownership cannot do it: the student is not in the staff group, and nbgrader's copy drops
        the setgid bit that would have given the files that group.)"""
        super().copy_files()
        submission = os.path.join(self.inbound_path, self.assignment_filename)
        staff_gid = os.stat(self.inbound_path).st_gid
        for folder, _, files in os.walk(submission):
            for name in files:
                private_to_group(os.path.join(folder, name), staff_gid)
            private_to_group(folder, staff_gid)
        self.log.info("Submission readable by you and the course's staff only: %s", submission)


class PrivateReleaseFeedback(ExchangeReleaseFeedback):
    """nbgrader's release_feedback, then each feedback file made readable by its student (and the
    staff) only."""

    def copy_files(self):
        """Release as nbgrader does, then set each released file's access control list."""
        super().copy_files()
        pattern = re.escape(os.path.sep).join(
            [
                self.coursedir.format_path(
                    self.coursedir.feedback_directory, "(?P<student_id>.*)", self.coursedir.assignment_id, escape=True
                ),
                "(?P<notebook_id>.*).html",
            ]
        )
        for html_file in glob.glob(os.path.join(self.src_path, "*.html")):
            found = re.match(pattern, html_file)
            if found is None:
                continue
            student, notebook_id = found.group("student_id"), found.group("notebook_id")
            released = os.path.join(
                self.dest_path,
                notebook_hash(
                    secret=read(os.path.join(os.path.dirname(html_file), "submission_secret.txt")),
                    notebook_id=notebook_id,
                )
                + ".html",
            )
            if not os.path.isfile(released):
                continue
            try:
                uid = pwd.getpwnam(student).pw_uid
            except KeyError:
                self.log.error("No user %s: %s is readable by the staff only", student, released)
                uid = None
            if uid is None:
                os.chmod(released, 0o640)
            else:
                readable_by_one_student(released, uid)
            self.log.info("Feedback %s readable by %s and the staff only", released, student)


def read(path):
    """The text of the file ``path``."""
    with open(path) as handle:
        return handle.read()


class CheckedCollect(ExchangeCollect):
    """nbgrader's collect, refusing a submission made by another user than the student it names,
    and dating a submission changed after its stated time by that change."""

    def init_src(self):
        """Find each student's submission to collect, as nbgrader does, among the submissions that
        pass the kit's checks."""
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail("Course not found: {}".format(self.inbound_path))
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail("You don't have read permissions for the directory: {}".format(self.inbound_path))
        student_id = self.coursedir.student_id if self.coursedir.student_id else "*"
        pattern = os.path.join(self.inbound_path, "{}+{}+*".format(student_id, self.coursedir.assignment_id))
        self.refused, self.redated = [], []
        records = [record for record in map(self.checked_record, sorted(glob.glob(pattern))) if record]
        usergroups = groupby(records, lambda item: item["username"])
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gradebook:
            try:
                duedate = gradebook.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                duedate = None
        self.duedate = duedate
        self.src_records = []
        for group in usergroups.values():
            ordered = self._sort_by_timestamp(group)
            if duedate is not None and self.before_duedate:
                on_time = [record for record in ordered if as_utc(record["timestamp"]) <= as_utc(duedate)]
                ordered = on_time or ordered
            self.src_records.append(ordered[0])

    def checked_record(self, path):
        """nbgrader's record of the submission folder ``path``, or None when it is refused (with an
        error in the log): made by another user than the student it names, or holding anything
        but folders and plain files (a link to the course's solutions or another student's work
        would be copied as its target by the staff's collect, and come back as feedback).  A
        submission changed later than its stated time is dated by that change."""
        record = self._path_to_record(path)
        owner = user_name(os.lstat(path).st_uid)
        if owner != record["username"]:
            self.log.error(
                "Refused %s: it is named as %s's submission, but %s made it", path, record["username"], owner
            )
            self.refused.append(record["filename"])
            return None
        strange = not_plain(path)
        if strange:
            self.log.error(
                "Refused %s: it holds what a submission cannot hold (a link, a device, a pipe): %s",
                path,
                ", ".join(strange[:5]),
            )
            self.refused.append(record["filename"])
            return None
        changed = last_change(path)
        stated = as_utc(record["timestamp"])
        if changed > stated + CHANGE_SLACK:
            self.log.warning(
                "%s says it was submitted at %s, but it was changed at %s: that later "
                "time counts as its submission time",
                path,
                stated,
                changed,
            )
            record["timestamp"] = changed if record["timestamp"].tzinfo else changed.replace(tzinfo=None)
            record["changed"] = changed
            self.redated.append(record["filename"])
        return record

    def copy_files(self):
        """Collect as nbgrader does; a redated submission's timestamp.txt says the later time."""
        super().copy_files()
        for record in self.src_records:
            if "changed" not in record:
                continue
            dest = self.coursedir.format_path(
                self.coursedir.submitted_directory, record["username"], self.coursedir.assignment_id
            )
            if os.path.isdir(dest):
                with open(os.path.join(dest, "timestamp.txt"), "w") as handle:
                    handle.write(record["changed"].strftime(TIMESTAMP_FORMAT))


def is_private(path):
    """Whether ``path`` (a submission folder) and everything in it is closed to other users."""
    for folder, _, files in os.walk(path):
        for name in [folder] + [os.path.join(folder, name) for name in files]:
            if os.lstat(name).st_mode & (stat.S_IROTH | stat.S_IWOTH | stat.S_IXOTH):
                return False
    return True
