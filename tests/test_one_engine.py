"""One check engine for both notebooks and the grader (issue 19, point 4).

The second notebook's check (dnn_app_checks.py) judges with the first assignment's engine
(dnn_checks: one comparison and tolerance, one message format, one hint rule) and holds the
models to the same contract as the grader, printing included.  Here:

- for every catalogue entry of the second assignment, the notebook's check and the grader's
  verdict agree (pass or fail), beside a correct first notebook;
- the shared cases of 6 December 2026, replayed through `validate` (the student's view) and the
  real `nbgrader autograde` (the grader's):
  - models with the original course's print code fail both, with the same words;
  - a wrong initialiser fails the initialiser's check only, with the grader's hint;
  - a first notebook whose compute_cost omits 1/m: the second notebook's check says plainly that
    the first assignment's compute_cost is the cause, and the grader gives the models full marks;
- the printing rule the grader applies is the one the notebook states next to the models.
"""

import contextlib
import io
import json
import shutil
import subprocess
import sys

import nbformat
import numpy as np
import pytest
from nbgrader.api import Gradebook

from dnngrader.assignments.dnn_application import cases as application_cases
from dnngrader.paths import APPLICATION, COURSE_ROOT, SOURCE_NOTEBOOK
from dnngrader.plugins import sandbox
from dnngrader.tools import samples
from shared_cases import application_case
from shared_setup import copy_of_blank_course
from test_application_catalogue import ENTRIES, entry_verdict
from test_application_grading import submission

RELEASE = COURSE_ROOT / "release" / APPLICATION


@pytest.fixture(scope="module")
def checks():
    """The notebook's dnn_app_checks module (the original of the released copy, which is the same
    code, imports made flat: build --check), reading the release's expected values."""
    from dnngrader.kernel.notebook import dnn_app_checks

    kept = dnn_app_checks.EXPECTED_FILE
    dnn_app_checks.EXPECTED_FILE = RELEASE / "application_checks.json"
    dnn_app_checks._data.clear()
    try:
        yield dnn_app_checks
    finally:
        dnn_app_checks.EXPECTED_FILE = kept
        dnn_app_checks._data.clear()


def _notebook_verdict(checks, code, function):
    """Whether the notebook's check passes ``code``'s ``function``, beside a correct first
    notebook (the course's first-assignment functions, as a student's own right answers)."""
    from dnngrader.assignments import reference

    namespace = dict(vars(reference.load()))
    exec(code, namespace)
    np.random.seed(12345)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            checks.check(function, namespace[function])
    except checks.CheckFailed:
        return False
    return True


@pytest.mark.parametrize("name", [entry.name for entry in ENTRIES])
def test_the_notebooks_check_and_the_grader_agree_on_every_catalogue_entry(checks, tmp_path_factory, name):
    entry = next(entry for entry in ENTRIES if entry.name == name)
    # The grader's verdict, judged once per test run (test_application_catalogue.py asserts on it too).
    grader = entry_verdict(tmp_path_factory, entry).passed
    assert grader == entry.valid, name
    assert _notebook_verdict(checks, entry.code, entry.function) == grader, name


def test_the_printing_rule_the_grader_applies_is_stated_next_to_the_models():
    notebook = nbformat.read(str(COURSE_ROOT / "source" / APPLICATION / f"{APPLICATION}.ipynb"), as_version=4)
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert application_cases.MODEL_PRINTS in " ".join(text.split())
    assert "and prints nothing" in text  # predict's, in its section
    stored = json.loads((RELEASE / "application_checks.json").read_text())["prints"]
    assert stored == {
        "two_layer_model": application_cases.MODEL_PRINTS,
        "L_layer_model": application_cases.MODEL_PRINTS,
        "predict": application_cases.PREDICT_PRINTS,
    }


# -- the shared cases, as the student and the grader see them ------------------------------------

SHARED = {
    # student -> (the second notebook, the first notebook beside it: None for the course's own)
    "print_code": ("models_with_the_original_courses_print_code.ipynb", None),
    "initialiser": ("initialiser_wrong_self_check_cascades.ipynb", None),
    "cost_without_m": (None, "first_notebook_compute_cost_without_1_over_m.ipynb"),
    # Our own: a first notebook whose linear_forward raises inside the models (samples/cleo_shapes.py).
    "first_raises": (None, "cleo_shapes"),
}


def _second_notebook(name):
    if name is None:
        return submission({}, RELEASE)
    return nbformat.read(str(application_case(name)), as_version=4)


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """student -> (exit status, what `dnngrader validate` printed)."""
    said = {}
    for student, (second, first) in SHARED.items():
        folder = tmp_path_factory.mktemp(student)
        shutil.copytree(RELEASE, folder / APPLICATION)
        shutil.copytree(SOURCE_NOTEBOOK.parent, folder / SOURCE_NOTEBOOK.parent.name)
        if first and first.endswith(".ipynb"):
            shutil.copyfile(application_case(first), folder / SOURCE_NOTEBOOK.parent.name / SOURCE_NOTEBOOK.name)
        elif first:
            answers, start_from = samples.parse_answers((samples.SAMPLES / f"{first}.py").read_text())
            nbformat.write(
                samples.fill_answers(answers, start_from),
                str(folder / SOURCE_NOTEBOOK.parent.name / SOURCE_NOTEBOOK.name),
            )
        nbformat.write(_second_notebook(second), str(folder / APPLICATION / f"{APPLICATION}.ipynb"))
        done = subprocess.run(
            [sys.executable, "-m", "dnngrader.tools.validate", str(folder / APPLICATION / f"{APPLICATION}.ipynb")],
            cwd=COURSE_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        said[student] = (done.returncode, done.stdout + done.stderr)
    return said


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """student -> {function: points} from the real `nbgrader autograde` (the first notebook is
    not part of a submission: the grader lends the course's first-assignment functions)."""
    if not sandbox.available():
        pytest.skip(f"the grading sandbox cannot run here: {sandbox.unavailable_reason()}")
    course = copy_of_blank_course(
        tmp_path_factory, tmp_path_factory.mktemp("one-engine") / "course", assignments=(APPLICATION,)
    )
    for student, (second, _) in SHARED.items():
        folder = course.submitted / student / APPLICATION
        shutil.copytree(course.root / "release" / APPLICATION, folder)
        nbformat.write(_second_notebook(second), str(folder / f"{APPLICATION}.ipynb"))
    done = course.autograde(assignment=APPLICATION)
    assert done.returncode == 0, done.stderr[-3000:]
    points, texts = {}, {}
    with Gradebook(course.db_url) as gradebook:
        for student in SHARED:
            points[student] = {
                test.function: gradebook.find_grade(test_id, APPLICATION, APPLICATION, student).score
                for test_id, test in application_cases.TESTS.items()
            }
    for student in SHARED:
        notebook = nbformat.read(str(course.autograded_notebook(student, APPLICATION)), as_version=4)
        texts[student] = {
            cell.metadata.get("nbgrader", {}).get("grade_id"): "".join(
                output.get("text", "") for output in cell.get("outputs", [])
            )
            for cell in notebook.cells
        }
    return points, texts


def _function_block(output, function):
    """The part of validate's report about ``function``."""
    return output.split(f"\n{function}: FAIL")[1].split("\n\n")[0] if f"\n{function}: FAIL" in output else ""


def test_the_original_courses_print_code_fails_both_with_the_same_words(validated, graded):
    points, texts = graded
    status, output = validated["print_code"]
    rule = "where it should print nothing (the rule: " + application_cases.MODEL_PRINTS + ")"
    assert status == 1
    for function in ("two_layer_model", "L_layer_model"):
        assert points["print_code"][function] == 0
        assert rule in texts["print_code"][f"test_{function}"]
        assert rule in " ".join(_function_block(output, function).split())
    assert points["print_code"]["predict"] == 20 and points["print_code"]["initialize_parameters_deep_scaled"] == 15


def test_a_wrong_initialiser_fails_its_own_check_only_with_the_graders_hint(validated, graded):
    points, texts = graded
    status, output = validated["initialiser"]
    hint = "the weights are divided by the square root of the layer's own size"
    assert f"Hint: {hint}" in _function_block(output, "initialize_parameters_deep_scaled")
    assert hint in texts["initialiser"]["test_initialize_parameters_deep_scaled"]
    assert "\nL_layer_model: FAIL" not in output and "\ntwo_layer_model: FAIL" not in output
    assert (
        points["initialiser"]["L_layer_model"] == 35 and points["initialiser"]["initialize_parameters_deep_scaled"] == 0
    )


def test_a_first_notebooks_cost_without_1_over_m_is_named_as_the_cause(validated, graded):
    points, _ = graded
    status, output = validated["cost_without_m"]
    for function in ("two_layer_model", "L_layer_model"):
        block = " ".join(_function_block(output, function).split())
        assert "compute_cost (from your first assignment) fails its own check" in block, output
        assert "The grader lends correct versions of them" in block
        assert points["cost_without_m"][function] > 0  # full marks: the grader lends a correct compute_cost
    assert sum(points["cost_without_m"].values()) == 100


def test_a_first_assignment_function_that_raises_inside_a_model_is_named(validated, graded):
    """The model's check cannot finish its first case: before the traceback (which points at the
    model's line that called it) the check names the first-assignment functions that fail their
    own checks.  The grader lends correct ones: full marks."""
    points, _ = graded
    status, output = validated["first_raises"]
    for function in ("two_layer_model", "L_layer_model", "predict"):
        block = " ".join(_function_block(output, function).split())
        assert "linear_forward (from your first assignment) fails its own check" in block, output
    assert sum(points["first_raises"].values()) == 100


def test_a_call_that_raised_without_a_message_is_told_the_same_way_by_both():
    """A blank release's function raises NotImplementedError() with no message: the grader's
    verdict and the notebook's check both say "it raised NotImplementedError", with no colon and
    empty message after it; a message, when there is one, comes on one line."""
    from dnngrader import assignments
    from dnngrader.judge.verdict import judge
    from dnngrader.kernel.notebook import dnn_checks

    assert dnn_checks.raised(NotImplementedError()) == "raised NotImplementedError"
    assert dnn_checks.raised(ValueError("shapes\n  (3, 2) and (4,)")) == "raised ValueError: shapes (3, 2) and (4,)"
    assert dnn_checks.raised("KeyError", "") == "raised KeyError"
    test = assignments.all_tests()["test_predict"]
    results = [{"status": "raised", "error": "NotImplementedError", "message": ""} for _ in test.cases]
    verdict = judge("test_predict", results, assignments.reference_for("test_predict"))
    assert not verdict.passed
    assert "it raised NotImplementedError\n" in verdict.text + "\n", verdict.text
    assert "NotImplementedError:" not in verdict.text


@pytest.mark.parametrize("model", ["two_layer_model", "L_layer_model"])
def test_a_blank_model_gets_no_tick_for_keeping_the_signatures_defaults(model):
    """A model whose def line keeps the defaults is not run on the case that leaves them to the
    signature (runtime.run_case: "kept defaults").  Beside cases that all fail, as a blank
    model's do, that case fails too, saying why, and adds no hint.  (Beside cases that pass, it
    passes: the solutions' "all 7 checks passed" in test_application_grading.py.)"""
    from dnngrader import assignments
    from dnngrader.judge.verdict import judge
    from dnngrader.kernel.notebook.dnn_checks import KEPT_DEFAULTS_UNJUDGED

    test_id = f"test_{model}"
    test, reference = assignments.all_tests()[test_id], assignments.reference_for(test_id)
    kept = {"status": "kept defaults"}

    def results(ran):
        return [{**kept, "defaults": case.defaults(reference)} if case.defaults else dict(ran) for case in test.cases]

    blank = judge(test_id, results({"status": "raised", "error": "NotImplementedError", "message": ""}), reference)
    assert blank.lines[0] == f"\u2717 {model}: 0 of {len(test.cases)} checks passed.", blank.text
    assert f"      {KEPT_DEFAULTS_UNJUDGED}" in blank.lines
    assert not [line for line in blank.lines if line.lstrip().startswith("\u2713")]
    assert not [line for line in blank.lines if "Hint:" in line]


@pytest.mark.parametrize("model", ["two_layer_model", "L_layer_model"])
def test_the_notebooks_check_gives_no_tick_for_kept_defaults_either(checks, model):
    """The notebook's check judges the case left to the signature's defaults as the grader does:
    beside cases that all fail, it fails too, with the same words."""
    from dnngrader.kernel.notebook.dnn_checks import KEPT_DEFAULTS_UNJUDGED
    from dnngrader.tools import catalogue

    def_line = catalogue.application_solutions()[model].split("\n")[0]
    assert def_line.startswith(f"def {model}(") and "num_iterations=3000" in def_line, def_line
    namespace = {}
    exec(f"{def_line}\n    return {{}}, []\n", namespace)
    with pytest.raises(checks.CheckFailed) as failed, contextlib.redirect_stdout(io.StringIO()):
        checks.check(model, namespace[model])
    lines = failed.value.lines
    assert f"    \u2717 {KEPT_DEFAULTS_UNJUDGED}" in lines, lines
    assert not [line for line in lines if line.startswith("\u2713")], lines
