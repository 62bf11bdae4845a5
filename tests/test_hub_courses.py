"""Two courses on one hub, for real: `dnngrader hub start --course A --course B` with real, separate
Unix users, each course's roster synced on its own (`dnngrader roster sync`, the second adopting
the accounts the first created), and real `nbgrader` commands run as each user (runuser) with the
Jupyter configuration the hub gives their server.

The people: teach, instructor of both courses; ann, a student of A only; ben, of B only; cam, a
student of both.  Both courses release an assignment of the same name.  While the hub starts,
teach releases in each course folder (the links ~/A and ~/B, where nbgrader takes each course's
settings).  ann lists and fetches A's assignment only: asking for B's is refused by nbgrader (the
hub's authenticator plug-in) and, with that plug-in turned off on her command line, by the
operating system; a probe running as her then tries, on the real paths, to list, read and write
B's outbound, inbound and feedback, B's course folder and roster, and each is refused while
reading A's released notebook succeeds.  cam lists both courses and fetches each into a folder
named after it.  The students submit; teach collects in each folder, and gets each course's
submissions only.  Then ann and teach log in through the hub's form: each server's environment
is the one the commands above ran with; ann's JupyterLab has no staff plug-ins and her Assignments
panel lists A's assignment and nothing of B; teach's has the formgrader of A (the first course
he teaches), and his course list names both courses, B's formgrader in his server named after B,
which the hub then starts and whose formgrader works on B's gradebook; a server named after no
course of his does not start.

Users and groups carry a random tag and are removed at the end; the hub is stopped.
"""

import csv
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import psutil
import pytest
from processes import stop_process_group
from test_hub import START_LIMIT_S, Browser, free_port
from test_hub_exchange import ASSIGNMENT, PROBE, notebook, submission_folder, together

from dnngrader.hub import access, exchange, server

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="creates Unix users and runs the hub: runs as root")

# person: {course: role}; courses "a" and "b".
PEOPLE = {
    "teach": {"a": "instructor", "b": "instructor"},
    "ann": {"a": "student"},
    "ben": {"b": "student"},
    "cam": {"a": "student", "b": "student"},
}
NO_PLUGIN = "--Authenticator.plugin_class=nbgrader.auth.NoAuthPlugin"


class Hub:
    """Two course folders sharing one exchange, their users, and how to run a command as one."""

    def __init__(self, base):
        self.base = base
        self.tag = "m" + secrets.token_hex(3)
        self.ids = {key: f"{self.tag}-{key}" for key in ("a", "b")}
        self.folders = {key: base / key for key in ("a", "b")}
        self.exchange = base / "exchange"
        self.state = self.folders["a"] / ".hub"
        self.bin = access.users_environment(server.KIT_ROOT) / "bin"

    def name(self, person):
        """The Unix name of ``person``."""
        return f"{self.tag}{person}"

    def home(self, person):
        """``person``'s home folder."""
        return Path(pwd.getpwnam(self.name(person)).pw_dir)

    def write(self):
        """Each course folder (its nbgrader_config.py, naming the shared exchange, and the source
        notebook) and its roster file."""
        for key, folder in self.folders.items():
            (folder / "source" / ASSIGNMENT).mkdir(parents=True)
            nbformat.write(notebook(), folder / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
            (folder / "nbgrader_config.py").write_text(
                textwrap.dedent(f"""\
                c = get_config()  # noqa: F821
                c.CourseDirectory.course_id = {self.ids[key]!r}
                c.CourseDirectory.db_url = 'sqlite:///{folder}/gradebook.db'
                c.Exchange.root = {str(self.exchange)!r}
                """)
            )
            with open(self.base / f"roster-{key}.csv", "w", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(["username", "full_name", "email", "lms_id", "role"])
                for person, roles in PEOPLE.items():
                    if key in roles:
                        writer.writerow(
                            [self.name(person), person.title(), f"{person}@example.org", person, roles[key]]
                        )

    def kit(self, module, *words):
        """`python -m dnngrader.hub.MODULE WORDS` as root."""
        return subprocess.run(
            [sys.executable, "-m", f"dnngrader.hub.{module}", *words], capture_output=True, text=True, timeout=120
        )

    def environment(self, person):
        """The environment the hub gives ``person``'s default server."""
        config = access.user_config_folder(self.state, self.name(person))
        return access.hub_environment(self.state, "student", self.bin.parent, config=config)

    def run(self, person, *command, cwd=None, check=True):
        """Run ``command`` as ``person`` with their server's environment, in ``cwd`` (default: home)."""
        env = self.environment(person)
        env.update({"HOME": str(self.home(person)), "LANG": "C.UTF-8", "USER": self.name(person)})
        done = subprocess.run(
            ["runuser", "-u", self.name(person), "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()], *command],
            cwd=cwd or self.home(person),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check:
            assert done.returncode == 0, f"{person}: {command}\n{done.stdout}\n{done.stderr}"
        return done

    def nbgrader(self, person, *arguments, **options):
        """`nbgrader ARGUMENTS` as ``person``."""
        return self.run(person, str(self.bin / "nbgrader"), *arguments, **options)

    def probe(self, person, actions):
        """Each (kind, path, ...) action tried as ``person``: {name: "refused" | "done" | error}."""
        return json.loads(self.run(person, str(self.bin / "python"), "-c", PROBE, json.dumps(actions)).stdout)

    def remove(self):
        """Remove the users and groups (the test's own, by their tag) and the folders."""
        for person in PEOPLE:
            subprocess.run(["userdel", "--remove", self.name(person)], capture_output=True)
        for course_id in self.ids.values():
            for group in access.group_names(course_id):
                subprocess.run(["groupdel", group], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="module")
def hub():
    """The hub of two courses, started, with each course's assignment released, fetched, submitted
    and collected (see the module's docstring); stopped and removed after."""
    base = Path(tempfile.mkdtemp(prefix="dnn-hub-courses-", dir="/tmp"))
    os.chmod(base, 0o755)
    hub = Hub(base)
    process = None
    try:
        hub.write()
        a, b = (str(hub.folders[key]) for key in ("a", "b"))
        synced = hub.kit("roster", "--course", a, "sync", str(base / "roster-a.csv"))
        assert synced.returncode == 0, synced.stdout + synced.stderr
        hub.passwords = dict(re.findall(r"created (\S+)\tpassword (\S+)", synced.stdout))
        # B's roster adopts teach and cam, whom A's created (one account, two courses).
        adopted = hub.kit("roster", "--course", b, "sync", str(base / "roster-b.csv"), "--adopt-existing")
        assert adopted.returncode == 0 and "1 created, 2 changed" in adopted.stdout, adopted.stdout + adopted.stderr
        hub.passwords.update(re.findall(r"created (\S+)\tpassword (\S+)", adopted.stdout))
        port = free_port()
        ports = ["--port", str(port), "--hub-port", str(free_port()), "--proxy-api-port", str(free_port())]
        hub.log = base / "hub.log"
        with open(hub.log, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "dnngrader.hub.server", "start", "--course", a, "--course", b]
                + ["--state", str(hub.state), "--ip", "127.0.0.1", *ports],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        hub.process, hub.base_url = process, f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_LIMIT_S
        while "JupyterHub on http" not in hub.log.read_text():
            assert process.poll() is None, f"the hub exited:\n{hub.log.read_text()}"
            assert time.monotonic() < deadline, f"the hub's setup did not end:\n{hub.log.read_text()}"
            time.sleep(0.2)

        # While JupyterHub starts: teach releases in each course folder, through his links.
        links = {key: hub.home("teach") / course_id for key, course_id in hub.ids.items()}

        def release(key):
            hub.nbgrader("teach", "generate_assignment", ASSIGNMENT, cwd=links[key])
            return hub.nbgrader("teach", "release_assignment", ASSIGNMENT, cwd=links[key])

        hub.released = together(lambda: release("a"), lambda: release("b"))
        # ann asks for B's assignment: nbgrader refuses; without the hub's plug-in, the file system.
        # (Commands that change nothing run side by side.)
        b = hub.ids["b"]
        hub.ann_b, hub.ann_b_bare, hub.ann_list, hub.cam_list = together(
            lambda: hub.nbgrader("ann", "fetch_assignment", ASSIGNMENT, "--course", b, check=False),
            lambda: hub.nbgrader("ann", "fetch_assignment", ASSIGNMENT, "--course", b, NO_PLUGIN, check=False),
            lambda: hub.nbgrader("ann", "list", NO_PLUGIN, "--CourseDirectory.course_id="),
            lambda: hub.nbgrader("cam", "list"),
        )
        together(
            lambda: hub.nbgrader("ann", "fetch_assignment", ASSIGNMENT),
            lambda: hub.nbgrader("ben", "fetch_assignment", ASSIGNMENT),
            lambda: hub.nbgrader("cam", "fetch_assignment", ASSIGNMENT, "--course", b),
        )
        submits = together(
            lambda: hub.nbgrader("ann", "submit", ASSIGNMENT),
            lambda: hub.nbgrader("ben", "submit", ASSIGNMENT),
            lambda: hub.nbgrader("cam", "submit", ASSIGNMENT, "--course", b),
        )
        hub.submitted = {person: submission_folder(done.stderr) for person, done in zip(("ann", "ben", "cam"), submits)}
        together(*[lambda key=key: hub.nbgrader("teach", "collect", ASSIGNMENT, cwd=links[key]) for key in ("a", "b")])
        while True:
            assert process.poll() is None, f"the hub exited:\n{hub.log.read_text()}"
            assert time.monotonic() < deadline + 60, f"the hub did not answer:\n{hub.log.read_text()}"
            try:
                with urllib.request.urlopen(hub.base_url + "/hub/api/", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        yield hub
    finally:
        if process is not None and process.poll() is None:
            subprocess.run(
                [sys.executable, "-m", "dnngrader.hub.server", "stop", "--state", str(hub.state)],
                capture_output=True,
                timeout=90,
            )
            stop_process_group(process, grace=10)
        hub.remove()


def processes_of(name):
    """The processes running as the user ``name``."""
    return [p for p in psutil.process_iter(["username", "cmdline"]) if p.info["username"] == name]


def test_each_course_has_its_groups_and_its_closed_folder_in_the_shared_exchange(hub):
    for person, roles in PEOPLE.items():
        groups = subprocess.run(["id", "-nG", hub.name(person)], capture_output=True, text=True).stdout.split()
        for key, course_id in hub.ids.items():
            staff, students = access.group_names(course_id)
            assert (staff in groups) == (roles.get(key) == "instructor"), (person, groups)
            assert (students in groups) == (roles.get(key) == "student"), (person, groups)
    for course_id in hub.ids.values():
        for path, mode in exchange.layout(str(hub.exchange), course_id, closed=True):
            assert os.stat(path).st_mode & 0o7777 == mode, (path, oct(os.stat(path).st_mode))


def test_the_instructor_of_both_works_in_each_course_folder(hub):
    assert [done.returncode for done in hub.released] == [0, 0]
    for key, course_id in hub.ids.items():
        assert (hub.exchange / course_id / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
        # Each course's collect took that course's submissions only.
        submitted = sorted(path.name for path in (hub.folders[key] / "submitted").iterdir())
        expected = {"a": ["ann"], "b": ["ben", "cam"]}[key]
        assert submitted == sorted(hub.name(person) for person in expected), (key, submitted)
        # nbgrader wrote each course's own gradebook, in its own folder.
        assert (hub.folders[key] / "gradebook.db").is_file()


def test_a_student_of_one_course_lists_and_fetches_only_its_assignments(hub):
    a, b = hub.ids["a"], hub.ids["b"]
    # Listing every course of the exchange, without the hub's plug-in: the file system hides B's.
    shown = hub.ann_list.stdout + hub.ann_list.stderr
    assert f"{a} {ASSIGNMENT}" in shown and b not in shown, shown
    shown = hub.cam_list.stdout + hub.cam_list.stderr
    assert f"{a} {ASSIGNMENT}" in shown and f"{b} {ASSIGNMENT}" in shown, shown
    assert hub.ann_b.returncode != 0 and "You do not have access to this course" in hub.ann_b.stderr, hub.ann_b.stderr
    assert hub.ann_b_bare.returncode != 0 and "not found" in hub.ann_b_bare.stderr.lower(), hub.ann_b_bare.stderr
    # Her fetched copy is A's; cam, in two courses, has B's in a folder named after it.
    assert (hub.home("ann") / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    assert (hub.home("cam") / b / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    assert not (hub.home("cam") / ASSIGNMENT).exists()
    assert hub.submitted["ann"].parent == hub.exchange / a / "inbound"
    assert hub.submitted["cam"].parent == hub.exchange / b / "inbound"


def test_the_other_courses_exchange_and_folder_are_closed_to_a_student(hub):
    b_course = hub.exchange / hub.ids["b"]
    b_feedback = b_course / "feedback"
    forbidden = {
        "list B in the exchange": ["list", str(b_course)],
        "list B's released assignments": ["list", str(b_course / "outbound")],
        "read B's released notebook": ["read", str(b_course / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")],
        "list B's submissions": ["list", str(b_course / "inbound")],
        "submit to B by hand": ["create", str(b_course / "inbound")],
        "read ben's submission": ["read", str(hub.submitted["ben"] / f"{ASSIGNMENT}.ipynb")],
        "list B's feedback": ["list", str(b_feedback)],
        "write into B's feedback": ["create", str(b_feedback)],
        "rename B in the exchange": ["rename", str(b_course), str(hub.exchange / "moved")],
        "list B's course folder": ["list", str(hub.folders["b"])],
        "read B's source notebook": ["read", str(hub.folders["b"] / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")],
        "read B's roster": ["read", str(hub.folders["b"] / ".hub" / "roster.json")],
        "read teach's server settings": [
            "read",
            str(access.user_config_folder(hub.state, hub.name("teach")) / "courses.json"),
        ],
    }
    allowed = {
        "read A's released notebook": [
            "read",
            str(hub.exchange / hub.ids["a"] / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        ],
        "read her own server settings": [
            "read",
            str(access.user_config_folder(hub.state, hub.name("ann")) / "courses.json"),
        ],
    }
    results = hub.probe("ann", {**forbidden, **allowed})
    assert {name: results[name] for name in forbidden} == {name: "refused" for name in forbidden}
    assert {name: results[name] for name in allowed} == {name: "done" for name in allowed}
    # The staff of B reach what ann cannot.
    results = hub.probe("teach", {name: forbidden[name] for name in ("list B's submissions", "read ben's submission")})
    assert set(results.values()) == {"done"}, results


def test_each_server_gets_the_configuration_the_commands_ran_with(hub):
    browsers = {person: Browser(hub.base_url) for person in ("ann", "teach")}
    logged_in = together(
        *[
            lambda person=person: browsers[person].log_in(hub.name(person), hub.passwords[hub.name(person)])
            for person in browsers
        ]
    )
    assert [status for status, _, _ in logged_in] == [200, 200], [url for _, url, _ in logged_in]
    pages = dict(
        zip(browsers, together(*[lambda person=person: browsers[person].lab(hub.name(person)) for person in browsers]))
    )
    for person in browsers:
        [running] = [
            p for p in processes_of(hub.name(person)) if "jupyterhub-singleuser" in " ".join(p.info["cmdline"])
        ]
        environ = running.environ()
        for key, value in hub.environment(person).items():
            assert environ.get(key) == value, (person, key)
    staff_only = {
        "@jupyter/nbgrader:formgrader",
        "@jupyter/nbgrader:course-list",
        "@jupyter/nbgrader:create-assignment",
    }
    assert staff_only <= set(pages["ann"]["disabledExtensions"])
    assert not staff_only & set(pages["teach"]["disabledExtensions"])

    # ann's Assignments panel: A's assignment (fetched), nothing of B; no formgrader.
    ann, name = browsers["ann"], hub.name("ann")
    status, _, body = ann.get(f"/user/{name}/assignments?course_id={hub.ids['a']}")
    listed = {(entry["course_id"], entry["assignment_id"], entry["status"]) for entry in json.loads(body)["value"]}
    assert status == 200 and listed == {(hub.ids["a"], ASSIGNMENT, "fetched"), (hub.ids["a"], ASSIGNMENT, "submitted")}
    status, _, body = ann.get(f"/user/{name}/assignments?course_id={hub.ids['b']}")
    assert status == 200 and json.loads(body)["value"] == [], body
    assert ann.get(f"/user/{name}/formgrader")[0] == 404

    # teach's: the formgrader of A, and a course list naming both courses.
    teach, name = browsers["teach"], hub.name("teach")
    status, _, body = teach.get(f"/user/{name}/formgrader/api/assignments")
    assert status == 200 and ASSIGNMENT in body, hub.log.read_text()[-3000:]
    status, _, body = teach.get(f"/user/{name}/formgraders")
    courses = {entry["course_id"]: (entry["url"], entry["kind"]) for entry in json.loads(body)["value"]}
    assert courses == {
        hub.ids["a"]: (f"{hub.base_url}/user/{name}/formgrader", "local"),
        hub.ids["b"]: (f"{hub.base_url}/user/{name}/{hub.ids['b']}/formgrader", "jupyterhub"),
    }, body
    # His server named after B (started as the hub's home page starts it) has B's formgrader, on B's
    # gradebook (two submissions; A's has one); a server named after no course of his does not start.
    teach.get(f"/hub/spawn/{name}/{hub.ids['b']}", timeout=120)
    teach.get(f"/hub/spawn/{name}/nocourse", timeout=120)
    graded = {}
    for prefix in ("", f"{hub.ids['b']}/"):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            status, _, body = teach.get(f"/user/{name}/{prefix}formgrader/api/assignments")
            if status == 200 and body.startswith("["):
                break
            time.sleep(1)
        graded[prefix] = [(entry["name"], entry["num_submissions"]) for entry in json.loads(body)]
    assert graded == {"": [(ASSIGNMENT, 1)], f"{hub.ids['b']}/": [(ASSIGNMENT, 2)]}, graded
    assert f"{name} has no course 'nocourse' on this hub" in hub.log.read_text()
    servers = [p for p in processes_of(name) if "jupyterhub-singleuser" in " ".join(p.info["cmdline"])]
    assert len(servers) == 2, [p.info["cmdline"] for p in servers]


def test_hub_stop_leaves_no_process(hub):
    done = hub.kit("server", "stop", "--state", str(hub.state))
    assert done.returncode == 0 and "stopped the hub" in done.stdout, done.stdout + done.stderr
    hub.process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(processes_of(hub.name(person)) for person in PEOPLE) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(processes_of(hub.name(person)) for person in PEOPLE)


def test_courses_that_do_not_share_one_exchange_or_have_one_id_are_refused(tmp_path):
    def course(name, course_id, exchange):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "nbgrader_config.py").write_text(
            f"c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = {course_id!r}\n"
            f"c.Exchange.root = {str(exchange)!r}\n"
        )
        return folder

    shared = tmp_path / "exchange"
    a, b = course("a", "one", shared), course("b", "two", shared)
    assert [entry["course_id"] for entry in server.hub_courses([a, b], a / ".hub")] == ["one", "two"]
    with pytest.raises(ValueError, match="share one exchange"):
        server.hub_courses([a, course("c", "three", tmp_path / "other")], a / ".hub")
    with pytest.raises(ValueError, match="same course id"):
        server.hub_courses([a, course("d", "one", shared)], a / ".hub")
