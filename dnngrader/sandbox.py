"""A grading kernel in a bubblewrap sandbox: no network, and no course directory but what grading
needs (README: Threat model).

    python -m dnngrader.sandbox [--course DIR] [--kernels DIR]

installs the kernelspec ``dnn-sandbox`` (by default into this Python environment's kernels);
``DNN_SANDBOX=1`` then makes nbgrader_config.py grade with it.  Under autograde the kit's kernel
needs only the Python environment, the ``dnngrader`` package and the submission's own folder
(the hidden tests' inputs and callees are handed over by the grader, see delivery.py), so the
sandbox shows it nothing else of the course: not ``source/`` with the solutions, not the
gradebook, not other students' work, not other kernels' connection files (in /tmp and Jupyter's
runtime folder).  The rest of the machine is visible read-only.  With the
network namespace unshared, nbgrader reaches the kernel through Unix sockets (ipc transport) in
``SOCKET_FOLDER``.  Needs Debian's ``bubblewrap`` and user namespaces.
"""

import argparse
import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from jupyter_core.paths import jupyter_runtime_dir

from .paths import COURSE_ROOT

KERNEL_NAME = "dnn-sandbox"
SOCKET_FOLDER = Path("/tmp/dnn-kernel-sockets")  # short: a Unix socket path has ~100 characters
SOCKET_PREFIX = str(SOCKET_FOLDER / "kernel")


def available():
    """Whether bubblewrap runs here (it needs user namespaces)."""
    if not shutil.which("bwrap"):
        return False
    probe = ["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"]
    return subprocess.run(probe, capture_output=True).returncode == 0


def bwrap_command(course_root, python=sys.executable):
    """The kernel's command line; ``$PWD`` (the submission's folder) and ``$0`` (the connection
    file) are filled in by the shell when the kernel starts."""
    course_root = Path(course_root).resolve()
    package = Path(__file__).resolve().parent
    hidden = [course_root] + ([package.parent] if package.parent != course_root else [])
    environment = Path(sys.prefix).resolve()
    args = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            # Other kernels' connection files (their keys) live in these: out of sight.
            "--tmpfs", "/tmp", "--tmpfs", jupyter_runtime_dir()]
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
    return (f'exec {quoted} --bind "$PWD" "$PWD" --chdir "$PWD" --ro-bind "$0" "$0" '
            f'{shlex.quote(python)} -m ipykernel_launcher -f "$0"')


def install(course_root=COURSE_ROOT, kernels=None):
    """Write the kernelspec; returns its folder."""
    folder = Path(kernels or Path(sys.prefix) / "share" / "jupyter" / "kernels") / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    spec = {"argv": ["sh", "-c", bwrap_command(course_root), "{connection_file}"],
            "display_name": "Python 3 (grading sandbox)", "language": "python",
            # A SIGINT to the process group would stop bubblewrap, and the kernel with it: the
            # kernel is asked to interrupt itself instead.
            "interrupt_mode": "message"}
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n")
    return folder


def configure(c):
    """nbgrader settings that grade in the sandbox kernel (nbgrader_config.py calls this)."""
    SOCKET_FOLDER.mkdir(mode=0o700, exist_ok=True)
    c.Execute.kernel_name = KERNEL_NAME
    c.KernelManager.transport = "ipc"
    c.KernelManager.ip = SOCKET_PREFIX


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--course", default=str(COURSE_ROOT), help="the course directory")
    parser.add_argument("--kernels", help="where to install the kernelspec")
    args = parser.parse_args(argv)
    if not available():
        print("bubblewrap does not run here: install Debian's bubblewrap; it needs user namespaces.")
        return 1
    print(f"installed {install(args.course, args.kernels)}; grade with DNN_SANDBOX=1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
