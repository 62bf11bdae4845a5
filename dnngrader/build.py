"""Regenerate everything derived from the sources, or check that it is up to date.

    python -m dnngrader.build           copy the shared helpers into source/, write the practice
                                        cases' data (python -m dnngrader.practice), redraw the
                                        notebook's figures (python -m dnngrader.figures) and
                                        regenerate release/
    python -m dnngrader.build --check   exit 1 if any copy of a shared helper, the practice cases'
                                        data or the students' repository template (classroom/) is
                                        out of date

The shared helpers (dnn_utils.py, test_cases.py, dnn_checks.py) are written once, at the course
root; the copies next to the notebooks are made here and never edited by hand.
"""

import argparse
import filecmp
import os
import shutil
import subprocess
import sys

from .paths import ASSIGNMENT, COURSE_ROOT, SHARED_FILES

COPY_FOLDERS = (COURSE_ROOT / "source" / ASSIGNMENT, COURSE_ROOT / "release" / ASSIGNMENT)


def nbgrader_env():
    """The environment to run nbgrader in: this interpreter's bin first on PATH, because nbgrader
    runs `alembic` from PATH when it creates a gradebook."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


def nbgrader(*args, cwd=COURSE_ROOT, check=True, **kwargs):
    command = [sys.executable, "-m", "nbgrader", *args]
    return subprocess.run(command, cwd=cwd, env=nbgrader_env(), check=check, **kwargs)


def stale_copies():
    """Copies of the shared helpers that differ from (or lack) their original."""
    stale = []
    for folder in COPY_FOLDERS:
        for name in SHARED_FILES:
            copy = folder / name
            if not copy.exists() or not filecmp.cmp(COURSE_ROOT / name, copy, shallow=False):
                stale.append(copy.relative_to(COURSE_ROOT))
    return stale


def sync_source():
    for name in SHARED_FILES:
        shutil.copyfile(COURSE_ROOT / name, COURSE_ROOT / "source" / ASSIGNMENT / name)


def generate_release(quiet=False):
    """Refresh source/ (the shared helpers' copies, the practice cases' data, the figures) and let
    nbgrader make release/."""
    from . import figures  # matplotlib is imported only when the figures are drawn
    from . import practice
    sync_source()
    practice.write()
    figures.write_figures()
    output = subprocess.DEVNULL if quiet else None
    nbgrader("generate_assignment", ASSIGNMENT, "--force", stdout=output, stderr=output)
    from . import classroom  # the students' repository template is made from the release
    classroom.write(classroom.TEMPLATE)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check the copies of the shared helpers")
    args = parser.parse_args(argv)
    if args.check:
        from . import classroom, practice
        stale = stale_copies() + [f"classroom/{name}" for name in classroom.differences()]
        if practice.stale():
            stale.append(practice.PRACTICE_PATH.relative_to(COURSE_ROOT))
        for path in stale:
            print(f"out of date: {path} (run `make release`)")
        return 1 if stale else 0
    generate_release()
    print("release/ regenerated from source/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
