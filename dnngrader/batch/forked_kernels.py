"""Fresh IPython kernels in a fraction of the usual start-up time.

A kernel started the usual way is a new Python process that imports ipykernel, IPython, zmq and
tornado before it can answer: most of a second of CPU per submission.  Here each kernel is instead
forked from a template process (dnngrader/kernel/template.py) that did those imports once and never runs
any notebook code.  Every submission still gets its own new kernel process, in its own session,
with its own working directory, environment and connection file; no kernel is ever reused.

``ForkedKernelManager`` is a jupyter_client kernel manager: give it to nbclient (the grader sets
it as the Execute preprocessor's ``kernel_manager_class``) and everything else (connection
files, ports, client channels, interrupts, shutdown, restart) works as with the stock manager.
Kernel commands other than ``python -m ipykernel_launcher`` with this interpreter are launched
the usual way.  When grading is sandboxed (sandbox.py), the template itself runs in the
sandbox: each kernel receives its submission's files as data, nbgrader reaches its sockets
inside the sandbox, and between two kernels the template kills whatever the last one left
running and empties the sandbox's /tmp.  Two waits are also shortened: the client counts the
kernel as ready once IOPub brings the idle status of its kernel_info request (instead of draining
IOPub until 200 ms of quiet), and the end of a kernel is noticed at once (no 100 ms polls).

The forking itself is a jupyter_client kernel provisioner, its public extension point; choosing
it, the quicker handshake and the quicker wait override private methods of jupyter_client's
AsyncKernelManager and AsyncKernelClient, only for the versions ``FORKED_KERNELS`` and
``QUICK_HANDSHAKE`` name (dnngrader/patching.py).  With another version, or with
DNNGRADER_NO_PATCHES=1, these classes behave as jupyter_client's own: kernels are spawned the
usual way, not forked (and not sandboxed).
"""

import asyncio
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from queue import Empty

import zmq
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import default

from dnngrader import patching
from dnngrader.plugins import sandbox

TEMPLATE_SCRIPT = Path(__file__).resolve().parent.parent / "kernel" / "template.py"
# Forking needs fork() and pidfds (Linux 5.3+); elsewhere kernels are started the usual way.
SUPPORTED = sys.platform.startswith("linux") and hasattr(os, "pidfd_open")
FORKED_KERNELS = patching.Patch(
    "jupyter_client's AsyncKernelManager._async_pre_start_kernel and _async_wait "
    "overridden: kernels forked from a template",
    "jupyter_client",
)
QUICK_HANDSHAKE = patching.Patch(
    "jupyter_client's AsyncKernelClient._async_wait_for_ready and _context_default "
    "overridden: a new kernel declared ready sooner",
    "jupyter_client",
)


# Libraries the course's notebooks import, imported once by the template rather than by every
# kernel (about 0.8 s of CPU per kernel for matplotlib, h5py and Pillow); one that is not
# installed is left out.  matplotlib's font list is built then too, once per template.
PRELOADED = ("matplotlib", "matplotlib.pyplot", "matplotlib_inline.backend_inline", "h5py", "PIL.Image")

PRELOAD = "preload=" + ",".join(PRELOADED)

# Environment variables that take effect when a process starts or imports its libraries
# (interpreter settings, BLAS thread pools, matplotlib's backend and folder): a template serves
# only kernels that agree with it.
STARTUP_VARIABLES = ("PYTHON", "OPENBLAS_", "OMP_", "MKL_", "NUMEXPR_", "VECLIB_", "LD_", "MPL")


def _startup_settings(env):
    return tuple(sorted((name, value) for name, value in env.items() if name.startswith(STARTUP_VARIABLES)))


def _host_pid(pidfd):
    """The pid, in this process's PID namespace, of the process a pidfd refers to."""
    with open(f"/proc/self/fdinfo/{pidfd}") as info:
        for line in info:
            if line.startswith("Pid:"):
                return int(line.split()[1])
    raise RuntimeError("this system's pidfds do not say their pid")


class KernelTemplate:
    """A template process, started with the environment of the kernels it will fork; in a
    sandbox of its own when ``view`` (a sandbox.SandboxView) is given.

    Requests and replies are JSON lines on a Unix socket; a reply to a fork carries a pidfd of
    the new kernel, which stays right across PID namespaces."""

    def __init__(self, env, view=None):
        self.view = view
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.channel, self.root = ours, None
        fd = theirs.fileno()
        if view is None:
            command = [sys.executable, str(TEMPLATE_SCRIPT), "serve", str(fd), PRELOAD]
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, env=dict(env), pass_fds=(fd,))
        else:
            # files: /proc/<root>/root
            self.process, self.root = view.start("serve", fd, env, "sandboxed", PRELOAD)
        theirs.close()
        self.lock = threading.Lock()
        self._pending = b""
        self._read_reply()  # {"ready": true} once the imports are done

    def _read_reply(self):
        """The next JSON reply, and the descriptors that came with it."""
        fds = []
        while b"\n" not in self._pending:
            data, received, _, _ = socket.recv_fds(self.channel, 4096, 4)
            if not data:
                raise RuntimeError(f"the kernel template process exited (status {self.process.poll()})")
            self._pending += data
            fds += received
        line, self._pending = self._pending.split(b"\n", 1)
        return json.loads(line), fds

    def _ask(self, request):
        with self.lock:
            self.channel.sendall(json.dumps(request).encode() + b"\n")
            return self._read_reply()

    def fork(self, request):
        """(host pid, pidfd) of a new kernel process made from ``request`` (see kernel/template.py)."""
        _, fds = self._ask(request)
        if not fds:
            raise RuntimeError("the kernel template did not hand over the new kernel")
        return _host_pid(fds[0]), fds[0]

    def clean(self):
        """In a sandbox: kill what the last kernel left running and empty /tmp for the next."""
        if self.view is not None and self.alive():
            self._ask({"clean": ["/tmp"]})

    def alive(self):
        return self.process.poll() is None

    def close(self):
        if self.alive():
            self.channel.close()
            self.process.wait()


_templates = {}  # (startup settings, sandbox view) -> KernelTemplate


def _key(env, view):
    return _startup_settings(env), id(view) if view is not None else None


def template(env, view=None):
    """The template for kernels with environment ``env`` (and sandbox ``view``), started on first use."""
    key = _key(env, view)
    if key not in _templates or not _templates[key].alive():
        _templates[key] = KernelTemplate(env, view)
    return _templates[key]


def fork_kernel(request, view=None):
    """(template, host pid, pidfd) of a new kernel forked from the right template (started
    again if it died)."""
    try:
        chosen = template(request["env"], view)
        return (chosen, *chosen.fork(request))
    except (OSError, RuntimeError):
        _templates.pop(_key(request["env"], view), None)
        chosen = template(request["env"], view)
        return (chosen, *chosen.fork(request))


def close_templates():
    while _templates:
        _templates.popitem()[1].close()


class ForkedKernel:
    """What jupyter_client needs of a Popen, for a kernel that is the template's child.

    It is watched through a pidfd, which stays bound to that process even after its pid is
    reused.  The exit status goes to the template, which reaps it: ``returncode`` is 0 once
    the kernel has exited, whatever the cause.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid, pidfd):
        self.pid = pid
        self.returncode = None
        self._pidfd = pidfd

    def poll(self):
        if self.returncode is None and select.select([self._pidfd], [], [], 0)[0]:
            self._exited()
        return self.returncode

    def wait(self, timeout=None):
        if self.returncode is None:
            if not select.select([self._pidfd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            self._exited()
        return self.returncode

    async def wait_async(self):
        """Wait for the exit without polling: the event loop watches the pidfd."""
        if self.returncode is None:
            loop = asyncio.get_running_loop()
            exited = loop.create_future()
            loop.add_reader(self._pidfd, lambda: exited.done() or exited.set_result(None))
            try:
                await exited
            finally:
                loop.remove_reader(self._pidfd)
            self._exited()
        return self.returncode

    def _exited(self):
        self.returncode = 0
        os.close(self._pidfd)
        self._pidfd = None

    def send_signal(self, signum):
        if self.returncode is None:
            signal.pidfd_send_signal(self._pidfd, signum)

    def terminate(self):
        self.send_signal(signal.SIGTERM)

    def kill(self):
        self.send_signal(signal.SIGKILL)


def _is_this_ipykernel(argv):
    return (
        len(argv) >= 3
        and argv[1:3] == ["-m", "ipykernel_launcher"]
        and os.path.realpath(argv[0]) == os.path.realpath(sys.executable)
    )


class ForkedKernelProvisioner(LocalProvisioner):
    """The local provisioner, with the process forked from the template instead of spawned.
    When grading is sandboxed (sandbox.configure ran in this process), the template runs in the
    sandbox, the kernel gets the submission's files as data, and nbgrader reaches its sockets
    inside the sandbox; after the kernel, the template cleans the sandbox for the next one."""

    template = None

    async def launch_kernel(self, cmd, **kwargs):
        if not _is_this_ipykernel(cmd):
            return await super().launch_kernel(cmd, **kwargs)
        cwd = kwargs.get("cwd") or os.getcwd()
        env = dict(kwargs.get("env") or os.environ)
        view = sandbox.active_view()
        if view is None:
            request = {"argv": list(cmd), "cwd": str(cwd), "env": env}
        else:
            request, ip = view.kernel_request(cmd, cwd, env, self.parent.get_connection_info(), self.kernel_id)
        self.template, pid, pidfd = fork_kernel(request, view)
        self.process = ForkedKernel(pid, pidfd)
        self.pid = self.pgid = pid  # the kernel leads its own session and process group
        self.cwd = cwd
        if view is not None:
            self.connection_info = {
                **self.connection_info,
                "ip": f"/proc/{self.template.root}/root{ip}",
                "transport": "ipc",
            }
        return self.connection_info

    async def wait(self):
        if isinstance(self.process, ForkedKernel):
            await self.process.wait_async()
            self.process = None
            return 0
        return await super().wait()

    async def cleanup(self, restart=False):
        await super().cleanup(restart=restart)
        if self.template is not None:
            self.template.clean()
            self.template = None


def _answers(message, request):
    """Whether the kernel's ``message`` was sent for the request whose id is ``request``."""
    return message.get("parent_header", {}).get("msg_id") == request


class ForkedKernelClient(AsyncKernelClient):
    """The asynchronous kernel client, quicker to declare a new kernel ready.  It keeps the
    kernel_info reply of its handshake as ``ready_reply``.  jupyter_client's own where
    ``QUICK_HANDSHAKE`` is refused."""

    ready_reply = None

    def _context_default(self):
        if not QUICK_HANDSHAKE.applies():
            return super()._context_default()
        # The client's sockets connect before the new kernel has bound its ports, and retry
        # every 100 ms by default: a forked kernel is there within milliseconds.
        context = super()._context_default()
        context.setsockopt(zmq.RECONNECT_IVL, 5)
        return context

    async def _async_wait_for_ready(self, timeout=None):
        # jupyter_client's handshake: ask for kernel_info until the kernel answers on the shell
        # channel and IOPub is seen to be connected; then drain IOPub until 200 ms pass without
        # a message.  Here IOPub counts as connected once it brings the kernel's "idle" status
        # after this very request, the last message the kernel sends for it: nothing is left
        # to drain, and no time is spent waiting for a quiet that proves nothing more.
        if not QUICK_HANDSHAKE.applies():
            return await super()._async_wait_for_ready(timeout)
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            request = self.kernel_info()
            reply = await self._first(self.shell_channel, lambda message: _answers(message, request), 1.0)
            if reply is not None and await self._first(
                self.iopub_channel,
                lambda message: (
                    _answers(message, request)
                    and message["msg_type"] == "status"
                    and message["content"].get("execution_state") == "idle"
                ),
                0.2,
            ):
                self._handle_kernel_info_reply(reply)
                self.ready_reply = reply
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    @staticmethod
    async def _first(channel, wanted, seconds):
        """The first message from ``channel`` for which ``wanted(message)`` holds, or None when
        none comes within ``seconds``."""
        until = time.monotonic() + seconds
        while True:
            try:
                message = await channel.get_msg(timeout=max(0.0, until - time.monotonic()))
            except Empty:
                return None
            if wanted(message):
                return message

    wait_for_ready = _async_wait_for_ready  # AsyncKernelClient binds the name to the base version


class ForkedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernels are forked from the template process (jupyter_client's
    own where ``FORKED_KERNELS`` is refused)."""

    async def _async_pre_start_kernel(self, **kw):
        if not FORKED_KERNELS.applies():
            return await super()._async_pre_start_kernel(**kw)
        self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
        if sandbox.active_view() is not None:
            # Sockets in the sandbox's /tmp; the real prefix is known once the template runs.
            self.transport, self.ip = "ipc", f"{sandbox.KERNEL_FOLDER}/unset"
        if self.provisioner is None:
            self.provisioner = ForkedKernelProvisioner(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, provisioner_config={}, parent=self
            )
        return await super()._async_pre_start_kernel(**kw)

    async def _async_wait(self, pollinterval=0.1):
        process = getattr(self.provisioner, "process", None)
        if isinstance(process, ForkedKernel):
            await process.wait_async()
        else:
            await super()._async_wait(pollinterval)

    @default("client_factory")
    def _client_factory_default(self):
        return ForkedKernelClient
