"""The kit's parallel grader (dnngrader grade, on a local Dask cluster), against stock
sequential nbgrader.

The same six submissions (correct, blank and buggy ones) are graded by `nbgrader autograde` in
one scratch course and by the parallel grader in another; the gradebooks must agree.  The
parallel course is then used for the reports, a re-run, a zip of an LMS download and a run that
is killed half-way and resumed.  A worker's result, written into a course by the command's
ResultWriter, must give stock nbgrader's rows, and only once.  (tests/test_dask_cluster.py
grades on a Dask scheduler and workers started apart, and kills a worker mid-run.)
"""

import csv
import io
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import matplotlib.image
import numpy as np
import psutil
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_notebook
from nbgrader import api
from nbgrader.api import Gradebook
from traitlets.config import Config

from dnngrader.batch import analytics, forked_kernels, plan, snapshot, timing, worker
from dnngrader.plugins import export, lms
from dnngrader.assignments import reference
from dnngrader.tools import samples
from dnngrader.assignments.dnn_step_by_step.cases import TESTS
from dnngrader.plugins.execute import ResilientExecute
from dnngrader.paths import ASSIGNMENT, GRADED_FUNCTIONS
from dnngrader.batch.progress import Progress
from dnngrader.batch.results import ResultWriter
from dnngrader.batch.submissions import GradingState

from grading_class import COURSE_ID, GRADE_TIMEOUT, STUDENTS, gradebook_snapshot


@pytest.fixture(scope="module")
def submissions(class_submissions):
    return class_submissions


@pytest.fixture(scope="module")
def new_course(new_class_course):
    return new_class_course


@pytest.fixture(scope="module")
def stock(stock_snapshot):
    return stock_snapshot


@pytest.fixture(scope="module")
def parallel(new_course):
    """The parallel course after its first run (3 workers on this 2-core machine), with what
    that run printed and wrote, kept before later tests change the course."""
    course = new_course("parallel")
    done = course.grade("--jobs", "3", timeout=GRADE_TIMEOUT)
    left = _forkservers_of(course)  # at once: the command stops its forkserver before it ends
    reports = course.root / "reports"
    return {
        "course": course,
        "run": done,
        "forkservers left": left,
        "snapshot": gradebook_snapshot(course),
        "csv": (reports / "grades.csv").read_text(),
        "png": (reports / "grades.png").read_bytes(),
    }


def _forkservers_of(course):
    """The process ids of the local cluster's forkservers started for ``course`` still running."""
    return [
        process.pid
        for process in psutil.process_iter(["cmdline"])
        if "multiprocessing.forkserver" in " ".join(process.info["cmdline"] or [])
        and str(course.root) in " ".join(process.info["cmdline"] or [])
    ]


def test_the_command_leaves_no_forkserver_behind(parallel):
    assert parallel["forkservers left"] == []


def test_parallel_gradebook_is_the_one_sequential_nbgrader_makes(stock, parallel):
    assert parallel["run"].returncode == 0, parallel["run"].stdout[-2000:] + parallel["run"].stderr[-3000:]
    assert sorted(stock["students"]) == sorted(STUDENTS)
    assert stock["rows"]["grade"] == len(STUDENTS) * len(TESTS)  # one grade per test cell, no duplicates
    assert snapshot.differences(stock, parallel["snapshot"]) == []


def test_every_student_gets_feedback_html(parallel):
    root = parallel["course"].root
    for student in STUDENTS:
        html = (root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert "compute_cost" in html and "run_hidden_tests" not in html


def column(name):
    """The grade sheet's column of ``name`` (total, max or a function) of the assignment."""
    return export.column(ASSIGNMENT, name)


def test_csv_has_a_row_per_student_and_a_column_per_function(parallel):
    rows = list(csv.DictReader(io.StringIO(parallel["csv"])))
    assert list(rows[0]) == export.columns([ASSIGNMENT])  # the only assignment of this course
    assert list(rows[0])[:4] == ["student", column("total"), column("max"), column(GRADED_FUNCTIONS[0])]
    assert column("total") == f"{ASSIGNMENT}:total" and column("linear_forward") == f"{ASSIGNMENT}:linear_forward"
    assert list(rows[0])[-2:] == ["flagged", "notes"]
    assert [row["student"] for row in rows] == sorted(STUDENTS)
    by_student = {row["student"]: row for row in rows}
    assert float(by_student["ada_full_marks"][column("total")]) == 100.0
    assert float(by_student["ben_blank"][column("total")]) == 0.0
    assert float(by_student["cleo_shapes"][column("linear_forward")]) == 0.0
    for row in rows:
        assert float(row[column("total")]) == pytest.approx(sum(float(row[column(name)]) for name in GRADED_FUNCTIONS))
        expected = parallel["snapshot"]["students"][row["student"]]["submissions"][ASSIGNMENT]["score"]
        assert float(row[column("total")]) == pytest.approx(expected)


def test_png_plots_the_scores_and_pass_rates_of_the_csv(parallel, tmp_path):
    rows = [
        {name: float(row[column(name)]) for name in [*GRADED_FUNCTIONS, "total"]}
        for row in csv.DictReader(io.StringIO(parallel["csv"]))
    ]
    png = tmp_path / "grades.png"
    png.write_bytes(parallel["png"])
    pixels = matplotlib.image.imread(png)
    colours = np.unique(np.round(pixels[..., :3] * 255).reshape(-1, 3), axis=0)
    assert pixels.shape[0] >= 400 and pixels.shape[1] >= 1000 and len(colours) > 100  # a real chart
    drawn = analytics.read_plotted(png)
    assert drawn["order"] == [ASSIGNMENT]  # a row of panels per assignment with submissions
    plotted = drawn["assignments"][ASSIGNMENT]
    assert plotted["students"] == len(STUDENTS) and plotted["max"] == 100
    totals = [row["total"] for row in rows]
    per_bin = [
        sum(low <= total < low + 10 or low == 90 and total == 100 for total in totals) for low in range(0, 100, 10)
    ]
    assert plotted["students_per_bin"] == per_bin
    assert per_bin[0] == 1 and per_bin[-1] == 2  # ben; ada and fay
    points = {name: max(row[name] for row in rows) for name in GRADED_FUNCTIONS}  # ada has them all
    for name, (passed, students) in analytics.pass_rates(rows, points).items():
        assert plotted["pass_rate_percent"][name] == pytest.approx(100 * passed / students)
    assert plotted["pass_rate_percent"]["initialize_parameters"] == pytest.approx(100 * 5 / 6)  # all but ben
    assert plotted["pass_rate_percent"]["compute_cost"] == pytest.approx(100 * 4 / 6)  # not ben, not dev


def test_pass_rates_are_printed(parallel):
    out = parallel["run"].stdout
    assert "Pass rate per function" in out
    for name in GRADED_FUNCTIONS:
        assert re.search(rf"^\s+{name}\s+\d+/6\s+[\d.]+ %$", out, re.MULTILINE), name
    assert re.search(r"^\s+linear_forward\s+4/6\s+66\.7 %$", out, re.MULTILINE)  # cleo's mistake


def test_progress_bar_is_plain_text_with_an_eta_when_not_a_terminal(parallel):
    lines = parallel["run"].stderr.splitlines()
    bars = [line for line in lines if line.startswith("[")]
    assert bars[0].startswith("[" + "." * 30 + "] 0/6 graded (0%)")
    assert re.fullmatch(r"\[#{30}\] 6/6 graded \(100%\), elapsed \d\d:\d\d, ETA 00:00", bars[-1])
    assert "\r" not in parallel["run"].stderr


def test_a_second_run_grades_nothing_again(parallel):
    course = parallel["course"]
    notebook = course.autograded_notebook("cleo_shapes")
    before = notebook.stat().st_mtime_ns
    log = course.root / "reports" / "grading.log"
    graded_log = log.read_text()
    done = course.grade(timeout=GRADE_TIMEOUT)
    assert done.returncode == 0, done.stderr[-2000:]
    # Nothing to grade: no Dask worker is named, since none starts.
    assert re.search(r"submissions in submitted/: (\d+) already graded, 0 to grade\n", done.stdout)
    assert notebook.stat().st_mtime_ns == before
    # No local cluster was needed: the forkserver started for one is stopped, not left importing.
    assert _forkservers_of(course) == []
    # The log of the run that graded them is kept (nothing of this run replaces it).
    assert "==== cleo_shapes: graded" in graded_log and log.read_text().startswith(graded_log)


def test_a_zip_of_an_lms_download_is_collected_and_graded(parallel, submissions, stock, tmp_path):
    course = parallel["course"]
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as archive:  # the two layouts the default pattern reads
        archive.write(submissions / "eli_layers" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", f"gil_{ASSIGNMENT}.ipynb")
        archive.write(
            submissions / "ada_full_marks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", f"class/hal/{ASSIGNMENT}.ipynb"
        )
    done = course.grade("--zip", str(download), timeout=GRADE_TIMEOUT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "2 new or changed submission(s)" in done.stdout
    assert re.search(r"(\d+) already graded, 2 to grade", done.stdout)
    for student in ("gil", "hal"):
        assert (course.submitted / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    graded = gradebook_snapshot(course)["students"]
    assert graded["gil"]["submissions"] == stock["students"]["eli_layers"]["submissions"]
    assert graded["hal"]["submissions"][ASSIGNMENT]["score"] == 100.0

    again = course.grade("--zip", str(download), timeout=GRADE_TIMEOUT)  # the same download: nothing new
    assert "0 new or changed submission(s)" in again.stdout
    assert re.search(r"already graded, 0 to grade", again.stdout)


def test_default_zip_pattern_reads_student_ids_with_underscores():
    pattern = re.compile(lms.default_pattern(ASSIGNMENT))
    flat = pattern.match(f"/x/extracted/dl/ada_full_marks_{ASSIGNMENT}.ipynb")
    nested = pattern.match(f"/x/extracted/dl/ada_full_marks/{ASSIGNMENT}.ipynb")
    assert flat["student_id"] == nested["student_id"] == "ada_full_marks"
    assert flat["file_id"] == ASSIGNMENT
    assert pattern.match("/x/extracted/dl/ada_full_marks_notes.ipynb") is None


def _autograded(course):
    with Gradebook(course.db_url, COURSE_ID) as gradebook:
        state = GradingState(course_dir(course), gradebook)
        return {student for student in STUDENTS if state.autograded(student)}


def course_dir(course):
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(root=str(course.root), course_id=COURSE_ID, assignment_id=ASSIGNMENT)


RUN_MARKER = "DNNGRADER_TEST_RUN"  # a variable of the killed run's environment, so of its processes'


def _processes_of(course):
    """Processes (workers, kernel templates, kernels) still running for ``course``'s killed run."""
    marker = f"{RUN_MARKER}={course.root}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:  # gone, or not ours to read
            pass
    return found


def test_a_killed_run_resumes_without_grading_anything_twice(new_course, stock):
    course = new_course("killed")
    command = [sys.executable, "-m", "dnngrader.batch.grade", "--course", str(course.root), "--jobs", "2"]
    run = subprocess.Popen(
        command,
        cwd=course.root,
        env={**course.env(), RUN_MARKER: str(course.root)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + GRADE_TIMEOUT
    while len(_autograded(course)) < 2 and time.monotonic() < deadline:
        assert run.poll() is None, "the grader ended before it could be killed"
        time.sleep(0.05)
    assert _processes_of(course)  # the marker is seen
    os.killpg(run.pid, signal.SIGKILL)  # the grader, its workers and their kernel templates
    run.wait()

    done = _autograded(course)
    assert 1 <= len(done) < len(STUDENTS)
    stamps = {student: course.autograded_notebook(student).stat().st_mtime_ns for student in done}
    deadline = time.monotonic() + 20
    while _processes_of(course) and time.monotonic() < deadline:  # orphaned kernels notice and exit
        time.sleep(0.5)
    assert _processes_of(course) == []

    resumed = course.grade(timeout=GRADE_TIMEOUT)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"{len(done)} already graded, {len(STUDENTS) - len(done)} to grade" in resumed.stdout
    assert {student: course.autograded_notebook(student).stat().st_mtime_ns for student in done} == stamps
    log = (course.root / "reports" / "grading.log").read_text()  # the resumed run's log
    for student in STUDENTS:
        assert (f"Sanitizing {course.submitted}/{student}/" in log) == (student not in done), student
    assert snapshot.differences(stock, gradebook_snapshot(course)) == []


POLLUTING_ANSWER = """
import builtins, numpy
numpy.dot = numpy.matmul = lambda *args, **kwargs: 0   # breaks NumPy in this kernel
builtins.print = lambda *args, **kwargs: None

"""
# ... then the correct answer, from the source notebook.
POLLUTING_ANSWER += reference.solution_sources()["initialize_parameters"]


def test_each_submission_runs_in_a_kernel_of_its_own(new_course, tmp_path):
    """One worker grades a submission that breaks NumPy in its kernel, then a correct one."""
    course = new_course("isolation")
    shutil.rmtree(course.submitted)
    samples.write_submission(
        samples.fill_answers({"initialize_parameters": POLLUTING_ANSWER.strip()}), "a_polluter", course.submitted
    )
    samples.write_submission(samples.fill_answers({}), "b_correct", course.submitted)
    timings = tmp_path / "timings.json"
    done = course.grade("--jobs", "1", "--no-feedback", "--timings", str(timings), timeout=GRADE_TIMEOUT)
    assert done.returncode == 0, done.stderr[-3000:]
    grades = gradebook_snapshot(course)["students"]
    assert grades["a_polluter"]["submissions"][ASSIGNMENT]["score"] < 50  # its NumPy was broken
    assert grades["b_correct"]["submissions"][ASSIGNMENT]["score"] == 100.0  # the next kernel's was not
    kernels = json.loads(timings.read_text())["kernel_pids"]
    assert kernels["a_polluter"] and kernels["b_correct"]
    assert not set(kernels["a_polluter"]) & set(kernels["b_correct"])


# What the grading command does for one submission, without Dask: the plan and the task as data,
# worker.grade_task in a process of its own (it moves into its scratch course), the result pickled.
GRADE_ONE = """
import pickle, sys
from pathlib import Path
from nbgrader.api import Gradebook
from dnngrader.batch import plan, worker
from dnngrader.paths import ASSIGNMENT
root, student, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
app = worker.load_course(root, assignment=ASSIGNMENT)
coursedir = app.coursedir
with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
    grading_plan = plan.build(coursedir, gradebook, root / "nbgrader_config.py")
    task = plan.task(coursedir, gradebook, {"student": student, "autograde": True, "feedback": True})
task["files"] = plan.by_reference(task["files"], grading_plan["source_files"])
sent = worker.grade_task(grading_plan, task)
out.write_bytes(pickle.dumps({"sent": sent, "result": plan.result_with_data(sent, grading_plan)}))
worker.close()
"""


def test_the_grading_command_writes_each_students_result_once(new_course, stock, tmp_path):
    course = new_course("written_once")
    out = tmp_path / "result.pickle"
    done = subprocess.run(
        [sys.executable, "-c", GRADE_ONE, str(course.root), "cleo_shapes", str(out)],
        cwd=course.root,
        env=course.env(),
        capture_output=True,
        text=True,
        timeout=GRADE_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    both = pickle.loads(out.read_bytes())
    result = both["result"]
    assert result["ok"], result["log"][-3000:]
    # The course's support files came back by reference, the notebook and the feedback in full.
    for key in ("autograded", "feedback"):
        sent = {entry["path"]: entry for entry in both["sent"][key]}
        assert sent["test_cases.py"].get("known") and "data" not in sent["test_cases.py"]
        assert all("data" in entry for path, entry in sent.items() if path.endswith((".ipynb", ".html")))
    assert not (course.root / "autograded").exists()  # the worker graded in a scratch course of its own
    assert f"Sanitizing {course.submitted}/cleo_shapes/" in result["log"]  # its log names the course's folders

    with Gradebook(course.db_url, COURSE_ID) as gradebook:
        writer = ResultWriter(course_dir(course), gradebook)
        assert writer.write(result) is result
        notebook = course.autograded_notebook("cleo_shapes")
        written = notebook.stat().st_mtime_ns
        # Another result for the same student (Dask ran its task again, say) changes nothing.
        state = json.loads(json.dumps(result["state"]))
        for grade in state["notebooks"][ASSIGNMENT]["grades"].values():
            grade["auto_score"] = 0.0
        assert writer.write({**result, "state": state}) is None
        assert writer.write(result) is None
    assert notebook.stat().st_mtime_ns == written
    assert oct(notebook.stat().st_mode & 0o777) == "0o444"  # as nbgrader leaves it
    assert (course.root / "feedback" / "cleo_shapes" / ASSIGNMENT / f"{ASSIGNMENT}.html").exists()
    for step in ("autograded", "feedback"):  # written in full, from the course's own source files
        written_file = course.root / step / "cleo_shapes" / ASSIGNMENT / "test_cases.py"
        assert written_file.read_bytes() == (course.root / "source" / ASSIGNMENT / "test_cases.py").read_bytes()
    graded = gradebook_snapshot(course)
    assert graded["students"] == {"cleo_shapes": stock["students"]["cleo_shapes"]}
    assert graded["rows"]["grade"] == len(TESTS)
    with Gradebook(course.db_url, COURSE_ID) as gradebook:
        assert GradingState(course_dir(course), gradebook).autograded("cleo_shapes")


def test_support_files_travel_by_reference_and_come_back_whole():
    known = [
        {"path": "checks.json", "mode": 0o644, "data": b"x" * 1000},
        {"path": "helpers.py", "mode": 0o644, "data": b"def f(): pass\n"},
    ]
    files = [
        {"path": "checks.json", "mode": 0o444, "data": b"x" * 1000},  # as released, read-only
        {"path": "helpers.py", "mode": 0o644, "data": b"def f(): return 1\n"},  # edited by the student
        {"path": "mine.py", "mode": 0o600, "data": b"x = 1\n"},  # the student's own
        {"path": "link", "link": "checks.json"},
    ]
    sent = plan.by_reference(files, known)
    assert sent[0] == {"path": "checks.json", "mode": 0o444, "known": True}
    assert sent[1:] == files[1:]  # what differs from the plan's files travels as it is
    assert plan.with_data(sent, known) == files
    with pytest.raises(ValueError, match="checks.json was sent as one of the plan's files"):
        plan.with_data(sent, known[1:])


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_redraws_one_line_on_a_terminal_with_the_recent_pace(monkeypatch):
    clock = iter([0.0, 0.0, 10.0, 20.0])  # created, started, two submissions done
    monkeypatch.setattr(time, "monotonic", lambda: next(clock))
    terminal = FakeTerminal()
    progress = Progress(10, stream=terminal)
    progress.start()
    progress.advance()
    progress.advance(ok=False)
    text = terminal.getvalue()
    assert text.count("\r\x1b[2K") == 3 and "\n" not in text
    assert text.endswith("2/10 graded (20%), elapsed 00:20, ETA 01:20, 1 failed")


def test_phase_clock_counts_each_second_once(monkeypatch):
    from dnngrader.batch.timing import PhaseClock

    ticks = iter([0.0, 1.0, 3.0, 4.0, 10.0])  # created; execution from 1; database 3 to 4; back at 10
    monkeypatch.setattr(time, "perf_counter", lambda: next(ticks))
    clock = PhaseClock()
    with clock.phase("execution"):
        with clock.phase("database"):
            pass
    assert clock.seconds == {"other": 1.0, "execution": 8.0, "database": 1.0}


def test_the_workers_kernels_stay_forked_whatever_the_course_configures():
    """The course's configuration names the sandbox's kernel manager, and ResilientExecute loads
    its configuration again each time it runs: the grader's forked kernels must survive that."""
    config = Config()
    config.ResilientExecute.kernel_manager_class = "dnngrader.plugins.sandbox.SandboxedKernelManager"
    execute = ResilientExecute(config=config)
    worker._instrument_execute(execute, timing.PhaseClock(), True, {})
    NotebookClient.__init__(execute, new_notebook(), None)  # as ResilientExecute.preprocess does
    assert execute.kernel_manager_class is forked_kernels.ForkedKernelManager


# The worker's feedback exporter (speedups.FeedbackHTMLExporter) against nbconvert's own.


def _normalised(html):
    """A page as HTMLExporter's accessibility pass writes it out (BeautifulSoup, html.parser)."""
    from bs4 import BeautifulSoup

    return str(BeautifulSoup(html, features="html.parser"))


def test_feedback_pages_are_stock_generate_feedbacks_pages(parallel, tmp_path):
    """Stock `nbgrader generate_feedback` on the same autograded notebooks makes the same pages,
    up to how BeautifulSoup writes HTML out: the pass the kit skips had nothing to change."""
    from dnngrader.tools.course import ScratchCourse

    course = ScratchCourse(tmp_path / "course", db_url=parallel["course"].db_url)
    shutil.copytree(
        parallel["course"].root, course.root, symlinks=True, ignore=shutil.ignore_patterns("feedback", "gradebook.db*")
    )
    shutil.copyfile(parallel["course"].root / "gradebook.db", course.root / "gradebook.db")
    course.db_url = f"sqlite:///{course.root / 'gradebook.db'}"
    course.nbgrader("generate_feedback", ASSIGNMENT, "--force", timeout=GRADE_TIMEOUT)
    for student in STUDENTS:
        page = Path("feedback") / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
        kit, stock_page = (parallel["course"].root / page).read_text(), (course.root / page).read_text()
        assert kit != stock_page  # the pass really was skipped
        assert _normalised(kit) == stock_page, student


def _notebook_with(code, image_alt=None):
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    cells = [new_markdown_cell("# Title\n\nSome *markdown* with $x^2$."), new_code_cell(code)]
    if image_alt is not None:
        cells.append(new_markdown_cell(f"![{image_alt}](data:image/png;base64,{png})"))
    else:  # a plot: an image output without alt text
        cells.append(new_code_cell("plot()", outputs=[new_output("display_data", {"image/png": png})]))
    notebook = new_notebook(cells=cells)
    notebook.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    return notebook


@pytest.mark.parametrize("template", ["lab", "classic"])
def test_the_feedback_exporter_makes_nbconverts_page_when_the_pass_has_work(template):
    """An image without alt text (a plot), or JupyterLab's template: the pass runs, and the page
    is nbconvert's to the byte, alt text included."""
    from nbconvert.exporters import HTMLExporter
    from dnngrader.batch.speedups import FeedbackHTMLExporter

    notebook = _notebook_with("x = 1")
    kit, _ = FeedbackHTMLExporter(template_name=template).from_notebook_node(notebook)
    stock_page, _ = HTMLExporter(template_name=template).from_notebook_node(notebook)
    assert kit == stock_page
    assert "No description has been provided for this image" in kit


def test_the_feedback_exporter_keeps_renderings_apart_by_source():
    """Kept renderings are keyed by what they depend on: two students' different code, rendered
    one after the other, each give nbconvert's page; and a page without the pass's work is
    nbconvert's once written out as the pass writes it."""
    from nbconvert.exporters import HTMLExporter
    from dnngrader.batch.speedups import FeedbackHTMLExporter, needs_accessibility_pass

    for code in ["x = 1", "y = 'two'", "x = 1"]:
        notebook = _notebook_with(code, image_alt="a figure")
        kit, _ = FeedbackHTMLExporter(template_name="classic").from_notebook_node(notebook)
        stock_page, _ = HTMLExporter(template_name="classic").from_notebook_node(notebook)
        assert not needs_accessibility_pass(kit)
        assert _normalised(kit) == stock_page
        assert code.split()[0] in kit


def _statements(url, course_id=COURSE_ID):
    """The SQL statements one Gradebook on ``url`` sends before it is closed, opened and closed."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    seen = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        with Gradebook(url, course_id):
            pass
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    return seen


def test_a_workers_gradebooks_check_the_tables_once_and_others_every_time(tmp_path):
    """speedups.schema_known: on a worker's copy of the plan's gradebook, the first Gradebook
    checks (and would create) nbgrader's tables and later ones go straight to their queries; a
    database not declared is checked by every Gradebook, and a new one still gets its tables."""
    from dnngrader.batch import speedups

    speedups.install()
    known, other = f"sqlite:///{tmp_path / 'worker.db'}", f"sqlite:///{tmp_path / 'other.db'}"
    speedups.schema_known(known)
    try:
        first, second = _statements(known), _statements(known)
        assert any("CREATE TABLE" in statement for statement in first)  # an empty file: tables made
        assert any("FROM course" in statement for statement in first)  # the course looked up
        assert second == []  # tables and course known: the Gradebook goes straight to its queries
        with Gradebook(known, COURSE_ID) as gradebook:  # the tables are there, and work
            gradebook.add_student("ada")
            assert [student.id for student in gradebook.students] == ["ada"]
        with Gradebook(known, "another_course") as gradebook:  # another course is still made
            assert any(course.id == "another_course" for course in gradebook.db.query(api.Course))
        assert any(statement.startswith("PRAGMA") for statement in _statements(other))
        assert any("FROM course" in statement for statement in _statements(other))
    finally:
        speedups.schema_forgotten(known)
    again = _statements(known)
    assert any(statement.startswith("PRAGMA") for statement in again)
    assert any("FROM course" in statement for statement in again)


def test_nbgrader_discards_what_check_course_returns():
    """speedups skips Gradebook.check_course for a known gradebook and returns None, which holds
    only while nbgrader's one caller, Gradebook.__init__, ignores the result."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(api))
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "check_course"
    ]
    assert len(calls) == 1
    statements = [node for node in ast.walk(tree) if isinstance(node, ast.Expr) and node.value is calls[0]]
    assert statements, "nbgrader now uses what check_course returns: speedups must return the course"


def test_the_local_clusters_workers_do_not_profile_themselves(tmp_path):
    """The local cluster's Dask settings reach its workers (cluster.LOCAL_CLUSTER_CONFIG): the
    scheduler's allowed failures are the kit's, and the statistical profiler is off."""
    import dask
    from dnngrader.batch import cluster

    names = sorted(cluster.LOCAL_CLUSTER_CONFIG)
    with cluster.connect(None, 1, None, tmp_path / "dask.log") as client:
        settings = client.run(lambda: {name: dask.config.get(name) for name in names})
        time.sleep(0.5)  # fifty of the profiler's 10 ms periods

        def samples_taken(dask_worker):
            return dask_worker.profile_recent.get("count", 0)

        counts = client.run(samples_taken)
    assert list(settings.values()) == [cluster.LOCAL_CLUSTER_CONFIG]
    assert cluster.LOCAL_CLUSTER_CONFIG["distributed.worker.profile.enabled"] is False
    assert list(counts.values()) == [0]


def test_the_bench_prints_its_figures_side_by_side(tmp_path):
    """`make bench`'s script, on 3 submissions of each assignment: make grade before and after
    stock nbgrader, the speed-up against their mean, agreeing gradebooks, where the CPU goes, a
    throughput row for the number of workers asked for (2: the second run of make grade) on the
    first assignment, and both assignments' figures side by side at the end."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dnngrader.batch.bench",
            "--n",
            "3",
            "--jobs",
            "2",
            "--workers",
            "2",
            "--no-feedback",
            "--keep",
            str(tmp_path / "bench"),
        ],
        cwd=Path(__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    printed = done.stdout
    assert done.returncode == 0, printed + done.stderr
    sections = printed.split("\n== ")[1:]
    assert [section.split(" ==")[0] for section in sections] == ["dnn_step_by_step", "dnn_application"], printed
    speedups = {}
    for section in sections:
        name = section.split(" ==")[0]
        lines = {line.split("  ")[0].strip(): line for line in section.splitlines()}
        seconds = {}
        for label in ("make grade (2 workers), before", "stock nbgrader, sequential", "make grade (2 workers), after"):
            assert label in lines, section
            seconds[label] = float(lines[label].split()[-5].rstrip("s"))
        mean = (seconds["make grade (2 workers), before"] + seconds["make grade (2 workers), after"]) / 2
        speedup = re.search(r"speed-up: ([\d.]+) x", section)
        assert speedup and float(speedup.group(1)) == pytest.approx(
            seconds["stock nbgrader, sequential"] / mean, rel=0.05
        )
        speedups[name] = float(speedup.group(1))
        assert "gradebooks agree with stock nbgrader's: yes" in section
        assert "CPU seconds per submission, every process counted" in section
    rows = [
        line.split()
        for line in sections[0].split("Throughput with local Dask workers")[1].splitlines()[2:]
        if line.strip() and not line.startswith("Side by side")
    ][:1]
    assert [row[0] for row in rows] == ["2"]
    assert "Throughput with local Dask workers" not in sections[1]
    table = printed.split("Side by side")[1].splitlines()[2:]
    assert [row.split()[0] for row in table] == ["dnn_step_by_step", "dnn_application"]
    for row in table:
        name, speedup, agree = row.split()[0], row.split()[3], row.split()[4]
        assert float(speedup.rstrip("x")) == pytest.approx(speedups[name], abs=0.01) and agree == "yes"


def test_cell_metadata_found_valid_is_not_validated_again_and_invalid_always_is():
    """speedups._CheckedSchemas: the jsonschema ``validate`` nbgrader's CheckCellMetadata calls;
    valid metadata is kept (the same JSON is not checked again), invalid metadata raises
    jsonschema's own error every time and is never kept."""
    import jsonschema
    from dnngrader.batch import speedups

    schemas = speedups._CheckedSchemas()
    schema = {"type": "object", "properties": {"points": {"type": "number"}}, "required": ["points"]}
    schemas.validate({"points": 5}, schema)
    schemas.validate({"points": 5}, schema)
    assert len(schemas.valid.kept) == 1
    for _ in range(2):
        with pytest.raises(jsonschema.ValidationError, match="'points' is a required property"):
            schemas.validate({"grade": True}, schema)
    assert len(schemas.valid.kept) == 1
    with pytest.raises(jsonschema.ValidationError):  # not JSON: checked, and raises, all the same
        schemas.validate({"points": object()}, schema)
