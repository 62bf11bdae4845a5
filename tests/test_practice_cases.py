"""A self-check that matches the grader: the notebook's check runs practice cases of other sizes
and depths after the visible case, with the grader's comparison and hints, and with correct
versions of the functions a function calls (dnn_checks.check, dnngrader/assignments/dnn_step_by_step/practice.py).

Most tests run the check in-process on a notebook-like namespace (the solutions and the
student's code defined in one dict, as the kernel's user namespace holds them); the last one
runs a real notebook with nbclient.
"""

import contextlib
import io
import json
import shutil
import time

import numpy as np
import pytest

from dnngrader.kernel.notebook import dnn_checks
from dnngrader.kernel.notebook import dnn_utils
from dnngrader.kernel.notebook import test_cases
from dnngrader.tools import catalogue, samples
from dnngrader.assignments.dnn_step_by_step import practice
from dnngrader.assignments import reference
from dnngrader.assignments.dnn_step_by_step.cases import TESTS
from dnngrader.paths import ASSIGNMENT, COURSE_ROOT, GRADED_FUNCTIONS
from in_process_judge import verdict

PARTS = {"linear_activation_forward": ("sigmoid", "relu"), "linear_activation_backward": ("relu", "sigmoid")}
ENTRIES = catalogue.load()
RELEASE_FILE = COURSE_ROOT / "release" / ASSIGNMENT / test_cases.PRACTICE_FILE

# Wrong answers of the catalogue that the notebook's check cannot catch without the hidden
# cases: entry -> why.  None today: every wrong entry fails the visible case or a practice case.
NOT_CAUGHT_WITHOUT_HIDDEN_CASES = {}

# Wrong answers whose hints in the notebook differ from the grader's: entry -> why.  Both decide
# their hints in one function (dnn_checks.hint_lines: a hint only when it explains every failing
# output of every failing case, the generic one only when none does), from the same classic
# mistakes (the practice file holds their outputs; the mistakes in a dict's keys are worked out
# from the student's keys on both sides).  So only the evidence can differ: the practice cases
# are other inputs than the hidden ones, and an entry belongs here only when a mistake fits the
# hidden cases but not the practice cases (or the other way round) because of inputs that the
# notebook cannot have, the hidden cases being secret.  None today.
HINTS_DIFFER_FROM_THE_GRADERS = {}


@pytest.fixture(scope="module")
def ref():
    """The reference solution, read from the source notebook."""
    return reference.load()


def notebook(code=""):
    """A namespace like a student's kernel: the helpers, every solution, then ``code``."""
    namespace = {"np": np, **{helper: getattr(dnn_utils, helper) for helper in dnn_checks.HELPERS}}
    sources = reference.solution_sources()
    for name in GRADED_FUNCTIONS:
        exec(samples.without_solution_markers(sources[name]), namespace)
    exec(code, namespace)
    return namespace


def run_check(namespace, name, part=None):
    """(passed, what the student reads: the printed lines, then the failure's message)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            dnn_checks.check(name, namespace[name], part)
        except dnn_checks.CheckFailed as failure:
            return False, out.getvalue() + "\n".join(failure._render_traceback_())
        except Exception as error:  # the visible case raised: the student's own error
            return False, out.getvalue() + f"{type(error).__name__}: {error}"
    return True, out.getvalue()


def checks_of(entry):
    """{part: (passed, text)} of every check of the entry's function, the entry in the notebook."""
    namespace = notebook(entry.code)
    return {part: run_check(namespace, entry.function, part) for part in PARTS.get(entry.function, (None,))}


GENERIC = "[the generic hint]"


def hint_texts(text):
    """The "Hint: ..." lines of a check's or verdict's text, the generic one as GENERIC: the
    notebook says practice cases fail where the grader says hidden ones do."""
    generic = {dnn_checks.generic_hint("practice cases"), dnn_checks.generic_hint("hidden ones")}
    return [
        GENERIC if line.strip() in generic else line.strip()
        for line in text.splitlines()
        if line.strip().startswith("Hint:")
    ]


# --- the data file --------------------------------------------------------------------------


def test_the_practice_file_is_up_to_date_reproducible_and_released():
    rendered = practice.render(practice.build())
    assert rendered == practice.render(practice.build()), "two builds differ"
    assert practice.PRACTICE_PATH.read_bytes() == rendered, "stale: run `dnngrader release`"
    assert RELEASE_FILE.read_bytes() == rendered, "release/ is stale: run `dnngrader release`"
    assert not practice.stale()


def test_the_practice_file_holds_data_and_no_solution_code():
    text = practice.PRACTICE_PATH.read_text()
    data = json.loads(text)
    assert set(data) == {"about", "hints", "functions"}
    for marker in ("def ", "import ", "lambda", "BEGIN SOLUTION"):
        assert marker not in text
    # Besides the hints' sentences (the grader's fixed texts, which quote formulas such as dAL's as
    # the feedback does), nothing but numbers, shapes, names and descriptions.
    functions = json.dumps(data["functions"])
    code_lines = {
        line.strip()
        for source in reference.solution_sources().values()
        for line in source.splitlines()
        if "=" in line and not line.strip().startswith(("#", '"', "'"))
    }
    assert [line for line in code_lines if len(line) > 12 and line in functions] == []
    assert "np." not in functions


def test_every_function_and_part_has_practice_cases_of_other_sizes():
    data = json.loads(practice.PRACTICE_PATH.read_text())["functions"]
    keys = {test_cases.practice_key(test.function, test.part) for test in TESTS.values()}
    assert set(data) == keys
    for test in TESTS.values():
        cases = test_cases.practice_cases(test.function, test.part)
        assert len(cases) >= 4, test.function
        _, visible, _ = dnn_checks.visible_case(test.function, test.part)
        shapes = {str(shape_of(case.arguments())) for case in cases}
        assert str(shape_of(visible)) not in shapes and len(shapes) == len(cases), test.function
    depths = {len(case.arguments()[2]) for case in test_cases.practice_cases("L_model_backward")}
    assert depths >= {1, 3, 4}
    depths = {len(case.arguments()[1]) // 2 for case in test_cases.practice_cases("L_model_forward")}
    assert depths >= {1, 2, 4}
    assert any(case.arguments()[0].shape[1] == 1 for case in test_cases.practice_cases("L_model_backward"))


def shape_of(value):
    """The sizes in a value: shapes of arrays, lengths of containers, ints as they are."""
    if isinstance(value, np.ndarray):
        return value.shape
    if isinstance(value, dict):
        return tuple((key, shape_of(item)) for key, item in value.items())
    if isinstance(value, (tuple, list)):
        return tuple(shape_of(item) for item in value)
    return value if isinstance(value, int) else None


@pytest.mark.parametrize("test_id", sorted(TESTS))
def test_no_practice_case_is_a_hidden_case(ref, test_id):
    test = TESTS[test_id]
    hidden = [case.make_args(ref) for case in test.cases if not case.visible]
    for case in test_cases.practice_cases(test.function, test.part):
        arguments = case.arguments()
        for args in hidden:
            assert not dnn_checks.same_inputs(args, arguments), (test_id, case.description)
            assert shape_of(args) != shape_of(arguments) or not np.allclose(
                np.concatenate([np.ravel(a) for a in leaves(args)]),
                np.concatenate([np.ravel(a) for a in leaves(arguments)]),
            ), (test_id, case.description)


def leaves(value):
    """Every array and number in a value, as float arrays."""
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from leaves(item)
    elif isinstance(value, (np.ndarray, int, float)):
        yield np.asarray(value, dtype=float)


def test_the_recorded_answers_of_the_callees_are_the_references(ref):
    data = json.loads(practice.PRACTICE_PATH.read_text())["functions"]
    checked = 0
    for entry in data.values():
        for case in [entry["visible"], *entry["practice"]]:
            for callee, arguments, output in case["calls"]:
                expected = getattr(ref, callee)(*test_cases.from_json(arguments))
                names = dnn_checks.RETURN_NAMES[callee]
                assert dnn_checks.compare_returned(expected, test_cases.from_json(output), names) == []
                checked += 1
    assert checked > 100


def test_L_model_backward_practice_cases_come_from_a_real_forward_pass(ref):
    for number, case in enumerate(test_cases.practice_cases("L_model_backward"), start=1):
        AL, Y, caches = test_cases.practice_case("L_model_backward", number)
        X = caches[0][0][0]
        parameters = {}
        for l, ((_, W, b), _) in enumerate(caches, start=1):
            parameters[f"W{l}"], parameters[f"b{l}"] = W, b
        again, _ = ref.L_model_forward(X, parameters)
        assert np.allclose(again, AL, rtol=1e-9, atol=0) and set(np.unique(Y)) <= {0, 1}


def test_practice_case_gives_the_inputs_the_check_runs():
    first = test_cases.practice_case("linear_activation_forward", 2, part="relu")
    assert first[-1] == "relu" and first[0].shape[1] == 1
    assert dnn_checks.same_inputs(test_cases.practice_cases("linear_activation_forward", "relu")[1].arguments(), first)
    with pytest.raises(IndexError):
        test_cases.practice_case("linear_forward", 99)


# --- checking like the grader ---------------------------------------------------------------


def test_the_solutions_pass_every_check_quickly_and_say_what_was_not_checked():
    namespace = notebook()
    for test in TESTS.values():
        started = time.perf_counter()
        passed, text = run_check(namespace, test.function, test.part)
        seconds = time.perf_counter() - started
        assert passed, text
        assert seconds < 1.0, (test.function, seconds)
        count = len(test_cases.practice_cases(test.function, test.part))
        assert f"All visible checks passed: the visible case and {count} practice cases." in text
        assert "the grader also runs hidden cases" in text.lower() and "which you cannot run here" in text
        assert "  note" not in text and "Hint" not in text


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.name for entry in ENTRIES])
def test_the_catalogue_valid_answers_pass_and_wrong_ones_fail(entry):
    results = checks_of(entry)
    failed = [part for part, (passed, _) in results.items() if not passed]
    if entry.valid:
        assert failed == [], results
        # Correct answers make only the calls a correct function makes: the record answers them.
        assert not any("  note" in text for _, text in results.values()), results
    elif entry.name in NOT_CAUGHT_WITHOUT_HIDDEN_CASES:
        assert failed == [], f"{entry.name} is caught now: remove it from NOT_CAUGHT_WITHOUT_HIDDEN_CASES"
    else:
        assert failed, f"{entry.name} passes the notebook's check: {results}"


SIZES = [entry for entry in ENTRIES if entry.kind == "sizes"]


# Size-specific bugs that a classic mistake explains on every failing case: entry -> its hint.
# As the grader, the notebook then names the mistake and gives no generic hint beside it.
EXPLAINED_SIZE_BUGS = {"linear_forward__first_bias_only": "Hint: only the first entry of b was added"}


@pytest.mark.parametrize("entry", SIZES, ids=[entry.name for entry in SIZES])
def test_a_size_specific_bug_passes_the_visible_case_and_fails_a_practice_case(entry):
    for passed, text in checks_of(entry).values():
        assert not passed
        assert "\u2717 the visible case" not in text and "\u2713 passed: the visible case" in text
        assert "\u2717 practice case" in text
        if entry.name in EXPLAINED_SIZE_BUGS:
            assert EXPLAINED_SIZE_BUGS[entry.name] in text
            assert "Hint: the visible case passes but practice cases fail." not in text
        else:
            assert "Hint: the visible case passes but practice cases fail." in text
    assert {"L_model_backward__two_layers_hard_coded", "initialize_parameters__visible_sizes_hard_coded"} <= {
        entry.name for entry in SIZES
    }


WRONG = [entry for entry in ENTRIES if not entry.valid]


@pytest.mark.parametrize("entry", WRONG, ids=[entry.name for entry in WRONG])
def test_the_notebook_gives_the_graders_hints(ref, entry):
    """The same hints, the generic one included, in the same order: the notebook's check is the
    student's preview of the feedback."""
    for part, (passed, text) in checks_of(entry).items():
        test_id = f"test_{entry.function}" + (f"_{part}" if part else "")
        graders = hint_texts(verdict(entry.code, test_id, ref).text)
        if entry.name in HINTS_DIFFER_FROM_THE_GRADERS:
            assert hint_texts(text) != graders, f"{entry.name} agrees now: remove it from HINTS_DIFFER_FROM_THE_GRADERS"
        else:
            assert hint_texts(text) == graders, (graders, text)


def test_a_derivative_swap_gets_the_graders_hint_in_the_notebook(ref):
    (entry,) = [entry for entry in ENTRIES if entry.name == "linear_activation_backward__derivatives_swapped"]
    results = checks_of(entry)
    for part, other in (("relu", "sigmoid"), ("sigmoid", "relu")):
        passed, text = results[part]
        hint = f"Hint: the {part} branch used {other}_backward"
        assert not passed and hint in text
        assert hint in verdict(entry.code, f"test_linear_activation_backward_{part}", ref).text


@pytest.mark.parametrize(
    "callee,callers",
    [
        ("linear_backward__db_summed_over_axis0", ["linear_activation_backward", "L_model_backward"]),
        ("linear_forward__missing_bias", ["linear_activation_forward", "L_model_forward"]),
        ("linear_activation_backward__derivatives_swapped", ["L_model_backward"]),
        ("linear_activation_forward__branches_swapped", ["L_model_forward"]),
    ],
)
def test_a_callee_bug_fails_only_its_own_check(callee, callers):
    (entry,) = [entry for entry in ENTRIES if entry.name == callee]
    namespace = notebook(entry.code)
    assert not all(run_check(namespace, entry.function, part)[0] for part in PARTS.get(entry.function, (None,)))
    for caller in callers:
        for part in PARTS.get(caller, (None,)):
            passed, text = run_check(namespace, caller, part)
            assert passed, text
            assert "  note" not in text and f"correct versions of {dnn_checks.CALLEES[caller][0]}" in text
        # Called directly, with the buggy callee, the caller is wrong: the lending made the difference.
        _, arguments, expected = dnn_checks.visible_case(caller, PARTS.get(caller, (None,))[0])
        returned = namespace[caller](*arguments)
        assert dnn_checks.compare_returned(expected, returned, dnn_checks.RETURN_NAMES[caller])


def test_the_namespace_is_put_back_even_when_the_function_raises():
    namespace = notebook("""
def L_model_forward(X, parameters):
    A, cache = linear_activation_forward(X, parameters["W1"], parameters["b1"], "relu")
    raise ValueError("stop")
""")
    own = {name: namespace[name] for name in ("linear_forward", "linear_activation_forward", "sigmoid")}
    del namespace["relu"]  # a helper the notebook lost: it must not stay defined afterwards
    with pytest.raises(ValueError):
        with contextlib.redirect_stdout(io.StringIO()):
            dnn_checks.check("L_model_forward", namespace["L_model_forward"])
    assert {name: namespace[name] for name in own} == own and "relu" not in namespace
    # A practice case that raises: the check fails, and the namespace is put back as well.
    namespace = notebook("""
def L_model_forward(X, parameters):
    if X.shape[0] != 5:
        raise ValueError("only the visible size")
    return L_model_forward_solution(X, parameters)
""")
    namespace["L_model_forward_solution"] = notebook()["L_model_forward"]
    before = dict(namespace)
    passed, text = run_check(namespace, "L_model_forward")
    assert not passed and "it raised ValueError: only the visible size" in text
    assert 'run L_model_forward(*practice_case("L_model_forward", 1)) in a cell of your own' in text
    assert namespace == before


def test_a_call_a_correct_function_would_not_make_is_answered_by_the_own_callee_with_a_note():
    namespace = notebook("""
def L_model_forward(X, parameters):
    linear_activation_forward(np.ones((1, 1)), np.ones((1, 1)), np.zeros((1, 1)), "relu")  # a stray call
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L + 1):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"],
                                             activation="sigmoid" if l == L else "relu")
        caches.append(cache)
    return A, caches
""")
    passed, text = run_check(namespace, "L_model_forward")
    assert passed, text
    assert (
        "note (every case): L_model_forward called linear_activation_forward with inputs that a correct "
        "L_model_forward does not pass here, so your own linear_activation_forward answered" in text
    )


def test_other_correct_routes_are_accepted_on_practice_cases():
    (entry,) = [entry for entry in ENTRIES if entry.name == "linear_activation_backward__Z_from_linear_cache"]
    for passed, text in checks_of(entry).values():
        assert passed, text
        practice_lines = [line for line in text.splitlines() if line.startswith("  \u2713 practice case")]
        assert practice_lines and all("another correct route, Z recomputed" in line for line in practice_lines)
    # The same route with a mistake still fails.
    wrong = entry.code.replace(
        "return linear_backward(dZ, linear_cache)", "return linear_backward(2 * dZ, linear_cache)"
    )
    assert wrong != entry.code
    assert not run_check(notebook(wrong), "linear_activation_backward", "relu")[0]


def test_under_autograde_the_check_returns_at_once(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")

    def never_called(*args):
        raise AssertionError("the check ran the function")

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert dnn_checks.check("L_model_backward", never_called) is None
    assert out.getvalue() == ""


def test_without_the_practice_file_the_visible_case_still_runs_and_says_so(monkeypatch):
    monkeypatch.setattr(test_cases, "_practice_path", lambda: None)
    passed, text = run_check(notebook(), "linear_forward")
    assert passed
    assert "no practice cases: practice_cases.json is missing" in text
    assert "All visible checks passed: the visible case only." in text


# --- a real notebook ------------------------------------------------------------------------


def test_in_a_real_notebook_a_size_bug_is_caught_and_a_callee_bug_fails_only_its_own_cell(tmp_path):
    from nbclient import NotebookClient

    folder = tmp_path / ASSIGNMENT
    shutil.copytree(COURSE_ROOT / "release" / ASSIGNMENT, folder)
    code = {entry.name: entry.code for entry in ENTRIES}
    nb = samples.fill_answers(
        {
            "L_model_forward": code["L_model_forward__three_layers_hard_coded"],
            "linear_backward": code["linear_backward__db_summed_over_axis0"],
        }
    )
    NotebookClient(
        nb, allow_errors=True, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    errors, texts = {}, {}
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in TESTS:
            texts[grade_id] = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            errors.update({grade_id: o for o in cell.outputs if o.output_type == "error"})
    assert sorted(texts) == sorted(TESTS)
    assert sorted(errors) == ["test_L_model_forward", "test_linear_backward"]
    size_bug = "\n".join(errors["test_L_model_forward"].traceback)
    assert errors["test_L_model_forward"].ename == "CheckFailed"
    assert "\u2713 passed: the visible case" in size_bug and "\u2717 practice case 1 of" in size_bug
    assert "Hint: the visible case passes but practice cases fail." in size_bug
    assert "Hint: db has shape (1, m)" in "\n".join(errors["test_linear_backward"].traceback)
    for test_id in (
        "test_linear_activation_backward_relu",
        "test_linear_activation_backward_sigmoid",
        "test_L_model_backward",
    ):
        assert "All visible checks passed: the visible case and 4 practice cases." in texts[test_id]
        assert "correct versions of linear_backward" in texts[test_id] and "  note" not in texts[test_id]
