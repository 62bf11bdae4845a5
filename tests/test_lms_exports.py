"""The grades as the LMSs import them (``dnngrader lms-grades``): Canvas's gradebook import CSV
and Moodle's CSV grade import, read back here as each LMS reads them (the csv module, the exact
headers, Canvas's Points Possible row), every student of the roster checked, those without a
submission included.  The gradebook is made here with nbgrader's API: no grading runs."""

import csv
import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

from dnngrader import assignments
from dnngrader.plugins import lms_grades
from dnngrader.tools import lms_grades as command

STEP, APP = "dnn_step_by_step", "dnn_application"
ROSTER = """username,full_name,email,lms_id,role
hana,"Abe, Hana",hana@example.org,S-2001,student
gus,Gus Grissom,gus@example.org,S-2002,student
ivan,Ivan Petrov,ivan@example.org,S-2003,student
nolms,No Id,nolms@example.org,,student
prof,Pat Prof,prof@example.org,T-1,instructor
"""
# student -> assignment -> the score of each test cell (in the registry's order); no entry: no submission.
GRADES = {"hana": {STEP: 2.5, APP: 4.0}, "gus": {STEP: 1.0}, "zed": {APP: 3.0}, "nolms": {STEP: 1.5}}
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", STEP, APP]
MOODLE_HEADER = ["ID number", "Email address", "Full name", STEP, APP]


def cell_points(assignment):
    return {test: float(index + 1) for index, test in enumerate(assignments.find(assignment).tests)}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("lms-exports")
    url = f"sqlite:///{root / 'gradebook.db'}"
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.course_id = 'lms-test'\nc.CourseDirectory.db_url = {url!r}\n"
    )
    (root / "roster.csv").write_text(ROSTER)
    with Gradebook(url, "lms-test") as gradebook:
        for assignment in (STEP, APP):
            gradebook.add_assignment(assignment)
            gradebook.add_notebook(assignment, assignment)
            for test, points in cell_points(assignment).items():
                gradebook.add_grade_cell(test, assignment, assignment, max_score=points, cell_type="code")
        for student, graded in GRADES.items():
            gradebook.add_student(student)
            for assignment, fraction in graded.items():
                gradebook.add_submission(assignment, student)
                for test, points in cell_points(assignment).items():
                    gradebook.find_grade(test, assignment, assignment, student).manual_score = min(points, fraction)
        gradebook.db.commit()
    return root


def expected_total(student, assignment):
    if assignment not in GRADES.get(student, {}):
        return None
    return sum(min(points, GRADES[student][assignment]) for points in cell_points(assignment).values())


def run(course, *arguments):
    out = course / "out"
    status = command.main(
        ["--roster", str(course / "roster.csv"), "--course", str(course), "--to", str(out), *arguments]
    )
    return status, out


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("missing", ["empty", "zero"])
def test_canvas_gradebook_csv(course, missing, capsys):
    status, out = run(course, "--missing", missing)
    said = capsys.readouterr()
    assert status == 1  # zed has grades and is not in the roster; nolms has no LMS id
    assert "not in the roster: zed" in said.err and "no lms_id: nolms" in said.err
    table = read_csv(out / "canvas_grades.csv")
    assert table[0] == CANVAS_HEADER
    points = table[1]
    assert points[:5] == ["Points Possible", "", "", "", ""]
    assert float(points[5]) == sum(cell_points(STEP).values()) and float(points[6]) == sum(cell_points(APP).values())
    body = {row[2]: row for row in table[2:]}  # by SIS User ID
    assert sorted(body) == ["S-2001", "S-2002", "S-2003"]  # every roster student with an LMS id, no one else
    for lms_id, student, name in (
        ("S-2001", "hana", "Abe, Hana"),
        ("S-2002", "gus", "Gus Grissom"),
        ("S-2003", "ivan", "Ivan Petrov"),
    ):
        row = body[lms_id]
        assert len(row) == len(CANVAS_HEADER) and row[0] == name and row[1] == row[3] == row[4] == ""
        for column, assignment in ((5, STEP), (6, APP)):
            total = expected_total(student, assignment)
            if total is None:
                assert row[column] == ("" if missing == "empty" else "0"), (student, assignment, row)
            else:
                assert float(row[column]) == pytest.approx(total), (student, assignment, row)
    assert body["S-2001"][5] == "28" and body["S-2001"][6] == "10"  # as typed into a gradebook


def test_moodle_grade_import_csv(course):
    status, out = run(course)
    assert status == 1
    with open(out / "moodle_grades.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == MOODLE_HEADER
        rows = {row["ID number"]: row for row in reader}
    assert sorted(rows) == ["S-2001", "S-2002", "S-2003"]  # every row a user: no points row, no blank id
    for lms_id, student, email in (
        ("S-2001", "hana", "hana@example.org"),
        ("S-2002", "gus", "gus@example.org"),
        ("S-2003", "ivan", "ivan@example.org"),
    ):
        row = rows[lms_id]
        assert row["Email address"] == email
        for assignment in (STEP, APP):
            total = expected_total(student, assignment)
            if total is None:
                assert row[assignment] == "", (student, assignment)  # Moodle: an empty cell is no grade
            else:
                assert float(row[assignment]) == pytest.approx(total), (student, assignment)


def test_canvas_columns_name_existing_assignments(course):
    status, out = run(course, "--canvas-column", f"{APP}=DNN application (4711)")
    assert read_csv(out / "canvas_grades.csv")[0][-1] == "DNN application (4711)"


def test_a_complete_roster_exits_0_through_the_kit_command(course, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "username,full_name,email,lms_id,role\nhana,Hana Abe,hana@example.org,S-2001,student\n"
        "gus,Gus Grissom,gus@example.org,S-2002,student\n"
        "ivan,Ivan Petrov,ivan@example.org,S-2003,student\n"
        "zed,Zed Zed,zed@example.org,S-2009,student\nnolms,No Id,nolms@example.org,S-2010,student\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dnngrader.cli",
            "lms-grades",
            "--roster",
            str(roster),
            "--course",
            str(course),
            "--to",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "5 of the roster's 5 students" in done.stdout
    moodle = {row["ID number"]: row for row in csv.DictReader(open(tmp_path / "out" / "moodle_grades.csv"))}
    assert moodle["S-2009"][APP] == "9" and moodle["S-2009"][STEP] == ""


def test_a_roster_that_cannot_be_read_exits_2(course, tmp_path, capsys):
    (tmp_path / "bad.csv").write_text("username,role\nhana,student\n")
    assert command.main(["--roster", str(tmp_path / "bad.csv"), "--course", str(course)]) == 2
    assert "lacks full_name, email, lms_id" in capsys.readouterr().err


def test_number():
    assert [lms_grades.number(value) for value in (0, 12, 24.5, 1 / 3, 1e-9)] == ["0", "12", "24.5", "0.3333", "0"]


def test_dnngrader_grade_with_a_roster_writes_them_beside_grades_csv(course, tmp_path, capsys):
    from types import SimpleNamespace

    from dnngrader import roster
    from dnngrader.batch import grade

    app = SimpleNamespace(coursedir=command.course_directory(course))
    grade._report(app, tmp_path, {}, roster.read_roster(course / "roster.csv"))
    said = capsys.readouterr()
    assert "not in the roster: zed" in said.err and "no lms_id: nolms" in said.err
    assert sorted(path.name for path in tmp_path.glob("*.csv")) == [
        "canvas_grades.csv",
        "grades.csv",
        "mistakes.csv",
        "moodle_grades.csv",
    ]
    run_status, out = run(course)  # the same files as dnngrader lms-grades writes
    for name in ("canvas_grades.csv", "moodle_grades.csv"):
        assert read_csv(tmp_path / name) == read_csv(out / name)
    sheet = {row["student"]: row for row in csv.DictReader(open(tmp_path / "grades.csv"))}
    canvas = {row[2]: row for row in read_csv(tmp_path / "canvas_grades.csv")[2:]}
    assert float(sheet["hana"][f"{STEP}:total"]) == float(canvas["S-2001"][5])  # grades.csv's totals
