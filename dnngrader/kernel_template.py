"""The template process that forked kernels are made from (see forked_kernels.py).

Run as a script, not as part of the dnngrader package, so that nothing of the kit is imported
into the kernels it forks.  It imports ipykernel (the bulk of a kernel's start-up cost) once,
then reads requests, one JSON line each on stdin: {"argv": [...], "cwd": ..., "env": {...}}.
For each it forks a child that becomes a kernel exactly as `python -m ipykernel_launcher` would,
and answers {"pid": ...} on stdout.  The template itself never runs notebook code.  It exits
when stdin closes, i.e. when the grading worker that started it goes away.
"""

import json
import os
import signal
import sys

LAUNCHER = None  # the path of ipykernel_launcher.py, the kernel's sys.argv[0]


def become_kernel(argv, cwd, env):
    """In the forked child: set the process up like a freshly launched kernel, run it, exit."""
    os.setsid()  # its own process group, as jupyter_client's launcher does, so interrupts reach it alone
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # the request pipe is not the kernel's: its stray output goes to the log
    os.closerange(3, 65536)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    # `python -m ipykernel_launcher` starts with the cwd first on sys.path and the launcher removes
    # it; here the first entry is this script's folder, removed likewise.
    del sys.path[0]
    # The kernel's parent is this template, so that is the process it watches: ipykernel exits
    # when its parent goes away.  (Its default was read from the environment at import time.)
    sys.argv = [LAUNCHER] + list(argv[3:]) + [f"--IPKernelApp.parent_handle={os.getppid()}"]
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


def serve():
    global LAUNCHER
    # What every kernel imports before it answers: ipykernel pulls in IPython, zmq and tornado,
    # its debugger debugpy; the notebooks of the course import numpy first thing.
    import importlib.util
    import ipykernel.debugger  # noqa: F401
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import jupyter_client.localinterfaces  # noqa: F401
    import numpy  # noqa: F401
    import psutil  # noqa: F401
    LAUNCHER = importlib.util.find_spec("ipykernel_launcher").origin
    # Children are reaped by the system; the worker watches each kernel through a pidfd.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when the template stops
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    replies.write(b'{"ready": true}\n')
    replies.flush()
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                signal.signal(signal.SIGINT, signal.default_int_handler)
                become_kernel(request["argv"], request["cwd"], request["env"])
            except BaseException:  # the set-up failed (a missing folder...): never go on as a template
                import traceback
                traceback.print_exc()
            finally:
                os._exit(1)
        replies.write(json.dumps({"pid": pid}).encode() + b"\n")
        replies.flush()


if __name__ == "__main__":
    serve()
