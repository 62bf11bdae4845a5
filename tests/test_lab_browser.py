"""A student's view: JupyterLab really serves the release folder (as `make lab` does) and a real
browser, Debian's headless Chromium, opens the assignment notebook and renders it."""

import hashlib
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dnngrader.paths import RELEASE_NOTEBOOK
from png_colours import colours
from shared_setup import free_port

CHROMIUM = Path("/usr/bin/chromium")
RELEASE_FOLDER = RELEASE_NOTEBOOK.parent
TITLE = "Building a Deep Neural Network, Step by Step"  # the release notebook's first heading
WINDOW = (1280, 900)
# Virtual time runs only while the page is idle (no pending requests), so this is not a wall-clock
# wait: it lets JupyterLab's scripts finish laying out the notebook before Chromium takes the DOM.
VIRTUAL_TIME_BUDGET_MS = 20000
SERVER_START_LIMIT_S = 120
BROWSER_LIMIT_S = 180


def folder_state(folder):
    """Every entry of a folder with a digest of its content, to see whether anything changed it."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir" for p in folder.iterdir()}


class LabServer:
    """`jupyter lab` on the release folder with a token of its own, on a free local port."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.log_path = workdir / "jupyter-lab.log"
        self.process = None

    def command(self):
        command = [
            str(Path(sys.executable).with_name("jupyter")),
            "lab",
            "--no-browser",
            "--ServerApp.open_browser=False",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            # Opening a notebook makes a checkpoint; keep it out of the committed release folder.
            f"--FileCheckpoints.checkpoint_dir={self.workdir / 'checkpoints'}",
        ]
        if os.geteuid() == 0:
            command.append("--allow-root")
        return command

    def env(self):
        # A configuration folder of its own, so the user's settings and saved workspaces (which
        # could open other tabs) play no part; the kit's own extensions (nbgrader) still load.
        env = dict(os.environ)
        env["JUPYTER_CONFIG_DIR"] = str(self.workdir / "config")
        env["JUPYTER_RUNTIME_DIR"] = str(self.workdir / "runtime")
        return env

    def start(self):
        with open(self.log_path, "wb") as log:
            # A session of its own, so stopping it can reach the kernels it started too.
            self.process = subprocess.Popen(
                self.command(),
                cwd=RELEASE_FOLDER,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + SERVER_START_LIMIT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"jupyter lab exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url(f"api/status?token={self.token}"), timeout=5) as reply:
                    if reply.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise AssertionError(f"jupyter lab did not answer within {SERVER_START_LIMIT_S} s:\n{self.log()}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # lets the server shut its kernels down
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}"

    def log(self):
        return self.log_path.read_text(errors="replace")[-3000:]


class Headings(HTMLParser):
    """The text of every <h1> of a page."""

    def __init__(self):
        super().__init__()
        self.h1 = []
        self._inside = False

    def handle_starttag(self, tag, attrs):
        if tag == "h1":
            self._inside = True
            self.h1.append("")

    def handle_endtag(self, tag):
        if tag == "h1":
            self._inside = False

    def handle_data(self, data):
        if self._inside:
            self.h1[-1] += data


@pytest.fixture(scope="module")
def chromium():
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium "
            "(make debian-packages), or run `apt-get install chromium`"
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    before = folder_state(RELEASE_FOLDER)
    server = LabServer(tmp_path_factory.mktemp("lab"))
    try:
        yield server.start()
    finally:
        server.stop()
    assert folder_state(RELEASE_FOLDER) == before, "serving the release must not change its files"


def open_in_chromium(chromium, lab, tmp_path, *output_flags):
    """Load the assignment notebook in headless Chromium with a fresh profile; returns the run."""
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    command = [
        str(chromium),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}",
        *output_flags,
        lab.url(f"lab/tree/{RELEASE_NOTEBOOK.name}?token={lab.token}"),
    ]
    browser = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = browser.communicate(timeout=BROWSER_LIMIT_S)
    finally:
        # Chromium runs helper processes; none may outlive the test.
        try:
            os.killpg(browser.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        browser.wait()
    assert browser.returncode == 0, f"chromium failed ({browser.returncode}):\n{stderr[-3000:]}"
    return stdout


def test_chromium_renders_the_assignment_notebook(chromium, lab, tmp_path):
    dom = open_in_chromium(chromium, lab, tmp_path, "--dump-dom")
    headings = Headings()
    headings.feed(dom)
    # The notebook's first markdown cell, rendered: so the token was accepted, the notebook was
    # read and JupyterLab's markdown renderer ran.
    assert any(h.strip().startswith(TITLE) for h in headings.h1), (
        f"no rendered <h1> {TITLE!r} in the page; server log:\n{lab.log()}"
    )
    for widget in ("jp-NotebookPanel", "jp-Notebook", "jp-MarkdownCell", "jp-CodeCell"):
        assert widget in dom, widget


def test_screenshot_of_the_notebook_is_not_blank(chromium, lab, tmp_path):
    screenshot = tmp_path / "lab.png"
    open_in_chromium(chromium, lab, tmp_path, f"--screenshot={screenshot}", f"--window-size={WINDOW[0]},{WINDOW[1]}")
    assert screenshot.is_file() and screenshot.stat().st_size > 0
    image = colours(screenshot)
    assert (image.width, image.height) == WINDOW
    assert not image.looks_blank, image
