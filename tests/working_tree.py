"""A git clone of the kit that holds the working tree as it is now, for tests that need the
repository itself (the Makefile, .gitignore), with uncommitted changes included."""

import shutil
import subprocess

from dnngrader.tools import build
from dnngrader.paths import COURSE_ROOT


def run(command, cwd, env=None, timeout=600):
    """Run ``command`` (a list) in ``cwd``, output captured; returns the CompletedProcess."""
    return subprocess.run(
        command, cwd=cwd, env=env or build.nbgrader_env(), capture_output=True, text=True, timeout=timeout
    )


def git(*args, cwd):
    """Run git in ``cwd`` with a throwaway identity; returns its output.  Fails the test on an error."""
    done = run(["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", *args], cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout


def working_tree_clone(dest):
    """A git clone of the repository at ``dest`` holding the working tree as it is now (every
    tracked and untracked, not ignored file), committed there, so the tests see the kit as it
    stands rather than as last committed."""
    git("clone", "--quiet", str(COURSE_ROOT), str(dest), cwd=dest.parent)
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=COURSE_ROOT)
    for name in filter(None, listed.split("\0")):
        source, target = COURSE_ROOT / name, dest / name
        if source.is_file() or source.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists() or target.is_symlink():
                target.unlink()
            shutil.copy2(source, target, follow_symlinks=False)
        elif target.is_file():  # deleted in the working tree
            target.unlink()
    git("add", "--all", cwd=dest)
    git("commit", "--quiet", "--allow-empty", "-m", "the working tree", cwd=dest)
    return dest
