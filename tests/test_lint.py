"""The code lints clean and is formatted: `ruff check` and `ruff format --check`, run from the
course root with the configuration of pyproject.toml ([tool.ruff]: the package, its tests and
nbgrader_config.py, the generated copies left out), find nothing.  `make lint` runs the same
commands; `make format` rewrites what the format check would fail on."""

import subprocess
import sys
from pathlib import Path

from dnngrader.paths import COURSE_ROOT

RUFF = Path(sys.executable).with_name("ruff")


def ruff(*arguments):
    """``ruff ARGUMENTS`` in the course root, without writing ruff's cache there."""
    return subprocess.run(
        [str(RUFF), *map(str, arguments), "--no-cache"], cwd=COURSE_ROOT, capture_output=True, text=True, timeout=300
    )


def test_ruff_finds_nothing():
    assert RUFF.is_file(), f"{RUFF} is missing: run `make venv`"
    done = ruff("check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_finds_nothing_to_rewrite():
    done = ruff("format", "--check")
    assert done.returncode == 0, "run `make format`:\n" + done.stdout + done.stderr


def test_ruff_format_check_can_fail(tmp_path):
    """The format check can fail: a file written by hand with the wrong spacing is one ruff
    would rewrite, and it says so with a non-zero exit."""
    module = tmp_path / "cramped.py"
    module.write_text("x = [1,2 ,3]\n")
    done = ruff("format", "--check", "--config", COURSE_ROOT / "pyproject.toml", module)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "cramped.py" in done.stdout + done.stderr


def test_ruff_reads_the_package_and_the_tests_not_the_copies():
    done = ruff("check", "--show-files")
    assert done.returncode == 0, done.stderr
    read = {Path(line).relative_to(COURSE_ROOT).as_posix() for line in done.stdout.splitlines()}
    assert {
        "dnngrader/cli.py",
        "tests/test_lint.py",
        "dnngrader/kernel/notebook/dnn_checks.py",
        "nbgrader_config.py",
    } <= read
    assert all(name.startswith(("dnngrader/", "tests/")) or name == "nbgrader_config.py" for name in read), sorted(read)


def test_ruff_can_fail(tmp_path):
    """The check can fail: with the course's configuration, ruff reports an unused import and a
    line longer than 120 characters, with a non-zero exit."""
    module = tmp_path / "careless.py"
    module.write_text(f"import os\n\nGREETING = {'hello ' * 25!r}\n")
    done = ruff("check", "--config", COURSE_ROOT / "pyproject.toml", module)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "F401" in done.stdout and "E501" in done.stdout, done.stdout
