"""The whole round trip in a real browser: Debian's Chromium, driven by Playwright, against two real
`jupyter lab` servers sharing a real nbgrader exchange, in a clone of the course (the course's own
files, gradebook and exchange are never touched).

Instructor (JupyterLab served from the course directory, the formgrader in a tab of its own at
/formgrader; nbgrader's formgrader iframe is blocked under recent JupyterHub, jupyter/nbgrader#1870):
generates and releases the assignment with the formgrader's buttons.

Student (JupyterLab served by `make lab`, with the student configuration it generates, an empty
HOME and no JUPYTER_* variables): opens Nbgrader > Assignments, fetches the assignment, opens the
notebook from the panel, types the body of compute_cost into its answer cell (every other answer
cell holds the instructor's solution: a prepared notebook written over the fetched one before it
is opened), runs the cells above, that cell and its test cell, reads the check's message, presses
Validate and reads the dialog, and submits from the panel.

Instructor again: collects with the formgrader's button, autogrades the submission and generates
its feedback from the Manage Submissions view, sees the score there and reads the feedback HTML.

Screenshots of the main steps go to a folder the test prints (DNN_BROWSER_ARTEFACTS, or pytest's
tmp_path).  JupyterLab's notebook windowing is pinned to "none" (an overrides.json in an application
settings folder of the test's own), so cells out of view are in the page.  Every wait is on a
selector or a text; every server, kernel and browser is stopped in finally blocks."""

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import nbformat
import pytest
from processes import stop_process_group
from playwright import sync_api as playwright_sync

from dnngrader.tools import build
from dnngrader.paths import ASSIGNMENT, COURSE_ROOT
from dnngrader.tools.samples import fill_answers
from working_tree import working_tree_clone
from shared_setup import free_port

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
COURSE_ID = "dnn-step-by-step"
FUNCTION = "compute_cost"
# What the student types into the answer cell, line by line: JupyterLab's editor indents the body
# itself after the `def` line, as it does for a person typing.
TYPED_ANSWER = [
    "def compute_cost(AL, Y):",
    "m = Y.shape[1]",
    "cost = -1 / m * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))",
    "return np.squeeze(cost)",
]
EXPECTED_SOURCE = "\n".join([TYPED_ANSWER[0]] + ["    " + line for line in TYPED_ANSWER[1:]])
CHECKING = f"Checking {FUNCTION}"  # the check's first line; a \u2713 line per thing it found right
PASSED, FAILED = "\u2713", "\u2717"
VALIDATE_SUCCESS = "Success! Your notebook passes all the tests."
# JupyterLab settings the test relies on, pinned for both servers (LabApp.app_settings_dir).
LAB_OVERRIDES = {
    # Every cell in the page, rendered, wherever it is scrolled (the default virtualises cells).
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    # No news or update toasts over the page, and no request leaving the machine for them.
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
WAIT_MS = 60_000  # any element or text to appear
SERVER_RUN_MS = 150_000  # a button that makes the server run the notebook (validate, autograde)
SERVER_START_LIMIT_S = 90
URL = re.compile(r"(http://127\.0\.0\.1:\d+/)lab\?token=([0-9a-f]+|\.\.\.)")


def person_env(home, exchange):
    """A person on a fresh machine: HOME is the empty folder ``home``, no JUPYTER_*, XDG_* or
    course (DNN_*) variable but the shared exchange; the kit's .venv first on PATH."""
    env = build.nbgrader_env()
    for name in [name for name in env if name.startswith(("JUPYTER_", "DNN_", "XDG_"))]:
        del env[name]
    home.mkdir(parents=True, exist_ok=True)
    env["HOME"] = str(home)
    env["DNN_EXCHANGE"] = str(exchange)
    return env


def pinned_settings(folder):
    """An application settings folder holding the overrides the test relies on."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=2))
    return folder


class Lab:
    """A `jupyter lab` started by ``command`` in ``cwd``, in a session of its own; ``base`` and
    ``token`` come from the URL it prints."""

    def __init__(self, name, command, cwd, env, log_path, token=None):
        self.name, self.command, self.cwd, self.env, self.log_path = name, command, cwd, env, log_path
        self.process = None
        self.base = None
        self.token = token  # None: read from the URL it prints

    def start(self):
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def wait_ready(self):
        """Wait until it prints its URL and answers; returns self."""
        deadline = time.monotonic() + SERVER_START_LIMIT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(
                    f"{self.name}: {self.command} exited with {self.process.returncode}:\n{self.log()}"
                )
            found = URL.search(self.log())
            if found:
                self.base = found.group(1)
                if found.group(2) != "...":  # printed in full when the server made it up
                    self.token = found.group(2)
                try:
                    request = urllib.request.Request(
                        self.base + "api/status", headers={"Authorization": f"token {self.token}"}
                    )
                    with urllib.request.urlopen(request, timeout=5) as reply:
                        if reply.status == 200:
                            return self
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
            time.sleep(0.3)
        raise AssertionError(f"{self.name}: no URL printed or no answer within {SERVER_START_LIMIT_S} s:\n{self.log()}")

    def get(self, path):
        """The decoded JSON reply to GET ``path``, with the token."""
        request = urllib.request.Request(self.base + path, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.loads(reply.read())

    def check_pinned_settings(self):
        """The overrides reached JupyterLab: they are the defaults its settings API serves."""
        for plugin, values in LAB_OVERRIDES.items():
            schema = self.get(f"lab/api/settings/{plugin}")["schema"]["properties"]
            for key, value in values.items():
                assert schema[key]["default"] == value, (self.name, plugin, key, schema[key])

    def url(self, path):
        return f"{self.base}{path}{'&' if '?' in path else '?'}token={self.token}"

    def stop(self):
        """Stop the server and whatever is left of it (tests/processes.py)."""
        if self.process is not None:
            stop_process_group(self.process)

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class Screenshots:
    """Numbered screenshots of the main steps, in ``folder``."""

    def __init__(self, folder):
        self.folder = folder
        self.count = 0

    def take(self, page, name, **options):
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), **options)
        return path


@pytest.fixture
def artefacts(tmp_path, capsys):
    folder = Path(os.environ.get("DNN_BROWSER_ARTEFACTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    with capsys.disabled():
        print(f"\nbrowser round trip: screenshots in {folder}")
    return Screenshots(folder)


def course_points():
    """Points of the assignment and of the typed function's test cells, from the source notebook."""
    source = nbformat.read(str(COURSE_ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    total = function = 0
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        points = meta.get("points", 0) if meta.get("grade") else 0
        total += points
        if meta.get("grade_id", "").startswith(f"test_{FUNCTION}"):
            function += points
    return total, function


def prepare_notebook(path):
    """Every answer cell of the fetched notebook but the typed function's gets the instructor's
    solution, as a student who has done the rest would have it."""
    fetched = nbformat.read(str(path), as_version=4)
    [stub] = [cell.source for cell in fetched.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == FUNCTION]
    assert "raise NotImplementedError()" in stub
    nbformat.write(fill_answers({FUNCTION: stub}, "solution", release=path), str(path))


def open_lab(page, lab):
    page.goto(lab.url("lab"), wait_until="domcontentloaded")
    page.locator("#jp-menu-panel .lm-MenuBar-itemLabel", has_text="Nbgrader").wait_for(timeout=WAIT_MS)


def menu(page, label, command):
    """Click the menu bar's ``label``, then its item for ``command``."""
    page.locator("#jp-menu-panel .lm-MenuBar-itemLabel").get_by_text(label, exact=True).click()
    page.locator(f'.lm-Menu li[data-command="{command}"]').click()


def formgrader_modal(page, expected, timeout=WAIT_MS):
    """Wait for the formgrader's dialog; fail on its error dialog, else check it says ``expected``."""
    expect = playwright_sync.expect
    error = page.locator("#error-modal")
    modal = page.locator("#success-modal, #error-modal")
    modal.wait_for(state="visible", timeout=timeout)
    if error.count():
        raise AssertionError(f"formgrader error: {error.inner_text()}")
    expect(modal.locator(".modal-body p").first).to_contain_text(expected)
    return modal


def close_modal(page, modal):
    modal.locator(".modal-footer button").click()
    modal.wait_for(state="detached", timeout=WAIT_MS)


def test_student_and_instructor_round_trip_in_chromium(tmp_path, artefacts):
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium "
            "(make debian-packages), or run `apt-get install chromium`"
        )
    expect = playwright_sync.expect
    expect.set_options(timeout=WAIT_MS)
    started = time.monotonic()
    total_points, function_points = course_points()

    course = working_tree_clone(tmp_path / "course")
    (course / ".venv").symlink_to(COURSE_ROOT / ".venv")
    exchange = tmp_path / "shared" / "exchange"
    student_env = person_env(tmp_path / "student-home", exchange)
    instructor_env = person_env(tmp_path / "instructor-home", exchange)
    settings = pinned_settings(tmp_path / "lab-app-settings")
    root_flag = ["--allow-root"] if os.geteuid() == 0 else []
    common = ["--ServerApp.ip=127.0.0.1", "--ServerApp.port_retries=0", f"--LabApp.app_settings_dir={settings}"]
    # The instructor: jupyter lab in the course directory.
    token = secrets.token_hex(16)
    instructor = Lab(
        "instructor's jupyter lab",
        [
            str(Path(sys.executable).with_name("jupyter")),
            "lab",
            *root_flag,
            "--no-browser",
            *common,
            f"--ServerApp.port={free_port()}",
            f"--IdentityProvider.token={token}",
        ],
        course,
        instructor_env,
        tmp_path / "instructor-lab.log",
        token,
    )
    # The student: `make lab` (student configuration, work/), its LAB_ARGS passed on as written.
    # `-o .venv/.installed` keeps make from reinstalling the linked .venv.
    student = Lab(
        "student's make lab",
        ["make", "-o", ".venv/.installed", "lab", "LAB_ARGS=" + " ".join([*common, f"--ServerApp.port={free_port()}"])],
        course,
        student_env,
        tmp_path / "student-lab.log",
    )
    work = course / "work"
    pages = {}
    with ExitStack() as stack:
        stack.callback(student.stop)
        stack.callback(instructor.stop)
        instructor.start()
        playwright = stack.enter_context(playwright_sync.sync_playwright())
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=WAIT_MS
        )
        stack.callback(browser.close)
        instructor.wait_ready()
        instructor.check_pinned_settings()
        try:
            viewport = {"width": 1400, "height": 900}
            # Two people, two cookie jars.
            teacher = browser.new_context(viewport=viewport)
            learner = browser.new_context(viewport=viewport)
            for context in (teacher, learner):
                context.set_default_timeout(WAIT_MS)

            # -- Instructor: generate and release with the formgrader, in a tab of its own.
            formgrader = pages["formgrader"] = teacher.new_page()
            formgrader.goto(instructor.url("formgrader"), wait_until="domcontentloaded")
            row = formgrader.locator("#main-table tr", has=formgrader.locator("td.name", has_text=ASSIGNMENT))
            expect(row.locator("td.status")).to_have_text("draft")
            row.locator("td.assign a").click()
            close_modal(
                formgrader, formgrader_modal(formgrader, "Successfully created the student version", SERVER_RUN_MS)
            )
            row.locator("td.release a").click()
            close_modal(formgrader, formgrader_modal(formgrader, "Successfully released"))
            expect(row.locator("td.status")).to_have_text("released")
            artefacts.take(formgrader, "instructor-released")
            assert (exchange / COURSE_ID / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()

            # -- Student: `make lab`, now that the assignment is released (so it leaves the
            # working copy to the panel's Fetch).
            student.start().wait_ready()
            student.check_pinned_settings()
            assert not (work / ASSIGNMENT).exists(), student.log()

            # -- Student: the Assignments panel, from the Nbgrader menu.
            lab = pages["student"] = learner.new_page()
            open_lab(lab, student)
            menu(lab, "Nbgrader", "nbgrader:open-assignment-list")
            expect(lab.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")).to_contain_text("Assignments")
            expect(lab.locator("#course_list_default")).to_have_text(COURSE_ID)
            released = lab.locator("#released_assignments_list > .list_item")
            if not released.count():  # released after the panel first listed the exchange
                lab.locator("#refresh_assignments_list").click()
            expect(released).to_have_count(1)
            expect(released.locator(".item_name")).to_have_text(ASSIGNMENT)
            artefacts.take(lab, "student-assignments-released")
            released.locator(".item_status button", has_text="Fetch").click()
            fetched = lab.locator("#fetched_assignments_list > .list_item")
            expect(fetched).to_have_count(1)
            notebook_path = work / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
            assert notebook_path.is_file(), "Fetch did not put the assignment in the served folder"
            prepare_notebook(notebook_path)
            fetched.locator(".item_name a", has_text=ASSIGNMENT).first.click()
            notebooks = lab.locator(f"#nbgrader-{COURSE_ID}-{ASSIGNMENT}.collapse.in .list_item")
            notebooks.locator(".item_name a", has_text=ASSIGNMENT).click()

            # -- Student: the notebook, with every cell in the page (windowing pinned to none).
            panel = lab.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
            expect(lab.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")).to_contain_text(
                f"{ASSIGNMENT}.ipynb"
            )
            cells = panel.locator(".jp-Notebook .jp-Cell")
            expect(cells).to_have_count(len(nbformat.read(str(notebook_path), as_version=4).cells))
            answer = panel.locator(".jp-CodeCell", has_text=f"def {FUNCTION}(AL, Y):")
            test_cell = panel.locator(".jp-CodeCell", has_text=f'check("{FUNCTION}", {FUNCTION})')
            expect(answer).to_have_count(1)
            expect(answer).to_contain_text("raise NotImplementedError()")
            answer.scroll_into_view_if_needed()
            answer.locator(".cm-content").click()
            lab.keyboard.press("Control+a")
            lab.keyboard.press("Delete")
            for index, line in enumerate(TYPED_ANSWER):
                if index:
                    lab.keyboard.press("Enter")
                lab.keyboard.type(line)
            expect(answer.locator(".cm-content")).to_have_text(EXPECTED_SOURCE, use_inner_text=True)
            lab.keyboard.press("Escape")
            # Run > Run All Above Selected Cell, then the answer cell and its test cell.
            menu(lab, "Run", "notebook:run-all-above")
            answer.locator(".jp-InputPrompt").click()
            lab.keyboard.press("Shift+Enter")
            expect(test_cell).to_have_class(re.compile(r"\bjp-mod-active\b"))
            lab.keyboard.press("Shift+Enter")
            output = test_cell.locator(".jp-OutputArea-output")
            # Done when its prompt shows an execution count instead of [*].
            expect(test_cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"^\s*\[\d+\]:\s*$"))
            expect(output.first).to_contain_text(CHECKING)
            check_message = "\n".join(output.all_inner_texts())
            assert PASSED in check_message and FAILED not in check_message, check_message
            assert "CheckFailed" not in check_message, check_message
            expect(test_cell.locator('[data-mime-type="application/vnd.jupyter.error"]')).to_have_count(0)
            # The exercise, the typed answer and the check's message in view, the pointer out of the way.
            answer.evaluate("cell => cell.scrollIntoView({block: 'center'})")
            lab.mouse.move(5, 880)
            artefacts.take(lab, "student-check-passed")

            # -- Student: the notebook's Validate button (it saves the notebook first).
            panel.locator("jp-button.validate-button").click()
            dialog = lab.locator(".nbgrader-SuccessDialog, .nbgrader-ErrorDialog")
            dialog.wait_for(timeout=SERVER_RUN_MS)
            expect(dialog.locator("#validation-message")).to_contain_text(VALIDATE_SUCCESS)
            assert lab.locator(".nbgrader-SuccessDialog").count() == 1, dialog.inner_text()
            validation_message = dialog.locator("#validation-message").inner_text()
            artefacts.take(lab, "student-validated")
            dialog.locator("button.jp-Dialog-button").click()
            expect(dialog).to_have_count(0)
            saved = nbformat.read(str(notebook_path), as_version=4)
            [saved_answer] = [
                cell.source for cell in saved.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == FUNCTION
            ]
            assert saved_answer == EXPECTED_SOURCE

            # -- Student: Submit, from the Assignments panel.
            lab.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text="Assignments").click()
            fetched.locator(".item_status button", has_text="Submit").click()
            submitted = lab.locator("#submitted_assignments_list > .list_item")
            expect(submitted).to_have_count(1)
            expect(submitted.locator(".item_name").first).to_have_text(ASSIGNMENT)
            artefacts.take(lab, "student-submitted")
            [inbound] = (exchange / COURSE_ID / "inbound").glob(f"*+{ASSIGNMENT}+*")
            student_id = inbound.name.split("+")[0]

            # -- Instructor: collect, autograde, feedback, from the formgrader.
            formgrader.reload(wait_until="domcontentloaded")
            row.locator("td.collect a").click()
            close_modal(formgrader, formgrader_modal(formgrader, "Successfully collected"))
            expect(row.locator("td.num-submissions")).to_have_text("1")
            row.locator("td.num-submissions a").click()
            formgrader.wait_for_url(re.compile(rf"/formgrader/manage_submissions/{ASSIGNMENT}/?$"))
            submission = formgrader.locator(
                "#main-table tr", has=formgrader.locator("td.student-id", has_text=student_id)
            )
            expect(submission.locator("td.status")).to_have_text("needs autograding")
            artefacts.take(formgrader, "instructor-collected")
            submission.locator("td.autograde a").click()
            close_modal(formgrader, formgrader_modal(formgrader, "Successfully autograded", SERVER_RUN_MS))
            expect(submission.locator("td.status")).to_have_text("graded")
            score = f"{total_points:g} / {total_points:g}"
            expect(submission.locator("td.score")).to_have_text(score)
            artefacts.take(formgrader, "instructor-autograded")
            submission.locator("td.generate-feedback a").click()
            close_modal(formgrader, formgrader_modal(formgrader, "Successfully generated feedback", SERVER_RUN_MS))

            feedback = pages["feedback"] = teacher.new_page()
            feedback.goto(
                instructor.url(f"files/feedback/{student_id}/{ASSIGNMENT}/{ASSIGNMENT}.html"),
                wait_until="domcontentloaded",
            )
            expect(feedback.locator("h4").first).to_contain_text(
                f"{ASSIGNMENT} (Score: {float(total_points)} / {float(total_points)})"
            )
            feedback_head = feedback.locator("h4").first.inner_text()
            # The typed answer, and its test cell with its points and the grader's verdict.
            typed = feedback.locator(".cell", has=feedback.locator(f'a[name="comment-{FUNCTION}"]'))
            expect(typed.locator(".input_area")).to_contain_text(TYPED_ANSWER[2])
            graded = feedback.locator(".cell", has=feedback.locator(f'a[name="test_{FUNCTION}"]'))
            expect(graded.locator(".panel-heading")).to_contain_text(
                f"Score: {float(function_points)} / {float(function_points)}"
            )
            verdict = graded.locator(".output_area").inner_text()
            assert FUNCTION in verdict and PASSED in verdict and FAILED not in verdict, verdict
            typed.scroll_into_view_if_needed()
            artefacts.take(feedback, "instructor-feedback")
        except Exception:
            for name, page in pages.items():
                try:
                    artefacts.take(page, f"failure-{name}")
                except Exception:  # noqa: BLE001 (a page that cannot be captured any more)
                    pass
            raise AssertionError(
                f"browser round trip failed; screenshots in {artefacts.folder}\n"
                f"--- student's server:\n{student.log()[-4000:]}\n"
                f"--- instructor's server:\n{instructor.log()[-4000:]}"
            ) from sys.exc_info()[1]
    elapsed = time.monotonic() - started
    print(
        f"check: {check_message}\nvalidate: {validation_message}\nfeedback: {feedback_head}\n"
        f"{FUNCTION}'s test cell: {verdict}\nround trip in {elapsed:.0f} s"
    )
