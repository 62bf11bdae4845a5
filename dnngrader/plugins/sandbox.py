"""Every grading kernel runs in a bubblewrap sandbox, unless the instructor turns it off
(docs/administrators/threat-model.md).

What a sandboxed kernel sees:
- the machine read-only, minus every folder that holds something of the course: the course
  directory (source/ with the solutions, the gradebook, other students' work), the kit itself
  (its hidden-case plan, cases.py), the instructor's HOME, the exchange, the gradebook's folder,
  Jupyter's runtime folder (other kernels' connection files): each is an empty, read-only folder;
- one writable file system, /tmp, in memory and capped at ``Sandbox.disk_mb`` (default 256):
  the kernel's working folder /tmp/<assignment> holds a fresh copy of the submission's files,
  handed over as data (nothing of the host is mounted writable), and HOME is /tmp/home;
- the course's data/ folder, when it has one, read-only at /tmp/data (../data of the working
  folder, where a notebook looks for its data set), so that no kernel makes a data set of its own;
- of the kit, its kernel side only (dnngrader/kernel/ and the package's __init__.py), read-only
  where the environment finds the package, so the hidden-test hook imports it as anywhere else;
  the rest of the package (the test plans with their hidden cases, the grader) is an empty folder;
- the bytecode of the course's own helper files (a submission's .py files that are byte for
  byte the assignment's source/ copies: dnn_utils.py, test_cases.py...), in read-only
  __pycache__ folders beside them.  Without it every kernel compiled them again (the sandbox
  keeps no __pycache__ from one kernel to the next), about a tenth of a grading kernel's CPU.
  The grader compiles them, hash-checked (PEP 552): a kernel whose file differs compiles its own
  copy in memory, as before, and no kernel can write bytecode another one reads.  The kernel
  side's own bytecode is the package's, compiled by the grader before the first kernel starts;
- no network (a network namespace of its own), no other process (a PID namespace of its own),
  and an environment without the instructor's variables (database passwords and the like).

nbgrader reaches the kernel through Unix sockets (ipc transport) inside the sandbox's /tmp, by
way of /proc/<pid>/root, so nothing on the host is shared with the kernel.  When the kernel
exits, its namespaces go with it: no process survives, no file survives.

nbgrader_config.py calls ``configure``: `nbgrader autograde` and the formgrader's button then
start each kernel with ``SandboxedKernelManager`` (a new bubblewrap sandbox per kernel), and
`make grade`'s forked kernels come from a template process that itself runs in a sandbox
(forked_kernels.py), which kills whatever a kernel left running and empties /tmp before the
next one.  The settings are the ``Sandbox`` Configurable's, read from the finished
configuration (nbgrader_config.py, the command line) when the first kernel starts
(``activate``): ``Sandbox.enabled = False`` turns the sandbox off.  Where bubblewrap cannot run
(not installed, user namespaces disabled, macOS) grading goes on without it, after one warning
per run that says what is exposed and how to get the sandbox.

The kernel is started by a jupyter_client kernel provisioner (its public extension point), but
``SandboxedKernelManager`` chooses it by overriding a private method of jupyter_client's
AsyncKernelManager: only for the versions ``SANDBOXED_KERNELS`` names (dnngrader/patching.py).
With another version, or with DNNGRADER_NO_PATCHES=1, the sandbox cannot run, and grading goes
on without it after the same warning as where bubblewrap is missing.

    dnngrader sandbox     says whether the sandbox runs here, and why not
"""

import argparse
import base64
import compileall
import functools
import json
import multiprocessing.util
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.paths import jupyter_runtime_dir
from traitlets import Bool, Integer
from traitlets.config import LoggingConfigurable

from dnngrader import patching, settings
from dnngrader.paths import COURSE_ROOT

PACKAGE = Path(__file__).resolve().parent.parent
# What a grading kernel sees of the package: its kernel side (the runtime of the hidden tests,
# the modules next to the notebooks, the template that forks kernels), nothing that holds an
# assignment's plan or the grader.  tests/test_architecture.py checks that the kernel side
# imports nothing else of the kit.
KERNEL_SIDE = ("__init__.py", "kernel")
TMP = Path("/tmp")
KERNEL_FOLDER = "/tmp/.kernel"  # connection files and sockets, inside the sandbox
KERNEL_HOME = "/tmp/home"
# The course's data/ (an assignment's data set: Assignment.prepare_data), read-only: a notebook in
# /tmp/<assignment> finds it as ../data.
KERNEL_DATA = "/tmp/data"
# Variables a kernel may see; any other (a gradebook's password in DNN_GRADEBOOK_URL, cloud
# credentials...) stays outside.
KEPT_VARIABLES = (
    "PATH",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TERM",
    "NBGRADER_EXECUTION",
    "DNN_TRAINING_ITERATIONS",
    "MPLBACKEND",
    "VIRTUAL_ENV",
    "PYTHONHASHSEED",
    "PYTHONDONTWRITEBYTECODE",
)
KEPT_PREFIXES = ("LC_", "OPENBLAS_", "OMP_", "MKL_", "NUMEXPR_", "VECLIB_")

_warned = False  # whether this process has already said that grading is not sandboxed
_view = None  # the SandboxView activate() set up in this process, or None when the sandbox is off
_view_key = None  # what _view was made from
_course_root = None  # the course configure() was called for
SANDBOXED_KERNELS = patching.Patch(
    "jupyter_client's AsyncKernelManager._async_pre_start_kernel overridden: "
    "the sandbox's provisioner chosen (refused: kernels NOT sandboxed)",
    "jupyter_client",
)


class Sandbox(LoggingConfigurable):
    """The grading sandbox's settings (see the module docstring and docs/administrators/threat-model.md)."""

    enabled = Bool(
        True,
        help="Run every grading kernel in a bubblewrap sandbox: no network, none of the "
        "course's files (solutions, gradebook, other submissions), nothing it starts or "
        "writes survives it.  False grades WITHOUT the sandbox.  Where bubblewrap cannot "
        "run, grading goes on without it after one warning.",
    ).tag(config=True)
    _enabled_default = settings.trait_default("DNN_SANDBOX")

    disk_mb = Integer(
        256, help="Size of the sandboxed kernel's only writable file system, /tmp, held in memory, in MiB."
    ).tag(config=True)
    _disk_mb_default = settings.trait_default("DNN_SANDBOX_DISK_MB")


def unavailable_reason():
    """Why bubblewrap cannot sandbox a kernel here, or None when it can (it needs the ``bwrap``
    program and user namespaces)."""
    if not shutil.which("bwrap"):
        return "there is no bwrap program (Debian's and Ubuntu's package: bubblewrap)"
    probe = ["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"]
    done = subprocess.run(probe, capture_output=True, text=True)
    if done.returncode != 0:
        return (
            f"bwrap could not make a sandbox ({done.stderr.strip() or done.returncode}); user "
            "namespaces may be disabled (sysctl kernel.unprivileged_userns_clone=1, "
            "user.max_user_namespaces > 0)"
        )
    return None


def available():
    """Whether bubblewrap runs here (it needs user namespaces)."""
    return unavailable_reason() is None


UNSANDBOXED_WARNING = (
    "WARNING: the grading sandbox cannot run here: {reason}. Grading goes on WITHOUT it: student code "
    "runs as you, and can read the course's source/ (the solutions), other students' submissions and "
    "the gradebook, write to them, leave processes running and use the network (docs/administrators/threat-model.md). "
    "To get the sandbox, install bubblewrap and allow user namespaces, or grade in a throwaway "
    "container or VM. Sandbox.enabled = False turns the sandbox off on purpose (and this warning with it)."
)


def _real(path):
    return Path(os.path.realpath(path))


def _kernel_python():
    """The Python a sandboxed kernel runs: ``sys.executable`` reached through the real location
    of its environment.  A course's .venv may be a symbolic link to an environment shared with
    other courses; the sandbox hides the course, and the link with it, while the environment's
    real folder stays visible (``SandboxView.kept``).  The executable is not resolved itself: a
    virtual environment's python is a link to the base installation's, and Python finds its
    environment from the path it was started by."""
    executable, prefix = Path(sys.executable), Path(sys.prefix)
    if not _inside(executable, prefix):
        return str(executable)
    return str(_real(prefix) / executable.relative_to(prefix))


@functools.cache
def _kernel_imports():
    """(the folder the kernel's Python imports dnngrader from, the site folders on its sys.path),
    asked of that Python itself, started from / with no PYTHONPATH.  The package it finds may
    not be the one this process runs (a course folder holding a copy of the kit, run from there),
    and its site folders may include some that a .pth file adds from elsewhere."""
    code = (
        "import importlib.util, json, os, sys\n"
        "spec = importlib.util.find_spec('dnngrader')\n"
        "where = list(spec.submodule_search_locations)[0] if spec and spec.submodule_search_locations else None\n"
        "print(json.dumps([where, [p for p in sys.path if p.endswith(('site-packages', 'dist-packages'))"
        " and os.path.isdir(p)]]))"
    )
    env = {name: value for name, value in os.environ.items() if name not in ("PYTHONPATH", "PYTHONHOME")}
    try:
        done = subprocess.run(
            [_kernel_python(), "-c", code], cwd="/", env=env, capture_output=True, text=True, timeout=120, check=True
        )
        where, sites = json.loads(done.stdout.strip().splitlines()[-1])
    except (OSError, ValueError, IndexError, subprocess.SubprocessError):
        return PACKAGE, ()
    return (_real(where) if where else PACKAGE), tuple(_real(site) for site in sites)


def _kit_folders():
    """Folders to hide because they hold the kit: the source checkouts the package this process
    runs and the one the kernel's Python imports come from, when installed editable (each is a
    course too, with solutions in its source/); none for a package installed into an
    environment, whose folder (site-packages) the kernel's Python needs.  The package's own
    folder is emptied in every case (``SandboxView.bwrap_args``)."""
    parents = {PACKAGE.parent, _kernel_imports()[0].parent}
    return [parent for parent in parents if parent.name not in ("site-packages", "dist-packages")]


def _inside(path, folder):
    return path == folder or folder in path.parents


class SandboxView:
    """What a grading kernel sees of the machine (see the module docstring).

    ``course_root``: the course directory; ``hidden``: other folders to hide (the exchange,
    the gradebook's folder); ``disk_mb``: the size of the kernel's writable /tmp, in MiB."""

    def __init__(self, course_root, hidden=(), disk_mb=256):
        self.course_root = _real(course_root)
        self.disk_mb = disk_mb
        # The data set kernels read at /tmp/data (None: none); hide() and the grading workers
        # may point it elsewhere.
        self.data = self.course_root / "data"
        self._hide(
            [
                self.course_root,
                *_kit_folders(),
                Path.home(),
                _real(jupyter_runtime_dir()),
                _real(tempfile.gettempdir()),
                *(_real(folder) for folder in hidden),
            ]
        )
        # The Python the kernel runs (a virtual environment and the installation it is made
        # from, and the site folders a .pth file adds) stays visible, read-only, even when it
        # lives in a hidden folder.
        self.kernel_package, sites = _kernel_imports()
        self.kept = sorted({_real(sys.prefix), _real(sys.base_prefix), *sites}, key=lambda folder: len(folder.parts))

    def _hide(self, candidates):
        existing = sorted(
            {_real(folder) for folder in candidates if folder and Path(folder).is_dir()},
            key=lambda folder: len(folder.parts),
        )
        # A folder inside another hidden one, or in /tmp (a new, empty one in the sandbox), is
        # hidden with it; "/" is never hidden.
        self.hidden = [
            folder
            for index, folder in enumerate(existing)
            if len(folder.parts) > 1
            and not _inside(folder, TMP)
            and not any(_inside(folder, other) for other in existing[:index])
        ]

    def hide(self, folder):
        """Hide ``folder`` too (a grading worker's scratch course hides the real course it grades for)."""
        self._hide([*self.hidden, _real(folder)])

    def bwrap_args(self):
        """bubblewrap's options for this view, up to the command."""
        args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
        for folder in self.hidden:
            args += ["--tmpfs", str(folder)]
        args += ["--size", str(self.disk_mb * 1024 * 1024), "--tmpfs", "/tmp"]
        for folder in self.kept:
            if any(_inside(folder, hidden) for hidden in [*self.hidden, TMP]):
                args += ["--ro-bind", str(folder), str(folder)]
        if self.data is not None and self.data.is_dir():
            args += ["--ro-bind", str(_real(self.data)), KERNEL_DATA]
        # The package the kernel's Python imports emptied (again, where a kept folder above
        # brought it back), then this process's kernel side put there, read-only: the kernel
        # runs the grader's own runtime, wherever its environment finds the package.
        args += ["--tmpfs", str(self.kernel_package)]
        for name in KERNEL_SIDE:
            args += ["--ro-bind", str(PACKAGE / name), str(self.kernel_package / name)]
        args += ["--remount-ro", str(self.kernel_package)]
        for inside in self._bytecode_folders():
            host = _bytecode_folder() / inside.relative_to("/")
            host.mkdir(parents=True, exist_ok=True)
            args += ["--ro-bind", str(host), str(inside)]
        for folder in self.hidden:
            args += ["--remount-ro", str(folder)]
        return args + ["--unshare-all", "--die-with-parent", "--new-session"]

    def start(self, mode, fd, env, *extra, **popen):
        """Run kernel/template.py in ``mode`` on the descriptor ``fd`` in a new sandbox, with the
        kernel's environment made from ``env``; (the bubblewrap Popen, the host's pid of the
        sandbox's first process, whose files are at /proc/<pid>/root).  Raises RuntimeError when
        bubblewrap could not start."""
        read_info, write_info = os.pipe()  # bubblewrap writes {"child-pid": N} there once it runs
        command = [
            "bwrap",
            *self.bwrap_args(),
            "--info-fd",
            str(write_info),
            _kernel_python(),
            str(self.kernel_package / "kernel" / "template.py"),
            mode,
            str(fd),
            *extra,
        ]
        try:
            process = subprocess.Popen(
                command, pass_fds=(fd, write_info), stdin=subprocess.DEVNULL, env=self.kernel_env(env), **popen
            )
        finally:
            os.close(write_info)
        try:
            data = b""
            while not data.rstrip().endswith(b"}"):
                chunk = os.read(read_info, 4096)
                if not chunk:
                    raise RuntimeError("bubblewrap could not start the grading sandbox (see the grading log)")
                data += chunk
        finally:
            os.close(read_info)
        return process, json.loads(data)["child-pid"]

    def _bytecode_folders(self):
        """The __pycache__ folders a kernel reads bytecode from (module docstring): each
        assignment's working folder's."""
        source = self.course_root / "source"
        assignments = sorted(path.name for path in source.iterdir() if path.is_dir()) if source.is_dir() else []
        return sorted(TMP / name / "__pycache__" for name in assignments)

    @staticmethod
    def kernel_env(env):
        """The kernel's environment: ``env`` without the instructor's variables."""
        kept = {name: value for name, value in env.items() if name in KEPT_VARIABLES or name.startswith(KEPT_PREFIXES)}
        return {
            **kept,
            "HOME": KERNEL_HOME,
            "TMPDIR": "/tmp",
            "IPYTHONDIR": f"{KERNEL_HOME}/.ipython",
            "MPLCONFIGDIR": f"{KERNEL_HOME}/.matplotlib",
        }

    def kernel_request(self, argv, cwd, env, connection_info, kernel_id):
        """(the request kernel/template.py runs the kernel from, the kernel's socket prefix).

        ``argv`` is the kernel's command (python -m ipykernel_launcher -f FILE), ``cwd`` the
        submission's folder on the host, whose files are handed over as data; the kernel runs
        in /tmp/<that folder's name>, with its connection file and sockets in /tmp/.kernel."""
        cwd = Path(cwd)
        inside = f"/tmp/{cwd.name or 'submission'}"
        source = self.course_root / "source" / cwd.name
        files = {}
        for folder, _, names in os.walk(cwd):
            for name in names:
                path = Path(folder) / name
                if path.is_file():
                    relative = str(path.relative_to(cwd))
                    data = path.read_bytes()
                    files[relative] = base64.b64encode(data).decode()
                    if path.suffix == ".py" and cwd.name and _same_bytes(source / relative, data):
                        _compile(_bytecode_folder(), source / relative, f"{inside}/{relative}")
        short = kernel_id.split("-")[0]
        ip = f"{KERNEL_FOLDER}/{short}"
        connection = {
            key: (value.decode() if isinstance(value, bytes) else value) for key, value in connection_info.items()
        }
        connection.update(ip=ip, transport="ipc")
        connection_file = f"{KERNEL_FOLDER}/kernel-{short}.json"
        argv = list(argv)
        argv[argv.index("-f") + 1] = connection_file
        return {
            "argv": argv,
            "cwd": inside,
            "env": SandboxView.kernel_env(env),
            "files": files,
            "connection_file": connection_file,
            "connection": json.dumps(connection),
        }, ip


@functools.cache
def _bytecode_folder():
    """This process's folder of bytecode for its sandboxed kernels (see the module docstring);
    removed when the process exits.  The kit's kernel side is compiled in place first (what an
    import would write; nothing where the package cannot be written, as an installed one that
    pip compiled), since a kernel reads it read-only."""
    compileall.compile_dir(str(PACKAGE / "kernel"), quiet=2)
    folder = Path(tempfile.mkdtemp(prefix="dnngrader-bytecode-"))
    # Not atexit: a local Dask worker is a multiprocessing child, which ends with os._exit after
    # multiprocessing's own finalizers, never running atexit's.  Those finalizers run at a plain
    # process's exit too (multiprocessing.util registers them with atexit).
    multiprocessing.util.Finalize(None, shutil.rmtree, args=(str(folder), True), exitpriority=0)
    return folder


def _compile(folder, source, seen_as):
    """Write the hash-checked bytecode of the file ``source`` into ``folder``, where a sandboxed
    kernel that imports it from the path ``seen_as`` finds it (the __pycache__ beside it, mounted
    from ``folder``); nothing when it is there already.  Only the grader's own files come here,
    never a student's."""
    seen_as = Path(seen_as)
    target = (
        folder / seen_as.parent.relative_to("/") / "__pycache__" / f"{seen_as.stem}.{sys.implementation.cache_tag}.pyc"
    )
    if not target.exists():
        try:
            py_compile.compile(
                str(source),
                cfile=str(target),
                dfile=str(seen_as),
                doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
            )
        except (OSError, py_compile.PyCompileError):
            pass  # the kernel compiles the file itself, as without this folder


def _same_bytes(path, data):
    try:
        return path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def active_view():
    """The SandboxView of this process's grading, or None when grading is not sandboxed."""
    return _view


class SandboxProvisioner(LocalProvisioner):
    """Starts the kernel in a new sandbox (`nbgrader autograde`: one sandbox per kernel)."""

    async def launch_kernel(self, cmd, **kwargs):
        view = _view or SandboxView(_course_root or COURSE_ROOT)
        km = self.parent
        env = kwargs.get("env") or dict(os.environ)
        request, ip = view.kernel_request(
            cmd, kwargs.get("cwd") or os.getcwd(), env, km.get_connection_info(), km.kernel_id or "kernel"
        )
        with tempfile.TemporaryFile() as data:
            data.write(json.dumps(request).encode())
            data.flush()
            data.seek(0)
            self.process, root = view.start("once", data.fileno(), env, start_new_session=True)
        self.pid = self.pgid = self.process.pid
        self.connection_info = {**self.connection_info, "ip": f"/proc/{root}/root{ip}", "transport": "ipc"}
        return self.connection_info


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the grading sandbox (``c.ResilientExecute.kernel_manager_class``),
    or, when the configuration turns it off or it cannot run here, as any other kernel."""

    async def _async_pre_start_kernel(self, **kw):
        if activate(self.config) is None:
            return await super()._async_pre_start_kernel(**kw)
        self.transport = "ipc"
        self.ip = f"{KERNEL_FOLDER}/unset"  # the real prefix is known once the sandbox runs
        if self.provisioner is None:
            self.provisioner = SandboxProvisioner(
                kernel_id=self.kernel_id or "kernel", kernel_spec=self.kernel_spec, provisioner_config={}, parent=self
            )
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        # An interrupt signal would reach bubblewrap, not the kernel: ask the kernel instead.
        self.kernel_spec.interrupt_mode = "message"
        return cmd, kw


def configure(c, course_root=COURSE_ROOT):
    """Sandbox the grading kernels of this process (nbgrader_config.py calls this, with the
    course's folder): ResilientExecute starts them with SandboxedKernelManager, which sandboxes
    them as the finished configuration's ``Sandbox`` settings say (``activate``).  Where
    ``SANDBOXED_KERNELS`` is refused, ResilientExecute keeps nbgrader's kernel manager and the
    first kernel's ``activate`` says that grading is not sandboxed."""
    global _course_root
    _course_root = course_root
    if not SANDBOXED_KERNELS.applies():
        return
    c.ResilientExecute.kernel_manager_class = "dnngrader.plugins.sandbox.SandboxedKernelManager"


def _section(config, name):
    return config[name] if name in config else {}


@functools.cache
def _unavailable_reason():
    return unavailable_reason()  # once per process: it runs bubblewrap


def _refused_reason():
    """Why the kit may not choose the sandbox's kernel provisioner here, or None when it may."""
    if SANDBOXED_KERNELS.applies():
        return None
    if patching.all_refused():
        return f"{patching.NO_PATCHES_VARIABLE} is set, so the kit leaves jupyter_client's kernel managers as they are"
    library, version, tested = SANDBOXED_KERNELS.out_of_range()
    return f"{library} {version} is outside the versions ({tested}) the sandbox's kernel manager was tested with"


def activate(config):
    """The SandboxView of this process's grading kernels, as ``config`` (the finished traitlets
    configuration: nbgrader_config.py and the command line) says, or None when its
    ``Sandbox.enabled`` is False or bubblewrap cannot run here (then one warning to stderr per
    process: grading still works).  Hides, besides the course (configure's), the exchange folder
    and the gradebook's folder that ``config`` names.  The same view as before while those stay
    the same (a grading worker hides more in it)."""
    global _view, _view_key, _warned
    chosen = Sandbox(config=config)
    if not chosen.enabled:
        _view = _view_key = None
        return None
    reason = _refused_reason() or _unavailable_reason()
    if reason:
        if not _warned:  # nbgrader reads its configuration several times in one run
            print(UNSANDBOXED_WARNING.format(reason=reason), file=sys.stderr)
            _warned = True
        _view = _view_key = None
        return None
    hidden = []
    exchange = _section(config, "Exchange").get("root")
    if exchange:
        hidden.append(str(exchange))
    db_url = str(_section(config, "CourseDirectory").get("db_url", ""))
    if db_url.startswith("sqlite:///"):
        hidden.append(os.path.dirname(db_url[len("sqlite:///") :]))
    course_root = _course_root or _section(config, "CourseDirectory").get("root") or os.getcwd()
    key = (str(course_root), tuple(hidden), chosen.disk_mb)
    if _view is None or _view_key != key:
        # Made now, so that it is hidden even when it is outside HOME and nothing has used it yet.
        os.makedirs(jupyter_runtime_dir(), exist_ok=True)
        _view, _view_key = SandboxView(course_root, hidden, disk_mb=chosen.disk_mb), key
    return _view


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="dnngrader sandbox", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.parse_args(argv)
    reason = unavailable_reason()
    if reason:
        print(f"The grading sandbox cannot run here: {reason}.")
        return 1
    view = SandboxView(COURSE_ROOT)
    print("bubblewrap runs here: grading kernels are sandboxed.")
    print("Folders hidden from them (each an empty, read-only folder in the sandbox): the course, the")
    print("kit, HOME and Jupyter's runtime folder, and while grading the exchange's and the gradebook's")
    print("folders too, wherever they are:")
    print("\n".join(f"  {folder}" for folder in view.hidden) if view.hidden else "  none outside /tmp")
    print("The Python environment the kernels run stays visible, read-only, even inside those.")
    print(f"Of the kit, only its kernel side, read-only: {PACKAGE / 'kernel'} (and the package's __init__.py).")
    print(f"/tmp: a new, empty one of their own, the only place they can write ({view.disk_mb} MiB, in memory),")
    print(f"  with the course's data/ read-only at {KERNEL_DATA}.")
    print("No network: the kernels have no network interface but their own loopback.")
    print("The rest of the file system: read-only.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
