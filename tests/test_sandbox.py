"""Grading in the default sandbox (docs/administrators/threat-model.md, dnngrader/plugins/sandbox.py).

Hostile submissions are graded through the sandbox that every grading run uses unless it is
turned off, both by stock `nbgrader autograde` (a new sandbox per kernel) and by the kit's
grader (kernels forked from a sandboxed template): a submission that reads the source notebook,
one that writes the gradebook, one that starts a background process, one that fills the disk,
and one that tries the network.  Each earns only what its honest code earns, and the other
students' grades are untouched.  The same holds from a course path with spaces, in a moved copy
of the course, and for a user who is not root.
"""

import os
import shutil
import tempfile
import socket
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from dnngrader.assignments import reference
from dnngrader.tools import samples
from dnngrader.plugins import sandbox
from dnngrader.tools.course import ScratchCourse
from dnngrader.paths import ASSIGNMENT, SOURCE_NOTEBOOK
from shared_setup import copy_of_blank_course

pytestmark = pytest.mark.skipif(
    not sandbox.available(), reason="bubblewrap cannot run here; `make test` installs Debian's bubblewrap"
)

LIMITS = {
    "DNN_SECONDS_PER_CALL": "2",
    "DNN_SECONDS_PER_TEST": "6",
    "DNN_CELL_TIMEOUT": "20",
    "DNN_SANDBOX_DISK_MB": "64",
}
MARKER_SECONDS = "31415"  # the background process's `sleep`, looked for on the host afterwards
COMPUTE_COST_POINTS = 10


def solution(name):
    return reference.solution_sources()[name]


def reads_the_source(course_root):
    """compute_cost that takes the instructor's solution from source/, by nbgrader's public
    layout (relative to the submission) and by the course's absolute path."""
    return f"""
def compute_cost(AL, Y):
    import json, os
    for path in ("../../../source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
                 {str(Path(course_root) / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")!r},
                 {str(SOURCE_NOTEBOOK)!r}):
        if os.path.exists(path):
            namespace = {{"np": np}}
            for cell in json.load(open(path))["cells"]:
                if cell["metadata"].get("nbgrader", {{}}).get("grade_id") == "compute_cost":
                    exec("".join(cell["source"]), namespace)
            return namespace["compute_cost"](AL, Y)
    return 0.0
"""


def writes_the_gradebook(course_root):
    """A cell that gives every submission of the gradebook full marks, but its own answers blank."""
    return f"""
import glob, sqlite3
print("looking for gradebooks")
for path in glob.glob({str(Path(course_root) / "*.db")!r}) + glob.glob("../../../*.db"):
    try:
        db = sqlite3.connect(path)
        db.execute("UPDATE grade SET auto_score = 0")
        db.commit()
        print("wrote", path)
    except Exception as error:
        print("could not write", path, error)
"""


KIT_CASES = Path(__file__).resolve().parent.parent / "dnngrader" / "assignments" / "dnn_step_by_step" / "cases.py"
LOOKS_FOR_THE_CASES = f"""
import importlib, os
try:
    importlib.import_module("dnngrader.assignments.dnn_step_by_step.cases")
    print("cases: importable")
except ImportError:
    print("cases: not importable")
print("kit's cases.py on disk:", os.path.exists({str(KIT_CASES)!r}))
"""

BACKGROUND = f'''
import subprocess
subprocess.Popen(["sleep", "{MARKER_SECONDS}"], start_new_session=True)
import os
if os.fork() == 0:
    os.setsid()
    os.execvp("sleep", ["sleep", "{MARKER_SECONDS}"])
'''

FILLS_THE_DISK = """
import os, tempfile
written = 0
for folder in (".", tempfile.gettempdir(), os.path.expanduser("~")):
    try:
        with open(os.path.join(folder, "filler.bin"), "wb") as handle:
            for _ in range(4096):  # up to 4 GiB per folder
                handle.write(b"x" * (1 << 20))
                written += 1
    except OSError as error:
        print(folder, "full:", error.errno)
print("MiB written:", written)
"""


def asks_the_network(port):
    """compute_cost that fetches the solution from a server on the grading machine's loopback."""
    return f"""
def compute_cost(AL, Y):
    import socket
    try:
        with socket.create_connection(("127.0.0.1", {port}), timeout=2) as connection:
            code = connection.makefile().read()
    except OSError:
        return 0.0
    namespace = {{"np": np}}
    exec(code, namespace)
    return namespace["compute_cost"](AL, Y)
"""


class SolutionServer:
    """A TCP server on loopback that hands out the solution of compute_cost to anyone."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            with connection:
                connection.sendall(solution("compute_cost").encode())

    def close(self):
        self.listener.close()


def write_submission(course, student, nb):
    folder = course.submitted / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("dnn_utils.py", "test_cases.py", "dnn_checks.py"):
        shutil.copyfile(course.root / "release" / ASSIGNMENT / name, folder / name)
    nbformat.write(nb, str(folder / f"{ASSIGNMENT}.ipynb"))


def before_the_last_test(nb, code):
    """Add a cell of ``code`` right before the notebook's last test cell: the grader runs no cell
    after the last graded one, and the hidden tests of every other test cell have run by then."""
    last = max(index for index, cell in enumerate(nb.cells) if cell.metadata.get("nbgrader", {}).get("grade"))
    nb.cells.insert(last, new_code_cell(code))
    return nb


def added_cell_said(course, student):
    """What the cell ``before_the_last_test`` added printed in the autograded notebook."""
    cells = nbformat.read(str(course.autograded_notebook(student)), as_version=4).cells
    last = max(index for index, cell in enumerate(cells) if cell.metadata.get("nbgrader", {}).get("grade"))
    return "".join(output.get("text", "") for output in cells[last - 1].outputs)


def hostile_class(course, server):
    """student -> notebook, and student -> the total an honest grader gives."""

    def with_cell(code):
        return before_the_last_test(samples.fill_answers({}), code)

    blank = {
        name: "def {0}(*args):\n    raise NotImplementedError()\n".format(name) for name in reference.solution_sources()
    }
    gradebook_writer = samples.fill_answers(blank)
    before_the_last_test(gradebook_writer, writes_the_gradebook(course.root))
    reads_source = samples.fill_answers({"compute_cost": reads_the_source(course.root)})
    before_the_last_test(reads_source, LOOKS_FOR_THE_CASES)  # after the other hidden tests have run
    notebooks = {
        "aa_honest": samples.fill_answers({}),
        "reads_source": reads_source,
        "writes_gradebook": gradebook_writer,
        "background_process": with_cell(BACKGROUND),
        "fills_disk": with_cell(FILLS_THE_DISK),
        "asks_network": samples.fill_answers({"compute_cost": asks_the_network(server.port)}),
        "zz_honest": samples.fill_answers({}),
    }
    honest = {
        "aa_honest": 100,
        "reads_source": 100 - COMPUTE_COST_POINTS,
        "writes_gradebook": 0,
        "background_process": 100,
        "fills_disk": 100,
        "asks_network": 100 - COMPUTE_COST_POINTS,
        "zz_honest": 100,
    }
    for student, nb in notebooks.items():
        write_submission(course, student, nb)
    return honest


def background_processes():
    done = subprocess.run(["pgrep", "-f", f"^sleep {MARKER_SECONDS}$"], capture_output=True, text=True)
    return done.stdout.split()


def largest_files(folder, over=8 << 20):
    return [
        str(path)
        for path in Path(folder).rglob("*")
        if path.is_file() and not path.is_symlink() and path.stat().st_size > over
    ]


@pytest.fixture(scope="module")
def limits():
    with pytest.MonkeyPatch.context() as patch:
        for name, value in LIMITS.items():
            patch.setenv(name, value)
        patch.delenv("DNN_SANDBOX", raising=False)  # the default
        yield


def run_grader(course, how):
    if how == "nbgrader autograde":
        return course.autograde()
    return course.grade("--jobs", "2", "--no-feedback", timeout=900)


@pytest.fixture(scope="module", params=["nbgrader autograde", "make grade"])
def graded(request, tmp_path_factory, limits):
    """A course at a path with a space in it, the hostile class graded by one of the two graders."""
    server = SolutionServer()
    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("sandbox") / "a course path")
    honest = hostile_class(course, server)
    done = run_grader(course, request.param)
    yield course, honest, done, server, request.param
    server.close()
    for pid in background_processes():  # never leave one behind, whatever the test found
        subprocess.run(["kill", "-9", pid])


def test_every_hostile_submission_earns_only_what_its_honest_code_earns(graded):
    course, honest, done, _, how = graded
    assert "WITHOUT" not in done.stderr, done.stderr[-2000:]  # the sandbox was on
    grades = course.grades()
    assert {student: grades[student]["total"] for student in honest} == honest, (how, done.stderr[-3000:])


def test_the_source_notebook_and_the_gradebook_are_out_of_reach(graded):
    course, _, _, _, _ = graded
    said = added_cell_said(course, "writes_gradebook")
    assert "looking for gradebooks" in said and "wrote" not in said.replace("could not write", ""), said
    # The other students' grades are those of their own answers (the previous test), and the
    # gradebook was not changed under them.
    assert course.grades()["zz_honest"]["total"] == 100


def test_the_hidden_cases_plan_is_out_of_reach(graded):
    """The kernel gets each case's inputs from the grader, never the plan they are made from."""
    course, _, _, _, _ = graded
    said = added_cell_said(course, "reads_source")
    assert "cases: not importable" in said and "cases.py on disk: False" in said, said


def test_no_process_survives_its_submission(graded):
    assert background_processes() == []


def test_a_full_disk_is_the_sandboxes_own_and_goes_with_it(graded):
    course, _, _, _, _ = graded
    said = added_cell_said(course, "fills_disk")
    written = int(said.split("MiB written:")[1].split()[0])
    assert written <= 3 * int(LIMITS["DNN_SANDBOX_DISK_MB"]), said  # capped, however many folders it tried
    assert "full: 28" in said or "full: 30" in said, said  # ENOSPC, or EROFS for a read-only folder
    assert largest_files(course.root) == []  # nothing of it reached the course's disk


def test_the_network_is_out_of_reach(graded):
    _, _, _, server, _ = graded
    assert server.connections == 0


def test_a_moved_course_grades_the_same(tmp_path_factory, limits):
    """The sandbox takes the course's paths at each run: grading, moving the course elsewhere
    and grading again gives the same grades, and the solutions at the new place are as hidden."""
    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("before") / "course")
    moved = ScratchCourse(tmp_path_factory.mktemp("after") / "moved course")
    write_submission(course, "aa_honest", samples.fill_answers({}))
    write_submission(course, "reads_source", samples.fill_answers({"compute_cost": reads_the_source(moved.root)}))
    assert course.autograde().returncode == 0
    before = course.grades()
    shutil.move(course.root, moved.root)
    done = moved.autograde()
    assert done.returncode == 0, done.stderr[-2000:]
    after = moved.grades()
    assert after == before
    assert after["aa_honest"]["total"] == 100
    assert after["reads_source"]["total"] == 100 - COMPUTE_COST_POINTS


# What one kernel leaves in its sandbox, looked for by the next kernel the same template forks.
# The kit's kernel side and the rest of its package, where the kernel sees them, are read-only.
KIT_PLANTED = (f"{sandbox.PACKAGE}/kernel/planted.py", f"{sandbox.PACKAGE}/assignments/planted/__init__.py")
PLANTED = ("/tmp/planted.txt", *KIT_PLANTED, "/tmp/home/planted.txt")
PLANTS = f"""
import importlib.util, os
planted = []
for path in {PLANTED!r}:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write("raise SystemExit('planted by another submission')")
        planted.append(path)
    except OSError:
        pass
print("planted:", planted)
try:
    with open(importlib.util.cache_from_source(os.path.abspath("dnn_checks.py")), "ab"):
        print("bytecode: writable")
except OSError:
    print("bytecode: read-only")
"""
LOOKS_FOR_PLANTS = f"""
import importlib.util, os, dnn_checks
print("left behind:", [path for path in {PLANTED!r} if os.path.exists(path)])
print("bytecode from the grader:", os.path.exists(importlib.util.cache_from_source(dnn_checks.__file__)))
history = get_ipython().history_manager
print("history file:", history.enabled, "; cells in In:", len(In) > 10, "; last one:", In[-1][:20] == _ih[-1][:20])
"""


def test_what_a_kernel_leaves_is_gone_before_the_next_and_bytecode_is_read_only(tmp_path_factory, limits, monkeypatch):
    """One worker, so one kernel template: a submission writes files into the sandbox's /tmp,
    beside the kit's read-only kernel modules too, and tries to change the bytecode the grader
    compiled; the next submission's kernel finds none of it, and imports that bytecode.  (And
    the kernel keeps its history in memory only.)  The worker's folder of that bytecode, in the
    grading machine's temporary folder, is gone once the run ends."""
    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("leftovers") / "course")
    for student, code in (("aa_plants", PLANTS), ("zz_looks", LOOKS_FOR_PLANTS)):
        write_submission(course, student, before_the_last_test(samples.fill_answers({}), code))
    temporary = tmp_path_factory.mktemp("machine-tmp")
    monkeypatch.setenv("TMPDIR", str(temporary))
    done = course.grade("--jobs", "1", "--no-feedback", timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not list(temporary.glob("dnngrader-bytecode-*")), sorted(temporary.iterdir())

    def said_by(student, code):
        cells = nbformat.read(str(course.autograded_notebook(student)), as_version=4).cells
        return "".join(output.get("text", "") for cell in cells if cell.source == code for output in cell.outputs)

    said = {"aa_plants": said_by("aa_plants", PLANTS), "zz_looks": said_by("zz_looks", LOOKS_FOR_PLANTS)}
    assert "bytecode: read-only" in said["aa_plants"], said
    assert "/tmp/planted.txt" in said["aa_plants"], said  # the sandbox's /tmp is writable
    assert not any(path in said["aa_plants"] for path in KIT_PLANTED), said  # the kit is not
    assert "left behind: []" in said["zz_looks"], said
    assert "bytecode from the grader: True" in said["zz_looks"], said
    # ResilientExecute's kernels keep no IPython history file, but In and %history still work.
    assert "history file: False ; cells in In: True ; last one: True" in said["zz_looks"], said
    assert {student: grade["total"] for student, grade in course.grades().items()} == {
        "aa_plants": 100,
        "zz_looks": 100,
    }


# ---------------------------------------------------------------------------------------------
# As a user who is not root
# ---------------------------------------------------------------------------------------------

NOBODY = 65534


def _blocked_top(path):
    """The topmost folder above ``path`` that other users cannot enter, or None."""
    for folder in reversed(Path(os.path.realpath(path)).parents):
        if folder != Path("/") and not folder.stat().st_mode & 0o001:
            return folder
    return None


def as_nobody(command, needed, env, cwd):
    """Run ``command`` as the user nobody.  Folders that it needs but cannot enter (the kit in
    a private temporary folder, a Python under /root) are made enterable in a private mount
    namespace: a fresh world-enterable tmpfs over the blocked folder, with the needed folders
    mounted back into it.  Nothing changes on the machine."""
    script = [
        "set -e",
        "mount --make-rprivate /",
        "mount -t tmpfs tmpfs /dev/shm",
    ]  # a private /dev/shm holds the mounts being moved
    held = 0
    for top in sorted({_blocked_top(path) for path in needed} - {None}):
        inside = [Path(os.path.realpath(path)) for path in needed if _blocked_top(path) == top]
        for path in inside:
            script.append(f"mkdir -p /dev/shm/hold{held} && mount --rbind '{path}' /dev/shm/hold{held}")
            held += 1
        script.append(f"mount -t tmpfs -o mode=755 tmpfs '{top}'")
        for index, path in enumerate(inside, start=held - len(inside)):
            script.append(f"mkdir -p '{path}' && mount --move /dev/shm/hold{index} '{path}'")
    script.append(f"cd '{cwd}'")
    script.append('exec setpriv --reuid=%d --regid=%d --clear-groups "$@"' % (NOBODY, NOBODY))
    return subprocess.run(
        ["unshare", "--mount", "sh", "-c", "\n".join(script), "sh", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_user_who_is_not_root_grades_in_the_sandbox(tmp_path_factory, limits):
    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("nobody") / "course")
    write_submission(course, "aa_honest", samples.fill_answers({}))
    write_submission(course, "reads_source", samples.fill_answers({"compute_cost": reads_the_source(course.root)}))
    home = course.root / "home"
    home.mkdir()
    for path in [course.root, *course.root.rglob("*")]:
        if not path.is_symlink():
            os.chown(path, NOBODY, NOBODY)
    env = {**course.env(), "HOME": str(home)}
    command = [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT]
    if os.getuid() == 0:
        kit = Path(__file__).resolve().parent.parent
        done = as_nobody(command, [sys.prefix, sys.base_prefix, kit, course.root], env, course.root)
    else:
        done = subprocess.run(command, env=env, cwd=course.root, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "WITHOUT" not in done.stderr  # the sandbox ran, as this user
    grades = course.grades()
    assert grades["aa_honest"]["total"] == 100
    assert grades["reads_source"]["total"] == 100 - COMPUTE_COST_POINTS


def test_make_grade_hides_a_course_that_lives_outside_tmp_home_and_the_kit(tmp_path_factory, limits):
    """`make grade`'s workers grade in scratch copies of the course; their kernels must still not
    see the course itself: its gradebook, its submissions, its exchange.  (A course in /tmp, in
    HOME or in the kit's folder was hidden anyway; /var/tmp is none of those.)"""
    outside = Path(tempfile.mkdtemp(prefix="dnngrader-outside-", dir="/var/tmp"))
    try:
        course = copy_of_blank_course(tmp_path_factory, outside / "course")
        probe = (
            "import os\n"
            f"course = {str(course.root)!r}\n"
            "print('course visible:', sorted(os.listdir(course)) if os.path.isdir(course) else None)\n"
            "print('gradebook readable:', os.path.exists(os.path.join(course, 'gradebook.db')))\n"
        )
        write_submission(course, "aa_looks", before_the_last_test(samples.fill_answers({}), probe))
        write_submission(course, "zz_honest", samples.fill_answers({}))
        # As an instructor runs it: the gradebook and exchange where the course's configuration
        # puts them (in the course), not named by DNN_GRADEBOOK_URL and DNN_EXCHANGE.
        env = {name: value for name, value in course.env().items() if name not in ("DNN_GRADEBOOK_URL", "DNN_EXCHANGE")}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "dnngrader.batch.grade",
                "--course",
                str(course.root),
                "--jobs",
                "1",
                "--no-feedback",
            ],
            cwd=course.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        said = added_cell_said(course, "aa_looks")
        assert "course visible: []" in said and "gradebook readable: False" in said, said
        assert {student: grade["total"] for student, grade in course.grades().items()} == {
            "aa_looks": 100,
            "zz_honest": 100,
        }
    finally:
        shutil.rmtree(outside, ignore_errors=True)


def test_a_course_whose_venv_is_a_link_to_an_environment_elsewhere_grades(tmp_path_factory, limits):
    """One environment shared by several course folders: the course's .venv is a symbolic link
    to it, and make grade runs .venv/bin/python.  The sandbox hides the course, and the link with
    it; the kernels must still start, from the environment where it really is (a new
    instructor's trial found every submission failing: "the kernel template process exited")."""
    outside = Path(tempfile.mkdtemp(prefix="dnngrader-linked-venv-", dir="/var/tmp"))
    try:
        course = copy_of_blank_course(tmp_path_factory, outside / "course")
        (course.root / ".venv").symlink_to(Path(sys.prefix).resolve(), target_is_directory=True)
        write_submission(course, "honest", samples.fill_answers({}))
        python = course.root / ".venv" / "bin" / "python"
        done = subprocess.run(
            [str(python), "-m", "dnngrader.batch.grade", "--course", str(course.root), "--jobs", "1", "--no-feedback"],
            cwd=course.root,
            env=course.env(),
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert {student: grade["total"] for student, grade in course.grades().items()} == {"honest": 100}
    finally:
        shutil.rmtree(outside, ignore_errors=True)


def test_the_sandbox_command_says_what_kernels_see():
    """`dnngrader sandbox`: whether bubblewrap runs, and what a grading kernel sees: the course
    hidden, /tmp its own and the only writable place, the data read-only, no network."""
    if not sandbox.available():
        pytest.skip(f"the grading sandbox cannot run here: {sandbox.unavailable_reason()}")
    done = subprocess.run(
        [sys.executable, "-m", "dnngrader.plugins.sandbox"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "bubblewrap runs here: grading kernels are sandboxed."
    kit = sandbox._real(sandbox.PACKAGE.parent)  # the course: here the kit's own
    if sandbox._inside(kit, sandbox.TMP):  # hidden with all of /tmp, which the kernel gets new
        assert f"  {kit}" not in lines
    else:
        assert f"  {kit}" in lines
    assert "" not in lines
    assert any(line.startswith("/tmp: a new, empty one of their own") for line in lines)
    assert "  with the course's data/ read-only at /tmp/data." in lines
    assert "No network: the kernels have no network interface but their own loopback." in lines
