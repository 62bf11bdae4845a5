"""The instructor's commands, run for real: nbgrader's exchange round trip, autograde's log,
`make demo`, `make clean`, `make grade GRADE_ARGS=...` and the commands the documentation names.

- A student fetches the assignment from an exchange folder, submits it, the instructor collects,
  autogrades, releases the feedback and the student fetches it: the files nbgrader itself adds
  to a submission (timestamp.txt, submission_secret.txt) are never reported to the student, and
  an untouched submission's autograde log has no "checksum has changed" warning, while a
  submission with an edited test cell still gets a warning or a finding.
- The demo grades in a scratch course of its own: a copy of the kit with a real student and a
  gradebook keeps them byte for byte.
- `make clean`, in a clone of the repository, removes every grading output and nothing else.
- make hands GRADE_ARGS and BENCH_ARGS to the shell unexpanded; the documented `--pattern` examples
  (docs/instructors/lms-downloads.md) reach the grader intact; every `nbgrader <command>` the
  README and docs/ name exists, and every documented `nbgrader collect` collects resubmissions.
"""

import csv
import hashlib
import re
import shlex
import shutil
import sys

import nbformat
import pytest
from nbgrader.api import Gradebook

from dnngrader.tools import build, samples
from dnngrader.plugins import export, findings
from dnngrader.paths import APPLICATION, ASSIGNMENT, COURSE_ROOT
from shared_setup import copy_of_blank_course
from working_tree import git, run, working_tree_clone

COURSE_ID = "dnn-step-by-step"
CHECKSUM_WARNING = re.compile(r"checksum'?\s+for\s+(?:grade\s+)?cell\s+'?(\w+)'?\s+has changed", re.I)
SAMPLE_STUDENTS = sorted(path.stem for path in (COURSE_ROOT / "samples").glob("*.py"))  # the first assignment's
APPLICATION_STUDENTS = samples.sample_students(APPLICATION)
# What a course keeps of its grading; the demo must leave all of it alone.
COURSE_DATA = ("submitted", "autograded", "feedback", "reports", "exchange", "release", "gradebook.db")


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def file_hashes(root, names):
    """relative path -> SHA-256 of every file under ``names`` (files or folders) in ``root``."""
    hashes = {}
    for name in names:
        path = root / name
        paths = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for item in paths:
            hashes[str(item.relative_to(root))] = hashlib.sha256(item.read_bytes()).hexdigest()
    return hashes


def checksum_warnings(log):
    """The grade ids of the cells nbgrader's autograde log says have a changed checksum."""
    return set(CHECKSUM_WARNING.findall(log))


def student_command(*args, exchange, cache):
    """An nbgrader command as a student runs it: no course configuration, only the course id and
    where the exchange is."""
    return [
        sys.executable,
        "-m",
        "nbgrader",
        *args,
        "--course",
        COURSE_ID,
        f"--Exchange.root={exchange}",
        f"--Exchange.cache={cache}",
    ]


def student_env():
    env = build.nbgrader_env()
    for name in ("DNN_EXCHANGE", "DNN_GRADEBOOK_URL"):
        env.pop(name, None)
    return env


# ---------------------------------------------------------------------------------------------
# 1, 2. Through the exchange: nbgrader's own files, and checksum warnings
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def exchange_class(tmp_path_factory):
    """A course whose exchange is a temporary folder outside it.  The student zoe fetches the
    assignment, answers every function correctly, adds a file of her own (notes.txt) and submits;
    the instructor collects, autogrades, generates and releases the feedback; zoe fetches it."""
    tmp = tmp_path_factory.mktemp("exchange_class")
    exchange, cache, home = tmp / "exchange", tmp / "zoe_cache", tmp / "zoe"
    home.mkdir()
    course = copy_of_blank_course(tmp_path_factory, tmp / "course", exchange=exchange)

    def instructor(*args):
        done = course.nbgrader(*args, check=False, timeout=600)
        assert done.returncode == 0, f"nbgrader {args[0]}:\n{done.stderr[-3000:]}"
        return done

    def student(*args):
        done = run(student_command(*args, "--student", "zoe", exchange=exchange, cache=cache), home, env=student_env())
        assert done.returncode == 0, f"nbgrader {args[0]}:\n{done.stderr[-3000:]}"
        return done

    instructor("release_assignment", ASSIGNMENT)
    student("fetch_assignment", ASSIGNMENT)
    fetched = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nbformat.write(samples.fill_answers({}, release=fetched), str(fetched))
    (home / ASSIGNMENT / "notes.txt").write_text("my own notes\n")
    student("submit", ASSIGNMENT)
    instructor("collect", ASSIGNMENT)
    autograde = instructor("autograde", ASSIGNMENT, "--student", "zoe")
    instructor("generate_feedback", ASSIGNMENT, "--student", "zoe")
    instructor("release_feedback", ASSIGNMENT, "--student", "zoe")
    student("fetch_feedback", ASSIGNMENT)
    fetched_feedback = sorted((home / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
    return {"course": course, "autograde_log": autograde.stderr, "fetched_feedback": fetched_feedback}


def test_exchange_submission_carries_nbgraders_own_files(exchange_class):
    """The scenario is real: nbgrader's submit and collect put their files in the submission."""
    folder = exchange_class["course"].submitted / "zoe" / ASSIGNMENT
    assert {"timestamp.txt", "submission_secret.txt", "notes.txt"} <= {p.name for p in folder.iterdir()}


def test_feedback_never_mentions_nbgraders_own_files(exchange_class):
    course = exchange_class["course"]
    notes = findings.texts(findings.read(course.autograded_notebook("zoe")), findings.NOTE)
    assert notes == ["extra files in the submission were ignored: notes.txt."]
    html = (course.root / "feedback" / "zoe" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert len(exchange_class["fetched_feedback"]) == 1
    fetched = exchange_class["fetched_feedback"][0].read_text()
    for text in (html, fetched):
        assert "notes.txt" in text  # the student's own extra file is still reported
        assert "submission_secret" not in text and "timestamp.txt" not in text


def test_autograding_an_untouched_submission_logs_no_checksum_warning(exchange_class):
    log = exchange_class["autograde_log"]
    assert "Autograding" in log  # the log is autograde's
    assert checksum_warnings(log) == set(), log
    assert "checksum" not in log.lower()


def test_an_edited_test_cell_still_gets_a_warning_or_a_finding(exchange_class):
    course = exchange_class["course"]
    notebook = samples.fill_answers({})
    [cell] = [
        cell for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_compute_cost"
    ]
    cell.source = 'print("all tests passed")'
    samples.write_submission(notebook, "yan", course.submitted)
    done = course.nbgrader("autograde", ASSIGNMENT, "--student", "yan", check=False, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    warned = checksum_warnings(done.stderr)
    recorded = [
        text
        for text in findings.texts(findings.read(course.autograded_notebook("yan")), findings.TAMPERING)
        if "test_compute_cost" in text
    ]
    assert warned <= {"test_compute_cost"}, warned  # the untouched test cells stay quiet
    assert warned or recorded, done.stderr
    with Gradebook(course.db_url, COURSE_ID) as gradebook:  # the original test ran, and passed
        grade = gradebook.find_grade("test_compute_cost", ASSIGNMENT, ASSIGNMENT, "yan")
        assert grade.score == grade.max_score > 0


# ---------------------------------------------------------------------------------------------
# 3. The demo grades in a scratch course
# ---------------------------------------------------------------------------------------------


def test_demo_grades_in_a_scratch_course_and_leaves_the_course_untouched(tmp_path, exchange_class):
    clone = working_tree_clone(tmp_path / "course")
    env = build.nbgrader_env()
    env["DNN_GRADEBOOK_URL"] = f"sqlite:///{clone / 'gradebook.db'}"
    env["DNN_EXCHANGE"] = str(clone / "exchange")

    # The course with real students, graded, with feedback, a report and the exchange: the
    # exchange class's course above (zoe submitted through the exchange, was autograded and got
    # her feedback; yan's edited test cell was autograded too when his test ran first), its
    # gradebook, release and grading folders copied into the clone.  Grading a student here
    # again would only cost an autograde and a generate_feedback more.
    graded = exchange_class["course"].root
    shutil.copyfile(graded / "gradebook.db", clone / "gradebook.db")
    shutil.rmtree(clone / "release" / ASSIGNMENT)
    shutil.copytree(graded / "release" / ASSIGNMENT, clone / "release" / ASSIGNMENT)
    for folder in ("submitted", "autograded", "feedback"):
        shutil.copytree(graded / folder, clone / folder, symlinks=True, dirs_exist_ok=True)  # autograded/README.md
    students = sorted(path.name for path in (clone / "submitted").iterdir())
    graded_folders = {
        folder: sorted(p.name for p in (clone / folder).iterdir() if p.is_dir())
        for folder in ("submitted", "autograded", "feedback")
    }
    assert all("zoe" in names for names in graded_folders.values()), graded_folders
    (clone / "reports").mkdir()
    (clone / "reports" / "grades.csv").write_text("student,total\nzoe,100.0\n")
    (clone / "exchange").mkdir(exist_ok=True)
    (clone / "exchange" / "note.txt").write_text("the exchange\n")
    before = file_hashes(clone, COURSE_DATA)
    assert "gradebook.db" in before and f"submitted/zoe/{ASSIGNMENT}/{ASSIGNMENT}.ipynb" in before
    with Gradebook(env["DNN_GRADEBOOK_URL"], COURSE_ID) as gradebook:
        assert sorted(student.id for student in gradebook.students) == students

    done = run([sys.executable, "-m", "dnngrader.tools.demo"], clone, env=env, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]

    assert file_hashes(clone, COURSE_DATA) == before
    with Gradebook(env["DNN_GRADEBOOK_URL"], COURSE_ID) as gradebook:
        assert sorted(student.id for student in gradebook.students) == students
    for folder, names in graded_folders.items():
        assert sorted(p.name for p in (clone / folder).iterdir() if p.is_dir()) == names, folder

    demo = clone / "demo"
    assert f"Demo course: {demo}" in done.stdout
    with open(demo / "reports" / "grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == sorted(set(SAMPLE_STUDENTS) | set(APPLICATION_STUDENTS))  # one row per student
    graded = done.stdout.split("Autograding with nbgrader")[1]
    # A table per assignment, the first assignment's first.
    first = graded.split(f"\n{ASSIGNMENT} (")[1].split(f"\n{APPLICATION} (")[0]
    second = graded.split(f"\n{APPLICATION} (")[1]
    for table, assignment, students in (
        (first, ASSIGNMENT, SAMPLE_STUDENTS),
        (second, APPLICATION, APPLICATION_STUDENTS),
    ):
        table = table.split("\n\n")[0]  # the notes on students follow a blank line
        assert re.search(r"^student\s.*\stotal", table, re.M), assignment
        listed = re.findall(r"^(\w+)\b.*\s[\d.]+/[\d.]+\s", table, re.M)
        assert sorted(listed) == students, assignment
        for student in students:
            assert (demo / "feedback" / student / assignment / f"{assignment}.html").is_file()
            assert float(rows[student][f"{assignment}:total"]) == float(
                re.search(rf"^{student}\b.*\s([\d.]+)/[\d.]+\s*$", table, re.M).group(1)
            )
    assert re.search(r"^student\s+init\s+init_deep\s+linear_fwd\s", first, re.M)  # the first table as it was
    assert re.search(r"^student\s+init_deep_scaled\s+two_layer_model\s+L_layer_model\s+predict\s+total", second, re.M)
    # Each shortened heading is spelled out once, after the tables.
    assert "\nShortened headings: init = initialize_parameters, init_deep = initialize_parameters_deep," in done.stdout
    # A student without a submission of an assignment has empty cells there, not 0.
    only_second = sorted(set(APPLICATION_STUDENTS) - set(SAMPLE_STUDENTS))
    assert only_second and all(rows[student][f"{ASSIGNMENT}:total"] == "" for student in only_second)
    assert float(rows["ada_full_marks"][f"{APPLICATION}:total"]) == 100
    assert float(rows["ben_blank"][f"{APPLICATION}:total"]) == 0
    for student in set(APPLICATION_STUDENTS) - {"ada_full_marks", "ben_blank"}:  # one mistake each
        assert 0 < float(rows[student][f"{APPLICATION}:total"]) < 100, student


def test_the_shortened_headings_are_spelled_out_and_only_those():
    assert export.shortened(["initialize_parameters", "predict", "linear_activation_backward"]) == (
        "Shortened headings: init = initialize_parameters, lin_act_bwd = linear_activation_backward"
    )
    assert export.shortened(["predict", "two_layer_model"]) == ""


def test_demo_refuses_to_replace_a_folder_it_did_not_make(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("years of work\n")
    done = run([sys.executable, "-m", "dnngrader.tools.demo", "--into", str(mine)], COURSE_ROOT)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "was not made by the demo" in done.stderr
    assert [p.name for p in mine.iterdir()] == ["thesis.tex"]


# ---------------------------------------------------------------------------------------------
# 4. make clean
# ---------------------------------------------------------------------------------------------


def test_make_clean_removes_every_grading_output_and_nothing_else(tmp_path):
    clone = working_tree_clone(tmp_path / "course")
    outputs = {
        f"submitted/zoe/{ASSIGNMENT}/{ASSIGNMENT}.ipynb": "{}",
        f"autograded/zoe/{ASSIGNMENT}/{ASSIGNMENT}.ipynb": "{}",
        "autograded/stray.log": "",
        f"feedback/zoe/{ASSIGNMENT}/{ASSIGNMENT}.html": "<html/>",
        "reports/grades.csv": "student\n",
        "reports/grading.log": "",
        f"downloaded/{ASSIGNMENT}/archive/class.zip": "",
        f"exchange/{COURSE_ID}/outbound/{ASSIGNMENT}/{ASSIGNMENT}.ipynb": "{}",
        f"exchange/{COURSE_ID}/inbound/zoe+{ASSIGNMENT}+2024-03-01T10.00.00/submission_secret.txt": "k",
        "grades.csv": "student\n",
        "gradebook.db": "",
        "gradebook.db-journal": "",
        "demo/.dnngrader-demo": "",
        f"demo/submitted/ada/{ASSIGNMENT}/{ASSIGNMENT}.ipynb": "{}",
        "demo/gradebook.db": "",
    }
    kept = {".venv/bin/python": "", f"work/{ASSIGNMENT}/{ASSIGNMENT}.ipynb": "{}", "notes.txt": "mine\n"}
    for name, text in {**outputs, **kept}.items():
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        (clone / name).write_text(text)
    (clone / f"autograded/zoe/{ASSIGNMENT}/{ASSIGNMENT}.ipynb").chmod(0o444)  # as nbgrader leaves it
    for name in ("dnngrader", "source", "release"):  # the demo's course links to the kit
        (clone / "demo" / name).symlink_to(clone / name)
    status = git("status", "--porcelain", "--ignored", "--untracked-files=all", cwd=clone).splitlines()
    for name in outputs:  # every output is one .gitignore knows as generated
        assert f"!! {name}" in status or any(line.startswith("!! ") and name.startswith(line[3:]) for line in status), (
            name
        )

    done = run(["make", "clean"], clone)
    assert done.returncode == 0, done.stdout + done.stderr

    remaining = git("status", "--porcelain", "--ignored", cwd=clone).splitlines()
    assert sorted(remaining) == ["!! .venv/", "!! work/", "?? notes.txt"]
    for name in kept:
        assert (clone / name).is_file(), name
    assert (clone / "autograded" / "README.md").is_file()
    assert (clone / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()


# ---------------------------------------------------------------------------------------------
# 5. make's arguments and the documentation's commands
# ---------------------------------------------------------------------------------------------


def printed_command(make_output, subcommand):
    """The arguments of the ``.venv/bin/dnngrader <subcommand>`` line ``make -n`` printed (the
    other lines, such as those that build .venv when it is older than the Makefile, are not
    split: they may be shell of any kind)."""
    lines = [line for line in make_output.splitlines() if line.split(" ", 1)[0].endswith("/dnngrader")]
    [words] = [words for words in map(shlex.split, lines) if words[1:2] == [subcommand]]
    return words[2:]


def test_make_passes_grade_args_and_bench_args_unexpanded():
    pattern = r".*_(?P<student_id>[^_]+)_(?P<file_id>dnn_step_by_step)\.ipynb$"
    done = run(["make", "-n", "grade", f"GRADE_ARGS=--pattern '{pattern}' --force", "JOBS=2"], COURSE_ROOT)
    assert done.returncode == 0, done.stderr
    assert printed_command(done.stdout, "grade") == ["--jobs", "2", "--pattern", pattern, "--force"]
    done = run(["make", "-n", "bench", "BENCH_ARGS=--keep '/tmp/bench$HOME' --jobs 1", "N=3"], COURSE_ROOT)
    assert done.returncode == 0, done.stderr
    assert printed_command(done.stdout, "bench") == ["--n", "3", "--keep", "/tmp/bench$HOME", "--jobs", "1"]


LMS_PAGE = COURSE_ROOT / "docs" / "instructors" / "lms-downloads.md"


def documentation_pages():
    """The README (the documentation site's front page) and every page under docs/."""
    return [COURSE_ROOT / "README.md", *sorted((COURSE_ROOT / "docs").rglob("*.md"))]


def test_lms_pattern_examples_reach_the_grader_intact():
    """The `make grade ... ZIP=... GRADE_ARGS="--pattern '...'"` examples of the LMS page: make
    hands each pattern to the grader as written, each names the assignment (a zip is of one
    assignment and the course has two), and the first reads `attempt_<id>_<notebook>.ipynb` at
    the top of the zip, inside a folder of it, and as nbgrader matches it (the whole path of the
    unpacked file)."""
    page = LMS_PAGE.read_text()
    examples = [
        line
        for line in page.splitlines()
        if line.startswith("make grade ") and "GRADE_ARGS=" in line and "--pattern" in line
    ]
    assert len(examples) >= 2, examples
    for example in examples:
        written = re.search(r"--pattern '([^']*)'", example).group(1)
        done = run(["bash", "-c", example.replace("make grade", "make -n grade", 1)], COURSE_ROOT)
        assert done.returncode == 0, done.stderr
        arguments = printed_command(done.stdout, "grade")
        pattern = arguments[arguments.index("--pattern") + 1]
        assert pattern == written and pattern.endswith("$"), (example, pattern)
        assert "--zip" in arguments and arguments[arguments.index("--assignment") + 1] == ASSIGNMENT, example
        regexp = re.compile(pattern)
        assert {"student_id", "file_id"} <= set(regexp.groupindex), example
    regexp = re.compile(re.search(r"--pattern '([^']*)'", examples[0]).group(1))
    unpacked = f"/srv/course/downloaded/{ASSIGNMENT}/extracted/class"
    for name in (
        f"class/attempt_zoe_{ASSIGNMENT}.ipynb",
        f"attempt_zoe_{ASSIGNMENT}.ipynb",
        f"{unpacked}/attempt_zoe_{ASSIGNMENT}.ipynb",
        f"{unpacked}/week 1/attempt_zoe_{ASSIGNMENT}.ipynb",
    ):
        match = regexp.match(name)
        assert match and match["student_id"] == "zoe" and match["file_id"] == ASSIGNMENT, name
    assert not regexp.match(f"class/attempt_zoe_{ASSIGNMENT}.ipynb.orig")
    assert not regexp.match(f"class/reattempt_zoe_{ASSIGNMENT}.ipynb")


def documented_nbgrader_commands(text):
    """The subcommands of every ``nbgrader <subcommand>`` in a page's code (blocks and spans)."""
    fence = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
    code = fence.findall(text) + re.findall(r"`([^`\n]+)`", fence.sub("", text))
    return {
        match.group(1) for text in code for match in re.finditer(r"(?:^|[\s;&|(])nbgrader\s+([a-z][a-z_]*)", text, re.M)
    }


def nbgrader_subcommands():
    """name -> description of the subcommands ``nbgrader --help-all`` lists."""
    done = run([sys.executable, "-m", "nbgrader", "--help-all"], COURSE_ROOT)
    assert done.returncode == 0, done.stderr
    section = done.stdout.split("Subcommands\n===========\n", 1)[1]
    section = re.split(r"\n\S[^\n]*\n=+\n", section, maxsplit=1)[0]
    return dict(re.findall(r"^([a-z_]+)\n((?:[ \t]+\S[^\n]*\n?)+)", section, re.M))


def test_every_nbgrader_command_the_documentation_names_exists():
    named = set().union(*(documented_nbgrader_commands(page.read_text()) for page in documentation_pages()))
    assert {"autograde", "generate_feedback", "release_feedback", "export"} <= named
    subcommands = nbgrader_subcommands()
    assert {"autograde", "collect", "fetch_feedback"} <= set(subcommands)
    missing = sorted(name for name in named if name not in subcommands)
    deprecated = sorted(name for name in named if "DEPRECATED" in subcommands.get(name, ""))
    assert missing == [] and deprecated == [], (missing, deprecated)


def test_every_documented_nbgrader_collect_collects_resubmissions():
    """Without --update, `nbgrader collect` keeps a submission it collected before and skips the
    student's newer one, so `make grade` finds nothing new to grade: every command line of the
    documentation that collects says --update."""
    fence = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
    lines = [
        (page.name, line)
        for page in documentation_pages()
        for block in fence.findall(page.read_text())
        for line in block.splitlines()
        if re.search(r"(?:^|\s)nbgrader\s+collect\b", line)
    ]
    assert lines
    assert [(name, line) for name, line in lines if "--update" not in line] == []
