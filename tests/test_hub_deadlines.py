"""Due dates for a hub's students, who can read neither the course's nbgrader_config.py nor its
gradebook: what the course publishes in its exchange (dnngrader/hub/deadlines.py) and what the
released notebook's due-date cell and `dnngrader validate` read from it
(dnngrader/kernel/notebook/due_date.py), with real, separate Unix users, as
tests/test_hub_exchange.py does.

The course: due 2026-12-01 23:59 in Berlin (22:59 UTC), 10 points off per hour started after 30
minutes of grace, at most 30; an instructor and two students, ada and ben, made by `dnngrader
roster sync`; `dnngrader hub setup` publishes the due dates; the instructor, as her own Unix user,
grants ada a 12-hour extension with `dnngrader deadlines extend`, which publishes it.  Then each
student runs, as herself, the due-date cell of the kit's release/ notebook next to the released
due_date.py, in her own time zone: ada in New York sees 2026-12-02 05:59 EST with her extension,
ben in Tokyo 2026-12-02 07:59 JST, the class's.  Neither can read the other's extension file, nor
list the published folder; `dnngrader validate`'s note (with the kit, and as self_check.py reads it
without) says the same.  Taking the extension away removes her file.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from dnngrader.kernel.notebook import due_date
from dnngrader.tools import build

ASSIGNMENT = "dnn_step_by_step"
RELEASE = build.COURSE_ROOT / "release" / ASSIGNMENT
SETTINGS = f"""
c.Deadlines.due_dates = {{{ASSIGNMENT!r}: "2026-12-01T23:59:00+01:00"}}
c.Deadlines.late_policies = {{{ASSIGNMENT!r}: {{"kind": "per_hour", "points": 10, "cap": 30, "grace_minutes": 30}}}}
c.Deadlines.timezone = "Europe/Berlin"
"""
POLICY_TEXT = "10 points off per hour or part of one, at most 30 points, after a grace period of 30 minutes"


def released_cell():
    """The source of the due-date cell of the kit's release notebook (one cell, marked)."""
    notebook = nbformat.read(str(RELEASE / f"{ASSIGNMENT}.ipynb"), as_version=4)
    [cell] = [cell for cell in notebook.cells if cell.metadata.get(build.DUE_DATE_MARK)]
    return cell.source


def test_the_release_carries_the_due_date_cell_after_the_title():
    notebook = nbformat.read(str(RELEASE / f"{ASSIGNMENT}.ipynb"), as_version=4)
    assert notebook.cells[1].metadata.get(build.DUE_DATE_MARK) and notebook.cells[1].cell_type == "code"
    assert "nbgrader" not in notebook.cells[1].metadata  # not graded, not locked: no grade id, no checksum
    assert f'show_due_date("{ASSIGNMENT}")' in notebook.cells[1].source
    assert "Written by `dnngrader release`" in notebook.cells[1].source
    assert (RELEASE / "due_date.py").is_file()
    assert build.stale_due_date_cells() == []
    # The check can fail: a notebook without the cell, or with two, is not what release writes.
    without = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title")])
    assert nbformat.writes(build.with_due_date_cell(without, ASSIGNMENT)) != nbformat.writes(without)
    twice = build.with_due_date_cell(build.with_due_date_cell(without, ASSIGNMENT), ASSIGNMENT)
    assert sum(bool(cell.metadata.get(build.DUE_DATE_MARK)) for cell in twice.cells) == 1


def run_cell(folder, env):
    """Run the released due-date cell in ``folder`` (beside a copy of due_date.py) with ``env``."""
    return subprocess.run(
        [sys.executable, "-c", released_cell()], cwd=folder, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_cell_reads_the_courses_settings_and_says_when_no_due_date_is_set(tmp_path):
    """Without a hub: the cell reads the nbgrader_config.py above the notebook; it says so
    plainly when nothing sets a due date."""
    folder = tmp_path / "course" / "release" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / "due_date.py").write_bytes((RELEASE / "due_date.py").read_bytes())
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "TZ": "America/New_York",
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_CONFIG_PATH": "",
        "JUPYTERHUB_USER": "ada",
    }
    nothing = run_cell(folder, env)
    assert nothing.returncode == 0, nothing.stderr
    assert nothing.stdout.startswith(f"No due date found for {ASSIGNMENT}"), nothing.stdout
    (tmp_path / "course" / "nbgrader_config.py").write_text("c = get_config()  # noqa\n" + SETTINGS)
    done = run_cell(folder, env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"{ASSIGNMENT} is due 2026-12-01 17:59 EST (UTC-0500), in your time zone (America/New_York).",
        "In the course's time zone (Europe/Berlin): 2026-12-01 23:59 CET (UTC+0100).",
        f"Late work: {POLICY_TEXT}.",
    ]
    (tmp_path / "course" / "nbgrader_config.py").write_text("c.Deadlines.due_dates = {'other': '2026-12-01T10:00Z'}\n")
    other = run_cell(folder, env)
    assert other.stdout.startswith(f"No due date is set for {ASSIGNMENT}"), other.stdout
    # Under nbgrader's autograde the cell prints nothing: the feedback states the due date.
    graded = run_cell(folder, {**env, "NBGRADER_EXECUTION": "autograde"})
    assert graded.returncode == 0 and graded.stdout == ""


def test_without_a_course_id_the_notebooks_course_is_found_in_the_exchange(tmp_path, monkeypatch):
    """A student of several courses has no c.CourseDirectory.course_id: the course is the one
    whose published due dates name the assignment, the folder nbgrader fetched into first.  A
    settings file that cannot run here is read for its literal settings only."""
    exchange = tmp_path / "exchange"
    for course_id, due in (("other", "2026-11-01T12:00:00+00:00"), ("mine", "2026-12-01T22:59:00+00:00")):
        folder = exchange / course_id / due_date.FOLDER
        folder.mkdir(parents=True)
        record = {"timezone": "UTC", "assignments": {ASSIGNMENT: {"due": due, "late_policy": {"kind": "zero"}}}}
        (folder / due_date.CLASS_FILE).write_text(json.dumps(record))
    (exchange / "mine" / due_date.FOLDER / due_date.EXTENSION_FILE.format(student="ada")).write_text(
        json.dumps({"extensions": {ASSIGNMENT: 3600}})
    )
    settings = tmp_path / "jupyter"
    settings.mkdir()
    # Not runnable here (no such module), so only its literal settings count.
    (settings / "nbgrader_config.py").write_text(f"import not_here\nc.Exchange.root = {str(exchange)!r}\n")
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(settings))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "nothing"))
    monkeypatch.setenv("TZ", "UTC")
    notebook_folder = tmp_path / "home" / "mine" / ASSIGNMENT
    notebook_folder.mkdir(parents=True)
    found = due_date.find(ASSIGNMENT, notebook_folder, "ada")
    assert found.source == str(exchange / "mine" / due_date.FOLDER / due_date.CLASS_FILE)
    assert due_date.due_line(found) == (
        "due 2026-12-01 23:59 UTC (UTC+0000) (with your extension of 1 hour), in your time zone; "
        "late work: a late submission scores 0"
    )
    assert due_date.find(ASSIGNMENT, notebook_folder, "ben").extension is None


@pytest.fixture(scope="module")
def course():
    """The hub's course after setup and ada's extension (the module's docstring)."""
    if os.geteuid() != 0:
        pytest.skip("creates Unix users: runs as root")
    from test_hub_exchange import Course

    base = Path(tempfile.mkdtemp(prefix="dnn-hub-deadlines-", dir="/tmp"))
    os.chmod(base, 0o755)
    course = Course(base)
    course.users = {"teach": "instructor", "ada": "student", "ben": "student"}
    try:
        course.folder.mkdir()
        course.write()
        with open(course.folder / "nbgrader_config.py", "a") as handle:
            handle.write(SETTINGS)
        synced = course.command("roster", "sync", str(base / "roster.csv"))
        assert synced.returncode == 0, synced.stdout + synced.stderr
        course.setup = course.command("hub", "setup")
        assert course.setup.returncode == 0, course.setup.stdout + course.setup.stderr
        course.published = course.exchange / course.course_id / due_date.FOLDER
        course.nbgrader("teach", "db", "assignment", "add", ASSIGNMENT)
        course.extended = course.run(
            "teach",
            str(course.bin / "python"),
            "-m",
            "dnngrader",
            "deadlines",
            "extend",
            ASSIGNMENT,
            course.name("ada"),
            "--hours",
            "12",
            cwd=course.folder,
        )
        for person in ("ada", "ben"):  # the released cell and due_date.py, in each one's own folder
            folder = course.home(person) / ASSIGNMENT
            course.run(person, "mkdir", str(folder))
            course.run(person, "cp", str(RELEASE / "due_date.py"), str(folder / "due_date.py"))
        yield course
    finally:
        course.remove()


def student_sees(course, person, zone):
    """What ``person``'s due-date cell prints, run as her in her folder, in the time zone ``zone``,
    and the note `dnngrader validate` opens with, read with the kit and as self_check.py reads it
    (the due_date.py beside the notebook)."""
    folder = course.home(person) / ASSIGNMENT
    cell = course.run(person, "env", f"TZ={zone}", str(course.bin / "python"), "-c", released_cell(), cwd=folder)
    notes = course.run(
        person,
        "env",
        f"TZ={zone}",
        str(course.bin / "python"),
        "-c",
        "import json, sys; from dnngrader.tools import validate; "
        "print(json.dumps([validate.due_notes(sys.argv[1]), validate._released_due_line(sys.argv[1])]))",
        str(folder / f"{ASSIGNMENT}.ipynb"),
        cwd=folder,
    )
    return cell.stdout, json.loads(notes.stdout)


def test_setup_and_extend_publish_the_due_dates(course):
    assert "due dates published in" in course.setup.stdout, course.setup.stdout
    assert "due dates published in" in course.extended.stdout, course.extended.stdout + course.extended.stderr
    record = json.loads((course.published / due_date.CLASS_FILE).read_text())
    assert "do not edit" in record["generated"]
    assert record["assignments"][ASSIGNMENT]["due"] == "2026-12-01T22:59:00+00:00"
    mine = json.loads((course.published / due_date.EXTENSION_FILE.format(student=course.name("ada"))).read_text())
    assert mine["extensions"] == {ASSIGNMENT: 43200.0} and "do not edit" in mine["generated"]
    assert not (course.published / due_date.EXTENSION_FILE.format(student=course.name("ben"))).exists()
    for path in course.published.iterdir():
        assert os.stat(path).st_mode & 0o007 == 0, path  # nobody outside the course: only the ACL's readers


def test_a_student_with_an_extension_sees_hers_in_her_time_zone(course):
    cell, (note, released) = student_sees(course, "ada", "America/New_York")
    assert cell.splitlines() == [
        f"{ASSIGNMENT} is due 2026-12-02 05:59 EST (UTC-0500), in your time zone (America/New_York).",
        "That includes your extension of 12 hours; the class's due date is 2026-12-01 17:59 EST (UTC-0500).",
        "In the course's time zone (Europe/Berlin): 2026-12-02 11:59 CET (UTC+0100).",
        f"Late work: {POLICY_TEXT}.",
    ]
    line = (
        "due 2026-12-02 05:59 EST (UTC-0500) (with your extension of 12 hours), in your time zone; "
        f"late work: {POLICY_TEXT}"
    )
    assert note == [line] and released == line


def test_another_student_sees_the_class_due_date(course):
    cell, (note, released) = student_sees(course, "ben", "Asia/Tokyo")
    first = f"{ASSIGNMENT} is due 2026-12-02 07:59 JST (UTC+0900), in your time zone (Asia/Tokyo)."
    assert cell.splitlines()[0] == first
    assert "extension" not in cell
    line = f"due 2026-12-02 07:59 JST (UTC+0900), in your time zone; late work: {POLICY_TEXT}"
    assert note == [line] and released == line


def test_no_student_reads_anothers_extension(course):
    from test_hub_exchange import probe

    ada_file = str(course.published / due_date.EXTENSION_FILE.format(student=course.name("ada")))
    class_file = str(course.published / due_date.CLASS_FILE)
    assert probe(course, "ben", {"ada's": ["read", ada_file], "list": ["list", str(course.published)]}) == {
        "ada's": "refused",
        "list": "refused",
    }
    assert probe(course, "ada", {"hers": ["read", ada_file], "class": ["read", class_file]}) == {
        "hers": "done",
        "class": "done",
    }
    assert probe(course, "ben", {"write": ["write", class_file], "plant": ["create", str(course.published)]}) == {
        "write": "refused",
        "plant": "refused",
    }


def test_taking_the_extension_away_removes_her_file(course):
    done = course.run(
        "teach",
        str(course.bin / "python"),
        "-m",
        "dnngrader",
        "deadlines",
        "extend",
        ASSIGNMENT,
        course.name("ada"),
        "--remove",
        cwd=course.folder,
    )
    assert "0 student(s) with an extension" in done.stdout, done.stdout + done.stderr
    assert not (course.published / due_date.EXTENSION_FILE.format(student=course.name("ada"))).exists()
    cell, _ = student_sees(course, "ada", "America/New_York")
    assert cell.startswith(f"{ASSIGNMENT} is due 2026-12-01 17:59 EST (UTC-0500)") and "extension" not in cell
