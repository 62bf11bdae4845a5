"""The course's JupyterHub, for real: `dnngrader hub start` (as root) on free ports, with the
configurable-http-proxy `make hub-deps` installs, PAM logins of users `dnngrader roster sync`
created, and each user's server started by the hub as that Unix user.

A student and an instructor log in through the hub's login form (with the passwords the roster
command printed), their servers start, and each gets their role's nbgrader: the student has the
Assignments panel (listing what the instructor released; she fetches, validates and submits
through it) and Validate, but JupyterLab is told to
disable the formgrader and the assignment-creation plug-ins and the formgrader's server extension
does not answer; the instructor has all of them.  A wrong password is refused.  The student logs in
again in Debian's Chromium: the hub's login page, her JupyterLab, a Nbgrader menu with the
Assignment List only, the panel showing her fetched and submitted assignment (screenshots kept).  Then
`dnngrader hub stop` stops the hub, the servers and the proxy.

The course is the tiny one of tests/test_hub_exchange.py.  Users carry a random tag and are
removed at the end.
"""

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest
from processes import stop_process_group
from test_hub_exchange import ASSIGNMENT, Course, probe

from dnngrader.hub import access, exchange
from shared_setup import free_port

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="creates Unix users and runs the hub: runs as root")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-features=Translate,MediaRouter",
]
START_LIMIT_S = 90
SPAWN_LIMIT_S = 120
CONFIG_DATA = re.compile(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S)
STAFF_ONLY = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:course-list")


class Browser:
    """A user agent with cookies, logged in to the hub as one user."""

    def __init__(self, base):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def post(self, username, path, body):
        """POST the form ``body`` to the user's server at ``path``, as JupyterLab's panels do (with
        the server's XSRF token); the decoded JSON reply."""
        [xsrf] = [
            cookie.value
            for cookie in self.cookies
            if cookie.name == "_xsrf" and cookie.path.startswith(f"/user/{username}")
        ]
        request = urllib.request.Request(
            f"{self.base}/user/{username}/{path}",
            headers={"X-XSRFToken": xsrf},
            data=urllib.parse.urlencode(body).encode(),
        )
        with self.opener.open(request, timeout=SPAWN_LIMIT_S) as answer:
            return json.loads(answer.read())

    def get(self, path, timeout=60):
        """(status, final URL, body) of GET ``path``, redirects followed; errors are answers too."""
        try:
            with self.opener.open(self.base + path, timeout=timeout) as answer:
                return answer.status, answer.url, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode(errors="replace")

    def log_in(self, username, password):
        """Fill in and send the hub's login form; (status, final URL, body)."""
        _, _, form = self.get("/hub/login")
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode({"username": username, "password": password, "_xsrf": xsrf}).encode()
        try:
            with self.opener.open(self.base + "/hub/login", data=data, timeout=SPAWN_LIMIT_S) as answer:
                return answer.status, answer.url, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.url, error.read().decode(errors="replace")

    def lab(self, username):
        """The user's JupyterLab page once their server has started: its page configuration."""
        deadline = time.monotonic() + SPAWN_LIMIT_S
        while time.monotonic() < deadline:
            status, url, body = self.get(f"/user/{username}/lab")
            found = CONFIG_DATA.search(body)
            if status == 200 and found:
                return json.loads(found.group(1))
            time.sleep(1)
        raise AssertionError(f"{username}'s JupyterLab did not open: {status} {url}\n{body[:2000]}")


@pytest.fixture(scope="module")
def hub():
    """The running hub of a course with a student and an instructor; stopped and removed after."""
    base = Path(tempfile.mkdtemp(prefix="dnn-hub-", dir="/tmp"))
    os.chmod(base, 0o755)
    course = Course(base)
    course.users = {"teach": "instructor", "alice": "student"}
    process = None
    try:
        course.folder.mkdir()
        course.write()
        # The second assignment's data set, as the instructor puts the original files in data/.
        (course.folder / "data").mkdir()
        for name in access.DATA_FILES:
            (course.folder / "data" / name).write_bytes(b"the course's images")
        synced = course.command("roster", "sync", str(base / "roster.csv"))
        assert synced.returncode == 0, synced.stdout + synced.stderr
        course.passwords = dict(re.findall(r"created (\S+)\tpassword (\S+)", synced.stdout))
        port = free_port()
        ports = ["--port", str(port), "--hub-port", str(free_port()), "--proxy-api-port", str(free_port())]
        course.log = base / "hub.log"
        with open(course.log, "wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "dnngrader.hub.server",
                    "start",
                    "--course",
                    str(course.folder),
                    "--state",
                    str(course.state),
                    "--ip",
                    "127.0.0.1",
                    *ports,
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        course.process, course.base_url = process, f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_LIMIT_S
        # While JupyterHub starts, once the setup has run (the course folder shared with the staff),
        # the instructor releases the assignment (as themselves, in the course folder).
        while "JupyterHub on http" not in course.log.read_text():
            assert process.poll() is None, f"the hub exited:\n{course.log.read_text()}"
            assert time.monotonic() < deadline, f"the hub's setup did not end:\n{course.log.read_text()}"
            time.sleep(0.2)
        course.nbgrader("teach", "generate_assignment", ASSIGNMENT)
        course.nbgrader("teach", "release_assignment", ASSIGNMENT)
        while True:
            assert process.poll() is None, f"the hub exited:\n{course.log.read_text()}"
            assert time.monotonic() < deadline, f"the hub did not answer:\n{course.log.read_text()}"
            try:
                with urllib.request.urlopen(course.base_url + "/hub/api/", timeout=5) as answer:
                    course.version = json.load(answer)["version"]
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        yield course
    finally:
        if process is not None and process.poll() is None:
            subprocess.run(
                [sys.executable, "-m", "dnngrader.hub.server", "stop", "--state", str(course.state)],
                capture_output=True,
                timeout=90,
            )
            stop_process_group(process, grace=10)
        course.remove()


def servers_of(name):
    """The processes running as the user ``name``."""
    return [process for process in psutil.process_iter(["username", "cmdline"]) if process.info["username"] == name]


def test_a_wrong_password_is_refused(hub):
    import jupyterhub

    assert hub.version == jupyterhub.__version__
    status, url, _ = Browser(hub.base_url).log_in(hub.name("alice"), "wrong-password")
    assert "/hub/login" in url and status in (200, 403), (status, url)
    assert not servers_of(hub.name("alice"))


def test_a_student_gets_the_assignments_panel_and_validate_only(hub):
    name = hub.name("alice")
    browser = Browser(hub.base_url)
    status, _, _ = browser.log_in(name, hub.passwords[name])
    assert status == 200
    config = browser.lab(name)
    disabled = set(config["disabledExtensions"])
    assert set(STAFF_ONLY) <= disabled, disabled
    assert not {"@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:validate-assignment"} & disabled
    # The server runs as alice, from the users' environment, in her home folder.
    [server] = [p for p in servers_of(name) if any("jupyterhub-singleuser" in word for word in p.info["cmdline"])]
    assert str(hub.bin) in " ".join(server.info["cmdline"])
    assert server.cwd() == str(hub.home("alice"))
    # Her notebooks find the course's data set in data/, which she reads but cannot change.
    assert server.environ()["DNN_DATA"] == str(hub.folder / "data")
    data = hub.folder / "data" / access.DATA_FILES[0]
    assert probe(
        hub, "alice", {"read": ["read", str(data)], "write": ["write", str(data)], "add": ["create", str(data.parent)]}
    ) == {"read": "done", "write": "refused", "add": "refused"}
    # Her Assignments panel lists the released assignment; the formgrader does not answer her.
    status, _, body = browser.get(f"/user/{name}/assignments?course_id={hub.course_id}")
    assert status == 200 and json.loads(body)["success"], body
    assert [entry["assignment_id"] for entry in json.loads(body)["value"]] == [ASSIGNMENT]
    status, _, _ = browser.get(f"/user/{name}/formgrader")
    assert status == 404
    # She fetches, validates and submits from the panel: the kernel runs as her, the submission
    # goes to the exchange, hers and closed to other students.
    fetched = browser.post(name, "assignments/fetch", {"course_id": hub.course_id, "assignment_id": ASSIGNMENT})
    assert fetched["success"] and (hub.home("alice") / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file(), fetched
    validated = browser.post(name, "assignments/validate", {"path": f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"})
    assert validated["success"] and "NotImplementedError" in json.dumps(validated["value"]), validated
    submitted = browser.post(name, "assignments/submit", {"course_id": hub.course_id, "assignment_id": ASSIGNMENT})
    assert submitted["success"], submitted
    [submission] = (hub.exchange / hub.course_id / "inbound").glob(f"{name}+{ASSIGNMENT}+*")
    assert submission.owner() == name and exchange.is_private(submission)


def test_an_instructor_gets_the_formgrader_and_the_creation_tools(hub):
    name = hub.name("teach")
    browser = Browser(hub.base_url)
    status, _, _ = browser.log_in(name, hub.passwords[name])
    assert status == 200
    disabled = set(browser.lab(name)["disabledExtensions"])
    assert not set(STAFF_ONLY) & disabled, disabled
    status, _, body = browser.get(f"/user/{name}/formgrader")
    assert status == 200 and "formgrader" in body.lower()
    status, _, body = browser.get(f"/user/{name}/formgrader/api/assignments")
    assert status == 200 and ASSIGNMENT in body, hub.log.read_text()[-5000:]
    assert servers_of(name)
    # The hub's admin page, but not a student's server: an instructor cannot act as a student.
    status, _, _ = browser.get("/hub/admin")
    assert status == 200
    status, url, body = browser.get(f"/user/{hub.name('alice')}/api/contents")
    assert status == 403 or "/api/contents" not in url, (status, url, body[:300])


def test_in_chromium_a_student_logs_in_and_finds_her_work(hub, tmp_path):
    """Alice again, in Debian's Chromium: the hub's login page, her JupyterLab (her server still
    runs), the Nbgrader menu without the formgrader, the Assignments panel showing the assignment
    she fetched and submitted.  Screenshots are kept (DNN_BROWSER_ARTEFACTS, or the test's
    folder)."""
    from playwright import sync_api as playwright_sync

    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    expect = playwright_sync.expect
    folder = Path(os.environ.get("DNN_BROWSER_ARTEFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    name = hub.name("alice")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            page.set_default_timeout(SPAWN_LIMIT_S * 1000)
            page.goto(f"{hub.base_url}/hub/login", wait_until="domcontentloaded")
            page.fill("#username_input", name)
            page.fill("#password_input", hub.passwords[name])
            page.screenshot(path=str(folder / "hub-01-login.png"))
            page.click("#login_submit")
            menu_bar = page.locator("#jp-menu-panel .lm-MenuBar-itemLabel")
            menu_bar.get_by_text("Nbgrader", exact=True).click()
            items = page.locator(".lm-Menu li[data-command^='nbgrader:']")
            expect(items.first).to_be_visible()
            shown = items.evaluate_all(
                "items => items.filter(item => getComputedStyle(item).display !== 'none')"
                ".map(item => item.innerText.trim())"
            )
            page.screenshot(path=str(folder / "hub-02-student-menu.png"))
            assert shown == ["Assignment List"], shown  # no Formgrader, Course List or Create Assignment
            page.locator(".lm-Menu li[data-command='nbgrader:open-assignment-list']").click()
            fetched = page.locator("#fetched_assignments_list > .list_item")
            expect(fetched.locator(".item_name").first).to_contain_text(ASSIGNMENT)
            submitted = page.locator("#submitted_assignments_list > .list_item")
            expect(submitted.first.locator(".item_name").first).to_have_text(ASSIGNMENT)
            page.screenshot(path=str(folder / "hub-03-student-assignments.png"))
        finally:
            browser.close()
    assert page.url.startswith(f"{hub.base_url}/user/{name}/lab"), page.url


def test_hub_stop_stops_the_hub_the_servers_and_the_proxy(hub):
    proxy_pid = int((hub.state / "private" / "proxy.pid").read_text())
    assert psutil.pid_exists(proxy_pid)
    done = subprocess.run(
        [sys.executable, "-m", "dnngrader.hub.server", "stop", "--state", str(hub.state)],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0 and "stopped the hub" in done.stdout, done.stdout + done.stderr
    # JupyterHub's own files were in a folder only root opens.
    assert (hub.state / "private" / "jupyterhub.sqlite").is_file()
    assert os.stat(hub.state / "private").st_mode & 0o077 == 0
    hub.process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(servers_of(hub.name(person)) for person in hub.users) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(servers_of(hub.name(person)) for person in hub.users)
    assert not psutil.pid_exists(proxy_pid) or psutil.Process(proxy_pid).status() == psutil.STATUS_ZOMBIE
