"""An LMS download whose file names carry the submission time, collected with the default pattern
(the shared case lms_zip_default_pattern_makes_a_bogus_student.zip of 6 December 2026).

Before, `make grade ASSIGNMENT=dnn_application ZIP=...` silently made a student called
"attempt_ivan_2026-12-01-15-30-10".  Now such a file is not collected; the command says which
file, what the pattern read, and a pattern that reads the time, and with that pattern Ivan is
collected under his own id, with his submission time.
"""

import re

import pytest

from dnngrader.paths import APPLICATION
from dnngrader.plugins import lms, sandbox
from shared_cases import application_case
from shared_setup import copy_of_blank_course


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    if not sandbox.available():
        pytest.skip(f"the grading sandbox cannot run here: {sandbox.unavailable_reason()}")
    return copy_of_blank_course(
        tmp_path_factory, tmp_path_factory.mktemp("lms-names") / "course", assignments=(APPLICATION,)
    )


@pytest.fixture(scope="module")
def first_run(course):
    download = application_case("lms_zip_default_pattern_makes_a_bogus_student.zip")
    done = course.grade("--assignment", APPLICATION, "--zip", str(download), "--no-feedback", timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


def test_no_student_is_made_of_a_file_name_the_pattern_cannot_read(course, first_run):
    assert sorted(path.name for path in course.submitted.iterdir()) == ["gus", "hana"]
    assert sorted(course.grades(APPLICATION)) == ["gus", "hana"]
    said = first_run.stdout + first_run.stderr
    assert "attempt_ivan_2026-12-01-15-30-10_dnn_application.ipynb: not collected" in said, said
    assert "holds a date and time" in said


def test_the_message_gives_a_pattern_that_reads_the_time_and_it_works(course, first_run):
    said = first_run.stdout + first_run.stderr
    suggested = re.search(r"--pattern '([^']+)'", said)
    assert suggested and suggested.group(1) == lms.pattern_with_time(APPLICATION), said
    download = application_case("lms_zip_default_pattern_makes_a_bogus_student.zip")
    done = course.grade(
        "--assignment",
        APPLICATION,
        "--zip",
        str(download),
        "--pattern",
        suggested.group(1),
        "--no-feedback",
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert sorted(path.name for path in course.submitted.iterdir()) == ["gus", "hana", "ivan"]
    stamp = (course.submitted / "ivan" / APPLICATION / "timestamp.txt").read_text()
    assert stamp.startswith("2026-12-01T15:30:10"), stamp  # as written, in UTC: read, never guessed
    assert "ivan" in course.grades(APPLICATION)
