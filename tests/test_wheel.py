"""The kit is a package like any other (issue 20): a wheel built from this clone, installed into
a fresh virtual environment outside it, grades a class in a course folder that holds no kit, and
its gradebook is the one stock nbgrader makes of the same class.

The fresh environment gets the kit from the wheel alone; its dependencies (nbgrader, NumPy, Dask,
...) come from the clone's .venv through a .pth file, so the test downloads none of them.  A .pth file
only adds a folder to sys.path: the clone's editable install, whose own .pth lives in that folder,
is not activated, and a test below checks that the kit imported is the wheel's.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from dnngrader.batch import snapshot
from dnngrader.paths import ASSIGNMENT, COURSE_ROOT
from grading_class import COURSE_ID, GRADE_TIMEOUT, STUDENTS
from nbgrader.api import Gradebook

PACKAGE_FILES = ("pyproject.toml", "README.md")


def run(command, cwd, env, timeout=600):
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The kit's wheel, built by pip as `make venv` builds the editable install (a setuptools of
    its own, from the package index), from a copy of what the package is made of, so the clone
    gets no build/ or egg-info folder."""
    tree = tmp_path_factory.mktemp("wheel-source")
    for name in PACKAGE_FILES:
        shutil.copyfile(COURSE_ROOT / name, tree / name)
    shutil.copytree(COURSE_ROOT / "dnngrader", tree / "dnngrader", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", out, tree], tree, dict(os.environ)
    )
    [built] = out.glob("dnngrader-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """(the fresh environment's bin folder, its environment variables)."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    run([sys.executable, "-m", "venv", venv], venv.parent, dict(os.environ))
    python = venv / "bin" / "python"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", wheel], venv.parent, env)
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], venv.parent, env)
    (Path(site.stdout.strip()) / "kit_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin", env


def test_the_wheel_holds_the_package_and_its_kernel_side_not_the_course(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "dnngrader/cli.py" in names and "dnngrader/kernel/runtime.py" in names
    assert "dnngrader/kernel/notebook/dnn_checks.py" in names and "dnngrader/kernel/notebook/hidden_tests.py" in names
    assert not [name for name in names if name.split("/")[0] in ("source", "release", "tests", "samples")]
    assert not [name for name in names if name.endswith(".py") and "/" not in name]  # no loose modules


def test_the_fresh_environment_imports_the_wheels_kit(installed, tmp_path):
    bin_folder, env = installed
    done = run(
        [
            bin_folder / "python",
            "-c",
            "import dnngrader, dnngrader.paths as p; print(dnngrader.__file__); print(p.KIT_CHECKOUT, p.COURSE_ROOT)",
        ],
        tmp_path,
        env,
    )
    where, course = done.stdout.splitlines()
    assert where.startswith(str(bin_folder.parent)) and "site-packages" in where, where
    assert course == f"None {tmp_path.resolve()}"  # an installed kit works on the folder it runs in
    assert (bin_folder / "dnngrader").is_file()
    # The commands that build the kit's own course say that they need a clone, and do nothing.
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    done = subprocess.run(
        [bin_folder / "dnngrader", "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and "needs a clone of the kit" in done.stderr, done.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["nbgrader_config.py"]


def test_a_class_is_graded_from_outside_the_clone_as_stock_nbgrader_grades_it(
    installed, tmp_path, class_submissions, stock_snapshot
):
    """A course folder with only what an instructor writes (nbgrader_config.py, source/) and the
    class's submissions: nbgrader registers the assignment, `dnngrader grade` grades it."""
    bin_folder, env = installed
    course = tmp_path / "course"
    course.mkdir()
    shutil.copyfile(COURSE_ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(
        COURSE_ROOT / "source" / ASSIGNMENT,
        course / "source" / ASSIGNMENT,
        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"),
    )
    shutil.copytree(class_submissions, course / "submitted")
    env = {**env, "HOME": str(tmp_path / "home")}
    run([bin_folder / "python", "-m", "nbgrader", "generate_assignment", ASSIGNMENT], course, env)
    done = run(
        [bin_folder / "dnngrader", "grade", "--assignment", ASSIGNMENT, "--jobs", "2", "--no-feedback"],
        course,
        env,
        timeout=GRADE_TIMEOUT,
    )
    assert str(COURSE_ROOT) not in done.stdout + done.stderr  # nothing of the clone was used
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
        graded = snapshot.snapshot(gradebook)
    assert sorted(graded["students"]) == sorted(STUDENTS)
    assert graded["students"]["ada_full_marks"]["submissions"][ASSIGNMENT]["score"] == 100
    assert snapshot.differences(stock_snapshot, graded) == []
