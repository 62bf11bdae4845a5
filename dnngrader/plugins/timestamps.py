"""Submission times: read, never guessed, and never a reason to stop grading.

nbgrader takes a submission's time from ``timestamp.txt`` in its folder (written by
``nbgrader collect`` through the exchange, or by ``nbgrader zip_collect`` from the file names
of an LMS download) and computes late penalties from it.  Three things go wrong there, and this
module is the kit's answer to each:

1. **Times in LMS file names are guessed.**  nbgrader reads them with dateutil, which takes the
   trailing ``-10`` of ``2026-12-01-15-30-10`` for a UTC offset and ``01.12.2026`` month first.
   ``parse_lms_time`` reads them with ``datetime.strptime`` and an explicit format, in an
   explicitly stated time zone (``lms.TimedFileNameCollector`` has both as settings), and
   ``SubmissionTime`` makes nbgrader write timestamp.txt in ISO 8601 with the offset.
2. **An unreadable timestamp.txt stops grading.**  ``install()`` makes nbgrader read one as "no
   time" (not late) with a warning, instead of failing; ``CheckSubmissionTime`` notes it in the
   graded notebook, quoting the file, which stays as the student submitted it.
3. **A stale time outlives the submission it belongs to.**  nbgrader never clears the time it
   stored in the gradebook, so a submission without a time (or with an unreadable one) would
   keep an earlier submission's lateness.  ``CheckSubmissionTime`` clears it.  Notes about a
   notebook's time made while collecting it (``record_collection_note``) are shown when that
   notebook is graded.
"""

import hashlib
import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import parse_utc

from dnngrader import patching
from dnngrader.plugins import findings

TIMESTAMP_FILE = "timestamp.txt"
DEFAULT_FORMAT = "%Y-%m-%d-%H-%M-%S"  # the LMS file-name time of nbgrader's own zip_collect example
DEFAULT_TIMEZONE = "UTC"
NOTES_FILE = "submission_times.json"  # under downloaded/<assignment>/: notes made while collecting


class TimestampError(ValueError):
    """A submission time that cannot be read without guessing (the message says why)."""


# ---------------------------------------------------------------------------------------------
# Times in LMS file names
# ---------------------------------------------------------------------------------------------


def time_zone(name):
    """The zoneinfo time zone called ``name`` (an IANA name such as ``Europe/Berlin`` or ``UTC``).

    Raises TimestampError when there is no such zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise TimestampError(
            f"unknown time zone {name!r}: give an IANA name such as 'Europe/Berlin' or 'UTC'"
        ) from error


def check_format(fmt):
    """Check that ``fmt`` is a strptime format that reads a whole date and a time of day (seconds
    may be left out).  Raises TimestampError when it is not."""
    if not isinstance(fmt, str) or not fmt:
        raise TimestampError("the time format is empty")
    sample = datetime(2001, 2, 3, 4, 5, 6, tzinfo=timezone.utc if "%z" in fmt else None)
    try:
        parsed = datetime.strptime(sample.strftime(fmt), fmt)
    except ValueError as error:
        raise TimestampError(f"{fmt!r} is not a strptime format ({error})") from error
    if parsed not in (sample, sample.replace(second=0)):  # seconds may be left out
        raise TimestampError(
            f"the time format {fmt!r} does not give the year, month, day, hour and minute (e.g. %Y-%m-%d-%H-%M-%S)"
        )


def parse_lms_time(text, fmt=DEFAULT_FORMAT, zone=DEFAULT_TIMEZONE):
    """The time ``text`` (from an LMS file name) says, read with ``datetime.strptime(text, fmt)``.

    ``zone``: the IANA time zone the LMS writes its times in (ignored when ``fmt`` has ``%z``,
    which reads the offset from the text).  Returns an aware ``SubmissionTime``.

    Raises TimestampError when ``text`` does not match ``fmt``, when ``zone`` is unknown, and when
    the wall-clock time does not exist or occurs twice in ``zone`` (the hour the clocks change):
    such a time is refused rather than guessed.
    """
    tz = time_zone(zone)
    if not isinstance(text, str) or not text.strip():
        raise TimestampError(f"there is no time to read (expected the format {fmt})")
    try:
        wall = datetime.strptime(text, fmt)
    except ValueError as error:
        raise TimestampError(f"{text!r} does not match the format {fmt}") from error
    if wall.tzinfo is None:
        first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
        if first.utcoffset() != second.utcoffset():
            raise TimestampError(
                f"{text!r} read as {wall:%Y-%m-%d %H:%M:%S} does not exist or occurs "
                f"twice in {zone} (the clocks change then), so the moment is unknown"
            )
        wall = first
    return SubmissionTime.from_datetime(wall)


class SubmissionTime(datetime):
    """An aware datetime that nbgrader writes to timestamp.txt in ISO 8601 with its offset.

    nbgrader's zip_collect writes ``timestamp.isoformat(' ')``; this class keeps ISO 8601's 'T'
    whatever separator is asked for, so the file reads e.g. ``2026-12-01T15:30:10+01:00``, which
    nbgrader (and any ISO 8601 reader) reads back as that exact moment.
    """

    @classmethod
    def from_datetime(cls, moment):
        """The SubmissionTime of the aware datetime ``moment``; ValueError if it is naive."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("a submission time needs a time zone")
        return cls(
            moment.year,
            moment.month,
            moment.day,
            moment.hour,
            moment.minute,
            moment.second,
            moment.microsecond,
            tzinfo=moment.tzinfo,
            fold=moment.fold,
        )

    def isoformat(self, sep="T", timespec="auto"):
        """ISO 8601 with the offset, always with 'T' between date and time (``sep`` is ignored)."""
        return super().isoformat("T", timespec)

    def __str__(self):
        return self.isoformat()


def format_timestamp(moment):
    """``moment`` (an aware datetime) as timestamp.txt should hold it: ISO 8601 with the offset."""
    return SubmissionTime.from_datetime(moment).isoformat()


# ---------------------------------------------------------------------------------------------
# timestamp.txt
# ---------------------------------------------------------------------------------------------


def quote(text, limit=120):
    """``text`` (written by a student or an LMS) safe to show in a note: one line, at most
    ``limit`` characters, as inline code (so no Markdown or HTML in it takes effect)."""
    text = re.sub(r"\s+", " ", str(text)).strip().replace("`", "'")
    if len(text) > limit:
        text = text[:limit] + "..."
    return f"`{text}`" if text else "(nothing)"


def read_timestamp_file(folder):
    """What ``folder/timestamp.txt`` says about the submission time, read as nbgrader reads it.

    Returns ``(moment, text, problem)``: ``moment`` is the time as nbgrader stores it (naive
    UTC) or None; ``text`` the file's content (None when there is no file, ``""`` when it is
    empty, which nbgrader takes for no time); ``problem`` says why a file with text gives no
    time, else None.  Raises nothing: an unreadable file is a problem, not an error.
    """
    path = Path(folder) / TIMESTAMP_FILE
    if not os.path.lexists(path):
        return None, None, None
    try:
        raw = path.read_bytes()
    except OSError as error:
        return None, "", f"it could not be opened ({error.strerror or type(error).__name__})"
    text = raw.decode("utf-8", errors="replace").strip()
    if not text:
        return None, "", None
    if "\ufffd" in text:
        return None, text, "it is not UTF-8 text"
    try:
        return parse_utc(text), text, None
    except Exception:  # dateutil's ParserError (a ValueError), OverflowError, ...
        return None, text, "it is not a date and time nbgrader can read"


_STOCK_GET_EXISTING_TIMESTAMP = CourseDirectory.get_existing_timestamp
_warned = set()
TOLERANT_TIMESTAMP = patching.Patch(
    "nbgrader's CourseDirectory.get_existing_timestamp replaced, so that an unreadable timestamp.txt counts as no time",
    "nbgrader",
)


def tolerant_get_existing_timestamp(self, dest_path):
    """``CourseDirectory.get_existing_timestamp`` that never fails (installed by ``install()``).

    Returns the time of ``dest_path/timestamp.txt`` as nbgrader does (naive UTC), or None when
    there is none, it is empty, or it cannot be read; the last is logged once per file and text
    as a warning saying the submission is graded as on time.  Raises nothing.
    """
    moment, text, problem = read_timestamp_file(dest_path)
    path = os.path.join(dest_path, TIMESTAMP_FILE)
    if problem:
        key = (os.path.abspath(path), text)
        if key not in _warned:
            _warned.add(key)
            self.log.warning(
                "The submission time in %s cannot be read: it says %s (%s). The submission "
                "is graded as on time (no late penalty) and a note in it says so; the file "
                "is left as it is.",
                path,
                quote(text),
                problem,
            )
    elif text == "":
        self.log.warning("Empty timestamp file: %s", path)  # as nbgrader says it
    return moment


def install():
    """Make every nbgrader step read an unreadable timestamp.txt as "no time" instead of failing.

    Called by nbgrader_config.py, so it holds for ``nbgrader autograde``, the formgrader, the
    exchange's collect, ``generate_feedback`` and ``dnngrader grade`` alike.  Raises
    nothing; calling it again changes nothing.  Only for the nbgrader versions of
    ``TOLERANT_TIMESTAMP`` (dnngrader/patching.py): with another, nbgrader is left as it is, and
    an unreadable timestamp.txt stops grading that submission as stock nbgrader does.

    Why a patch of ``CourseDirectory.get_existing_timestamp`` and not a hook or a subclass:
    nbgrader reads timestamp.txt in that one method, from several places (Autograde's
    init_assignment, and before any hook runs, BaseConverter.init_destination of both autograde
    and generate_feedback when run without --force, and the exchange's collect); on a time it
    cannot parse, the method calls ``self.fail``, which CourseDirectory does not have, so the
    student fails with an AttributeError that never mentions the time.  nbgrader creates its
    CourseDirectory itself (``NbGrader.coursedir`` is not configurable), so no subclass can be
    selected by configuration; and a pre-convert hook could only rewrite or remove the
    student's timestamp.txt, and would still run too late for init_destination.
    tests/test_timestamps.py checks that the stock method still fails and that this one does not.
    """
    if TOLERANT_TIMESTAMP.applies():
        CourseDirectory.get_existing_timestamp = tolerant_get_existing_timestamp


# ---------------------------------------------------------------------------------------------
# Notes made while collecting, shown when the notebook is graded
# ---------------------------------------------------------------------------------------------


def notes_path(course_root, assignment):
    """Where the collection notes of ``assignment`` are kept: downloaded/<assignment>/submission_times.json."""
    return Path(course_root) / "downloaded" / assignment / NOTES_FILE


def _digest(notebook_path):
    return hashlib.sha256(Path(notebook_path).read_bytes()).hexdigest()


def _load_notes(path):
    try:
        with open(path, encoding="utf-8") as handle:
            notes = json.load(handle)
        return notes if isinstance(notes, dict) else {}
    except (OSError, ValueError):
        return {}


def record_collection_note(course_root, assignment, student, notebook_path, text):
    """Remember ``text``, a note about the submission time of the notebook at ``notebook_path``
    that ``student`` submitted for ``assignment``, made while collecting it.

    The note is tied to the notebook's content (its SHA-256), so it is shown only while that very
    notebook is the student's submission, and only while the submission has no timestamp.txt.
    Raises OSError when the notebook cannot be read or the notes cannot be written.
    """
    path = notes_path(course_root, assignment)
    notes = _load_notes(path)
    by_notebook = notes.setdefault(student, {}).setdefault(_digest(notebook_path), [])
    if text not in by_notebook:
        by_notebook.append(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(notes, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)


def collection_notes(course_root, assignment, student, notebook_path):
    """The notes recorded by ``record_collection_note`` for this very notebook; [] if none.
    Raises nothing."""
    try:
        digest = _digest(notebook_path)
    except OSError:
        return []
    notes = _load_notes(notes_path(course_root, assignment)).get(student, {})
    found = notes.get(digest, []) if isinstance(notes, dict) else []
    return [note for note in found if isinstance(note, str)]


# ---------------------------------------------------------------------------------------------
# While grading
# ---------------------------------------------------------------------------------------------


def unreadable_note(text, problem):
    """The note for a submission whose timestamp.txt says ``text`` but gives no time (``problem``)."""
    return (
        f"the submission time could not be read: timestamp.txt says {quote(text)} ({problem}). It was "
        "treated as on time: no late penalty. The file was left as it was submitted."
    )


class CheckSubmissionTime(NbGraderPreprocessor):
    """Say what is known about the submission's time, and keep the gradebook's time equal to it.

    A sanitize preprocessor (after InspectSubmissionFolder, which starts the findings afresh):
    - a timestamp.txt that cannot be read gets a note quoting it (nbgrader grades the submission
      as on time, see ``install()``);
    - a submission without a readable time gets the notes recorded while it was collected (an
      LMS time that did not match the format, an earlier submission's time that was removed);
    - when the submission has no readable time but the gradebook still holds one (from an earlier
      submission: nbgrader only ever sets it), the gradebook's time is cleared, so no lateness
      is carried over.  The lateness is never invented.
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        folder = Path(resources["metadata"]["path"])
        moment, text, problem = read_timestamp_file(folder)
        if problem:
            findings.add(nb, findings.NOTE, unreadable_note(text, problem))
        if moment is not None:
            return nb, resources
        coursedir = CourseDirectory(config=self.config)
        if text is None:
            notebook = folder / f"{info['notebook']}.ipynb"
            for note in collection_notes(coursedir.root, info["assignment"], info["student"], notebook):
                findings.add(nb, findings.NOTE, note)
        with Gradebook(info["db_url"], coursedir.course_id) as gradebook:
            try:
                submission = gradebook.find_submission(info["assignment"], info["student"])
            except MissingEntry:
                return nb, resources
            if submission.timestamp is not None:
                self.log.warning(
                    "%s: the gradebook held the submission time %s, from an earlier submission; "
                    "this submission has no readable time, so it is cleared: not late.",
                    info["student"],
                    submission.timestamp,
                )
                submission.timestamp = None
                gradebook.db.commit()
        return nb, resources
