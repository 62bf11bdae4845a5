"""Submissions downloaded from a learning management system as a zip, collected the way
`nbgrader zip_collect` does: nbgrader's own ZipCollectApp extracts the archive and its
FileNameCollectorPlugin reads each student's id (and, if the pattern has one, the submission
time) from the file names.

The collected files are first laid out in a staging folder, then copied into submitted/ only
where they differ from what is there: collecting the same download twice changes nothing, so a
grading run started again with the same zip does not grade anyone again.

Submission times in the file names are read by ``TimedFileNameCollector`` with an explicit
strptime format in an explicitly stated time zone (nbgrader_config.py selects it for
``nbgrader zip_collect`` too), never guessed; a time that does not match is reported, and the
submission is collected without a time (not late), with a note.  When a new notebook replaces a
student's earlier submission, the earlier timestamp.txt never stays behind with it.
"""

import filecmp
import os
import re
import shutil
from pathlib import Path

from nbgrader.apps.zipcollectapp import ZipCollectApp
from nbgrader.plugins.zipcollect import FileNameCollectorPlugin
from traitlets import TraitError, Unicode, validate

from dnngrader import roster as class_roster
from dnngrader import settings
from dnngrader.plugins import timestamps

STAGING = "collected"  # under downloaded/<assignment>/, beside nbgrader's archive/ and extracted/


def default_pattern(notebook):
    r"""File names like ``.../<student_id>_<notebook>.ipynb`` or ``.../<student_id>/<notebook>.ipynb``,
    for the notebook named ``notebook`` (without .ipynb)."""
    return rf".*/(?P<student_id>[^/]+?)[/_](?P<file_id>{re.escape(notebook)})\.ipynb$"


# A date, and perhaps a time, inside what a pattern read as a student id: an LMS file name whose
# submission time the pattern did not take apart (attempt_ivan_2026-12-01-15-30-10_...).
TIME_IN_ID = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?:[-_T ]\d{2}[-:]\d{2}(?:[-:]\d{2})?)?(?!\d)")


def pattern_with_time(notebook):
    """A pattern for LMS file names that carry the submission time between the student's id and
    the notebook's name, as ``attempt_ivan_2026-12-01-15-30-10_<notebook>.ipynb``: the id is the
    part right before the time (ids holding an underscore need a pattern of their own)."""
    return (
        rf".*?(?P<student_id>[^/_]+)_(?P<timestamp>\d{{4}}-\d{{2}}-\d{{2}}-\d{{2}}-\d{{2}}-\d{{2}})_"
        rf"(?P<file_id>{re.escape(notebook)})\.ipynb$"
    )


class CollectionError(Exception):
    pass


class TimedFileNameCollector(FileNameCollectorPlugin):
    """nbgrader's FileNameCollectorPlugin, reading the submission time in a file name with an
    explicit format in a stated time zone instead of letting dateutil guess.

    Select it with ``c.ZipCollectApp.collector_plugin`` (nbgrader_config.py does).  The time the
    ``timestamp`` group matched is read with ``datetime.strptime(text, timestamp_format)`` in
    ``timezone``, and nbgrader writes it to timestamp.txt in ISO 8601 with the offset
    (``timestamps.SubmissionTime``).  A time that does not match (or falls in the hour the clocks
    change) is logged as a warning naming the file and the expected format; the file is still
    collected, without a time (so not late), and a note saying so is shown when it is graded.
    """

    timestamp_format = Unicode(
        timestamps.DEFAULT_FORMAT,
        help="strptime format of the submission time in the LMS file names (the pattern's "
        "`timestamp` group), e.g. %Y-%m-%d-%H-%M-%S for 2026-12-01-15-30-10 or "
        "%d.%m.%Y %H:%M for 01.12.2026 15:30. Times that do not match are not guessed: the "
        "submission is collected without a time (not late) and a note says so.",
    ).tag(config=True)
    _timestamp_format_default = settings.trait_default("DNN_LMS_TIME_FORMAT")

    timezone = Unicode(
        timestamps.DEFAULT_TIMEZONE,
        help="IANA time zone the LMS writes the times in its file names in, e.g. Europe/Berlin "
        "or UTC (ignored when timestamp_format has %z).",
    ).tag(config=True)
    _timezone_default = settings.trait_default("DNN_LMS_TIMEZONE")

    roster = Unicode(
        "",
        help="The class roster CSV file (username, full_name, email, lms_id, role; the hub's). When "
        "set, the roster is the class: a file whose student id (read by the pattern) is neither "
        "a student's username nor their lms_id is not collected but reported, with what was read "
        "and the pattern to use; a file naming a student's lms_id is collected under their "
        "username. Empty: every id the pattern reads is a student, as in nbgrader.",
    ).tag(config=True)

    _roster_rows = None

    def roster_rows(self):
        """The roster's rows (``dnngrader.roster.read_roster``), read once; None without a roster.
        Raises RosterError when the file cannot be used."""
        if not self.roster:
            return None
        if self._roster_rows is None:
            self._roster_rows = class_roster.read_roster(self.roster)
        return self._roster_rows

    def _unmatched(self, submitted_file, info):
        """Report a file whose student the roster does not hold; None (not collected)."""
        read = str(info.get("student_id", ""))
        notebook = info.get("file_id") or "NOTEBOOK"
        if TIME_IN_ID.search(read):
            advice = (
                f"the id holds a date and time, so the file name carries a submission time the pattern does "
                f"not take apart: use --pattern '{pattern_with_time(notebook)}' and --timestamp-format"
            )
        else:
            advice = (
                f"the pattern's student_id group must read a username or an lms_id of the roster: "
                f"fix --pattern (for <id>_{notebook}.ipynb: '{default_pattern(notebook)}'), or add the "
                "student to the roster"
            )
        self.log.warning(
            "%s: not collected: the pattern %r read the student id %r, which is not a student of "
            "the roster %s (neither a username nor an lms_id); %s. No student is created.",
            submitted_file,
            self.named_regexp,
            read,
            self.roster,
            advice,
        )
        return None

    @validate("timestamp_format", "timezone")
    def _valid_setting(self, proposal):
        check = timestamps.check_format if proposal["trait"].name == "timestamp_format" else timestamps.time_zone
        try:
            check(proposal["value"])
        except timestamps.TimestampError as error:
            raise TraitError(f"TimedFileNameCollector.{proposal['trait'].name}: {error}") from error
        return proposal["value"]

    def collect(self, submitted_file):
        """nbgrader's collect(), with the ``timestamp`` read as a SubmissionTime, or None (with a
        warning and a note) when it does not match the format.  Raises nothing of its own."""
        info = super().collect(submitted_file)
        rows = self.roster_rows()
        if info and rows is not None:
            student = class_roster.match(rows, str(info.get("student_id", "")))
            if student is None:
                return self._unmatched(submitted_file, info)
            if student != info["student_id"]:
                self.log.info("%s: %r is the lms_id of %s in the roster", submitted_file, info["student_id"], student)
            info["student_id"] = student
        if info and info.get("timestamp") is None and TIME_IN_ID.search(str(info.get("student_id", ""))):
            # Never a new student named after a file: the pattern left the time in the id.
            self.log.warning(
                "%s: not collected: the pattern read the student id %r, which holds a date and "
                "time, so the file name carries a submission time the pattern does not take "
                "apart. Collect it with a pattern that reads the time, e.g. --pattern '%s' "
                '(make grade ... GRADE_ARGS="--pattern ..."), and --timestamp-format for its '
                "format.",
                submitted_file,
                info["student_id"],
                pattern_with_time(info.get("file_id") or "NOTEBOOK"),
            )
            return None
        if not info or info.get("timestamp") is None:
            return info
        text = info["timestamp"]
        try:
            info["timestamp"] = timestamps.parse_lms_time(text, self.timestamp_format, self.timezone)
        except timestamps.TimestampError as error:
            info["timestamp"] = None
            self.log.warning(
                "%s: the submission time in the file name cannot be read: %s (expected the "
                "format %s, time zone %s; set TimedFileNameCollector.timestamp_format, or "
                "--timestamp-format of dnngrader grade). The submission is "
                "collected without a time: it is not late.",
                submitted_file,
                error,
                self.timestamp_format,
                self.timezone,
            )
            self._note(
                info,
                submitted_file,
                f"the submission time in the LMS file name {timestamps.quote(os.path.basename(submitted_file))} "
                f"could not be read: {timestamps.quote(text)} does not match the format "
                f"{timestamps.quote(self.timestamp_format)} (time zone {self.timezone}). It was treated "
                "as on time: no late penalty.",
            )
        else:
            self.log.info(
                "%s: submitted at %s (read %r as %s in %s)",
                submitted_file,
                info["timestamp"],
                text,
                self.timestamp_format,
                self.timezone,
            )
        return info

    def _note(self, info, submitted_file, text):
        coursedir = getattr(self.parent, "coursedir", None)
        if coursedir is None or not info.get("student_id"):
            return
        try:
            timestamps.record_collection_note(
                coursedir.root, coursedir.assignment_id, info["student_id"], submitted_file, text
            )
        except OSError as error:
            self.log.warning("Could not record the note on %s: %s", submitted_file, error)


def _collect_path(app, collect_step):
    """The folder of ``collect_step`` (the archive or the extracted files) of ZipCollectApp
    ``app``: its ``collect_directory_structure`` under the course root, filled in from its public
    settings as nbgrader's zip collection fills it in."""
    structure = os.path.join(app.coursedir.root, app.collect_directory_structure)
    return Path(
        structure.format(
            downloaded=app.downloaded_directory,
            assignment_id=app.coursedir.assignment_id,
            collect_step=collect_step,
        )
    )


def collect_zip(
    coursedir, zip_path, assignment, pattern=None, timestamp_format=None, timezone=None, arguments=(), roster=None
):
    """Collect the submissions in ``zip_path`` into the submitted folder of ``coursedir`` (an
    nbgrader CourseDirectory); the ids of the students whose submission is new or changed.

    ``pattern`` is the FileNameCollectorPlugin's named_regexp (groups student_id and file_id,
    optionally timestamp); without it, the one of nbgrader_config.py if it sets one, otherwise
    ``default_pattern(assignment)``.  ``timestamp_format`` and ``timezone`` (TimedFileNameCollector's
    settings) say how to read the ``timestamp`` group; without them, nbgrader_config.py's, or
    the defaults (%Y-%m-%d-%H-%M-%S, UTC).  The collector is TimedFileNameCollector unless the
    configuration selects another plugin than nbgrader's FileNameCollectorPlugin.  ``arguments``:
    --Class.trait=VALUE settings, as on zip_collect's command line (the grading command's).
    ``roster``: the class roster CSV file (TimedFileNameCollector.roster): files naming no student
    of it are reported and not collected; without it, nbgrader_config.py's, if any.

    Raises CollectionError when nbgrader's zip_collect fails, TimestampError when
    ``timestamp_format`` or ``timezone`` is not valid, and RosterError when ``roster`` cannot be used.
    """
    if roster is not None:
        class_roster.read_roster(roster)  # its problems, before anything is collected
    if timestamp_format is not None:
        timestamps.check_format(timestamp_format)
    if timezone is not None:
        timestamps.time_zone(timezone)
    course_root = Path(coursedir.root).resolve()
    submitted = course_root / coursedir.submitted_directory
    staging = course_root / "downloaded" / assignment / STAGING
    argv = [
        assignment,
        "--force",
        "--log-level=WARN",  # its warnings name the files it skipped
        *arguments,
        f"--CourseDirectory.submitted_directory={staging.relative_to(course_root)}",
    ]
    if pattern:
        argv.append(f"--FileNameCollectorPlugin.named_regexp={pattern}")
    cwd = os.getcwd()
    os.chdir(course_root)
    try:
        app = ZipCollectApp()
        app.initialize(argv)
        if not app.config.FileNameCollectorPlugin.get("named_regexp"):
            app.config.FileNameCollectorPlugin.named_regexp = default_pattern(assignment)
        if app.collector_plugin is FileNameCollectorPlugin:  # nbgrader's default: it guesses times
            app.collector_plugin = TimedFileNameCollector
        if timestamp_format is not None:
            app.config.TimedFileNameCollector.timestamp_format = timestamp_format
        if timezone is not None:
            app.config.TimedFileNameCollector.timezone = timezone
        if roster is not None:
            app.config.TimedFileNameCollector.roster = str(Path(roster).resolve())
        archive = _collect_path(app, app.archive_directory)
        if archive.exists():
            shutil.rmtree(archive)  # this download only
        archive.mkdir(parents=True)
        shutil.copy(zip_path, archive / Path(zip_path).name)
        if staging.exists():
            shutil.rmtree(staging)
        try:
            app.start()
        except SystemExit as stop:  # ZipCollectApp.fail logs the reason, then exits
            raise CollectionError(f"nbgrader zip_collect failed on {zip_path} (see the messages above)") from stop
    finally:
        os.chdir(cwd)
    return _sync(staging, submitted, app.log, course_root, assignment, Path(zip_path).name)


def _sync(staging, submitted, log, course_root, assignment, download):
    """Copy each staged student folder into ``submitted`` where a file is new or differs.

    When a notebook is new or differs (a resubmission), the submission's time comes from the
    download only: a timestamp.txt already in the student's folder (from the exchange, or an
    earlier download) is replaced by the staged one, or removed when the download gives no
    readable time, with a log line and a note saying what it said.
    """
    changed = []
    if not staging.exists():
        return changed
    for student_folder in sorted(path for path in staging.iterdir() if path.is_dir()):
        student_changed = False
        new_notebooks = []
        for source in sorted(path for path in student_folder.rglob("*") if path.is_file()):
            target = submitted / source.relative_to(staging)
            if target.exists() and filecmp.cmp(source, target, shallow=False):
                continue
            if source.name == timestamps.TIMESTAMP_FILE and target.exists():
                log.warning(
                    "%s: timestamp.txt replaced by the time in %s: %s (it said %s)",
                    student_folder.name,
                    download,
                    source.read_text().strip(),
                    target.read_text(errors="replace").strip(),
                )
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            student_changed = True
            if source.suffix == ".ipynb":
                new_notebooks.append(target)
        for folder in sorted({notebook.parent for notebook in new_notebooks}):
            _drop_stale_timestamp(
                staging / folder.relative_to(submitted),
                folder,
                log,
                course_root,
                assignment,
                download,
                [notebook for notebook in new_notebooks if notebook.parent == folder],
            )
        if student_changed:
            changed.append(student_folder.name)
    return changed


def _drop_stale_timestamp(staged, folder, log, course_root, assignment, download, notebooks):
    """A new notebook came without a time: remove the earlier submission's timestamp.txt."""
    old = folder / timestamps.TIMESTAMP_FILE
    if (staged / timestamps.TIMESTAMP_FILE).exists() or not old.exists():
        return
    text = old.read_bytes().decode("utf-8", errors="replace").strip()
    old.unlink()
    student = folder.parent.name
    log.warning(
        "%s: a new notebook came from %s without a readable submission time, so the timestamp.txt "
        "of the earlier submission was removed (it said %r): that was not this submission's time. "
        "The new submission is treated as on time.",
        student,
        download,
        text,
    )
    note = (
        f"a new notebook was collected from the LMS download {timestamps.quote(download)} without a readable "
        f"submission time, so the earlier submission's timestamp.txt (which said {timestamps.quote(text)}) "
        "was removed. This submission was treated as on time: no late penalty."
    )
    for notebook in notebooks:
        timestamps.record_collection_note(course_root, assignment, student, notebook, note)
