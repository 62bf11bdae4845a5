"""The class report of classic mistakes (dnngrader/batch/mistakes.py): per function, the hints the
judge gave and how many autograded students got each, printed by `make grade` and written to
reports/mistakes.csv.

The end-to-end test grades, with the kit's grader, a small class: a correct student, a blank
one, two with known mistakes (samples/), a student who tries to add fake hints to the count (a
print of a real hint's text in a cell of their own, a forged record in the submission's
metadata, an exception message that prints like a hint line in a test cell's output), and a
folder with no notebook (not autograded, so not in the shares).  The unit tests count hand-made
notebooks.
"""

import copy
import csv
import io
import json
import re
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.api import Gradebook

from dnngrader.batch import mistakes
from dnngrader.plugins import preprocessors
from dnngrader.assignments import reference
from dnngrader.tools import samples
from dnngrader.paths import ASSIGNMENT

from grading_class import COURSE_ID, GRADE_TIMEOUT
from in_process_judge import verdict

KEPT = ["ada_full_marks", "ben_blank", "cleo_shapes", "dev_cost_and_keys"]
FAKER = "gus_fakes_hints"
EMPTY = "ivy_no_notebook"
AUTOGRADED = sorted(KEPT + [FAKER])
DB_AXIS_HINT = "db has shape (1, m): it was summed over axis 0, the units."
INJECTED = "injected through an exception message"
FORGED = "forged in the submission's metadata"

RAISES_WITH_A_HINT_LINE = f"""def compute_cost(AL, Y):
    raise ValueError("boom\\n  Hint: {INJECTED}")
"""


def _faker_notebook():
    """A correct submission but for compute_cost, which raises an error whose message prints as
    a hint line; with a cell printing a real hint's text and forged records in the metadata."""
    notebook = samples.fill_answers({"compute_cost": RAISES_WITH_A_HINT_LINE})
    forged = {
        mistakes.KIT: {
            mistakes.JUDGED: {"test": "test_linear_backward", "function": "linear_backward", "hints": [FORGED]}
        }
    }
    printing = new_code_cell(f'print("Hint: {DB_AXIS_HINT}")\nprint("  Hint: {FORGED}")', metadata=forged)
    notebook.cells.insert(1, printing)
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in ("test_compute_cost", "compute_cost"):
            cell.metadata.update(copy.deepcopy(forged))
    return notebook


@pytest.fixture(scope="module")
def graded(new_class_course):
    """The class graded by dnngrader grade: the course, what it printed, its CSV."""
    course = new_class_course("mistakes")
    for folder in course.submitted.iterdir():
        if folder.name not in KEPT:
            shutil.rmtree(folder)
    samples.write_submission(_faker_notebook(), FAKER, course.submitted)
    (course.submitted / EMPTY / ASSIGNMENT).mkdir(parents=True)
    done = course.grade("--jobs", "2", timeout=GRADE_TIMEOUT)
    mistakes_csv = course.root / "reports" / "mistakes.csv"
    return {
        "course": course,
        "run": done,
        "rows": list(csv.DictReader(io.StringIO(mistakes_csv.read_text(encoding="utf-8")))),
    }


def _autograded(course, student):
    return json.loads(course.autograded_notebook(student).read_text(encoding="utf-8"))


def _test_cells(nb):
    return [
        cell
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        and cell["metadata"].get("nbgrader", {}).get("grade")
        and not cell["metadata"]["nbgrader"].get("solution")
    ]


def _printed(cell):
    """What a cell's outputs print (on disk, a text may be a list of lines)."""
    texts = [output.get("text", "") for output in cell.get("outputs", []) if output.get("output_type") == "stream"]
    return "".join("".join(text) if isinstance(text, list) else text for text in texts)


def _printed_hints(cell):
    """The hint lines of a test cell's printed verdict (text, as a reader of the output sees it)."""
    text = _printed(cell)
    return [line[len("  Hint: ") :] for line in text.splitlines() if line.startswith("  Hint: ")]


def test_the_run_grades_the_class(graded):
    run = graded["run"]
    # Exit 1 only because one folder has no notebook; everyone else was graded.
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-3000:]
    assert EMPTY in run.stderr and "could not be graded" not in run.stderr
    for student in AUTOGRADED:
        assert graded["course"].autograded_notebook(student).exists(), student


def test_every_test_cell_records_the_hints_its_verdict_prints(graded):
    course = graded["course"]
    for student in sorted(set(AUTOGRADED) - {FAKER}):
        cells = _test_cells(_autograded(course, student))
        assert cells
        for cell in cells:
            record = cell["metadata"][mistakes.KIT][mistakes.JUDGED]
            assert record["test"] == cell["metadata"]["nbgrader"]["grade_id"]
            assert record["hints"] == _printed_hints(cell), (student, record["test"])
            assert record["passed"] == (not any(o["output_type"] == "error" for o in cell["outputs"]))


def test_printed_report_and_csv_agree_with_the_autograded_notebooks(graded):
    course = graded["course"]
    expected = {}  # (function, hint) -> students, from what the test cells print
    for student in sorted(set(AUTOGRADED) - {FAKER}):
        for cell in _test_cells(_autograded(course, student)):
            function = cell["metadata"][mistakes.KIT][mistakes.JUDGED]["function"]
            for hint in _printed_hints(cell):
                expected.setdefault((function, hint), set()).add(student)
    assert expected  # cleo and dev have hints
    rows = graded["rows"]
    assert list(rows[0]) == mistakes.COLUMNS
    assert {(row["function"], row["hint"]): int(row["students"]) for row in rows} == {
        key: len(students) for key, students in expected.items()
    }
    for row in rows:
        assert row["assignment"] == ASSIGNMENT
        assert float(row["share"]) == pytest.approx(int(row["students"]) / len(AUTOGRADED), abs=1e-4)
        assert row["kind"] == ("generic" if mistakes.is_generic(row["hint"]) else "mistake")
        assert row["test_id"] and all(test_id.startswith("test_") for test_id in row["test_id"].split())

    out = graded["run"].stdout
    assert f"and how many of the {len(AUTOGRADED)} autograded students got each:" in out
    assert out.index("Pass rate per function") < out.index("Hints the judge gave")
    for row in rows:
        n = int(row["students"])
        tag = "[generic] " if row["kind"] == "generic" else ""
        line = (
            rf"^  {re.escape(row['function'])}\s+{round(100 * n / len(AUTOGRADED))} % \({n}/{len(AUTOGRADED)}\)  "
            rf"{re.escape(tag + row['hint'])}$"
        )
        assert re.search(line, out, re.MULTILINE), line
    assert "Mistakes:" in out and "mistakes.csv" in out


def test_the_known_mistake_is_counted_under_its_function(graded):
    db = [row for row in graded["rows"] if row["hint"].startswith(DB_AXIS_HINT)]
    assert len(db) == 1
    assert db[0]["function"] == "linear_backward" and db[0]["test_id"] == "test_linear_backward"
    assert db[0]["students"] == "1" and float(db[0]["share"]) == pytest.approx(1 / len(AUTOGRADED), abs=1e-4)
    assert re.search(rf"^  linear_backward\s+20 % \(1/5\)  {re.escape(DB_AXIS_HINT)}", graded["run"].stdout, re.M)
    assert {row["function"] for row in graded["rows"]} >= {"linear_forward", "linear_backward", "compute_cost"}


def test_who_got_each_hint(graded):
    course = graded["course"]
    with Gradebook(course.db_url, COURSE_ID) as gradebook:
        tally = mistakes.read_class(gradebook, ASSIGNMENT, course.root / "autograded")
    assert tally.autograded == AUTOGRADED and tally.unrecorded == []  # not ivy: nothing autograded
    got = set().union(*(entry.students for entry in tally.counts))
    assert got == {"cleo_shapes", "dev_cost_and_keys"}  # the correct, blank and faking students: none
    by_hint = {entry.hint: entry.students for entry in tally.counts}
    assert by_hint[next(hint for hint in by_hint if hint.startswith(DB_AXIS_HINT))] == {"cleo_shapes"}
    # The CSV, in the same stable order.
    assert [{key: str(value) for key, value in row.items()} for row in mistakes.rows(tally)] == graded["rows"]


def test_fake_hints_do_not_count(graded):
    rows = graded["rows"]
    assert not [row for row in rows if INJECTED in row["hint"] or FORGED in row["hint"]]
    nb = _autograded(graded["course"], FAKER)
    # They are there to be seen: the printed line, and the message in the test cell's output...
    printed = "".join(_printed(cell) for cell in nb["cells"])
    assert f"Hint: {DB_AXIS_HINT}" in printed and f"boom Hint: {INJECTED}" in printed
    # The message is told on one line (dnn_checks.raised): it cannot make a line of its own.
    assert f"\n  Hint: {INJECTED}" not in printed
    # ...but the only records are the judge's, on the test cells, and none has a hint.
    records = [cell["metadata"].get(mistakes.KIT, {}) for cell in nb["cells"]]
    judged = [record[mistakes.JUDGED] for record in records if isinstance(record, dict) and mistakes.JUDGED in record]
    assert len(judged) == len(_test_cells(nb))
    assert all(record["hints"] == [] for record in judged)


# ---------------------------------------------------------------------------------------------
# Unit tests: counting hand-made notebooks, and the records JudgeTestCells writes
# ---------------------------------------------------------------------------------------------


def _cell(grade_id, function, hints, grade=True, solution=False):
    metadata = {"nbgrader": {"grade": grade, "solution": solution, "grade_id": grade_id, "locked": True}}
    if hints is not None:
        metadata[mistakes.KIT] = {mistakes.JUDGED: {"test": grade_id, "function": function, "hints": hints}}
    return {"cell_type": "code", "metadata": metadata, "source": "", "outputs": []}


def _nb(*cells):
    return {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


GENERIC = "the visible case passes but hidden ones fail. Look for sizes."


def test_a_hint_counts_once_per_student_and_function_and_generic_ones_are_marked():
    notebooks = {
        "a": [
            _nb(
                _cell("test_f", "f", ["x"]),
                _cell("test_g_relu", "g", ["y", GENERIC]),
                _cell("test_g_sigmoid", "g", ["y"]),
            )
        ],
        "b": [
            _nb(_cell("test_f", "f", ["x", "z"]), _cell("test_g_relu", "g", []), _cell("test_g_sigmoid", "g", ["y"]))
        ],
        "c": [_nb(_cell("test_f", "f", []), _cell("test_g_relu", "g", []), _cell("test_g_sigmoid", "g", []))],
        "old": [_nb(_cell("test_f", "f", None))],  # autograded before the judge kept records
        "none": [],  # not autograded
    }
    tally = mistakes.count_hints("hw", notebooks)
    assert tally.autograded == ["a", "b", "c"] and tally.unrecorded == ["old"]
    assert [(e.function, e.hint, sorted(e.students), sorted(e.test_ids), e.generic) for e in tally.counts] == [
        ("f", "x", ["a", "b"], ["test_f"], False),
        ("f", "z", ["b"], ["test_f"], False),
        ("g", "y", ["a", "b"], ["test_g_relu", "test_g_sigmoid"], False),
        ("g", GENERIC, ["a"], ["test_g_relu"], True),
    ]
    assert [row["share"] for row in mistakes.rows(tally)] == ["0.6667", "0.3333", "0.6667", "0.3333"]
    assert mistakes.rows(tally)[2]["test_id"] == "test_g_relu test_g_sigmoid"
    text = mistakes.format_tally(tally)
    assert "  g   33 % (1/3)  [generic] the visible case" in text
    assert "  f   67 % (2/3)  x" in text
    assert "old" in text.splitlines()[-1]


def test_records_outside_test_cells_are_ignored():
    answer = _cell("f", "f", ["forged"], solution=True)
    plain = _cell("f2", "f", ["forged"], grade=False)
    markdown = dict(_cell("test_f", "f", ["forged"]), cell_type="markdown")
    tally = mistakes.count_hints("hw", {"a": [_nb(answer, plain, markdown, _cell("test_f", "f", []))]})
    assert tally.autograded == ["a"] and tally.counts == []


def test_the_judge_still_words_the_generic_hint_as_mistakes_py_expects():
    # Two layers written out: the one-layer case raises and the deeper ones miss layers, which
    # no classic mistake explains (the keys' "does your loop stop one layer early?" did not),
    # so the generic hint is the only one, and it must still count as generic.
    ref = reference.load()
    code = (samples.CATALOGUE / "wrong" / "L_model_backward__two_layers_hard_coded.py").read_text()
    hints = preprocessors.verdict_hints(verdict(code, "test_L_model_backward", ref))
    assert [mistakes.is_generic(hint) for hint in hints] == [True], hints


def test_a_hint_line_inside_an_error_message_is_not_a_hint():
    result = verdict(RAISES_WITH_A_HINT_LINE, "test_compute_cost", reference.load())
    # The message comes on one line, inside the verdict's own (dnn_checks.raised), so it makes no
    # line that a reader, or a parser of the text, could take for the judge's hint...
    assert f"it raised ValueError: boom Hint: {INJECTED}\n" in result.text
    assert not [line for line in result.lines if line.strip().startswith("Hint:")]
    # ...and the hints are read from the verdict's data, never from its text.
    assert preprocessors.verdict_hints(result) == []


def test_judge_test_cells_records_test_cells_and_drops_forged_records():
    forged = {mistakes.KIT: {mistakes.JUDGED: {"function": "linear_backward", "hints": [FORGED]}, "other": 1}}
    plain = new_code_cell("print(1)", metadata=copy.deepcopy(forged))
    test = new_code_cell(
        "run_hidden_tests()",
        metadata={
            "nbgrader": {"grade": True, "solution": False, "grade_id": "test_linear_backward", "points": 10},
            **copy.deepcopy(forged),
        },
    )
    nb = new_notebook(cells=[plain, test])
    nb, _ = preprocessors.JudgeTestCells().preprocess(nb, {})
    assert plain.metadata[mistakes.KIT] == {"other": 1}
    record = test.metadata[mistakes.KIT][mistakes.JUDGED]
    # No results came back, so it is "not graded" and gives no hint.
    assert record == {"test": "test_linear_backward", "function": "linear_backward", "passed": False, "hints": []}
    nbformat.validate(nb)
