"""The second assignment's catalogue (catalogue/dnn_application/), graded as the first one's is
in test_grading_accuracy.py: every wrong answer loses points in its own function and nowhere
else, every valid alternative keeps full marks, all through real `nbgrader autograde
dnn_application` in a scratch course; each wrong answer's verdict gives the hint its entry
records, and no verdict shows a hidden case's values.  The hints of dnngrader/assignments/dnn_application/hints.py
are also checked one by one, judged in-process as the grader judges."""

import copy
import inspect
import json
import re

import numpy as np
import pytest

from dnngrader import assignments
from dnngrader.tools import catalogue, grading_report
from dnngrader.assignments.dnn_step_by_step import hints
from dnngrader.kernel import payload, runtime
from dnngrader.judge.verdict import Verdict, judge
from dnngrader.assignments import reference
from dnngrader.kernel import lending
from dnngrader.assignments.dnn_application import cases as application_cases
from dnngrader.assignments.dnn_application import hints as application_hints
from dnngrader.assignments.dnn_application import models
from dnngrader.paths import APPLICATION, ASSIGNMENT
from shared_setup import copy_of_blank_course, made_once

ENTRIES = catalogue.load(assignment=APPLICATION)
BY_NAME = {entry.name: entry for entry in ENTRIES}
WRONG = [entry for entry in ENTRIES if not entry.valid]
VALID = [entry for entry in ENTRIES if entry.valid]
FUNCTIONS = catalogue.CATALOGUES[APPLICATION].functions
TEST_OF = {test.function: test_id for test_id, test in application_cases.TESTS.items()}
GENERIC_HINT = (
    "the visible case passes but hidden ones fail. Look for sizes, layer counts or indices "
    "written for the visible case, and for steps it does not exercise."
)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The whole catalogue of dnn_application, packed and autograded once by stock nbgrader."""
    course = copy_of_blank_course(
        tmp_path_factory, tmp_path_factory.mktemp("app_catalogue") / "course", assignments=(APPLICATION,)
    )
    return course, catalogue.grade(course, assignment=APPLICATION)


def outcome_of(run, name):
    return next(outcome for outcome in run.outcomes if outcome.entry.name == name)


# --- the catalogue itself --------------------------------------------------------------------


def test_the_catalogue_covers_every_function_with_wrong_and_valid_answers():
    assert FUNCTIONS == ("initialize_parameters_deep_scaled", "two_layer_model", "L_layer_model", "predict")
    assert len(WRONG) >= 8 and len(VALID) >= 4
    assert {entry.function for entry in WRONG} == set(FUNCTIONS)
    assert {entry.function for entry in VALID} == set(FUNCTIONS)
    assert {"init", "record", "steps", "threshold", "sizes", "output", "shapes"} <= {e.kind for e in WRONG}
    # Every wrong answer records what its verdict must say.
    assert [entry.name for entry in WRONG if not entry.hint] == []
    assert {entry.assignment for entry in ENTRIES} == {APPLICATION}


def test_the_first_assignments_catalogue_is_unchanged_by_the_second():
    first = catalogue.load()
    assert {entry.assignment for entry in first} == {ASSIGNMENT}
    assert not {entry.function for entry in first} & set(FUNCTIONS)
    assert catalogue.load(assignment=ASSIGNMENT) == first


def test_an_entry_never_hands_in_its_recorded_hint():
    for entry in ENTRIES:
        assert "HINT" not in entry.code and entry.code.startswith(f"def {entry.function}(")


def test_the_second_assignments_wrong_answers_may_share_a_submission():
    packs = catalogue.pack(ENTRIES, "app_pack")
    assert sorted(e.name for p in packs for e in p.entries.values()) == sorted(BY_NAME)
    most = max(sum(1 for e in ENTRIES if e.function == f) for f in FUNCTIONS)
    assert len(packs) == most  # no chains: as few submissions as the busiest function needs


# --- graded through nbgrader ------------------------------------------------------------------


@pytest.mark.parametrize("name", [entry.name for entry in WRONG])
def test_wrong_answer_loses_points_in_its_own_function_and_nowhere_else(graded, name):
    _, run = graded
    outcome = outcome_of(run, name)
    assert outcome.lost[outcome.entry.function] > 0, "kept full marks"
    for function in set(FUNCTIONS) - outcome.pack.wrong_functions():
        assert outcome.lost[function] == 0, f"{function} lost points"


@pytest.mark.parametrize("name", [entry.name for entry in VALID])
def test_valid_alternative_keeps_full_marks(graded, name):
    _, run = graded
    assert outcome_of(run, name).lost[BY_NAME[name].function] == 0


@pytest.mark.parametrize("name", [entry.name for entry in WRONG])
def test_the_autograded_verdict_gives_the_entrys_hint(graded, name):
    _, run = graded
    outcome = outcome_of(run, name)
    said = run.verdicts[outcome.pack.student][outcome.entry.function]
    assert outcome.entry.hint in said, said


def test_the_report_lists_every_entry_and_says_all_is_right(graded):
    _, run = graded
    report = grading_report.format_report(run)
    assert report.startswith(f"== {APPLICATION} ==")
    assert all(name in report for name in BY_NAME)
    assert f"{len(WRONG)} of {len(WRONG)} wrong answers" in report
    assert f"{len(VALID)} of {len(VALID)} valid alternatives" in report
    assert report.rstrip().splitlines()[-1].startswith("ALL RIGHT"), report


def _numbers(value):
    if isinstance(value, dict):
        return [x for item in value.values() for x in _numbers(item)]
    if isinstance(value, (tuple, list)):
        return [x for item in value for x in _numbers(item)]
    if isinstance(value, (np.ndarray, float, np.floating)):
        return [float(x) for x in np.ravel(value)]
    return []


def _needle(number):
    """A number's first 6 significant digits as printed; None for short ones (0.5, 0.01 ...)."""
    if not np.isfinite(number) or abs(number) < 1e-3 or round(number, 4) == number:
        return None
    text = f"{abs(number):.8f}"
    first = next(i for i, ch in enumerate(text) if ch not in "0.")
    end, digits = first, 0
    while digits < 6:
        digits += text[end].isdigit()
        end += 1
    return text[:end]


def _needles(visible):
    ref = application_cases.reference()
    found = set()
    for test in application_cases.TESTS.values():
        for case in test.cases:
            if case.visible == visible:
                args = case.make_args(ref)
                expected = getattr(ref, test.function)(*copy.deepcopy(args))
                found |= {_needle(x) for x in _numbers(args) + _numbers(expected)}
    return found - {None}


def _blocks(text):
    """(the lines of the visible cases' blocks, the lines of the hidden cases' blocks, the other
    lines: titles and hints) of verdicts."""
    visible, hidden, other, inside = [], [], [], None
    for line in text.splitlines():
        if line.lstrip().startswith(("\u2713 ", "\u2717 ")) or not line.startswith("      "):
            inside = "visible" if "the visible case" in line else "hidden" if "hidden case" in line else None
            other.append(line)
        else:
            {"visible": visible, "hidden": hidden}.get(inside, other).append(line)
    return visible, hidden, other


def test_verdicts_never_show_hidden_inputs_or_expected_values(graded):
    """Only the visible case shows values (what was expected, and what the student's function
    returned, which may well equal a hidden case's numbers: the seed-1 draws of a wrong
    initialiser); hidden cases name outputs, shapes and counts; hints are fixed sentences."""
    _, run = graded
    text = "\n".join(said for verdicts in run.verdicts.values() for said in verdicts.values())
    visible, hidden, other = _blocks(text)
    assert any("expected:" in line for line in visible)  # the search below would find values
    needles = _needles(visible=False) - _needles(visible=True)
    assert len(needles) > 200
    rest = "\n".join(hidden + other)
    assert [needle for needle in needles if needle in rest] == []
    assert len(hidden) > 20
    assert [line for line in hidden if "expected:" in line or "got:" in line or re.search(r"\d\.\d", line)] == []
    hints = [line.strip() for line in other if line.strip().startswith("Hint: ")]
    # At least one per wrong answer whose recorded HINT is a hint's sentence (the others record
    # the verdict's own words); no more are promised, as no generic hint comes beside another.
    hinted = [
        entry
        for entry in WRONG
        if any(text.startswith(entry.hint) for text in application_hints.TEXTS + (GENERIC_HINT,))
    ]
    assert len(hints) >= len(hinted)
    for hint in hints:
        # Take out every fixed sentence (one, or several numbered ones): nothing else is left.
        for fixed in sorted(application_hints.TEXTS + (GENERIC_HINT,), key=len, reverse=True):
            hint = hint.replace(fixed, "")
        hint = hint.replace("more than one mistake gives exactly this output; look for one of these:", "")
        assert re.sub(r"Hint:|\(\d\)|\s", "", hint) == "", hint


# --- hints, judged in-process -----------------------------------------------------------------


def _namespace():
    """A kernel's namespace while an application function is graded: the first assignment's
    reference functions and the reference initialiser, as lent: strict (lending.lent)."""
    namespace = dict(vars(reference.load()))
    namespace["initialize_parameters_deep_scaled"] = models.initialize_parameters_deep
    callees = {name for names in application_cases.CALLEES.values() for name in names}
    namespace.update(lending.lent({name: namespace[name] for name in callees}))
    return namespace


def verdict_on(code, function):
    """The judge's verdict on ``code``'s ``function`` over its test cell's cases, as the grader
    sends them (what it printed, the arguments after the call)."""
    test_id = TEST_OF[function]
    ref = application_cases.reference()
    namespace = _namespace()
    exec(code, namespace)
    np.random.seed(12345)  # whatever ran before: a student's unseeded draws are not seed 1's
    results = [
        # The kernel's own code for one case (what it prints and the arguments after the call
        # are sent; a def line that keeps the defaults a case leaves out is not run), with the
        # namespace's callees instead of lent ones and a generous time limit.
        runtime.run_case(
            namespace[function], case.make_args(ref), {}, 600, case.defaults(ref) if case.defaults else None
        )
        for case in application_cases.TESTS[test_id].cases
    ]
    return judge(test_id, payload.loads(payload.dumps(results)), ref)


def entry_verdict(tmp_path_factory, entry):
    """verdict_on(entry.code, entry.function) for a catalogue entry, judged once per test run:
    tests/test_one_engine.py asks for the same verdicts, often in the other pytest-xdist worker,
    and each one trains the models (shared_setup.made_once; the verdict is kept as JSON)."""

    def make(folder):
        verdict = verdict_on(entry.code, entry.function)
        (folder / "verdict.json").write_text(
            json.dumps({"test_id": verdict.test_id, "passed": verdict.passed, "lines": list(verdict.lines)})
        )

    folder = made_once(tmp_path_factory, f"application-verdict-{entry.name}", make)
    return Verdict(**json.loads((folder / "verdict.json").read_text()))


@pytest.mark.parametrize("name", [entry.name for entry in WRONG])
def test_a_wrong_answer_fails_with_its_hint_in_process(tmp_path_factory, name):
    entry = BY_NAME[name]
    verdict = entry_verdict(tmp_path_factory, entry)
    assert not verdict.passed
    assert entry.hint in verdict.text, verdict.text


@pytest.mark.parametrize("name", [entry.name for entry in VALID])
def test_a_valid_answer_passes_in_process(tmp_path_factory, name):
    entry = BY_NAME[name]
    verdict = entry_verdict(tmp_path_factory, entry)
    assert verdict.passed, verdict.text


SOLUTIONS = catalogue.application_solutions()


def _changed(function, old, new):
    assert old in SOLUTIONS[function], (function, old)
    return SOLUTIONS[function].replace(old, new)


@pytest.mark.parametrize(
    "function,old,new,hint",
    [
        ("initialize_parameters_deep_scaled", "/ np.sqrt(fan_in)", "", application_hints.UNSCALED),
        ("initialize_parameters_deep_scaled", "/ np.sqrt(fan_in)", "* np.sqrt(2 / fan_in)", application_hints.HE_SCALE),
        ("initialize_parameters_deep_scaled", "/ np.sqrt(fan_in)", "* np.sqrt(fan_in)", application_hints.MULTIPLIED),
        (
            "two_layer_model",
            "parameters = initialize_parameters(n_x, n_h, n_y)",
            "parameters = initialize_parameters_deep_scaled(layers_dims)",
            application_hints.TWO_LAYER_SCALED_INIT,
        ),
        (
            "two_layer_model",
            "parameters = update_parameters(parameters, grads, learning_rate)",
            "",
            application_hints.NO_UPDATE,
        ),
        (
            "L_layer_model",
            "update_parameters(parameters, grads, learning_rate)",
            "update_parameters(parameters, grads, 0.0075)",
            application_hints.LEARNING_RATE,
        ),
        ("L_layer_model", "if i % 100 == 0:", "if True:", application_hints.EVERY_ITERATION),
        (
            "L_layer_model",
            "        AL, caches = L_model_forward(X, parameters)\n        cost = compute_cost(AL, Y)\n"
            "        grads = L_model_backward(AL, Y, caches)\n"
            "        parameters = update_parameters(parameters, grads, learning_rate)\n",
            "        AL, caches = L_model_forward(X, parameters)\n        grads = L_model_backward(AL, Y, caches)\n"
            "        parameters = update_parameters(parameters, grads, learning_rate)\n"
            "        cost = compute_cost(L_model_forward(X, parameters)[0], Y)\n",
            application_hints.ONE_STEP_LATE,
        ),
    ],
)
def test_other_classic_mistakes_get_their_hints(function, old, new, hint):
    verdict = verdict_on(_changed(function, old, new), function)
    assert not verdict.passed
    assert f"Hint: {hint}" in verdict.text, verdict.text


def test_a_hint_is_given_only_when_it_explains_every_failing_case():
    """A model that records every iteration's cost but also never updates: neither mistake
    alone explains its costs, and "never updated", which gives its parameters, does not give
    its costs lists.  A hint must explain every failing output of the function, so none is
    named (tests/test_hints_that_explain.py)."""
    code = _changed("L_layer_model", "if i % 100 == 0:", "if True:")
    code = code.replace("        parameters = update_parameters(parameters, grads, learning_rate)\n", "")
    text = verdict_on(code, "L_layer_model").text
    assert application_hints.EVERY_ITERATION not in text
    assert application_hints.NO_UPDATE not in text
    assert "Hint:" not in text, text


def test_hints_are_fixed_sentences_from_the_list():
    """Every hint the module can give, on every case of the plan, is one of TEXTS."""
    ref = application_cases.reference()
    for test in application_cases.TESTS.values():
        for case in test.cases:
            args = case.make_args(ref)
            found = application_hints.for_case(test.function, args, None, ref)
            for pairs in found.values():
                assert {text for text, _ in pairs} <= set(application_hints.TEXTS), test.function


def test_the_judge_looks_hints_up_per_assignment():
    assert assignments.hints_for("test_predict") is application_hints
    assert assignments.hints_for("test_linear_backward") is hints
    source = inspect.getsource(judge)
    assert "application" not in source and "step_by_step" not in source
