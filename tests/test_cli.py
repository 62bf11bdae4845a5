"""The ``dnngrader`` command (dnngrader/cli.py): one subcommand per entry point of the kit, each
handing its arguments to its module, run in the course folder that --course names; the package
installed into .venv (pyproject.toml, `make venv`)."""

import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT
from dnngrader import cli

DNNGRADER = Path(sys.executable).with_name("dnngrader")
# Modules with a command line that no subcommand stands for, and why.
NOT_SUBCOMMANDS = {
    "dnngrader.kernel.template",  # run as a script by the grader itself
    "dnngrader.assignments.dnn_application.__main__",  # the same main as dnngrader.application
    "dnngrader.__main__",  # this command
    "dnngrader.cli",
    "dnngrader.batch.grade",  # what `grade` (dnngrader.batch.prestart) runs once the forkserver started
}


def run(command, cwd, timeout=300):
    return subprocess.run([str(word) for word in command], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def entry_point_modules():
    """Every module of the package that runs as ``python -m`` (it has a ``__main__`` block)."""
    found = set()
    for path in (ROOT / "dnngrader").rglob("*.py"):
        if re.search(r'^if __name__ == "__main__":', path.read_text(encoding="utf-8"), re.M):
            found.add(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


def test_the_command_is_installed_in_the_environment():
    assert DNNGRADER.is_file(), f"{DNNGRADER} is missing: run `make venv`"


def test_help_lists_every_subcommand_with_its_summary(tmp_path):
    done = run([DNNGRADER, "--help"], tmp_path)
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())
    for command in cli.SUBCOMMANDS:
        assert re.search(rf"^\s+{re.escape(command.name)}\b", done.stdout, re.M), command.name
        assert " ".join(command.summary.split()) in text, command.name
    assert "--course DIR" in done.stdout


def test_every_entry_point_of_the_package_has_a_subcommand():
    behind = {command.module for command in cli.SUBCOMMANDS}
    assert len(behind) == len(cli.SUBCOMMANDS)
    assert entry_point_modules() - NOT_SUBCOMMANDS == behind


@pytest.mark.parametrize("name", [command.name for command in cli.SUBCOMMANDS])
def test_each_subcommand_shows_its_modules_own_help(name, tmp_path):
    """From a folder outside the course, too: help does not depend on the course."""
    done = run([DNNGRADER, name, "--help"], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("usage: "), done.stdout[:300]
    assert not done.stdout.startswith("usage: dnngrader [-h] [--course DIR]"), "the top-level help, not the module's"
    assert "-h, --help" in done.stdout
    # The usage line names the command the user typed, not the module behind it.  `data` is the
    # second assignment's stand-in writer, copied next to the notebook: it names that script.
    expected = "usage: python dnn_app_standin.py" if name == "data" else f"usage: dnngrader {name}"
    assert done.stdout.startswith(expected), done.stdout[:300]
    assert "python -m dnngrader." not in done.stdout, done.stdout


def test_the_makefile_calls_the_command_and_only_known_subcommands():
    makefile = (ROOT / "Makefile").read_text()
    assert "python -m dnngrader" not in makefile
    called = set(re.findall(r"^\t\$\(BIN\)/dnngrader ([a-z-]+)", makefile, re.M))
    assert called <= set(cli.BY_NAME)
    assert {
        "release",
        "demo",
        "grade",
        "bench",
        "validate",
        "student-config",
        "grading-report",
        "data",
        "application-reference",
    } <= called
    done = run(["make", "-n", "demo", "test"], ROOT)
    assert done.returncode == 0, done.stderr
    assert f"{ROOT}/.venv/bin/dnngrader demo" in done.stdout


def test_a_real_subcommand_runs_from_another_folder_with_course(tmp_path):
    done = run([DNNGRADER, "--course", ROOT, "classroom", "--check"], tmp_path)
    assert (done.returncode, done.stdout) == (0, "classroom/ is up to date\n"), done.stderr
    assert list(tmp_path.iterdir()) == []


def test_relative_paths_count_from_the_course_folder(tmp_path):
    """README.md exists in the course, not here: validate finds it (and rejects it as a
    notebook, exit 2, before starting any kernel) rather than saying there is no such file."""
    done = run([DNNGRADER, "--course", ROOT, "validate", "README.md"], tmp_path)
    assert done.returncode == 2
    assert "is not valid JSON" in done.stdout and "no such file" not in done.stdout, done.stdout


def test_python_dash_m_dnngrader_is_the_same_command(tmp_path):
    done = run([sys.executable, "-m", "dnngrader", "--help"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == run([DNNGRADER, "--help"], tmp_path).stdout
    done = run([sys.executable, "-m", "dnngrader", "--course", ROOT, "classroom", "--check"], tmp_path)
    assert (done.returncode, done.stdout) == (0, "classroom/ is up to date\n"), done.stderr


def test_a_folder_that_is_no_course_is_refused_not_replaced_by_another_course(tmp_path):
    done = run([DNNGRADER, "classroom", "--check"], tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert "is not a course folder" in done.stderr and "nbgrader_config.py" in done.stderr, done.stderr
    assert "--course" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_another_course_gets_only_what_can_work_there(tmp_path):
    """The kit installed from this clone works on the clone's course: its own-course commands
    refuse another course (a scratch course of the tests, say); grade and student-config are
    handed it with --course."""
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    done = run([DNNGRADER, "--course", tmp_path, "classroom", "--check"], ROOT)
    assert done.returncode == 2 and f"--course {ROOT}" in done.stderr, done.stderr
    done = run([DNNGRADER, "--course", tmp_path, "classroom", "--help"], ROOT)
    assert done.returncode == 0 and "--check" in done.stdout, done.stderr
    line = cli.command_line(cli.BY_NAME["grade"], tmp_path, ["--jobs", "2"])
    assert line == [
        sys.executable,
        "-m",
        "dnngrader.batch.prestart",
        "--course",
        str(tmp_path.resolve()),
        "--jobs",
        "2",
    ]
    line = cli.command_line(cli.BY_NAME["student-config"], tmp_path, ["--course=/elsewhere", "--print"])
    assert line[3:] == ["--course=/elsewhere", "--print"]
    assert cli.command_line(cli.BY_NAME["validate"], tmp_path, ["x.ipynb"])[3:] == ["x.ipynb"]


def test_arguments_after_the_subcommand_reach_the_module_untouched():
    argv = ["--course", "/c", "grade", "--course", "/d", "--pattern", ".*$", "--", "-h"]
    assert cli.split(argv) == (["--course", "/c", "grade"], ["--course", "/d", "--pattern", ".*$", "--", "-h"])
    assert cli.split(["--help"]) == (["--help"], [])


def test_unknown_options_and_commands_are_usage_errors(tmp_path):
    for words in (["--nope", "grade"], ["bogus"], []):
        done = run([DNNGRADER, *words], tmp_path)
        assert done.returncode == 2 and "usage: dnngrader" in done.stderr, (words, done.stderr)


def test_pyproject_names_the_requirements_and_the_console_script():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = {
        re.split(r"[=<>!~ ;\[]", line.strip(), maxsplit=1)[0].lower()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }
    named = [
        *project["dependencies"],
        *project["optional-dependencies"]["test"],
        *project["optional-dependencies"]["docs"],
    ]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-]+", name) for name in named), "unpinned names only"
    assert sorted(name.lower() for name in named) == sorted(requirements)
    assert project["scripts"] == {"dnngrader": "dnngrader.cli:main"}


def test_make_venv_installs_the_kit_editable():
    makefile = (ROOT / "Makefile").read_text()
    stamp = re.search(r"^\$\(STAMP\):(.*)\n((?:\t.*\n)+)", makefile, re.M)
    assert "pyproject.toml" in stamp.group(1).split()
    installs = [shlex.split(line) for line in stamp.group(2).splitlines() if "pip install" in line]
    assert any(words[words.index("-e") + 1] == "." for words in installs if "-e" in words), installs
    done = run([sys.executable, "-c", "import dnngrader; print(dnngrader.__file__)"], "/")
    assert done.returncode == 0 and done.stdout.strip() == str(ROOT / "dnngrader" / "__init__.py"), done.stderr


def test_the_environment_need_not_be_activated(tmp_path):
    """Run as .venv/bin/dnngrader with only the system's folders on PATH, a subcommand that makes
    the gradebook finds nbgrader's `alembic` (the command puts its environment's bin first), and
    an assignment the gradebook does not know is refused with what to do."""
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = 'cli-path'\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course}/gradebook.db'\n"
    )
    done = subprocess.run(
        [str(DNNGRADER), "--course", str(course), "deadlines", "show", "dnn_step_by_step"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": "/usr/bin:/bin"},
    )
    assert "alembic" not in done.stderr, done.stderr[-3000:]
    assert done.returncode == 1 and "make release" in done.stderr, done.stdout + done.stderr
    assert (course / "gradebook.db").is_file()
