"""Fresh IPython kernels in a fraction of the usual start-up time.

A kernel started the usual way is a new Python process that imports ipykernel, IPython, zmq and
tornado before it can answer: most of a second of CPU per submission.  Here each kernel is instead
forked from a template process (kernel_template.py) that did those imports once and never runs
any notebook code.  Every submission still gets its own new kernel process, in its own session,
with its own working directory, environment and connection file; no kernel is ever reused.

``ForkedKernelManager`` is a jupyter_client kernel manager: give it to nbclient (the grader sets
it as the Execute preprocessor's ``kernel_manager_class``) and everything else (connection
files, ports, client channels, interrupts, shutdown, restart) works as with the stock manager.
Kernel commands other than ``python -m ipykernel_launcher`` with this interpreter are launched
the usual way.  Two waits are also shortened: the client stops draining the start-up messages
after 20 ms of quiet (not 200 ms), and the end of a kernel is noticed at once (no 100 ms polls).
"""

import asyncio
import json
import os
import select
import signal
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

TEMPLATE_SCRIPT = Path(__file__).with_name("kernel_template.py")
# Forking needs fork() and pidfds (Linux 5.3+); elsewhere kernels are started the usual way.
SUPPORTED = sys.platform.startswith("linux") and hasattr(os, "pidfd_open")


# Environment variables that take effect when a process starts or imports its libraries
# (interpreter settings, BLAS thread pools): a template serves only kernels that agree with it.
STARTUP_VARIABLES = ("PYTHON", "OPENBLAS_", "OMP_", "MKL_", "NUMEXPR_", "VECLIB_", "LD_")


def _startup_settings(env):
    return tuple(sorted((name, value) for name, value in env.items() if name.startswith(STARTUP_VARIABLES)))


class KernelTemplate:
    """A template process, started with the environment of the kernels it will fork."""

    def __init__(self, env):
        self.process = subprocess.Popen([sys.executable, str(TEMPLATE_SCRIPT)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=dict(env), close_fds=True)
        self.lock = threading.Lock()
        self._read_reply()  # {"ready": true} once the imports are done

    def _read_reply(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the kernel template process exited (status {self.process.poll()})")
        return json.loads(line)

    def fork(self, argv, cwd, env):
        """The pid of a new kernel process running ``argv`` in ``cwd`` with ``env``."""
        request = json.dumps({"argv": list(argv), "cwd": str(cwd), "env": dict(env)}).encode() + b"\n"
        with self.lock:
            self.process.stdin.write(request)
            self.process.stdin.flush()
            return self._read_reply()["pid"]

    def alive(self):
        return self.process.poll() is None

    def close(self):
        if self.alive():
            self.process.stdin.close()
            self.process.wait()


_templates = {}  # startup settings -> KernelTemplate


def template(env):
    """The template for kernels with environment ``env``, started on first use."""
    key = _startup_settings(env)
    if key not in _templates or not _templates[key].alive():
        _templates[key] = KernelTemplate(env)
    return _templates[key]


def fork_kernel(argv, cwd, env):
    """The pid of a new kernel forked from the right template (started again if it died)."""
    try:
        return template(env).fork(argv, cwd, env)
    except (OSError, RuntimeError):
        _templates.pop(_startup_settings(env), None)
        return template(env).fork(argv, cwd, env)


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

    def __init__(self, pid):
        self.pid = pid
        self.returncode = None
        try:
            self._pidfd = os.pidfd_open(pid)
        except ProcessLookupError:  # it is already gone
            self._pidfd, self.returncode = None, 0

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
    return (len(argv) >= 3 and argv[1:3] == ["-m", "ipykernel_launcher"]
            and os.path.realpath(argv[0]) == os.path.realpath(sys.executable))


class ForkedKernelProvisioner(LocalProvisioner):
    """The local provisioner, with the process forked from the template instead of spawned."""

    async def launch_kernel(self, cmd, **kwargs):
        if not _is_this_ipykernel(cmd):
            return await super().launch_kernel(cmd, **kwargs)
        cwd = kwargs.get("cwd") or os.getcwd()
        pid = fork_kernel(cmd, cwd, kwargs.get("env") or os.environ)
        self.process = ForkedKernel(pid)
        self.pid = self.pgid = pid  # the kernel leads its own session and process group
        self.cwd = cwd
        return self.connection_info

    async def wait(self):
        if isinstance(self.process, ForkedKernel):
            await self.process.wait_async()
            self.process = None
            return 0
        return await super().wait()


class ForkedKernelClient(AsyncKernelClient):
    """The asynchronous kernel client, quicker to declare a new kernel ready."""

    SETTLED = 0.02  # seconds of IOPub quiet after which the start-up messages are all in

    def _context_default(self):
        # The client's sockets connect before the new kernel has bound its ports, and retry
        # every 100 ms by default: a forked kernel is there within milliseconds.
        context = super()._context_default()
        context.setsockopt(zmq.RECONNECT_IVL, 5)
        return context

    async def _async_wait_for_ready(self, timeout=None):
        # jupyter_client's handshake: ask for kernel_info until the kernel answers on the shell
        # channel and IOPub is seen to be connected; then drain IOPub until it is quiet.  Its
        # drain waits for 200 ms of quiet; nbclient ignores IOPub messages that answer no request
        # of its own, so a short quiet is enough.
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=self.SETTLED)
            except Empty:
                break

    wait_for_ready = _async_wait_for_ready  # AsyncKernelClient binds the name to the base version


class ForkedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernels are forked from the template process."""

    async def _async_pre_start_kernel(self, **kw):
        self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
        if self.provisioner is None:
            self.provisioner = ForkedKernelProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                       provisioner_config={}, parent=self)
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
