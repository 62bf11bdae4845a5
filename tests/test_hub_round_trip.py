"""A class's whole round trip through the course's real JupyterHub, in Debian's Chromium.

`dnngrader roster sync` makes an instructor and two students, alice and bob, real Unix users;
`dnngrader hub start` starts the hub on free ports, as tests/test_hub.py does, with PAM logins.
The course is a scratch copy of the kit's own course with its real first assignment
(dnn_step_by_step), a due date far ahead and a late policy of 10 points per hour or part of one
(c.Deadlines in its nbgrader_config.py).  One Chromium, one browser context (cookie jar) per
person, every page reached through the hub:

1. the instructor logs in on the hub's login page and, in the formgrader (in a tab of its own,
   /user/<name>/formgrader: its iframe in JupyterLab stays blank under recent JupyterHub,
   jupyter/nbgrader#1870), generates and releases the assignment;
2. alice logs in, fetches the assignment in the Assignments panel, answers (the test writes the
   solutions into her fetched notebook, as her Unix user), opens the notebook from the panel, runs
   its due-date cell (her due date, as the course publishes it in the exchange), presses Validate
   (success) and submits from the panel.  The instructor then moves the due date to now in the
   course's nbgrader_config.py and runs `dnngrader deadlines store`.  Bob logs in, fetches,
   answers every function but compute_cost (its stub stays), sees the new due date in the cell,
   validates (the dialog names the failing cell) and submits, late;
3. the instructor collects (`nbgrader collect --update`), grades with the kit's grader
   (`dnngrader grade`) and releases the feedback (`nbgrader release_feedback`), each as
   their Unix user with the environment the hub gives the staff;
4. each student fetches her feedback in the panel and reads it through her server: her own score,
   and for bob the late penalty; the other student's feedback is refused to her by the hub (her
   cookie does not open the other's server) and by the operating system (the real paths);
5. `dnngrader lms-grades --roster` writes the Canvas and Moodle files, with both students.

The gradebook, reports/grades.csv, the feedback HTML and the LMS files are checked.  JupyterLab's
notebook windowing is pinned to "none" in each user's own JupyterLab settings, so every cell is
in the page.  Screenshots of each step are kept (DNN_BROWSER_ARTEFACTS, or the test's folder),
named hub-round-trip-NN-<step>.png.  Users carry a random tag; the hub, every server and every
process of the test's users are stopped, and the users removed, even when the test fails.
"""

import csv
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
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import psutil
import pytest
from nbgrader.api import Gradebook
from processes import stop_process_group
from shared_setup import copy_of_blank_course
from test_browser_round_trip import close_modal, course_points, formgrader_modal
from test_hub import CHROMIUM, CHROMIUM_ARGS, SPAWN_LIMIT_S, START_LIMIT_S, free_port, servers_of
from test_hub_exchange import Course, probe

from dnngrader.hub import access
from dnngrader.paths import ASSIGNMENT
from dnngrader.tools.samples import fill_answers

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="creates Unix users and runs the hub: runs as root")

FUNCTION = "compute_cost"  # the function bob leaves unanswered
FAR_AHEAD = "2099-12-31T23:59:00+00:00"  # the due date until the instructor moves it
POLICY = {"kind": "per_hour", "points": 10}
PENALTY = 10  # bob submits less than an hour late
# Each user's own JupyterLab settings (~/.jupyter/lab/user-settings), written as that user before
# the first login: every cell in the page (the default virtualises cells out of view), and no
# news or update toasts over the page.
USER_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}
WAIT_MS = 60_000  # any element or text to appear
SERVER_RUN_MS = 180_000  # a button that makes a server run the notebook (generate, validate)
GRADE_TIMEOUT_S = 600
VALIDATE_SUCCESS = "Success! Your notebook passes all the tests."
DUE_FORMAT = "%Y-%m-%d %H:%M %Z (UTC%z)"  # the due-date cell's (dnngrader/kernel/notebook/due_date.py)


class HubCourse(Course):
    """tests/test_hub_exchange.py's course, its commands with a time limit of their own."""

    def run(self, person, *command, cwd=None, check=True, timeout=120):
        role = self.users[person]
        env = access.hub_environment(self.state, role, self.bin.parent)
        env.update({"HOME": str(self.home(person)), "LANG": "C.UTF-8", "USER": self.name(person)})
        done = subprocess.run(
            ["runuser", "-u", self.name(person), "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()], *command],
            cwd=cwd or self.home(person),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check:
            assert done.returncode == 0, f"{person}: {command}\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
        return done

    def kit(self, person, *arguments, timeout=120):
        """`dnngrader ARGUMENTS` as ``person`` (the staff), in the course folder, from the users'
        environment."""
        return self.run(person, str(self.bin / "dnngrader"), *arguments, cwd=self.folder, timeout=timeout)

    def write_roster(self):
        with open(self.roster, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["username", "full_name", "email", "lms_id", "role"])
            for person, role in self.users.items():
                writer.writerow(
                    [self.name(person), f"{person.title()} Tester", f"{person}@example.org", f"LMS-{person}", role]
                )


class Screenshots:
    """Numbered screenshots of the steps, hub-round-trip-NN-<step>.png in ``folder``."""

    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    def take(self, page, name):
        self.count += 1
        path = self.folder / f"hub-round-trip-{self.count:02d}-{name}.png"
        page.screenshot(path=str(path))
        return path


def pin_user_settings(course, person):
    """Write USER_SETTINGS into ``person``'s JupyterLab settings, as them."""
    script = (
        "import json, os, sys\n"
        "for name, values in json.loads(sys.argv[2]).items():\n"
        "    path = os.path.join(sys.argv[1], name)\n"
        "    os.makedirs(os.path.dirname(path), exist_ok=True)\n"
        "    with open(path, 'w') as handle:\n"
        "        json.dump(values, handle)\n"
    )
    folder = course.home(person) / ".jupyter" / "lab" / "user-settings"
    course.run(person, str(course.bin / "python"), "-c", script, str(folder), json.dumps(USER_SETTINGS))


def stop_everything(course, process):
    """Stop the hub (its servers and proxy with it), then whatever the test's users still run."""
    if process is not None and process.poll() is None:
        subprocess.run(
            [sys.executable, "-m", "dnngrader.hub.server", "stop", "--state", str(course.state)],
            capture_output=True,
            timeout=90,
        )
        stop_process_group(process, grace=10)
    for person in course.users:
        for leftover in servers_of(course.name(person)):
            try:
                leftover.kill()
            except psutil.NoSuchProcess:
                pass


@pytest.fixture
def hub(tmp_path_factory):
    """The running hub of the scratch course, its roster's users made; everything stopped and
    removed after, whatever happened."""
    base = Path(tempfile.mkdtemp(prefix="dnn-hub-round-trip-", dir="/tmp"))
    os.chmod(base, 0o755)
    course = HubCourse(base)
    course.users = {"teach": "instructor", "alice": "student", "bob": "student"}
    course.roster = base / "roster.csv"
    course.log = base / "hub.log"
    process = None
    try:
        copy_of_blank_course(
            tmp_path_factory,
            course.folder,
            settings={
                "CourseDirectory.course_id": course.course_id,
                "Deadlines.due_dates": {ASSIGNMENT: FAR_AHEAD},
                "Deadlines.late_policies": {ASSIGNMENT: POLICY},
                "Deadlines.timezone": "UTC",
            },
        )
        course.write_roster()
        synced = course.command("roster", "sync", str(course.roster))
        assert synced.returncode == 0, synced.stdout + synced.stderr
        course.passwords = dict(re.findall(r"created (\S+)\tpassword (\S+)", synced.stdout))
        for person in course.users:
            pin_user_settings(course, person)
        port = free_port()
        ports = ["--port", str(port), "--hub-port", str(free_port()), "--proxy-api-port", str(free_port())]
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
        while True:
            assert process.poll() is None, f"the hub exited:\n{course.log.read_text()}"
            assert time.monotonic() < deadline, f"the hub did not answer:\n{course.log.read_text()}"
            try:
                with urllib.request.urlopen(course.base_url + "/hub/api/", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        yield course
    finally:
        try:
            stop_everything(course, process)
        finally:
            course.remove()


@pytest.fixture
def artefacts(tmp_path, capsys):
    folder = Path(os.environ.get("DNN_BROWSER_ARTEFACTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    with capsys.disabled():
        print(f"\nhub round trip: screenshots in {folder}")
    return Screenshots(folder)


def feedback_of(course, person):
    """The feedback `dnngrader grade` wrote for ``person`` in the course."""
    return (course.folder / "feedback" / course.name(person) / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()


def test_a_class_round_trip_through_the_hub_in_chromium(hub, artefacts):
    from playwright import sync_api as playwright_sync

    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    expect = playwright_sync.expect
    expect.set_options(timeout=WAIT_MS)
    started = time.monotonic()
    total, function_points = course_points()
    scores = {"alice": total, "bob": total - function_points}  # before the late penalty
    grades = {"alice": total, "bob": total - function_points - PENALTY}
    pages = {}

    def log_in(context, person):
        """``person`` logs in on the hub's login page; her JupyterLab, once her server runs."""
        name = hub.name(person)
        page = pages[person] = context.new_page()
        page.goto(f"{hub.base_url}/hub/login", wait_until="domcontentloaded")
        page.fill("#username_input", name)
        page.fill("#password_input", hub.passwords[name])
        artefacts.take(page, f"{person}-login")
        page.click("#login_submit")
        page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text="Nbgrader").wait_for(timeout=SPAWN_LIMIT_S * 1000)
        assert page.url.startswith(f"{hub.base_url}/user/{name}/lab"), page.url
        # Her own settings reached her JupyterLab: every cell in the page.
        tracker = page.request.get(
            f"{hub.base_url}/user/{name}/lab/api/settings/@jupyterlab/notebook-extension:tracker"
        )
        assert tracker.ok and tracker.json()["settings"].get("windowingMode") == "none", tracker.text()[:500]
        return page

    def menu(page, label, command):
        page.locator("#jp-menu-panel .lm-MenuBar-itemLabel").get_by_text(label, exact=True).click()
        page.locator(f'.lm-Menu li[data-command="{command}"]').click()

    def student_works(context, person, answers, due):
        """``person`` fetches, answers with ``answers`` (a notebook), runs the released notebook's
        due-date cell (it must say ``due``), validates and submits; returns what Validate said."""
        name = hub.name(person)
        page = log_in(context, person)
        menu(page, "Nbgrader", "nbgrader:open-assignment-list")
        released = page.locator("#released_assignments_list > .list_item")
        expect(released.locator(".item_name")).to_have_text(ASSIGNMENT)
        released.locator(".item_status button", has_text="Fetch").click()
        fetched = page.locator("#fetched_assignments_list > .list_item")
        expect(fetched).to_have_count(1)
        notebook = hub.home(person) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert notebook.is_file() and notebook.stat().st_uid == hub.home(person).stat().st_uid
        artefacts.take(page, f"{person}-fetched")
        # Her answers, written into her fetched notebook as her (the file stays hers).
        written = hub.base / f"answers-{person}.ipynb"
        nbformat.write(answers(notebook), str(written))
        os.chmod(written, 0o644)
        hub.run(person, "cp", str(written), str(notebook))
        # The notebook, opened from the panel.
        fetched.locator(".item_name a", has_text=ASSIGNMENT).first.click()
        listed = page.locator(f"#nbgrader-{hub.course_id}-{ASSIGNMENT}.collapse.in .list_item")
        listed.locator(".item_name a", has_text=ASSIGNMENT).click()
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        expect(page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")).to_contain_text(f"{ASSIGNMENT}.ipynb")
        expect(panel.locator(".jp-Notebook .jp-Cell")).to_have_count(len(nbformat.read(str(written), 4).cells))
        answer = panel.locator(".jp-CodeCell", has_text=f"def {FUNCTION}(AL, Y):")
        if person == "bob":
            expect(answer).to_contain_text("raise NotImplementedError()")
        else:
            expect(answer).not_to_contain_text("raise NotImplementedError()")
        # The released notebook's due-date cell, run in her kernel: her due date, as the course
        # published it in the exchange (she cannot read the course's settings), in her server's zone.
        due_cell = panel.locator(".jp-CodeCell", has_text="show_due_date(")
        expect(due_cell).to_have_count(1)
        due_cell.evaluate("cell => cell.scrollIntoView({block: 'center'})")
        # Her kernel first (a cell run while it starts may be dropped), then the cell; done when its
        # prompt shows an execution count.
        expect(page.locator(".jp-StatusBar-Item", has_text=re.compile(r"\| Idle"))).to_have_count(
            1, timeout=SERVER_RUN_MS
        )
        due_cell.locator(".jp-InputPrompt").click()
        page.keyboard.press("Shift+Enter")
        expect(due_cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"^\s*\[\d+\]:\s*$"), timeout=SERVER_RUN_MS)
        expect(due_cell.locator(".jp-OutputArea-output").first).to_contain_text(
            f"{ASSIGNMENT} is due {due.astimezone().strftime(DUE_FORMAT)}"
        )
        artefacts.take(page, f"{person}-due-date")
        # Validate (the notebook's toolbar button): her server runs the whole notebook as her.
        panel.locator("jp-button.validate-button").click()
        dialog = page.locator(".nbgrader-SuccessDialog, .nbgrader-ErrorDialog")
        dialog.wait_for(timeout=SERVER_RUN_MS)
        expect(dialog.locator("#validation-message")).not_to_be_empty()
        said = dialog.locator("#validation-message").inner_text()
        succeeded = page.locator(".nbgrader-SuccessDialog").count() == 1
        artefacts.take(page, f"{person}-validated")
        dialog.locator("button.jp-Dialog-button").click()
        expect(dialog).to_have_count(0)
        # Submit, from the panel.
        page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Assignments").click()
        fetched.locator(".item_status button", has_text="Submit").click()
        submitted = page.locator("#submitted_assignments_list > .list_item")
        expect(submitted.locator(".item_name").first).to_have_text(ASSIGNMENT)
        artefacts.take(page, f"{person}-submitted")
        [inbound] = (hub.exchange / hub.course_id / "inbound").glob(f"{name}+{ASSIGNMENT}+*")
        assert inbound.owner() == name
        return succeeded, said

    def everything_answered(path):
        return fill_answers({}, "solution", release=path)

    def all_but_one(path):
        [stub] = [
            cell.source
            for cell in nbformat.read(str(path), as_version=4).cells
            if cell.metadata.get("nbgrader", {}).get("grade_id") == FUNCTION
        ]
        return fill_answers({FUNCTION: stub}, "solution", release=path)

    def student_reads_feedback(person):
        """``person`` fetches her feedback in the panel and reads it through her server; the text
        of her feedback page."""
        name = hub.name(person)
        page = pages[person]
        page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Assignments").click()
        page.locator("#refresh_assignments_list").click()
        submitted = page.locator("#submitted_assignments_list > .list_item")
        expect(submitted.first).to_contain_text("(feedback available to fetch)")
        submitted.locator(".item_status button", has_text="Fetch Feedback").click()
        view = submitted.locator("a", has_text="(view feedback)")
        expect(view).to_have_count(1)
        view.click()  # JupyterLab's file browser goes to the feedback's folder
        expect(page.locator(".jp-DirListing-item", has_text=f"{ASSIGNMENT}.html")).to_have_count(1)
        artefacts.take(page, f"{person}-feedback-fetched")
        [html] = (hub.home(person) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html")
        assert html.read_text() == feedback_of(hub, person)  # hers, whole
        reader = pages[f"{person}-feedback"] = page.context.new_page()
        reader.goto(f"{hub.base_url}/user/{name}/files/{fetched_feedback(person)}", wait_until="domcontentloaded")
        # nbgrader's heading: the score less the late penalty.
        expect(reader.locator("h4").first).to_contain_text(
            f"{ASSIGNMENT} (Score: {float(grades[person])} / {float(total)})"
        )
        artefacts.take(reader, f"{person}-feedback")
        return reader.locator("body").inner_text()

    def fetched_feedback(person):
        """The path of ``person``'s fetched feedback in her home, for a URL."""
        [html] = (hub.home(person) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html")
        return urllib.parse.quote(str(html.relative_to(hub.home(person))))

    def others_feedback_refused(person, other):
        """The ``other`` student's feedback is out of ``person``'s reach."""
        # Her cookie does not open the other's server ...
        answer = pages[f"{person}-feedback"].request.get(
            f"{hub.base_url}/user/{hub.name(other)}/files/{fetched_feedback(other)}"
        )
        assert not answer.ok and f"(Score: {float(grades[other])}" not in answer.text(), answer.status
        # ... and the operating system refuses her every way to it, on its real paths.
        released = hub.exchange / hub.course_id / "feedback"
        [exchange_copy] = [path for path in released.glob("*.html") if path.read_text() == feedback_of(hub, other)]
        [others] = (hub.home(other) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html")
        [hers] = (hub.home(person) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html")
        graded = hub.folder / "feedback" / hub.name(other) / ASSIGNMENT / f"{ASSIGNMENT}.html"
        tried = probe(
            hub,
            person,
            {
                "list the released feedback": ["list", str(released)],
                "read the other's released feedback": ["read", str(exchange_copy)],
                "read the other's fetched feedback": ["read", str(others)],
                "read the other's graded feedback": ["read", str(graded)],
                "read her own": ["read", str(hers)],
            },
        )
        assert tried == {
            "list the released feedback": "refused",
            "read the other's released feedback": "refused",
            "read the other's fetched feedback": "refused",
            "read the other's graded feedback": "refused",
            "read her own": "done",
        }, tried

    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=WAIT_MS
        )
        try:
            contexts = {}
            for person in hub.users:
                contexts[person] = browser.new_context(viewport={"width": 1400, "height": 900})
                contexts[person].set_default_timeout(WAIT_MS)

            # -- 1. The instructor: the formgrader generates and releases the assignment.
            log_in(contexts["teach"], "teach")
            formgrader = pages["formgrader"] = contexts["teach"].new_page()
            formgrader.goto(f"{hub.base_url}/user/{hub.name('teach')}/formgrader", wait_until="domcontentloaded")
            row = formgrader.locator("#main-table tr", has=formgrader.locator("td.name", has_text=ASSIGNMENT))
            expect(row.locator("td.status")).to_have_text("draft")
            row.locator("td.assign a").click()
            close_modal(
                formgrader, formgrader_modal(formgrader, "Successfully created the student version", SERVER_RUN_MS)
            )
            row.locator("td.release a").click()
            close_modal(formgrader, formgrader_modal(formgrader, "Successfully released"))
            expect(row.locator("td.status")).to_have_text("released")
            artefacts.take(formgrader, "teach-released")
            assert (hub.exchange / hub.course_id / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()

            # -- 2. Alice, on time; the due date moves to now; bob, late.
            alice_valid, alice_said = student_works(
                contexts["alice"], "alice", everything_answered, datetime.fromisoformat(FAR_AHEAD)
            )
            assert alice_valid and VALIDATE_SUCCESS in alice_said, alice_said
            due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
            hub.run(
                "teach",
                str(hub.bin / "python"),
                "-c",
                "import sys; path, old, new = sys.argv[1:]; text = open(path).read(); assert old in text; "
                "open(path, 'w').write(text.replace(old, new))",
                str(hub.folder / "nbgrader_config.py"),
                FAR_AHEAD,
                due.isoformat(),
            )
            # As the course's deadlines page says after a change: store it (the gradebook's due date).
            hub.kit("teach", "deadlines", "store")
            while datetime.now(timezone.utc) <= due + timedelta(seconds=1):
                time.sleep(0.5)
            bob_valid, bob_said = student_works(contexts["bob"], "bob", all_but_one, due)
            assert not bob_valid and "NotImplementedError" in bob_said, bob_said

            # -- 3. The instructor: collect, grade with the kit's grader, release the feedback.
            collected = hub.nbgrader("teach", "collect", "--update", ASSIGNMENT)
            for person in ("alice", "bob"):
                assert (hub.folder / "submitted" / hub.name(person) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file(), (
                    collected.stderr
                )
            graded = hub.kit("teach", "grade", "--assignment", ASSIGNMENT, "--jobs", "2", timeout=GRADE_TIMEOUT_S)
            # Every grading kernel ran in the sandbox, started by the instructor's Unix user.
            assert "sandbox cannot run" not in graded.stderr, graded.stderr[-3000:]
            released = hub.nbgrader("teach", "release_feedback", ASSIGNMENT)
            assert len(list((hub.exchange / hub.course_id / "feedback").glob("*.html"))) == 2, released.stderr

            # -- 4. Each student fetches and reads her own feedback, and only hers.
            alice_reads = student_reads_feedback("alice")
            bob_reads = student_reads_feedback("bob")
            others_feedback_refused("alice", "bob")
            others_feedback_refused("bob", "alice")

            # -- 5. The LMS files.
            exported = hub.kit("teach", "lms-grades", "--roster", str(hub.roster))
        except Exception:
            for name, page in pages.items():
                try:
                    artefacts.take(page, f"failure-{name}")
                except Exception:  # noqa: BLE001 (a page that cannot be captured any more)
                    pass
            raise AssertionError(
                f"hub round trip failed; screenshots in {artefacts.folder}\n"
                f"--- the hub's log:\n{hub.log.read_text(errors='replace')[-6000:]}"
            ) from sys.exc_info()[1]
        finally:
            browser.close()

    # The gradebook: each score, and bob's late penalty.
    submitted = {}
    for person in ("alice", "bob"):
        stamp = (hub.folder / "submitted" / hub.name(person) / ASSIGNMENT / "timestamp.txt").read_text().strip()
        submitted[person] = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f %Z").replace(tzinfo=timezone.utc)
    assert submitted["alice"] < due < submitted["bob"] < due + timedelta(hours=1), (submitted, due)
    with Gradebook(f"sqlite:///{hub.folder / 'gradebook.db'}", hub.course_id) as gradebook:
        assert gradebook.find_assignment(ASSIGNMENT).duedate == due.replace(tzinfo=None)
        for person in ("alice", "bob"):
            found = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, hub.name(person))
            penalty = PENALTY if person == "bob" else 0
            assert (found.score, found.max_score, found.late_submission_penalty or 0) == (
                scores[person],
                total,
                penalty,
            ), (person, graded.stdout[-2000:])
    with open(hub.folder / "reports" / "grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    for person in ("alice", "bob"):
        assert float(rows[hub.name(person)][f"{ASSIGNMENT}:total"]) == grades[person], rows
    # The feedback each read in her browser: hers, with the lateness the kit states.
    assert "On time" in alice_reads and "Late penalty applied: 0 points" in alice_reads, alice_reads[:2000]
    assert re.search(r"Late by \d+ min", bob_reads), bob_reads[:2000]
    assert f"Late penalty applied: {PENALTY} points (score {grades['bob']:g} of {total:g} after it)" in bob_reads
    assert f"(Score: {float(grades['bob'])}" not in alice_reads and f"(Score: {float(total)} /" not in bob_reads
    # The LMS files: both students, by their LMS ids, with their grades.
    with open(hub.folder / "reports" / "canvas_grades.csv", newline="") as handle:
        canvas = {row["SIS User ID"]: row for row in csv.DictReader(handle)}
    with open(hub.folder / "reports" / "moodle_grades.csv", newline="") as handle:
        moodle = {row["ID number"]: row for row in csv.DictReader(handle)}
    assert sorted(canvas) == ["", "LMS-alice", "LMS-bob"], (canvas, exported.stdout)  # "": Points Possible
    assert float(canvas[""][ASSIGNMENT]) == total
    assert sorted(moodle) == ["LMS-alice", "LMS-bob"], moodle
    for person in ("alice", "bob"):
        assert float(canvas[f"LMS-{person}"][ASSIGNMENT]) == grades[person]
        assert float(moodle[f"LMS-{person}"][ASSIGNMENT]) == grades[person]
        assert moodle[f"LMS-{person}"]["Email address"] == f"{person}@example.org"

    # The hub stops with its servers; none of the users runs anything any more.
    stopped = subprocess.run(
        [sys.executable, "-m", "dnngrader.hub.server", "stop", "--state", str(hub.state)],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert stopped.returncode == 0 and "stopped the hub" in stopped.stdout, stopped.stdout + stopped.stderr
    hub.process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(servers_of(hub.name(person)) for person in hub.users) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(servers_of(hub.name(person)) for person in hub.users)
    print(f"validate (bob): {bob_said[:300]}\nround trip in {time.monotonic() - started:.0f} s")
