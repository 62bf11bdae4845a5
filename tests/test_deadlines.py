"""Due dates, late policies and extensions (dnngrader/plugins/deadlines.py), through the kit's grader.

One scratch course, due 2026-12-01 23:59 in Berlin (22:59 UTC), late policy 10 points per hour
started after a 30-minute grace period, at most 30 points; feedback in Europe/Berlin.  Four
students hand in the full-marks notebook (100 points) with nbgrader's timestamp.txt: on time,
21 minutes late (within the grace period), 2 h 1 min late (1 h 31 min after the grace period:
two hours started, 20 points), and 10 h late with a 12-hour extension granted by
`dnngrader deadlines extend` (on time).  `dnngrader grade` grades them; each grade and each
feedback's stated times and penalty are checked.
"""

import csv
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from nbgrader.api import Gradebook
from traitlets import TraitError
from traitlets.config import Config

from dnngrader.paths import ASSIGNMENT
from dnngrader.plugins import deadlines
from dnngrader.tools import samples
from shared_setup import copy_of_blank_course

COURSE_ID = "dnn-step-by-step"
DUE = "2026-12-01T23:59:00+01:00"
POLICY = {"kind": "per_hour", "points": 10, "cap": 30, "grace_minutes": 30}
SETTINGS = {
    "Deadlines.due_dates": {ASSIGNMENT: DUE},
    "Deadlines.late_policies": {ASSIGNMENT: POLICY},
    "Deadlines.timezone": "Europe/Berlin",
}
# student -> (timestamp.txt, penalty, what the feedback says of the submission time)
SUBMISSIONS = {
    "on_time": ("2026-12-01T23:00:00+01:00", 0, "On time"),
    "in_grace": ("2026-12-02T00:20:00+01:00", 0, "Late by 21 min"),
    "late": ("2026-12-02T02:00:00+01:00", 20, "Late by 2 h 1 min"),
    "extended": ("2026-12-02T09:59:00+01:00", 0, "On time"),
}
GRADE_TIMEOUT = 600


def test_penalties_follow_the_policy():
    assert deadlines.penalty_for(POLICY, 100, 30 * 60) == 0  # the grace period's last second
    assert deadlines.penalty_for(POLICY, 100, 30 * 60 + 1) == 10  # an hour started
    assert deadlines.penalty_for(POLICY, 100, 90 * 60 + 1) == 20
    assert deadlines.penalty_for(POLICY, 100, 48 * 3600) == 30  # the cap
    assert deadlines.penalty_for(POLICY, 15, 48 * 3600) == 15  # never more than the score
    daily = {"kind": "per_day", "points": 5}
    assert deadlines.penalty_for(daily, 100, 1) == 5 and deadlines.penalty_for(daily, 100, 86401) == 10
    zero = {"kind": "zero", "grace_minutes": 60}
    assert deadlines.penalty_for(zero, 80, 3600) == 0 and deadlines.penalty_for(zero, 80, 3601) == 80
    assert deadlines.penalty_for({"kind": "none"}, 80, 10**6) == 0


def test_settings_are_checked():
    assert deadlines.Deadlines(config=Config({"Deadlines": {"due_dates": {ASSIGNMENT: DUE}}})).due(
        ASSIGNMENT
    ) == datetime.fromisoformat("2026-12-01T22:59:00+00:00")
    bad = [
        ("due_dates", {ASSIGNMENT: "2026-12-01 23:59"}, "no UTC offset"),
        ("late_policies", {ASSIGNMENT: {"kind": "per_week", "points": 1}}, "kind"),
        ("late_policies", {ASSIGNMENT: {"kind": "per_hour"}}, "needs 'points'"),
        ("late_policies", {ASSIGNMENT: {"kind": "zero", "points": 3}}, "takes no points"),
        ("late_policies", {ASSIGNMENT: {"kind": "per_day", "points": -1}}, "0 or more"),
        ("timezone", "Mars/Olympus", "unknown time zone"),
    ]
    for name, value, message in bad:
        with pytest.raises(TraitError, match=message):
            deadlines.Deadlines(config=Config({"Deadlines": {name: value}}))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course after the extension was granted and `dnngrader grade` ran."""
    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("deadlines") / "course", settings=SETTINGS)
    notebook = samples.fill_answers({})  # every function answered with the solution: 100 points
    for student, (timestamp, _, _) in SUBMISSIONS.items():
        folder = samples.write_submission(notebook, student, course.submitted)
        (folder / "timestamp.txt").write_text(timestamp)
    command = [sys.executable, "-m", "dnngrader", "--course", str(course.root), "deadlines"]
    extended = subprocess.run(
        command + ["extend", ASSIGNMENT, "extended", "--hours", "12"],
        capture_output=True,
        text=True,
        env=course.env(),
        cwd=course.root,
    )
    assert extended.returncode == 0, extended.stderr
    assert "extended, dnn_step_by_step: due 2026-12-02 11:59 CET (UTC+0100)" in extended.stdout
    shown = subprocess.run(
        command + ["show", ASSIGNMENT], capture_output=True, text=True, env=course.env(), cwd=course.root
    )
    assert shown.returncode == 0, shown.stderr
    assert "due 2026-12-01 23:59 CET" in shown.stdout and "10 points off per hour" in shown.stdout
    assert "extended: extension of 12 hours, due 2026-12-02 11:59 CET" in shown.stdout
    done = course.grade("--jobs", "2", timeout=GRADE_TIMEOUT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return course


def test_grades_and_feedback_state_the_times_and_the_penalty(graded):
    with Gradebook(graded.db_url, COURSE_ID) as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).duedate == datetime(2026, 12, 1, 22, 59)
        found = {}
        for student in SUBMISSIONS:
            submission = gradebook.find_submission(ASSIGNMENT, student)
            notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            found[student] = (
                submission.extension,
                notebook.late_submission_penalty or 0,
                submission.score,
                submission.max_score,
            )
    assert found["extended"][0] == timedelta(hours=12)
    with open(graded.root / "reports" / "grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    for student, (timestamp, penalty, said) in SUBMISSIONS.items():
        _, stored_penalty, score, max_score = found[student]
        # nbgrader keeps the score before the penalty; the grade is the score less the penalty.
        assert (stored_penalty, score, max_score) == (penalty, 100, 100), student
        assert float(rows[student][f"{ASSIGNMENT}:total"]) == 100 - penalty, student
        html = (graded.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        submitted = datetime.fromisoformat(timestamp).strftime("%Y-%m-%d %H:%M")
        assert f"Submitted: {submitted} CET (UTC+0100)" in html, student
        assert said in html, student
        assert f"Late penalty applied: {penalty:g} points" in html, student
        if student == "extended":
            assert (
                "Due: 2026-12-02 11:59 CET (UTC+0100) (with your extension of 12 hours; the class's: "
                "2026-12-01 23:59 CET (UTC+0100))" in html
            )
        else:
            assert "Due: 2026-12-01 23:59 CET (UTC+0100)" in html, student
    late = (graded.root / "feedback" / "late" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "score 80 of 100 after it" in late


def test_validate_tells_the_student_her_due_date_with_her_extension_in_her_time_zone(graded):
    notebook = graded.submitted / "extended" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    env = {**graded.env(), "TZ": "America/New_York", "JUPYTERHUB_USER": "extended"}
    done = subprocess.run(
        [sys.executable, "-m", "dnngrader.tools.validate", str(notebook)],
        capture_output=True,
        text=True,
        env=env,
        cwd=graded.root,
        timeout=GRADE_TIMEOUT,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert (
        "note: due 2026-12-02 05:59 EST (UTC-0500) (with your extension of 12 hours), in your time zone; "
        "late work: 10 points off per hour or part of one, at most 30 points, after a grace period of "
        "30 minutes"
    ) in done.stdout
    # Another student (no extension) in Berlin.
    env.update(TZ="Europe/Berlin", JUPYTERHUB_USER="late")
    line = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from dnngrader.tools import deadlines; print(deadlines.due_line(sys.argv[1]))",
            str(notebook),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=graded.root,
    )
    assert line.stdout.startswith("due 2026-12-01 23:59 CET (UTC+0100), in your time zone"), line.stdout + line.stderr


def test_an_extension_before_any_due_date_is_kept_and_said(tmp_path_factory):
    """The kit's own course sets no due date: `extend` then keeps the extension, says that it
    counts once a due date is set, and exits 0 (it raised TypeError before: nbgrader adds the
    extension to a due date that is None).  An assignment the gradebook does not know is refused
    with what to do."""
    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("no-due-date") / "course")
    command = [sys.executable, "-m", "dnngrader", "--course", str(course.root), "deadlines"]
    extended = subprocess.run(
        command + ["extend", ASSIGNMENT, "ada", "--hours", "12"],
        capture_output=True,
        text=True,
        env=course.env(),
        cwd=course.root,
    )
    assert extended.returncode == 0, extended.stderr
    assert "ada, dnn_step_by_step: due (the assignment has no due date)" in extended.stdout
    assert "The extension is kept" in extended.stdout
    assert "Traceback" not in extended.stderr and "SAWarning" not in extended.stderr, extended.stderr
    shown = subprocess.run(
        command + ["show", ASSIGNMENT], capture_output=True, text=True, env=course.env(), cwd=course.root
    )
    assert shown.returncode == 0 and "ada: extension of 12 hours" in shown.stdout, shown.stdout + shown.stderr
    unknown = subprocess.run(
        command + ["extend", "no_such_assignment", "ada", "--hours", "1"],
        capture_output=True,
        text=True,
        env=course.env(),
        cwd=course.root,
    )
    assert unknown.returncode == 1 and "make release" in unknown.stderr, unknown.stderr
