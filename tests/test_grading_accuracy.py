"""Grading that is right: every catalogued wrong answer loses points in its own function and
nowhere else, every valid alternative keeps full marks (all through real nbgrader), failures come
with the hint that names the mistake, and nothing a student receives gives hidden cases away."""

import copy
import html
import re

import nbformat
import numpy as np
import pytest

from dnngrader.tools import catalogue, grading_report
from dnngrader.assignments.dnn_step_by_step import hints
from dnngrader.kernel import payload
from dnngrader.assignments import reference
from in_process_judge import verdict
from dnngrader.assignments.dnn_step_by_step.cases import TESTS
from dnngrader.paths import ASSIGNMENT, GRADED_FUNCTIONS, RELEASE_NOTEBOOK
from shared_setup import copy_of_blank_course

ENTRIES = catalogue.load()
BY_NAME = {entry.name: entry for entry in ENTRIES}
WRONG = [entry for entry in ENTRIES if not entry.valid]
VALID = [entry for entry in ENTRIES if entry.valid]
ISSUE_KINDS = {"shapes", "init", "loop", "cache", "scale", "mixup", "keys", "scalar", "sizes"}


@pytest.fixture(scope="module")
def ref():
    return reference.load()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The whole catalogue, packed and autograded once by stock nbgrader in a course of its own."""
    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("catalogue"))
    return course, catalogue.grade(course)


def outcome_of(run, name):
    return next(outcome for outcome in run.outcomes if outcome.entry.name == name)


def pack_of(run, name):
    return outcome_of(run, name).pack


# --- the catalogue itself --------------------------------------------------------------------


def test_catalogue_holds_enough_wrong_and_valid_answers_for_every_function():
    assert len(WRONG) >= 50 and len(VALID) >= 15
    assert {entry.function for entry in WRONG} == set(GRADED_FUNCTIONS)
    assert {entry.function for entry in VALID} == set(GRADED_FUNCTIONS)
    assert ISSUE_KINDS <= {entry.kind for entry in WRONG}


def test_packs_never_put_two_wrong_answers_in_one_dependency_chain():
    packs = catalogue.pack(ENTRIES)
    assert sorted(e.name for p in packs for e in p.entries.values()) == sorted(BY_NAME)
    for submission in packs:
        chains = [catalogue.chain_of(f) for f in submission.wrong_functions()]
        assert len(chains) == len(set(chains)), submission.student


# --- graded through nbgrader ------------------------------------------------------------------


@pytest.mark.parametrize("name", [entry.name for entry in WRONG])
def test_wrong_answer_loses_points_in_its_own_function_and_nowhere_else(graded, name):
    _, run = graded
    outcome = outcome_of(run, name)
    assert outcome.lost[outcome.entry.function] > 0, "kept full marks"
    # Functions of the pack without a wrong answer of their own: the solution or a valid alternative.
    for function in set(GRADED_FUNCTIONS) - outcome.pack.wrong_functions():
        assert outcome.lost[function] == 0, f"{function} lost points"


@pytest.mark.parametrize("name", [entry.name for entry in VALID])
def test_valid_alternative_keeps_full_marks(graded, name):
    _, run = graded
    outcome = outcome_of(run, name)
    assert outcome.lost[outcome.entry.function] == 0


def test_every_function_of_every_submission_gets_the_grade_it_should(graded):
    course, run = graded
    grades = course.grades()
    assert sorted(grades) == sorted(p.student for p in run.packs)
    for submission in run.packs:
        for function in GRADED_FUNCTIONS:
            score, full = grades[submission.student][function], run.full_marks[function]
            if function in submission.wrong_functions():
                assert score < full, (submission.student, function)
            else:
                assert score == full, (submission.student, function)


def test_the_report_lists_every_entry_and_says_all_is_right(graded):
    _, run = graded
    report = grading_report.format_report(run)
    assert all(name in report for name in BY_NAME)
    assert f"{len(WRONG)} of {len(WRONG)} wrong answers" in report
    assert f"{len(VALID)} of {len(VALID)} valid alternatives" in report
    assert report.rstrip().splitlines()[-1].startswith("ALL RIGHT")


def test_feedback_html_of_a_buggy_submission_says_what_to_fix(graded):
    course, run = graded
    student = pack_of(run, "linear_backward__db_summed_over_axis0").student
    course.nbgrader("generate_feedback", ASSIGNMENT, "--student", student, "--force")
    text = html.unescape((course.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text())
    assert "\u2717 linear_backward: 0 of 4 checks passed." in text
    assert "db has shape (1, 4), expected (3, 1)." in text
    assert (
        "Hint: db has shape (1, m): it was summed over axis 0, the units. Sum over axis 1 "
        "(the examples) with keepdims=True" in text
    )


# --- nothing of the hidden cases reaches the student -----------------------------------------


def _numbers(value):
    """Every float in a nested structure of arrays, tuples, lists and dicts."""
    if isinstance(value, dict):
        return [x for item in value.values() for x in _numbers(item)]
    if isinstance(value, (tuple, list)):
        return [x for item in value for x in _numbers(item)]
    if isinstance(value, (np.ndarray, float, np.floating)):
        return [float(x) for x in np.ravel(value)]
    return []


def _needle(number):
    """How a number starts when printed (numpy's 8 decimals, or repr): its first 6 significant
    digits; None for numbers too short to recognise (0.5, 1.0, 0.05 ...)."""
    if not np.isfinite(number) or abs(number) < 1e-3 or round(number, 4) == number:
        return None
    text = f"{abs(number):.8f}"
    first = next(i for i, ch in enumerate(text) if ch not in "0.")
    end, digits = first, 0
    while digits < 6:
        digits += text[end].isdigit()
        end += 1
    return text[:end]


def _case_needles(ref, visible):
    needles = set()
    for test in TESTS.values():
        for case in test.cases:
            if case.visible == visible:
                args = case.make_args(ref)
                expected = getattr(ref, test.function)(*copy.deepcopy(args))
                needles |= {_needle(x) for x in _numbers(args) + _numbers(expected)}
    return needles - {None}


def _outputs_text(notebook_path):
    notebook = nbformat.read(str(notebook_path), as_version=4)
    return "\n".join(
        output.get("text", "") + str(output.get("data", "")) + str(output.get("evalue", ""))
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )


def _split_visible(text):
    """(the lines of visible-case blocks of verdicts, every other line): only the visible case
    may show values."""
    visible, rest, inside = [], [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("\u2713 ", "\u2717 ")) or not line.startswith("      "):
            inside = "the visible case" in line
        (visible if inside else rest).append(line)
    return "\n".join(visible), "\n".join(rest)


def _hidden_blocks(text):
    """The lines under the hidden cases of verdicts."""
    blocks, inside = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("\u2713 ", "\u2717 ")) or not line.startswith("      "):
            inside = "hidden case" in line
        elif inside:
            blocks.append(line)
    return blocks


def test_feedback_and_grader_output_never_show_hidden_inputs_or_expected_values(graded, ref):
    course, run = graded
    shown = [_outputs_text(course.autograded_notebook(p.student)) for p in run.packs]
    student = pack_of(run, "linear_backward__db_summed_over_axis0").student
    feedback = course.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"
    if not feedback.exists():
        course.nbgrader("generate_feedback", ASSIGNMENT, "--student", student, "--force")
    shown.append(html.unescape(re.sub(r"<[^>]+>", "", feedback.read_text())))
    visible_needles = _case_needles(ref, visible=True)
    release = RELEASE_NOTEBOOK.read_text()
    hidden_needles = {n for n in _case_needles(ref, visible=False) - visible_needles if n not in release}
    assert len(hidden_needles) > 500
    visible_text, rest = map("\n".join, zip(*(_split_visible(text) for text in shown)))
    # The search works: failed visible cases show their values, and they are found.
    assert any(needle in visible_text for needle in visible_needles)
    assert [n for n in hidden_needles if n in rest] == []
    hidden_lines = [line for text in shown for line in _hidden_blocks(text)]
    assert len(hidden_lines) > 100
    # Hidden cases name outputs, shapes and counts; no value (the hints' "0.01" is not one).
    assert [line for line in hidden_lines if re.search(r"\d\.\d{3}", line)] == []
    everything = "\n".join(shown)
    for secret in ("make_args", "RandomState", "run_hidden_tests", "BEGIN HIDDEN TESTS", payload.MIME_TYPE):
        assert secret not in everything, secret


# --- hints, one mistake at a time (judged in-process, as the grader judges) -----------------


def verdict_for(entry_name, test_id, ref):
    """The judge's verdict on a catalogue entry, run here on the cell's cases with the reference
    versions of the functions it calls."""
    return verdict(BY_NAME[entry_name].code, test_id, ref)


@pytest.mark.parametrize(
    "entry_name,test_id,hint",
    [
        (
            "linear_backward__db_summed_over_axis0",
            "test_linear_backward",
            "Hint: db has shape (1, m): it was summed over axis 0, the units.",
        ),
        ("linear_backward__dA_prev_divided_by_m", "test_linear_backward", "Hint: dA_prev = np.dot(W.T, dZ) has no 1/m"),
        (
            "compute_cost__missing_one_minus_y_term",
            "test_compute_cost",
            "Hint: the cost is missing the (1 - Y) * np.log(1 - AL) term",
        ),
        (
            "compute_cost__keepdims_sum",
            "test_compute_cost",
            "cost is an array of shape (1, 1), but a scalar (0-d) is expected.",
        ),
        ("L_model_backward__dA_keys_older_convention", "test_L_model_backward", "Hint: the dA keys are one too high."),
        (
            "L_model_backward__relu_for_output_layer",
            "test_L_model_backward",
            'Hint: the last layer is a sigmoid layer: its backward step uses "sigmoid"',
        ),
        (
            "linear_activation_backward__derivatives_swapped",
            "test_linear_activation_backward_relu",
            "Hint: the relu branch used sigmoid_backward",
        ),
        (
            "linear_activation_backward__relu_mask_changes_dA",
            "test_linear_activation_backward_relu",
            "dA was modified in place; work on a copy instead.",
        ),
        (
            "initialize_parameters__w2_drawn_first",
            "test_initialize_parameters",
            "Hint: the weights were drawn in the wrong order",
        ),
        (
            "initialize_parameters__seed_removed",
            "test_initialize_parameters",
            "Hint: the weights differ from the expected random draws: keep np.random.seed(1)",
        ),
        (
            "initialize_parameters_deep__loop_stops_one_layer_early",
            "test_initialize_parameters_deep",
            "Hint: the last layer's W is missing: does your loop stop one layer early?",
        ),
        (
            "L_model_forward__relu_on_output_layer",
            "test_L_model_forward",
            "Hint: the last layer (layer L) uses sigmoid",
        ),
        ("update_parameters__adds_gradient", "test_update_parameters", "Hint: the update adds the gradient"),
        ("update_parameters__scales_grads_in_place", "test_update_parameters", "grads['dW1'] was modified in place"),
        # Right on the visible case's single unit only: the hint that names it, and not the generic
        # one beside it (tests/test_hints_that_explain.py).
        ("linear_forward__first_bias_only", "test_linear_forward", "Hint: only the first entry of b was added"),
        # Mistakes that show in more than one output, modelled whole (the Z without b in A and in the
        # cache; the cache's two parts swapped), so that they explain every failing output.
        (
            "linear_activation_forward__inline_Z_without_bias",
            "test_linear_activation_forward_relu",
            "Hint: Z is missing + b.",
        ),
        (
            "linear_activation_forward__cache_parts_swapped",
            "test_linear_activation_forward_sigmoid",
            "Hint: cache is (linear_cache, activation_cache), in this order",
        ),
    ],
)
def test_a_classic_mistake_gets_the_hint_that_names_it(ref, entry_name, test_id, hint):
    verdict = verdict_for(entry_name, test_id, ref)
    assert not verdict.passed
    assert hint in verdict.text, verdict.text


def test_updating_parameters_in_place_is_allowed_but_changing_grads_is_not(ref):
    assert verdict_for("update_parameters__in_place", "test_update_parameters", ref).passed
    text = verdict_for("update_parameters__scales_grads_in_place", "test_update_parameters", ref).text
    assert "parameters['W1'] was modified" not in text


def test_a_hint_is_said_once_per_cell_even_when_every_output_shows_the_mistake(ref):
    text = verdict_for("L_model_backward__dAL_sign_flipped", "test_L_model_backward", ref).text
    assert text.count("Hint: every gradient has the wrong sign") == 1


# --- the numerical gradient check -------------------------------------------------------------


def _case_args(test_id, index, ref):
    return TESTS[test_id].cases[index].make_args(ref)


def test_numerical_gradients_agree_with_the_reference_on_every_case(ref):
    for test_id, test in TESTS.items():
        if test.function in ("linear_backward", "linear_activation_backward", "L_model_backward"):
            for case in test.cases:
                args = case.make_args(ref)
                got = getattr(ref, test.function)(*copy.deepcopy(args))
                assert hints.extra_checks(test.function, args, got, ref) == [], (test_id, case.description)


def test_a_wrong_gradient_of_the_right_shape_is_reported(ref):
    args = _case_args("test_linear_backward", 1, ref)
    dA_prev, dW, db = ref.linear_backward(*copy.deepcopy(args))
    nudged = dW + 0.05 * np.random.RandomState(0).randn(*dW.shape)
    problems = hints.extra_checks("linear_backward", args, (dA_prev, nudged, db), ref)
    assert len(problems) == 1
    assert problems[0].startswith("numerical gradient check: dW disagrees with the gradient computed numerically")


def test_the_numerical_check_follows_the_layer_conventions(ref):
    """dA_prev is the gradient of m times the cost: dividing it by m is caught; through a
    sigmoid layer with its derivative swapped for relu's, all three gradients are off."""
    args = _case_args("test_linear_backward", 1, ref)
    dA_prev, dW, db = ref.linear_backward(*copy.deepcopy(args))
    m = dA_prev.shape[1]
    assert "dA_prev disagrees" in hints.extra_checks("linear_backward", args, (dA_prev / m, dW, db), ref)[0]
    args = _case_args("test_linear_activation_backward_sigmoid", 4, ref)  # large |Z|
    dA, (linear_cache, Z), _ = args
    swapped = ref.linear_backward(ref.relu_backward(dA, Z), linear_cache)
    assert "dA_prev, dW, db disagree" in hints.extra_checks("linear_activation_backward", args, swapped, ref)[0]


def test_L_model_backward_gradients_are_checked_against_the_cost_of_the_forward_pass(ref):
    args = _case_args("test_L_model_backward", 3, ref)  # three layers, from a real forward pass
    grads = ref.L_model_backward(*copy.deepcopy(args))
    wrong = dict(grads, dW2=grads["dW2"] * 1.01)
    problems = hints.extra_checks("L_model_backward", args, wrong, ref)
    assert problems and "grads['dW2'] disagrees" in problems[0]
    assert "grads['dW1']" not in problems[0]
