"""A grading kernel in a bubblewrap sandbox: no network, and no course directory but what grading
needs (README: Threat model).

``DNN_SANDBOX=1`` makes nbgrader_config.py call ``configure``, which writes the kernelspec
``dnn-sandbox`` for the course being graded (into a private folder of this user under the
temporary directory, put first on ``JUPYTER_PATH``) and makes nbgrader grade with it.  The spec
is written anew by every nbgrader command, so it always holds the paths of the course and the
Jupyter runtime folder of this run: a moved or copied course, another HOME or another user
needs no installation step.

    python -m dnngrader.sandbox [--course DIR] [--kernels DIR]

checks that bubblewrap runs here and installs the same kernelspec for a course into a
kernels folder of your choice (by default this Python environment's), for use outside nbgrader.  Under autograde the kit's kernel
needs only the Python environment, the ``dnngrader`` package and the submission's own folder
(the hidden tests' inputs and callees are handed over by the grader, see delivery.py), so the
sandbox shows it nothing else of the course: not ``source/`` with the solutions, not the
gradebook, not other students' work, not other kernels' connection files (in /tmp and Jupyter's
runtime folder).  The rest of the machine is visible read-only.  With the
network namespace unshared, nbgrader reaches the kernel through Unix sockets (ipc transport) in
``SOCKET_FOLDER``.  Needs Debian's ``bubblewrap`` and user namespaces.
"""

import argparse
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_core.paths import jupyter_runtime_dir

from .paths import COURSE_ROOT

KERNEL_NAME = "dnn-sandbox"
# This user's private folder for the sandbox's kernelspecs and sockets.  Short, because a Unix
# socket's path has at most ~100 characters; per user, so that two users grading on one machine
# do not share (or block each other's) sockets.
PRIVATE_FOLDER = Path(tempfile.gettempdir()) / f"dnn-sandbox-{os.getuid()}"
SOCKET_FOLDER = PRIVATE_FOLDER / "sockets"
SOCKET_PREFIX = str(SOCKET_FOLDER / "kernel")


def _private_folder(path):
    """Create ``path`` (and PRIVATE_FOLDER) readable by this user only; refuse a folder that
    another user made first, since it would hold this user's kernel sockets.

    Raises RuntimeError when the folder belongs to someone else."""
    for folder in (PRIVATE_FOLDER, path):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder.stat().st_uid != os.getuid():
            raise RuntimeError(f"{folder} belongs to another user: remove it, or set TMPDIR to a folder of yours")
        os.chmod(folder, 0o700)
    return path


def unavailable_reason():
    """Why bubblewrap cannot sandbox a kernel here, or None when it can (it needs the ``bwrap``
    program and user namespaces)."""
    if not shutil.which("bwrap"):
        return "there is no bwrap program (Debian's and Ubuntu's package: bubblewrap)"
    probe = ["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"]
    done = subprocess.run(probe, capture_output=True, text=True)
    if done.returncode != 0:
        return (f"bwrap could not make a sandbox ({done.stderr.strip() or done.returncode}); user "
                "namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1, "
                "user.max_user_namespaces > 0)")
    return None


def available():
    """Whether bubblewrap runs here (it needs user namespaces)."""
    return unavailable_reason() is None


UNSANDBOXED_WARNING = (
    "DNN_SANDBOX=1, but the grading sandbox cannot run here: {reason}. Grading goes on WITHOUT it: "
    "student code runs as you, and can read the course's source/ (the solutions), other students' "
    "submissions and the gradebook, write to them, and use the network (README: Threat model). "
    "To get the sandbox, install bubblewrap and allow user namespaces, or grade in a throwaway "
    "container or VM.")


def bwrap_command(course_root, python=sys.executable, runtime_dir=None):
    """The kernel's command line, for ``sh -c``; ``$PWD`` (the submission's folder) and ``$0``
    (the connection file) are filled in by the shell when the kernel starts.

    ``runtime_dir`` is Jupyter's runtime folder (default: this process's), hidden from the
    kernel.  bubblewrap can only mount over a folder that exists, and cannot create one on the
    read-only view of the machine, so the command creates it first (a fresh HOME has none)."""
    course_root = Path(course_root).resolve()
    package = Path(__file__).resolve().parent
    hidden = [course_root] + ([package.parent] if package.parent != course_root else [])
    environment = Path(sys.prefix).resolve()
    runtime_dir = str(runtime_dir or jupyter_runtime_dir())
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            # Other kernels' connection files (their keys) live in these: out of sight.
            "--tmpfs", "/tmp", "--tmpfs", runtime_dir]
    for folder in hidden:
        args += ["--tmpfs", str(folder)]
    if any(folder in environment.parents for folder in hidden):
        args += ["--ro-bind", str(environment), str(environment)]
    args += ["--ro-bind", str(package), str(course_root / "dnngrader"),
             "--bind", str(SOCKET_FOLDER), str(SOCKET_FOLDER),
             "--unshare-all", "--die-with-parent",
             # ipykernel would take the new PID namespace for a dead parent; --die-with-parent
             # does its job
             "--unsetenv", "JPY_PARENT_PID"]
    quoted = " ".join(shlex.quote(arg) for arg in args)
    return (f'mkdir -p {shlex.quote(runtime_dir)} && '
            f'exec {quoted} --bind "$PWD" "$PWD" --chdir "$PWD" --ro-bind "$0" "$0" '
            f'{shlex.quote(python)} -m ipykernel_launcher -f "$0"')


def install(course_root=COURSE_ROOT, kernels=None):
    """Write the kernelspec for ``course_root`` into the folder ``kernels`` (default: this Python
    environment's kernels); returns the spec's folder."""
    folder = Path(kernels or Path(sys.prefix) / "share" / "jupyter" / "kernels") / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {"argv": ["sh", "-c", bwrap_command(course_root), "{connection_file}"],
            "display_name": "Python 3 (grading sandbox)", "language": "python",
            # A SIGINT to the process group would stop bubblewrap, and the kernel with it: the
            # kernel is asked to interrupt itself instead.
            "interrupt_mode": "message"}
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n")
    return folder


_warned = False  # whether this process has said that the sandbox cannot run


def kernels_folder(course_root):
    """This user's folder of kernelspecs for ``course_root`` (one per course path)."""
    digest = hashlib.sha256(str(Path(course_root).resolve()).encode()).hexdigest()[:16]
    return PRIVATE_FOLDER / "kernels" / digest


def configure(c, course_root=COURSE_ROOT):
    """nbgrader settings that grade in the sandbox kernel (nbgrader_config.py calls this).

    Writes the kernelspec for ``course_root`` and puts its folder first on ``JUPYTER_PATH``
    (read by jupyter_client when nbgrader starts a kernel), so no installation step is needed.
    Where the operating system cannot provide the sandbox (no bubblewrap, user namespaces
    disabled, macOS), it changes nothing and writes one warning to stderr that says what is
    exposed and how to get the sandbox: grading still works.  Returns whether the sandbox is on.
    Raises RuntimeError when this user's private folder belongs to someone else."""
    global _warned
    reason = unavailable_reason()
    if reason:
        if not _warned:  # nbgrader reads its configuration several times in one run
            print(UNSANDBOXED_WARNING.format(reason=reason), file=sys.stderr)
            _warned = True
        return False
    _private_folder(SOCKET_FOLDER)
    jupyter_folder = _private_folder(kernels_folder(course_root))
    install(course_root, jupyter_folder / "kernels")
    os.makedirs(jupyter_runtime_dir(), exist_ok=True)
    paths = [str(jupyter_folder)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    c.Execute.kernel_name = KERNEL_NAME
    c.KernelManager.transport = "ipc"
    c.KernelManager.ip = SOCKET_PREFIX
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", default=str(COURSE_ROOT), help="the course directory")
    parser.add_argument("--kernels", help="where to install the kernelspec")
    args = parser.parse_args(argv)
    reason = unavailable_reason()
    if reason:
        print(f"The grading sandbox cannot run here: {reason}.")
        return 1
    print(f"bubblewrap runs here. Installed {install(args.course, args.kernels)}.\n"
          "nbgrader needs no installed spec: DNN_SANDBOX=1 writes one for the course it grades.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
