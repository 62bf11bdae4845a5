"""The roster is the class for an LMS download: a file whose student the roster does not hold is
reported (what the pattern read, and the pattern to use), never collected as a new student, and
every other student's submission is still collected.  The shared case
lms_zip_default_pattern_makes_a_bogus_student.zip of 6 December 2026 made a student called
"attempt_ivan_2026-12-01-15-30-10"; these tests run nbgrader's zip_collect alone (no grading)."""

import zipfile
from pathlib import Path

import pytest
from nbgrader.coursedir import CourseDirectory

from dnngrader import roster
from dnngrader.paths import APPLICATION
from dnngrader.plugins import lms
from shared_cases import application_case

CASE = "lms_zip_default_pattern_makes_a_bogus_student.zip"
ROSTER = """username,full_name,email,lms_id,role
gus,Gus Grissom,gus@example.org,S-2002,student
hana,Hana Abe,hana@example.org,S-2001,student
ivan,Ivan Petrov,ivan@example.org,S-2003,student
prof,Pat Prof,prof@example.org,T-1,instructor
"""


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    (tmp_path / "roster.csv").write_text(ROSTER)
    return CourseDirectory(root=str(root))


def collected(course):
    submitted = course.format_path(course.submitted_directory, ".", ".")
    return sorted(path.name for path in Path(submitted).iterdir()) if Path(submitted).is_dir() else []


def test_the_case_with_a_roster_creates_no_student_and_says_what_to_do(course, tmp_path, capfd):
    changed = lms.collect_zip(course, application_case(CASE), APPLICATION, roster=tmp_path / "roster.csv")
    assert sorted(changed) == ["gus", "hana"]
    assert collected(course) == ["gus", "hana"]
    said = capfd.readouterr().err
    assert "attempt_ivan_2026-12-01-15-30-10_dnn_application.ipynb: not collected" in said, said
    assert "'attempt_ivan_2026-12-01-15-30-10'" in said  # what was read
    assert "not a student of the roster" in said
    assert f"--pattern '{lms.pattern_with_time(APPLICATION)}'" in said  # the pattern to use
    # With that pattern Ivan is collected under his roster name.
    changed = lms.collect_zip(
        course,
        application_case(CASE),
        APPLICATION,
        pattern=lms.pattern_with_time(APPLICATION),
        roster=tmp_path / "roster.csv",
    )
    assert collected(course) == ["gus", "hana", "ivan"]
    timestamp = (tmp_path / "course" / "submitted" / "ivan" / APPLICATION / "timestamp.txt").read_text()
    assert timestamp.startswith("2026-12-01T15:30:10")


def make_zip(path, names, source):
    with zipfile.ZipFile(source) as case, zipfile.ZipFile(path, "w") as download:
        notebook = case.read("gus_dnn_application.ipynb")
        for name in names:
            download.writestr(name, notebook)
    return path


def test_a_student_outside_the_roster_is_reported_and_the_others_collected(course, tmp_path, capfd):
    download = make_zip(
        tmp_path / "download.zip",
        [
            "hana_dnn_application.ipynb",
            "zed_dnn_application.ipynb",
            "S-2002_dnn_application.ipynb",
            "prof_dnn_application.ipynb",
        ],
        application_case(CASE),
    )
    changed = lms.collect_zip(course, download, APPLICATION, roster=tmp_path / "roster.csv")
    # gus's file names his LMS id: collected under his username.  The instructor is not a student.
    assert sorted(changed) == ["gus", "hana"]
    assert collected(course) == ["gus", "hana"]
    said = capfd.readouterr().err
    for name, read in (("zed", "zed"), ("prof", "prof")):
        assert f"{name}_dnn_application.ipynb: not collected" in said, said
        assert f"read the student id '{read}'" in said
    assert lms.default_pattern(APPLICATION) in said  # the pattern to use for <id>_<notebook>.ipynb


def test_without_a_roster_any_id_is_a_student_as_in_nbgrader(course, tmp_path):
    download = make_zip(
        tmp_path / "download.zip", ["hana_dnn_application.ipynb", "zed_dnn_application.ipynb"], application_case(CASE)
    )
    assert sorted(lms.collect_zip(course, download, APPLICATION)) == ["hana", "zed"]


def test_a_roster_that_cannot_be_read_stops_before_anything_is_collected(course, tmp_path):
    (tmp_path / "bad.csv").write_text("username,email\nhana,hana@example.org\n")
    with pytest.raises(roster.RosterError, match="lacks full_name, lms_id, role"):
        lms.collect_zip(course, application_case(CASE), APPLICATION, roster=tmp_path / "bad.csv")
    assert collected(course) == []


def test_match_by_username_or_lms_id():
    rows = [
        {"username": "hana", "full_name": "", "email": "", "lms_id": "S-2001", "role": "student"},
        {"username": "prof", "full_name": "", "email": "", "lms_id": "T-1", "role": "instructor"},
    ]
    assert roster.match(rows, "hana") == "hana"
    assert roster.match(rows, "s-2001") == "hana"
    assert roster.match(rows, "prof") is None and roster.match(rows, "T-1") is None
    assert roster.match(rows, "attempt_hana_2026-12-01-15-30-10") is None
