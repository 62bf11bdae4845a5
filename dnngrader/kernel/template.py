"""The process that grading kernels start from (see forked_kernels.py and sandbox.py).

Run as a script, not as part of the dnngrader package, so that nothing of the kit is imported
into the kernels it makes.  A request is one JSON object:

    {"argv": [...], "cwd": ..., "env": {...},
     "files": {relative path: base64}, "connection_file": path, "connection": text}

``files`` and ``connection`` are there when the kernel runs in the sandbox: the grader hands
over the submission's folder and the kernel's connection file as data, and the kernel gets a
fresh copy of them in the sandbox's own temporary file systems (nothing of the host's course is
mounted).  Two ways to run it:

    python template.py serve FD [sandboxed] [preload=MODULE,MODULE...]
                                         a template: imports ipykernel (the bulk of a kernel's
                                         start-up cost) and the libraries the course's notebooks
                                         import (``preload=``) once, then serves requests on the Unix
                                         socket FD, one JSON line each.  For a kernel request it
                                         forks a child that becomes the kernel and replies
                                         {"pid": ...} with a pidfd of that child attached (pids
                                         differ inside a sandbox's PID namespace; a pidfd does
                                         not).  {"clean": [folders]} kills every other process
                                         of the sandbox and empties those folders, so nothing a
                                         kernel leaves behind reaches the next one.  It exits
                                         when the socket closes.
    python template.py once FD    reads one request from the file descriptor FD and
                                         becomes that kernel (a sandboxed kernel that was not
                                         forked: `nbgrader autograde`).

The template itself never runs notebook code.
"""

import base64
import json
import os
import shutil
import signal
import socket
import sys

LAUNCHER = None  # the path of ipykernel_launcher.py, the kernel's sys.argv[0]
# What a new kernel imports while it starts (IPKernelApp.initialize: the shell's completer,
# inspector, debugger and %store extension; tornado's asyncio loop) and runs its first cell,
# beyond what importing ipykernel brings: about 20 ms of every kernel's CPU when the template
# imports them first.  Library modules only; importing them runs no notebook code.
KERNEL_START_IMPORTS = (
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "pdb",
    "tornado.platform.asyncio",
)


def _write_files(request):
    """Lay out the kernel's working folder and connection file, when the request carries them."""
    cwd = request["cwd"]
    if "files" in request:
        os.makedirs(cwd, exist_ok=True)
        os.makedirs(request["env"].get("HOME", cwd), exist_ok=True)
        for name, data in request["files"].items():
            path = os.path.join(cwd, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(base64.b64decode(data))
    if "connection" in request:
        os.makedirs(os.path.dirname(request["connection_file"]), exist_ok=True)
        with open(request["connection_file"], "w") as handle:
            handle.write(request["connection"])


def become_kernel(request, parent_handle):
    """Set this process up like a freshly launched kernel, run it, exit."""
    global LAUNCHER
    if LAUNCHER is None:
        import importlib.util

        LAUNCHER = importlib.util.find_spec("ipykernel_launcher").origin
    os.setsid()  # its own process group, as jupyter_client's launcher does, so interrupts reach it alone
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # the template's stdout is not the kernel's: its stray output goes to the log
    os.closerange(3, 65536)
    _write_files(request)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # `python -m ipykernel_launcher` starts with the cwd first on sys.path and the launcher removes
    # it; here the first entry is this script's folder, removed likewise.
    del sys.path[0]
    argv = request["argv"]
    extra = [f"--IPKernelApp.parent_handle={parent_handle}"] if parent_handle else []
    sys.argv = [LAUNCHER] + list(argv[3:]) + extra
    import numpy

    numpy.random.seed()  # a fresh process would not share its random state with its siblings
    code = 0
    try:
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(code)


def clean(folders):
    """Kill every process of this sandbox but its init and this template, then empty
    ``folders``: everything in them goes, down into the folders that hold a mount point (the
    course's data and the helper files' bytecode, read-only), of which only the mount points
    stay.  Only inside a sandbox, where /proc shows this sandbox's processes alone."""
    me, killed = os.getpid(), 0
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in (1, me):
            try:
                os.kill(int(name), signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
    mounts = _mount_points()
    for folder in folders:
        if os.path.isdir(folder):
            _empty(folder, mounts)
    return killed


def _empty(folder, mounts):
    for entry in os.scandir(folder):
        if entry.path in mounts:
            continue
        if entry.is_dir(follow_symlinks=False):
            if any(mount.startswith(entry.path + "/") for mount in mounts):
                _empty(entry.path, mounts)
            else:
                shutil.rmtree(entry.path, ignore_errors=True)
        else:
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _mount_points():
    """The mount points of this mount namespace (/proc/self/mounts writes a space as \\040)."""
    with open("/proc/self/mounts") as mounts:
        return {line.split()[1].replace("\\040", " ") for line in mounts}


def preload(libraries=()):
    """What every kernel imports before it answers: ipykernel pulls in IPython, zmq and tornado,
    its debugger debugpy; the notebooks of the course import numpy first thing, and ``libraries``
    (module names; one that is not installed is left out).  Importing a library runs no notebook
    code, and each kernel gets its own copy of the imported modules when it is forked."""
    global LAUNCHER
    import importlib.util
    import ipykernel.debugger  # noqa: F401
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import jupyter_client.localinterfaces  # noqa: F401
    import numpy  # noqa: F401
    import psutil  # noqa: F401

    for module in KERNEL_START_IMPORTS:
        importlib.import_module(module)

    # ipykernel points matplotlib at the inline backend before any notebook code runs, unless
    # MPLBACKEND says otherwise; matplotlib reads the variable when it is imported, so a library
    # imported here must see it too (the kernel's environment is the template's: see
    # forked_kernels.STARTUP_VARIABLES).
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for library in libraries:
        try:
            importlib.import_module(library)
        except ImportError:
            pass
    LAUNCHER = importlib.util.find_spec("ipykernel_launcher").origin


def serve(fd, sandboxed=False, libraries=()):
    preload(libraries)
    channel = socket.socket(fileno=fd)
    # Children are reaped by the system; the worker watches each kernel through a pidfd.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when the template stops
    channel.sendall(b'{"ready": true}\n')
    for line in channel.makefile("rb"):
        request = json.loads(line)
        if "clean" in request:
            # Outside a sandbox, "every other process" would be the machine's: never.
            killed = clean(request["clean"]) if sandboxed else 0
            channel.sendall(json.dumps({"killed": killed}).encode() + b"\n")
            continue
        pid = os.fork()
        if pid == 0:
            try:
                # The kernel's parent is this template, so that is the process it watches:
                # ipykernel exits when its parent goes away.
                become_kernel(request, os.getppid())
            except BaseException:  # the set-up failed (a missing folder...): never go on as a template
                import traceback

                traceback.print_exc()
            finally:
                os._exit(1)
        pidfd = os.pidfd_open(pid)
        socket.send_fds(channel, [json.dumps({"pid": pid}).encode() + b"\n"], [pidfd])
        os.close(pidfd)


def once(fd):
    with os.fdopen(fd, "rb") as handle:
        request = json.loads(handle.read())
    become_kernel(request, None)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        options = sys.argv[3:]
        libraries = [option.split("=", 1)[1] for option in options if option.startswith("preload=")]
        serve(
            int(sys.argv[2]),
            sandboxed="sandboxed" in options,
            libraries=[name for names in libraries for name in names.split(",") if name],
        )
    else:
        once(int(sys.argv[2]))
