"""A student's JupyterLab, for real: `make lab`, in a clone of the repository, serves work/ with an
nbgrader configuration generated from the course's (dnngrader student-config), so
nbgrader's Assignments panel works.  The test talks to nbgrader's server extension over HTTP as
the panel does (GET /courses, GET /assignments?course_id=..., POST /assignments/fetch, /submit,
/validate), with the token from the URL JupyterLab prints, an empty HOME and no JUPYTER_*
variables: the assignment the instructor released with `nbgrader release_assignment` is listed,
fetched into the served folder, validated and submitted.  Served without that configuration, as
`make lab` used to serve it, the same query fails with nbgrader's "The exchange directory does not
exist and could not be created"."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from processes import stop_process_group

from dnngrader.tools import build
from dnngrader.paths import ASSIGNMENT, COURSE_ROOT
from working_tree import working_tree_clone
from shared_setup import free_port

COURSE_ID = "dnn-step-by-step"
NO_EXCHANGE = "exchange directory does not exist"
SERVER_START_LIMIT_S = 60
URL = re.compile(r"(http://[^\s/]+:(\d+)/)lab\?token=([0-9a-f]+)")
NBGRADER_DEFAULT_EXCHANGE = Path("/usr/local/share/nbgrader/exchange")


def fresh_env(home):
    """The environment of a student on a fresh machine: HOME is the empty folder ``home``, no
    JUPYTER_* variable, none of the course's DNN_* settings; the kit's .venv first on PATH."""
    env = build.nbgrader_env()
    for name in [name for name in env if name.startswith(("JUPYTER_", "DNN_", "XDG_"))]:
        del env[name]
    home.mkdir(parents=True, exist_ok=True)
    env["HOME"] = str(home)
    return env


class Lab:
    """A `jupyter lab` started by ``command`` in ``cwd`` (in a session of its own, so stopping it
    reaches every process it started); ``base`` and ``token`` come from the URL it prints."""

    def __init__(self, command, cwd, env, log_path):
        self.command, self.cwd, self.env, self.log_path = command, cwd, env, log_path
        self.process = None
        self.base = self.token = None

    def start(self):
        """Start it and wait until it prints its URL and answers; returns self."""
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + SERVER_START_LIMIT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.command} exited with {self.process.returncode}:\n{self.log()}")
            found = URL.search(self.log())
            if found:
                self.base, self.token = found.group(1), found.group(3)
                try:
                    self.get("api/status")
                    return self
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
            time.sleep(0.5)
        raise AssertionError(
            f"jupyter lab printed no URL or did not answer within {SERVER_START_LIMIT_S} s:\n{self.log()}"
        )

    def stop(self):
        """Stop the server and whatever is left of it (tests/processes.py)."""
        if self.process is not None:
            stop_process_group(self.process)

    def request(self, path, body=None, timeout=120):
        """The decoded JSON reply to GET ``path`` (or POST of ``body`` as JSON), with the token."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method="GET" if body is None else "POST",
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            assert reply.status == 200, reply.status
            return json.loads(reply.read())

    def get(self, path):
        """GET ``path``: its decoded JSON."""
        return self.request(path)

    def post(self, path, body):
        """POST ``body`` to ``path``: the decoded JSON reply."""
        return self.request(path, body)

    def log(self):
        """What the server printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def lab_args(port):
    """Arguments that pin the server to a free loopback port of the test's choosing."""
    return [f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--ServerApp.ip=127.0.0.1"]


def statuses(listing):
    """The assignments an /assignments reply lists, by id: their status."""
    assert listing["success"], listing["value"]
    return {item["assignment_id"]: item["status"] for item in listing["value"] if item["course_id"] == COURSE_ID}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A clone of the repository as it stands, with the kit's .venv linked in, and the student's
    environment: an empty HOME, and the course's exchange outside the clone (DNN_EXCHANGE, a
    folder that does not exist yet), so the student's configuration can only have it from the
    course's nbgrader_config.py."""
    tmp = tmp_path_factory.mktemp("student_lab")
    clone = working_tree_clone(tmp / "course")
    (clone / ".venv").symlink_to(COURSE_ROOT / ".venv")
    env = fresh_env(tmp / "home")
    env["DNN_EXCHANGE"] = str(tmp / "shared" / "exchange")
    return {"root": clone, "env": env, "exchange": Path(env["DNN_EXCHANGE"]), "tmp": tmp}


def make_lab(course, port):
    """`make lab` in the course clone, on ``port``: a Lab, not started.  `-o .venv/.installed`
    keeps make from reinstalling the linked .venv (the clone's requirements.txt is newer)."""
    command = ["make", "-o", ".venv/.installed", "lab", "LAB_ARGS=" + " ".join(lab_args(port))]
    return Lab(command, course["root"], course["env"], course["tmp"] / f"make-lab-{port}.log")


def test_make_lab_serves_a_working_assignments_panel(course):
    """The instructor releases; `make lab` serves work/; the panel's requests list the release,
    fetch it into work/, validate the notebook and submit it to the exchange."""
    root, env, exchange = course["root"], course["env"], course["exchange"]
    # The instructor releases the assignment to the exchange (which nbgrader_config.py creates).
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", "release_assignment", ASSIGNMENT],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (exchange / COURSE_ID / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()

    lab = make_lab(course, free_port())
    try:
        lab.start()
        work = root / "work"
        # Released to the exchange: make lab leaves the working copy to the panel's Fetch.
        assert not (work / ASSIGNMENT).exists()
        assert "fetch it in JupyterLab's Assignments panel" in lab.log()

        courses = lab.get("courses")  # the panel's first request
        assert courses == {"success": True, "value": [COURSE_ID]}, courses
        listing = lab.get(f"assignments?course_id={COURSE_ID}")
        assert statuses(listing) == {ASSIGNMENT: "released"}, listing

        listing = lab.post("assignments/fetch", {"course_id": COURSE_ID, "assignment_id": ASSIGNMENT})
        assert statuses(listing) == {ASSIGNMENT: "fetched"}, listing
        [fetched] = listing["value"]
        assert fetched["path"] == ASSIGNMENT  # relative to the served folder
        assert [nb["path"] for nb in fetched["notebooks"]] == [f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"]
        notebook = work / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert notebook.is_file()
        assert (work / ASSIGNMENT / "dnn_checks.py").is_file()  # the helpers came along

        # The Validate button: nbgrader runs the notebook; the unanswered functions fail.
        validated = lab.post("assignments/validate", {"path": f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"})
        assert validated["success"], validated["value"]
        assert validated["value"].get("failed"), validated["value"]
        assert "NotImplementedError" in json.dumps(validated["value"])

        listing = lab.post("assignments/submit", {"course_id": COURSE_ID, "assignment_id": ASSIGNMENT})
        assert listing["success"], listing
        inbound = list((exchange / COURSE_ID / "inbound").glob(f"*+{ASSIGNMENT}+*/{ASSIGNMENT}.ipynb"))
        assert len(inbound) == 1, inbound
    finally:
        lab.stop()
    assert NO_EXCHANGE not in lab.log()


def test_without_the_generated_configuration_the_panel_has_no_exchange(course, tmp_path):
    """The old `make lab`: jupyter lab in a copy of the release, with no nbgrader configuration."""
    if NBGRADER_DEFAULT_EXCHANGE.exists():
        pytest.skip(f"nbgrader's default exchange {NBGRADER_DEFAULT_EXCHANGE} exists on this machine")
    copy = tmp_path / "work" / ASSIGNMENT
    shutil.copytree(course["root"] / "release" / ASSIGNMENT, copy)
    command = [
        str(Path(sys.executable).with_name("jupyter")),
        "lab",
        "--no-browser",
        *(["--allow-root"] if os.geteuid() == 0 else []),
        *lab_args(free_port()),
    ]
    lab = Lab(command, copy, course["env"], tmp_path / "jupyter-lab.log")
    try:
        lab.start()
        listing = lab.get(f"assignments?course_id={COURSE_ID}")
    finally:
        lab.stop()
    assert listing["success"] is False
    assert NO_EXCHANGE in " ".join(listing["value"].split()), listing


def test_working_copy_is_made_once_when_nothing_is_released(course, tmp_path):
    """Nothing in the exchange: the release is copied to the served folder, once; a student's
    edits are never overwritten, and neither is a configuration the student wrote."""
    env = dict(course["env"], DNN_EXCHANGE=str(tmp_path / "empty-exchange"))

    def prepare(into):
        done = subprocess.run(
            [sys.executable, "-m", "dnngrader.tools.student_config", "--working-copy", "--into", str(into)],
            cwd=course["root"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done

    into = tmp_path / "work"
    done = prepare(into)
    assert "Copied the release" in done.stdout
    assert (tmp_path / "empty-exchange").is_dir()  # created when missing
    config = (into / "nbgrader_config.py").read_text()
    assert f"c.CourseDirectory.course_id = {COURSE_ID!r}" in config
    assert f"c.Exchange.root = {str(tmp_path / 'empty-exchange')!r}" in config
    notebook = into / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook.write_text("my work\n")
    done = prepare(into)
    assert "kept as it is" in done.stdout and notebook.read_text() == "my work\n"

    (into / "nbgrader_config.py").write_text("c = get_config()\n")  # the student's own
    done = prepare(into)
    assert "left as it is" in done.stderr
    assert (into / "nbgrader_config.py").read_text() == "c = get_config()\n"


def test_documented_example_configuration_names_this_course(tmp_path):
    """The student's nbgrader_config.py the students' documentation shows
    (docs/students/getting-the-assignment.md) sets the course id the course's
    nbgrader_config.py sets (as `dnngrader student-config --print` reads it, in a process
    of its own: loading the course's configuration patches nbgrader), and an exchange root."""
    from traitlets.config.loader import PyFileConfigLoader

    page = (COURSE_ROOT / "docs" / "students" / "getting-the-assignment.md").read_text()
    [example] = [
        block for block in re.findall(r"^```python\n(.*?)^```", page, re.S | re.M) if "c.Exchange.root" in block
    ]
    (tmp_path / "example").mkdir()
    (tmp_path / "example" / "nbgrader_config.py").write_text(example)
    printed = subprocess.run(
        [sys.executable, "-m", "dnngrader.tools.student_config", "--print"],
        cwd=COURSE_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(fresh_env(tmp_path / "home"), DNN_EXCHANGE=str(tmp_path / "exchange")),
    )
    assert printed.returncode == 0, printed.stderr
    (tmp_path / "printed").mkdir()
    (tmp_path / "printed" / "nbgrader_config.py").write_text(printed.stdout)
    shown, course = (
        PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path / name)).load_config()
        for name in ("example", "printed")
    )
    assert shown.CourseDirectory.course_id == course.CourseDirectory.course_id == COURSE_ID
    assert course.Exchange.root == str(tmp_path / "exchange")
    assert os.path.isabs(shown.Exchange.root)
