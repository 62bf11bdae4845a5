"""Submission times: read as written, never guessed, and never a reason not to grade.

The inputs of the December 2026 reports are read from shared/cases/2026-12/, beside the
repository (in CI, a copy of shared/ next to the clone).  Courses are scratch copies with the
due date set through nbgrader (`nbgrader db assignment add --duedate`) and nbgrader's "zero"
late penalty, so a submission counted late would lose all its points.
"""

import csv
import logging
import shutil
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import parse_utc
from traitlets import TraitError

from dnngrader.plugins import timestamps
from dnngrader.tools.course import ScratchCourse
from dnngrader.plugins.lms import TimedFileNameCollector
from dnngrader.paths import ASSIGNMENT
from shared_cases import case
from shared_setup import copy_of_blank_course

COURSE_ID = "dnn-step-by-step"
DUE = "2026-12-01 23:59:59"  # nbgrader reads a due date without a zone as UTC
DUE_UTC = datetime(2026, 12, 1, 23, 59, 59)
CASE_PATTERN = r".*attempt_(?P<student_id>[^_]+)_(?P<timestamp>[0-9\-]+)_(?P<file_id>dnn_step_by_step)\.ipynb$"
ANY_TIME_PATTERN = r".*attempt_(?P<student_id>[^_]+)_(?P<timestamp>[^_]+)_(?P<file_id>dnn_step_by_step)\.ipynb$"
BAD_TIME = "Mon, 1 Dec 2026 23:59:59 CET (late)"
GRADE_TIMEOUT = 300
NOTEBOOK = f"{ASSIGNMENT}.ipynb"


def correct_notebook():
    """The correct notebook of the unparseable_timestamp case, as text."""
    return (case("unparseable_timestamp") / NOTEBOOK).read_text()


def write_submission(course, student, notebook_text=None, timestamp=None, files=None):
    folder = course.submitted / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    if notebook_text is not None:
        (folder / NOTEBOOK).write_text(notebook_text)
    if timestamp is not None:
        (folder / "timestamp.txt").write_text(timestamp)
    for name, text in (files or {}).items():
        (folder / name).write_text(text)
    return folder


def submission(course, student):
    """(time nbgrader stored, seconds late, late penalty, score) of a student's submission."""
    with Gradebook(course.db_url, COURSE_ID) as gradebook:
        assignment = gradebook.find_submission(ASSIGNMENT, student)
        notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        return assignment.timestamp, assignment.total_seconds_late, notebook.late_submission_penalty, notebook.score


def notes_cell(course, student):
    """The text of the grader's notes at the top of the autograded notebook."""
    nb = nbformat.read(str(course.autograded_notebook(student)), as_version=4)
    first = nb.cells[0]
    assert first.metadata.get("dnngrader") == "findings", first.source[:200]
    return first.source


# The grade sheet's columns of the assignment (export.py: <assignment>:total, <assignment>:max).
TOTAL, MAX = f"{ASSIGNMENT}:total", f"{ASSIGNMENT}:max"


def csv_rows(path):
    with open(path, newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def blank_course(tmp_path_factory):
    """A scratch course with the assignment registered, due 2026-12-01 23:59:59 UTC, and the
    late penalty "zero"; nothing submitted.  Copied by ``new_course``."""
    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("blank") / "course")
    course.nbgrader("db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE}")
    with open(course.root / "nbgrader_config.py", "a") as config:
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"  # a late submission scores 0\n')
    with Gradebook(course.db_url, COURSE_ID) as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).duedate == DUE_UTC
    return course


@pytest.fixture(scope="module")
def new_course(tmp_path_factory, blank_course):
    def make(name):
        root = tmp_path_factory.mktemp(name) / "course"
        shutil.copytree(blank_course.root, root, symlinks=True)
        return ScratchCourse(root)

    return make


# ---------------------------------------------------------------------------------------------
# Reading times from LMS file names
# ---------------------------------------------------------------------------------------------


def test_lms_time_is_read_as_written_in_the_stated_zone():
    text = "2026-12-01-15-30-10"
    assert parse_utc(text) == datetime(2026, 12, 2, 1, 0, 0)  # nbgrader: "-10" taken for a UTC offset
    berlin = timestamps.parse_lms_time(text, "%Y-%m-%d-%H-%M-%S", "Europe/Berlin")
    assert (berlin.hour, berlin.minute, berlin.second) == (15, 30, 10)
    assert berlin.tzinfo == ZoneInfo("Europe/Berlin") and berlin.utcoffset().total_seconds() == 3600
    assert berlin.astimezone(timezone.utc) == datetime(2026, 12, 1, 14, 30, 10, tzinfo=timezone.utc)
    utc = timestamps.parse_lms_time(text, "%Y-%m-%d-%H-%M-%S", "UTC")
    assert utc == datetime(2026, 12, 1, 15, 30, 10, tzinfo=timezone.utc)


def test_day_first_dates_are_read_with_their_format_and_never_month_first():
    assert parse_utc("01.12.2026 15:30") == datetime(2026, 1, 12, 15, 30)  # nbgrader: 12 January
    assert timestamps.parse_lms_time("01.12.2026 15:30", "%d.%m.%Y %H:%M", "UTC") == datetime(
        2026, 12, 1, 15, 30, tzinfo=timezone.utc
    )
    assert timestamps.parse_lms_time("13.12.2026-08-05-00", "%d.%m.%Y-%H-%M-%S", "UTC").day == 13
    with pytest.raises(
        timestamps.TimestampError,
        match=r"'01\.12\.2026-15-30-10' does not match the format "
        r"%Y-%m-%d-%H-%M-%S",
    ):
        timestamps.parse_lms_time("01.12.2026-15-30-10", "%Y-%m-%d-%H-%M-%S", "UTC")
    with pytest.raises(timestamps.TimestampError, match="does not match"):  # month first: no 13th month
        timestamps.parse_lms_time("12.13.2026 08:05", "%d.%m.%Y %H:%M", "UTC")


@pytest.mark.parametrize(
    "text, wall",
    [
        ("2026-12-01-23-00-05", datetime(2026, 12, 1, 23, 0, 5)),  # dateutil: 23:00 at UTC-5, so late
        ("2026-12-01-23-59-12", datetime(2026, 12, 1, 23, 59, 12)),  # dateutil: 23:59 at UTC-12
        ("2026-12-01-09-15-01", datetime(2026, 12, 1, 9, 15, 1)),
    ],
)
def test_a_trailing_number_is_never_read_as_an_offset(text, wall):
    assert parse_utc(text) != wall  # what nbgrader alone would store
    moment = timestamps.parse_lms_time(text, "%Y-%m-%d-%H-%M-%S", "UTC")
    assert moment.replace(tzinfo=None) == wall and moment.utcoffset().total_seconds() == 0


def test_times_that_do_not_exist_or_occur_twice_are_refused():
    for text in ("2026-10-25-02-30-00", "2026-03-29-02-30-00"):  # Berlin's clocks go back, forward
        with pytest.raises(timestamps.TimestampError, match="does not exist or occurs twice in Europe/Berlin"):
            timestamps.parse_lms_time(text, "%Y-%m-%d-%H-%M-%S", "Europe/Berlin")
    assert timestamps.parse_lms_time("2026-10-25-02-30-00", "%Y-%m-%d-%H-%M-%S", "UTC").hour == 2
    offset = timestamps.parse_lms_time("2026-12-01T15:30:10-0500", "%Y-%m-%dT%H:%M:%S%z", "Europe/Berlin")
    assert offset.utcoffset().total_seconds() == -5 * 3600  # %z: the text's own offset wins


def test_timestamp_txt_is_iso_8601_with_the_offset_and_nbgrader_reads_it_back():
    moment = timestamps.parse_lms_time("2026-12-01-15-30-10", "%Y-%m-%d-%H-%M-%S", "Europe/Berlin")
    assert timestamps.format_timestamp(moment) == "2026-12-01T15:30:10+01:00"
    assert moment.isoformat(" ") == "2026-12-01T15:30:10+01:00"  # what nbgrader's zip_collect calls
    assert datetime.fromisoformat(moment.isoformat(" ")) == moment
    assert parse_utc(moment.isoformat(" ")) == datetime(2026, 12, 1, 14, 30, 10)
    with pytest.raises(ValueError):
        timestamps.format_timestamp(datetime(2026, 12, 1, 15, 30, 10))  # no zone: ambiguous


def test_the_format_and_zone_settings_are_checked():
    collector = TimedFileNameCollector(timestamp_format="%d.%m.%Y %H:%M", timezone="Europe/Berlin")
    assert collector.timestamp_format == "%d.%m.%Y %H:%M"
    assert "strptime format" in TimedFileNameCollector.class_traits()["timestamp_format"].help
    assert "IANA time zone" in TimedFileNameCollector.class_traits()["timezone"].help
    with pytest.raises(TraitError, match="unknown time zone 'Mars/Olympus_Mons'"):
        TimedFileNameCollector(timezone="Mars/Olympus_Mons")
    with pytest.raises(TraitError, match="does not give the year, month, day, hour and minute"):
        TimedFileNameCollector(timestamp_format="%Y-%m-%d")
    with pytest.raises(TraitError, match="not a strptime format"):
        TimedFileNameCollector(timestamp_format="%Y-%m-%d %Q")


def test_the_collector_reads_a_matching_time_and_reports_one_that_does_not(caplog):
    collector = TimedFileNameCollector(named_regexp=ANY_TIME_PATTERN, timezone="Europe/Berlin")
    on_time = collector.collect(f"/dl/attempt_zz1_2026-12-01-15-30-10_{NOTEBOOK}")
    assert on_time["student_id"] == "zz1"
    assert on_time["timestamp"] == datetime(2026, 12, 1, 15, 30, 10, tzinfo=ZoneInfo("Europe/Berlin"))
    with caplog.at_level(logging.WARNING):
        unknown = collector.collect(f"/dl/attempt_zz2_01.12.2026-15-30-10_{NOTEBOOK}")
    assert unknown["student_id"] == "zz2" and unknown["timestamp"] is None
    assert f"attempt_zz2_01.12.2026-15-30-10_{NOTEBOOK}" in caplog.text
    assert "expected the format %Y-%m-%d-%H-%M-%S, time zone Europe/Berlin" in caplog.text
    assert "collected without a time: it is not late" in caplog.text


# ---------------------------------------------------------------------------------------------
# An unreadable timestamp.txt
# ---------------------------------------------------------------------------------------------


def test_an_unreadable_timestamp_txt_is_no_time_instead_of_a_failure(tmp_path, monkeypatch, caplog):
    """timestamps.install() replaces nbgrader's CourseDirectory.get_existing_timestamp; the stock
    method fails on the case (with an AttributeError: CourseDirectory has no `fail`)."""
    monkeypatch.setattr(CourseDirectory, "get_existing_timestamp", timestamps._STOCK_GET_EXISTING_TIMESTAMP)
    shutil.copyfile(case("unparseable_timestamp") / "timestamp.txt", tmp_path / "timestamp.txt")
    coursedir = CourseDirectory()
    with pytest.raises(Exception):
        coursedir.get_existing_timestamp(str(tmp_path))
    timestamps.install()
    with caplog.at_level(logging.WARNING):
        assert coursedir.get_existing_timestamp(str(tmp_path)) is None
    assert BAD_TIME in caplog.text and "graded as on time (no late penalty)" in caplog.text
    assert (tmp_path / "timestamp.txt").read_text() == BAD_TIME  # left as it was
    for text, expected in [
        ("2024-03-01 10:00:00 UTC", datetime(2024, 3, 1, 10)),
        ("2026-12-01 15:30:10.123456 Europe/Berlin", datetime(2026, 12, 1, 14, 30, 10, 123456)),
        ("2026-12-01T15:30:10+01:00", datetime(2026, 12, 1, 14, 30, 10)),
        ("", None),
    ]:
        (tmp_path / "timestamp.txt").write_text(text)
        assert coursedir.get_existing_timestamp(str(tmp_path)) == expected, text  # as nbgrader reads them
    (tmp_path / "timestamp.txt").write_bytes(b"\xff\xfe 2026")
    assert coursedir.get_existing_timestamp(str(tmp_path)) is None
    assert coursedir.get_existing_timestamp(str(tmp_path / "nothing")) is None


def test_nbgrader_autograde_grades_a_submission_whose_time_cannot_be_read(new_course):
    course = new_course("direct")
    original = (case("unparseable_timestamp") / "timestamp.txt").read_bytes()
    write_submission(course, "zz0", correct_notebook(), BAD_TIME)
    write_submission(course, "zz_empty", files={"notes.txt": "I could not finish, sorry"})
    done = course.nbgrader("autograde", ASSIGNMENT, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "submission time in" in done.stderr and BAD_TIME in done.stderr

    assert submission(course, "zz0") == (None, 0, None, 100.0)
    notes = notes_cell(course, "zz0")
    assert f"the submission time could not be read: timestamp.txt says `{BAD_TIME}`" in notes
    assert "treated as on time: no late penalty" in notes and "left as it was submitted" in notes
    assert (course.submitted / "zz0" / ASSIGNMENT / "timestamp.txt").read_bytes() == original

    # nbgrader's own steps that read timestamp.txt before any hook, without --force, go on too.
    again = course.nbgrader("autograde", ASSIGNMENT, check=False)
    assert again.returncode == 0 and "Skipping existing assignment" in again.stderr, again.stderr[-3000:]
    for _ in range(2):
        feedback = course.nbgrader("generate_feedback", ASSIGNMENT, check=False)
        assert feedback.returncode == 0, feedback.stderr[-3000:]
    html = (course.root / "feedback" / "zz0" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "the submission time could not be read" in html and "no late penalty" in html

    exported = course.nbgrader("export", "--to", str(course.root / "grades.csv"), check=False)
    assert exported.returncode == 0, exported.stderr[-3000:]
    rows = csv_rows(course.root / "grades.csv")
    assert sorted(rows) == ["zz0", "zz_empty"]
    assert float(rows["zz0"][TOTAL]) == 100 and "could not be read" in rows["zz0"]["notes"]
    assert float(rows["zz_empty"][TOTAL]) == 0 and float(rows["zz_empty"][MAX]) == 100
    assert rows["zz_empty"]["notes"] == (
        f"{ASSIGNMENT}: not autograded: the submission has no {NOTEBOOK} (it has no notebook at all)"
    )


def test_the_parallel_grader_grades_it_too_and_every_submission_folder_has_a_row(new_course):
    course = new_course("parallel")
    write_submission(course, "zz0", correct_notebook(), BAD_TIME)
    write_submission(course, "zz_empty", files={"timestamp.txt": "2026-12-01 10:00:00 UTC"})
    write_submission(course, "zz_renamed", files={f"{ASSIGNMENT}-Copy1.ipynb": correct_notebook()})
    done = course.grade("--jobs", "2", timeout=GRADE_TIMEOUT)
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-3000:]  # two have nothing to grade
    assert "No notebook to grade in the submission folder of zz_empty" in done.stderr
    assert "FAILED zz_renamed" in done.stderr and "FAILED zz0" not in done.stderr

    assert submission(course, "zz0") == (None, 0, None, 100.0)
    assert "the submission time could not be read" in notes_cell(course, "zz0")
    rows = csv_rows(course.root / "reports" / "grades.csv")
    assert sorted(rows) == ["zz0", "zz_empty", "zz_renamed"]
    assert float(rows["zz0"][TOTAL]) == 100
    assert f"timestamp.txt says `{BAD_TIME}`" in rows["zz0"]["notes"]
    assert "treated as on time: no late penalty" in rows["zz0"]["notes"]
    assert float(rows["zz_empty"][TOTAL]) == 0 and "has no notebook at all" in rows["zz_empty"]["notes"]
    assert float(rows["zz_renamed"][TOTAL]) == 0
    assert rows["zz_renamed"]["notes"] == (
        f"{ASSIGNMENT}: not autograded: the submission has no {NOTEBOOK} (it has {ASSIGNMENT}-Copy1.ipynb instead)"
    )


# ---------------------------------------------------------------------------------------------
# Collecting an LMS download
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lms_course(new_course):
    """The case's download collected with its pattern and times in Europe/Berlin."""
    course = new_course("lms")
    done = course.grade(
        "--zip",
        str(case("lms_download_with_submission_times.zip")),
        "--pattern",
        CASE_PATTERN,
        "--timezone",
        "Europe/Berlin",
        "--no-feedback",
        timeout=GRADE_TIMEOUT,
    )
    return course, done


def test_the_lms_case_is_read_as_15_30_10_and_is_on_time(lms_course):
    course, done = lms_course
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "1 new or changed submission(s)" in done.stdout
    text = (course.submitted / "zz1" / ASSIGNMENT / "timestamp.txt").read_text()
    assert text == "2026-12-01T15:30:10+01:00"
    assert datetime.fromisoformat(text).astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M:%S") == "15:30:10"
    stored, late, penalty, score = submission(course, "zz1")
    assert stored == datetime(2026, 12, 1, 14, 30, 10)  # nbgrader stores UTC
    assert late == 0 and penalty is None and score == 100


def make_zip(path, names, notebook_text):
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, notebook_text)
    return path


def test_lms_times_of_other_kinds_are_read_or_reported_never_guessed(lms_course, tmp_path):
    course, _ = lms_course
    download = make_zip(
        tmp_path / "more.zip",
        [
            f"class/attempt_zz2_01.12.2026-15-30-10_{NOTEBOOK}",  # day first: not the format
            f"class/attempt_zz3_2026-12-01-23-00-05_{NOTEBOOK}",  # dateutil: 23:00 at UTC-5
            f"class/attempt_zz4_2026-12-02-01-00-10_{NOTEBOOK}",  # 00:00:10 UTC: really late
        ],
        correct_notebook(),
    )
    done = course.grade(
        "--zip",
        str(download),
        "--pattern",
        ANY_TIME_PATTERN,
        "--timestamp-format",
        "%Y-%m-%d-%H-%M-%S",
        "--timezone",
        "Europe/Berlin",
        "--no-feedback",
        timeout=GRADE_TIMEOUT,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "3 new or changed submission(s)" in done.stdout and "already graded, 3 to grade" in done.stdout
    zz2_file = f"attempt_zz2_01.12.2026-15-30-10_{NOTEBOOK}"
    assert f"{zz2_file}: the submission time in the file name cannot be read" in done.stderr
    assert "expected the format %Y-%m-%d-%H-%M-%S, time zone Europe/Berlin" in done.stderr

    assert not (course.submitted / "zz2" / ASSIGNMENT / "timestamp.txt").exists()
    assert submission(course, "zz2") == (None, 0, None, 100.0)
    notes = notes_cell(course, "zz2")
    assert f"the submission time in the LMS file name `{zz2_file}` could not be read" in notes
    assert "`01.12.2026-15-30-10` does not match the format `%Y-%m-%d-%H-%M-%S` (time zone Europe/Berlin)" in notes
    assert "treated as on time: no late penalty" in notes
    rows = csv_rows(course.root / "reports" / "grades.csv")
    assert "could not be read" in rows["zz2"]["notes"] and float(rows["zz2"][TOTAL]) == 100

    assert (course.submitted / "zz3" / ASSIGNMENT / "timestamp.txt").read_text() == "2026-12-01T23:00:05+01:00"
    assert submission(course, "zz3") == (datetime(2026, 12, 1, 22, 0, 5), 0, None, 100.0)
    assert rows["zz3"]["notes"] == ""

    # The control: a time after the due date is late, and the "zero" penalty takes every point.
    assert (course.submitted / "zz4" / ASSIGNMENT / "timestamp.txt").read_text() == "2026-12-02T01:00:10+01:00"
    assert submission(course, "zz4") == (datetime(2026, 12, 2, 0, 0, 10), 11, 100.0, 100.0)
    assert float(rows["zz4"][TOTAL]) == 0  # the export's total is the test cells' points less the penalty


def test_nbgrader_zip_collect_reads_the_time_with_the_configured_format_and_zone(new_course):
    """`nbgrader zip_collect` itself, with the time zone from DNN_LMS_TIMEZONE (nbgrader_config.py)."""
    course = new_course("zip_collect")
    archive = course.root / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    shutil.copyfile(case("lms_download_with_submission_times.zip"), archive / "download.zip")
    env = {**course.env(), "DNN_LMS_TIMEZONE": "Europe/Berlin"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nbgrader",
            "zip_collect",
            ASSIGNMENT,
            f"--FileNameCollectorPlugin.named_regexp={CASE_PATTERN}",
        ],
        cwd=course.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=GRADE_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Using file collector: TimedFileNameCollector" in done.stderr
    folder = course.submitted / "zz1" / ASSIGNMENT
    assert (folder / "timestamp.txt").read_text() == "2026-12-01T15:30:10+01:00"
    assert (folder / NOTEBOOK).read_bytes() == zipfile.ZipFile(archive / "download.zip").read(
        f"attempt_zz1_2026-12-01-15-30-10_{NOTEBOOK}"
    )


def test_a_bad_time_zone_or_format_stops_before_collecting(lms_course):
    course, _ = lms_course
    done = course.grade(
        "--zip",
        str(case("lms_download_with_submission_times.zip")),
        "--timezone",
        "Berlin/Mitte",
        timeout=GRADE_TIMEOUT,
    )
    assert done.returncode == 2 and "unknown time zone 'Berlin/Mitte'" in done.stderr
    done = course.grade(
        "--zip",
        str(case("lms_download_with_submission_times.zip")),
        "--timestamp-format",
        "%d.%m.%Y",
        timeout=GRADE_TIMEOUT,
    )
    assert done.returncode == 2 and "does not give the year, month, day, hour and minute" in done.stderr


# ---------------------------------------------------------------------------------------------
# A resubmission collected from a zip
# ---------------------------------------------------------------------------------------------


def earlier_notebook():
    """Another correct notebook (one more Markdown cell), as the earlier submission."""
    nb = nbformat.reads(correct_notebook(), as_version=4)
    nb.cells.append(new_markdown_cell("Submitted through the exchange."))
    return nbformat.writes(nb)


def test_a_resubmission_from_a_zip_brings_its_own_time(new_course, tmp_path):
    course = new_course("resubmission")
    exchange_time = "2026-12-03 09:00:00.000000 UTC"  # nbgrader collect's timestamp.txt: late
    for student in ("zz1", "zz5"):
        write_submission(course, student, earlier_notebook(), exchange_time)
    first = course.grade("--no-feedback", timeout=GRADE_TIMEOUT)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-3000:]
    late = (datetime(2026, 12, 3, 9) - DUE_UTC).total_seconds()
    for student in ("zz1", "zz5"):
        assert submission(course, student) == (datetime(2026, 12, 3, 9), late, 100.0, 100.0)

    # zz1 submits again on the LMS, whose file name has the time: it replaces the exchange's.
    done = course.grade(
        "--zip",
        str(case("lms_download_with_submission_times.zip")),
        "--pattern",
        CASE_PATTERN,
        "--timezone",
        "Europe/Berlin",
        "--no-feedback",
        timeout=GRADE_TIMEOUT,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "already graded, 1 to grade" in done.stdout
    assert (course.submitted / "zz1" / ASSIGNMENT / "timestamp.txt").read_text() == "2026-12-01T15:30:10+01:00"
    assert (
        f"zz1: timestamp.txt replaced by the time in lms_download_with_submission_times.zip: "
        f"2026-12-01T15:30:10+01:00 (it said {exchange_time})" in done.stderr
    )
    assert submission(course, "zz1") == (datetime(2026, 12, 1, 14, 30, 10), 0, None, 100.0)

    # zz5 submits again in a download whose names carry no time: the exchange's time goes.
    download = make_zip(tmp_path / "no_times.zip", [f"zz5_{NOTEBOOK}"], correct_notebook())
    done = course.grade("--zip", str(download), "--no-feedback", timeout=GRADE_TIMEOUT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "already graded, 1 to grade" in done.stdout
    assert not (course.submitted / "zz5" / ASSIGNMENT / "timestamp.txt").exists()
    assert (
        "zz5: a new notebook came from no_times.zip without a readable submission time, so the "
        f"timestamp.txt of the earlier submission was removed (it said '{exchange_time}')" in done.stderr
    )
    assert submission(course, "zz5") == (None, 0, None, 100.0)  # nbgrader alone would keep 2026-12-03 09:00
    notes = notes_cell(course, "zz5")
    assert f"the earlier submission's timestamp.txt (which said `{exchange_time}`) was removed" in notes
    assert "treated as on time: no late penalty" in notes
    assert "removed" not in csv_rows(course.root / "reports" / "grades.csv")["zz1"]["notes"]

    # The same download again: nothing new, nothing removed, nobody graded again.
    again = course.grade("--zip", str(download), "--no-feedback", timeout=GRADE_TIMEOUT)
    assert "0 new or changed submission(s)" in again.stdout and "already graded, 0 to grade" in again.stdout
