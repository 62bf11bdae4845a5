"""The CI workflows the kit ships run exactly the commands tested here:

- .github/workflows/course.yml, the course repository's CI, runs `make course-check`, which this
  test runs for real: generated files up to date, solutions passing, release in sync;
- classroom/.github/workflows/self-check.yml, in the students' repository template (GitHub
  Classroom style), installs the pinned packages and runs the self-check, which this test runs on
  a correct notebook (exit 0) and on the untouched release (exit 1).
"""

import shutil
import subprocess
import sys

import nbformat
import yaml

from dnngrader.tools import classroom, samples
from dnngrader.tools.build import nbgrader_env
from dnngrader.paths import ASSIGNMENT, COURSE_ROOT

COURSE_WORKFLOW = COURSE_ROOT / ".github" / "workflows" / "course.yml"
STUDENT_WORKFLOW = classroom.TEMPLATE / classroom.WORKFLOW


def run_steps(path):
    """The shell commands of a workflow's steps, in order (``uses:`` steps left out)."""
    workflow = yaml.safe_load(path.read_text())
    return [step["run"].strip() for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def test_the_course_workflow_runs_make_course_check():
    assert run_steps(COURSE_WORKFLOW) == ["make course-check"]


def test_make_course_check_passes_on_the_kit():
    done = subprocess.run(
        ["make", "course-check"], cwd=COURSE_ROOT, env=nbgrader_env(), capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "visible checks: 10 of 10 functions pass" in done.stdout


def test_the_student_workflow_installs_the_pins_and_runs_the_self_check():
    assert run_steps(STUDENT_WORKFLOW) == ["python -m pip install -r requirements.txt", classroom.SELF_CHECK_COMMAND]
    pins = (classroom.TEMPLATE / "requirements.txt").read_text().split()
    constraints = (COURSE_ROOT / "constraints.txt").read_text().split()
    assert [pin for pin in pins if "==" in pin] and all(pin in constraints for pin in pins if "==" in pin)


def test_the_committed_template_is_what_the_generator_writes():
    assert classroom.differences() == []


def self_check(folder):
    """The workflow's self-check command, run in ``folder`` with this environment's Python."""
    command = classroom.SELF_CHECK_COMMAND.split()
    assert command[0] == "python"
    return subprocess.run(
        [sys.executable, *command[1:]], cwd=folder, env=nbgrader_env(), capture_output=True, text=True, timeout=600
    )


def test_the_self_check_passes_a_correct_notebook_and_fails_the_untouched_one(tmp_path):
    repository = shutil.copytree(classroom.TEMPLATE, tmp_path / "student-repo")
    untouched = self_check(repository)
    assert untouched.returncode == 1, untouched.stdout[-2000:] + untouched.stderr[-2000:]
    assert "0 of 10 functions pass" in untouched.stdout
    nbformat.write(samples.fill_answers({}), str(repository / f"{ASSIGNMENT}.ipynb"))
    solved = self_check(repository)
    assert solved.returncode == 0, solved.stdout[-2000:] + solved.stderr[-2000:]
    assert "10 of 10 functions pass" in solved.stdout and "hidden cases" in solved.stdout


def test_the_template_holds_nothing_of_the_grader():
    names = {path.name for path in classroom.TEMPLATE.rglob("*")}
    assert "dnngrader" not in names and "cases.py" not in names and "hidden_tests.py" not in names
    text = "\n".join(path.read_text(errors="ignore") for path in classroom.TEMPLATE.rglob("*") if path.is_file())
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text and 'run_hidden_tests("' not in text
