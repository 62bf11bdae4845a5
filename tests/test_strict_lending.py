"""Lent callees as strict as the contract (issue 19): whatever the grader lends a student's
function behaves as strictly as every valid student version of it may.

The reference update_parameters writes the new parameters into the caller's dict; a valid
version may return a new dict instead (catalogue/valid/update_parameters__dict_comprehension.py).
An L_layer_model that throws update_parameters' result away never trains beside such a version,
and used to get full marks beside the reference the grader lent it.  Now every lent callee
(judge/delivery.py, kernel/delivery.py, kernel/runtime.py) and every function handed over to a notebook's cells works
on copies of its arguments and returns copies (assignments/reference.py, ``strictly``), so:

- checked on the calls the reference solutions make, every callee of both assignments leaves its
  arguments alone and returns objects its caller does not hold, through both ways the kernel gets
  them (handed over, or built in the kernel outside autograde); the provided helpers of
  dnn_utils.py stay the very functions students call;
- the first notebook's stand-ins (dnn_checks.lent_callees) already answer with new objects rebuilt
  from JSON and never touch their arguments;
- the shared case ../shared/cases/2026-12-06/L_layer_model_discards_update_result.ipynb loses
  L_layer_model's points in the real `nbgrader autograde`, whether the correct first notebook or
  first_notebook_valid_update_parameters_returns_new_dict.ipynb sits beside it; so do a
  two_layer_model that discards the result and an L_layer_model that reaches update_parameters
  through the loading cell's ``step_by_step`` (the functions handed over, not lent).

The first assignment has no case of this kind: none of its lent callees (linear_forward,
linear_activation_forward, linear_backward, linear_activation_backward) changes an argument, so
no caller can rely on that, and the arrays their caches share with the caller are the caller's
own arguments, which the judge already checks are left alone.
"""

import copy
import importlib.util
import json
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbgrader.api import Gradebook

from dnngrader.kernel.notebook import dnn_checks
from dnngrader.kernel.notebook import dnn_utils, test_cases
from dnngrader import assignments
from dnngrader.assignments import reference
from dnngrader.kernel import lending
from dnngrader.assignments.dnn_application import cases as application_cases
from dnngrader.assignments.dnn_application import hints as application_hints
from dnngrader.judge import delivery
from dnngrader.kernel import delivery as kernel_delivery, payload, runtime
from dnngrader.kernel import notebook as notebook_modules
from dnngrader.paths import APPLICATION, ASSIGNMENT, COURSE_ROOT
from dnngrader.plugins import sandbox
from dnngrader.tools import catalogue, samples
from in_process_judge import verdict as first_assignment_verdict
from shared_setup import copy_of_blank_course

SHARED_CASES = COURSE_ROOT.parent / "shared" / "cases" / "2026-12-06"
DISCARDS = "L_layer_model_discards_update_result.ipynb"
NEW_DICT_FIRST = "first_notebook_valid_update_parameters_returns_new_dict.ipynb"
CALLING_TESTS = [test_id for test_id in assignments.all_tests() if assignments.callees_of(test_id)]


def shared_case(name):
    """The path of a file of the cases of 6 December 2026; the test fails, saying where, when it
    is absent (CI copies shared/ beside the clone)."""
    path = SHARED_CASES / name
    if not path.exists():
        pytest.fail(
            f"{path} is missing: these tests read the cases of 6 December 2026 from "
            f"shared/cases/2026-12-06/ next to the repository ({SHARED_CASES.parents[2]}); in CI, "
            "copy shared/ beside the clone.",
            pytrace=False,
        )
    return path


# --- what strict means, checked on values ------------------------------------------------------


def same(one, other):
    """Whether two values are equal, arrays byte for byte (as the payload carries them)."""
    return payload.encode(one) == payload.encode(other)


def mutables(value):
    """Every array, dict and list inside ``value`` (itself included)."""
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, dict):
        return [value] + [item for child in value.values() for item in mutables(child)]
    if isinstance(value, list):
        return [value] + [item for child in value for item in mutables(child)]
    if isinstance(value, tuple):
        return [item for child in value for item in mutables(child)]
    return []


def shared_objects(one, other):
    """The objects (or array memory) ``one`` holds that ``other`` holds too."""
    found = []
    for mine in mutables(one):
        for theirs in mutables(other):
            if mine is theirs or (
                isinstance(mine, np.ndarray) and isinstance(theirs, np.ndarray) and np.shares_memory(mine, theirs)
            ):
                found.append(mine)
    return found


def assert_strict(function, args, kwargs, expected):
    """``function`` called twice on ``args``: it answers ``expected`` both times, leaves the
    arguments as they were, and returns nothing the caller holds (its arguments, or what an
    earlier call returned)."""
    before = copy.deepcopy((args, kwargs))
    first = function(*args, **kwargs)
    second = function(*args, **kwargs)
    assert same((args, kwargs), before), f"{function.__name__} changed its arguments"
    assert same(first, expected) and same(second, expected), f"{function.__name__} answers otherwise"
    assert shared_objects(first, (args, kwargs)) == [], f"{function.__name__} returned the caller's objects"
    assert shared_objects(first, second) == [], f"{function.__name__} returned an object twice"


def recorded_calls(test_id, per_case=2):
    """[(callee, args, kwargs)]: the first ``per_case`` calls of each callee that the reference
    solution of ``test_id``'s function makes on each case of the cell, with the raw reference
    callees (what the reference returns for them is what the lent version must return)."""
    assignment = assignments.assignment_of(test_id)
    function = assignment.tests[test_id].function
    _, arguments, raw, _ = assignments.inputs(test_id)
    calls, counts = [], {}

    def spy(name):
        def record(*args, **kwargs):
            if counts.get(name, 0) < per_case:
                counts[name] = counts.get(name, 0) + 1
                calls.append((name, copy.deepcopy(args), copy.deepcopy(kwargs)))
            return raw[name](*args, **kwargs)

        return record

    callees = assignments.callees_of(test_id)
    spies = {name: spy(name) for name in callees}
    namespace = {"np": np, **raw, **spies}
    exec(
        samples.without_solution_markers(
            reference.solution_sources(assignments.source_notebook(assignment.name))[function]
        ),
        namespace,
    )
    # The calls the reference callees make between themselves too (L_model_forward calling
    # linear_activation_forward): spies in their own namespaces while the cases run.
    namespaces = {id(raw[name].__globals__): raw[name].__globals__ for name in callees}.values()
    saved = [(space, dict(space)) for space in namespaces]
    try:
        for space in namespaces:
            space.update({name: spies[name] for name in callees if name in space})
        for args in arguments:
            counts.clear()
            namespace[function](*copy.deepcopy(args))
    finally:
        for space, before in saved:
            space.clear()
            space.update(before)
    return calls, raw


def handed_over(test_id, monkeypatch):
    """What ``kernel/delivery.receive`` gives the kernel for ``test_id`` under autograde (the request's
    metadata as the grader sends it)."""
    monkeypatch.setattr(
        kernel_delivery, "_current_request_metadata", lambda: {delivery.METADATA_KEY: delivery.for_test(test_id)}
    )
    return kernel_delivery.receive(test_id)


@pytest.mark.parametrize("test_id", CALLING_TESTS)
def test_every_lent_callee_is_strict_on_the_calls_the_reference_makes(test_id, monkeypatch):
    calls, raw = recorded_calls(test_id)
    assert {name for name, _, _ in calls} == set(assignments.callees_of(test_id))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    for _, _, lent, _ in (handed_over(test_id, monkeypatch), runtime._inputs(test_id)):
        for name, args, kwargs in calls:
            expected = raw[name](*copy.deepcopy(args), **copy.deepcopy(kwargs))
            assert_strict(lent[name], copy.deepcopy(args), copy.deepcopy(kwargs), expected)


@pytest.mark.parametrize("test_id", CALLING_TESTS)
def test_the_lent_callees_reach_only_each_other_and_the_helpers_stay_as_provided(test_id, monkeypatch):
    """A strict callee is made in its function's own namespace: a student who looks behind it
    finds the other lent functions, never the kit (README, threat model).  The helpers of
    dnn_utils.py are lent as they are: they are the only version there is."""
    assignment = assignments.assignment_of(test_id)
    callees = assignments.callees_of(test_id)
    _, _, lent, _ = handed_over(test_id, monkeypatch)
    assert list(lent) == [*callees, *assignment.helpers]
    for helper in assignment.helpers:
        assert lent[helper] is getattr(dnn_utils, helper)
    for name in callees:
        seen = {key for key in lent[name].__globals__ if not key.startswith("__")}
        assert seen <= {*callees, *assignment.helpers, "np"}, seen
        assert not hasattr(lent[name], "__wrapped__")
        assert lent[name].__name__ == name


def test_the_lent_update_parameters_returns_a_new_dict_and_leaves_the_callers_alone(monkeypatch):
    _, _, lent, _ = handed_over("test_L_layer_model", monkeypatch)
    parameters = {"W1": np.ones((2, 3)), "b1": np.zeros((2, 1))}
    grads = {"dW1": np.ones((2, 3)), "db1": np.ones((2, 1))}
    updated = lent["update_parameters"](parameters, grads, 0.5)
    assert updated is not parameters
    np.testing.assert_array_equal(parameters["W1"], np.ones((2, 3)))
    np.testing.assert_array_equal(updated["W1"], np.full((2, 3), 0.5))


def test_a_call_that_raises_leaves_the_next_one_strict():
    """The count of calls in progress is put back when a call raises (a wrong activation name,
    a time limit), so the next call is copied again rather than let through."""
    module = reference.load()
    lent = lending.lent(
        {"linear_activation_forward": module.linear_activation_forward, "update_parameters": module.update_parameters}
    )
    with pytest.raises(ValueError):
        lent["linear_activation_forward"](np.ones((2, 1)), np.ones((1, 2)), np.ones((1, 1)), "tanh")
    parameters = {"W1": np.ones((1, 1)), "b1": np.ones((1, 1))}
    lent["update_parameters"](parameters, {"dW1": np.ones((1, 1)), "db1": np.ones((1, 1))}, 1.0)
    np.testing.assert_array_equal(parameters["W1"], np.ones((1, 1)))


def test_an_argument_deepcopy_refuses_is_passed_on_as_it_is():
    strict = lending.strictly(lambda values, scale: [value * scale for value in values])
    assert strict((value for value in (1, 2)), 3) == [3, 6]  # a generator cannot be deep-copied


def _shapes_and_identities(value, seen=None):
    """A description of ``value``'s structure: types, values, array layouts and which of its
    parts are the same object (by the order they are first met), to compare two copies."""
    seen = {} if seen is None else seen
    if id(value) in seen and not isinstance(value, (int, float, str, type(None))):
        return ("the same object as part", seen[id(value)])
    seen[id(value)] = len(seen)
    if isinstance(value, np.ndarray):
        return (
            "array",
            value.dtype.str,
            value.shape,
            value.flags.c_contiguous,
            value.flags.f_contiguous,
            value.tolist(),
        )
    if isinstance(value, dict):
        return (type(value).__name__, [(key, _shapes_and_identities(item, seen)) for key, item in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_shapes_and_identities(item, seen) for item in value])
    return (type(value).__name__, value)


def test_the_strict_copies_are_what_deepcopy_makes_and_share_nothing_with_the_caller():
    """``strictly`` copies the course's values (arrays, dicts, lists, tuples, numbers) itself,
    for speed; the copies must be what copy.deepcopy makes of them: the same values and array
    layouts, an object met twice copied once, a list that holds itself, an array of objects and
    an ndarray subclass copied deeply too, and no part the caller holds."""
    shared = np.arange(6.0).reshape(2, 3)
    loop = [1, 2]
    loop.append(loop)
    objects = np.empty(2, dtype=object)
    objects[:] = [[1], [2]]
    value = {
        "C": shared,
        "F": np.asfortranarray(shared),
        "view": shared[:, 1],
        "again": shared,
        "cache": ((shared, np.ones((1, 1))), np.float64(2.5)),
        "loop": loop,
        "objects": objects,
        "masked": np.ma.masked_array([1.0, 2.0], mask=[False, True]),
        "numbers": [1, 2.0, True, None, "W1"],
    }
    kept = []
    strict = lending.strictly(lambda received: kept.append(received) or received)
    returned = strict(value)
    received = kept[0]
    for made in (received, returned):
        assert _shapes_and_identities(made) == _shapes_and_identities(copy.deepcopy(value))
        originals = {id(part) for part in (shared, loop, objects, value["F"], value["masked"], value["cache"][0])}
        assert not originals & {
            id(part)
            for part in (made["C"], made["loop"], made["objects"], made["F"], made["masked"], made["cache"][0][0])
        }
        assert made["objects"][0] is not objects[0]  # the lists inside the object array are copies too
    assert returned is not received and returned["C"] is not received["C"]


# --- the functions handed over before the second notebook's loading cell -----------------------


def app_helpers():
    """The notebook's dnn_app_helpers.py (the original of the copy in source/dnn_application/),
    imported afresh from its file, beside the kit's dnn_utils."""
    path = Path(notebook_modules.__file__).with_name("dnn_app_helpers.py")
    spec = importlib.util.spec_from_file_location("dnngrader.kernel.notebook.dnn_app_helpers_of_the_test", path)
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    return helpers


def load_handed_over(monkeypatch):
    """The first assignment's functions as the second notebook's loading cell gets them under
    autograde: the grader's silent hand-over, then dnn_app_helpers.load_step_by_step."""
    helpers = app_helpers()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    exec(delivery.provided_code(APPLICATION, "step_by_step_functions"), {})  # as the kernel runs it
    return helpers.load_step_by_step(folder="/nonexistent")


def test_the_functions_handed_over_to_the_notebook_are_strict(monkeypatch):
    """They are what the notebook's cells call, and what a graded function reaches by a name its
    cell does not lend (``step_by_step.update_parameters``, a default argument)."""
    loaded = load_handed_over(monkeypatch)
    assert loaded.path is None
    checked = set()
    for test_id in ("test_two_layer_model", "test_L_layer_model", "test_predict"):
        calls, raw = recorded_calls(test_id)
        for name, args, kwargs in calls:
            if name in application_cases.FIRST_ASSIGNMENT_FUNCTIONS:
                expected = raw[name](*copy.deepcopy(args), **copy.deepcopy(kwargs))
                assert_strict(getattr(loaded, name), copy.deepcopy(args), copy.deepcopy(kwargs), expected)
                checked.add(name)
    assert checked == set(application_cases.FIRST_ASSIGNMENT_FUNCTIONS)
    for helper in lending.HELPERS:
        assert getattr(loaded, helper) is getattr(dnn_utils, helper)


def test_calls_between_the_functions_handed_over_go_straight_through(monkeypatch):
    """L_model_forward calls linear_activation_forward, both handed over: only the outer call is
    copied (the training cells pass 12288 x 209 images); the count is back to 0 afterwards."""
    loaded = load_handed_over(monkeypatch)
    inner = []
    raw_inner = loaded.linear_activation_forward

    def counting(*args, **kwargs):
        inner.append(loaded._strictly_running[0])
        return raw_inner(*args, **kwargs)

    monkeypatch.setattr(loaded, "linear_activation_forward", counting)
    X, parameters = np.ones((3, 4)), reference.load().initialize_parameters_deep([3, 2, 1])
    loaded.L_model_forward(X, parameters)
    assert inner == [1, 1] and loaded._strictly_running == [0]


# --- the first notebook's visible checks --------------------------------------------------------


def practice_calls():
    """(function, callee, arguments) of every call the first notebook's stand-ins answer from the
    practice file: visible and practice cases."""
    found = []
    for name in dnn_checks.CALLEES:
        parts = (
            [None] if name not in ("linear_activation_forward", "linear_activation_backward") else ["relu", "sigmoid"]
        )
        for part in parts:
            _, calls, _ = test_cases.visible_extras(name, part)
            every = [calls] + [case.calls for case in test_cases.practice_cases(name, part)]
            found += [
                (name, callee, arguments, every_calls)
                for every_calls in every
                for callee, recorded in every_calls.items()
                for arguments, _ in recorded
            ]
    return found


def test_the_first_notebooks_stand_ins_are_already_strict():
    """dnn_checks.lent_callees answers from JSON: a new object on every call, never one of the
    caller's, its arguments untouched, exactly what the grader's strict callees do."""
    calls = practice_calls()
    assert {callee for _, callee, _, _ in calls} == {c for names in dnn_checks.CALLEES.values() for c in names}
    for name, callee, arguments, recorded in calls:
        namespace = {}
        exec("def probe():\n    pass\n", namespace)
        answered_by_own = []
        with dnn_checks.lent_callees(namespace["probe"], name, recorded, answered_by_own):
            expected = namespace[callee](*copy.deepcopy(arguments))
            assert_strict(namespace[callee], copy.deepcopy(arguments), {}, expected)
        assert answered_by_own == []


# --- the shared case, and the premise it rests on ----------------------------------------------


def answer_of(path, grade_id):
    notebook = json.loads(path.read_text())
    return next(
        "".join(cell["source"])
        for cell in notebook["cells"]
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id
    )


def test_beside_the_valid_new_dict_update_parameters_the_discarding_model_never_trains(monkeypatch, tmp_path):
    """The case's premise, in process: the first notebook's update_parameters passes the first
    assignment's judge; run with that notebook's own functions, as the student's notebook runs
    it, the discarding L_layer_model returns its initial parameters, while beside the correct
    first notebook (whose update_parameters writes into the dict) it trains."""
    first = shared_case(NEW_DICT_FIRST)
    update = answer_of(first, "update_parameters")
    result = first_assignment_verdict(update, "test_update_parameters", reference.load())
    assert result.passed, result.text

    helpers = app_helpers()
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    model = answer_of(shared_case(DISCARDS), "L_layer_model")
    X, Y = application_cases.checks().small_example()
    initial = application_cases.reference().initialize_parameters_deep_scaled([10, 5, 1])
    trained = {}
    correct = tmp_path / "dnn_step_by_step.ipynb"
    nbformat.write(samples.fill_answers({}), str(correct))
    for which, notebook in (("correct", correct), ("new dict", first)):
        functions = helpers.load_step_by_step(path=notebook)
        namespace = {
            "np": np,
            "initialize_parameters_deep_scaled": application_cases.reference().initialize_parameters_deep_scaled,
            **{name: getattr(functions, name) for name in helpers.NEEDED},
        }
        exec(model, namespace)
        parameters, _ = namespace["L_layer_model"](X, Y, [10, 5, 1], 0.1, 3)
        trained[which] = not same(parameters, initial)
    assert trained == {"correct": True, "new dict": False}


# --- the real nbgrader autograde ----------------------------------------------------------------

SOLUTIONS = catalogue.application_solutions()
DISCARDING_TWO_LAYER = SOLUTIONS["two_layer_model"].replace(
    "parameters = update_parameters(parameters, grads, learning_rate)",
    "update_parameters(parameters, grads, learning_rate)",
)
THROUGH_STEP_BY_STEP = SOLUTIONS["L_layer_model"].replace(
    "parameters = update_parameters(parameters, grads, learning_rate)",
    "step_by_step.update_parameters(parameters, grads, learning_rate)",
)

# student -> (its dnn_application notebook, or its answers (function -> code; the solutions
# elsewhere), the first notebook beside it or None, the functions that must lose their points)
STUDENTS = {
    "discards_beside_correct_first": (
        lambda: shared_case(DISCARDS),
        lambda: samples.fill_answers({}),
        {"L_layer_model"},
    ),
    "discards_beside_new_dict_first": (
        lambda: shared_case(DISCARDS),
        lambda: shared_case(NEW_DICT_FIRST),
        {"L_layer_model"},
    ),
    # Our own, of the same kind: the other model, and the functions handed over to the notebook.
    "discards_other_ways": (
        lambda: {"two_layer_model": DISCARDING_TWO_LAYER, "L_layer_model": THROUGH_STEP_BY_STEP},
        None,
        {"two_layer_model", "L_layer_model"},
    ),
}


def hand_in(course, student, application, first):
    """The second notebook handed in as a student does (the released folder), with the first
    notebook beside it in the student's own dnn_step_by_step/ (where the notebook's loading cell
    looks for it) when there is one."""
    if isinstance(application, dict):
        catalogue.write_application_submission(course, student, application)
    else:
        folder = course.submitted / student / APPLICATION
        shutil.copytree(course.root / "release" / APPLICATION, folder)
        shutil.copyfile(application, folder / f"{APPLICATION}.ipynb")
    if first is not None:
        notebook = first if isinstance(first, nbformat.NotebookNode) else nbformat.read(str(first), as_version=4)
        samples.write_submission(notebook, student, course.submitted, assignment=ASSIGNMENT)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """(course, student -> {function: points}) after `nbgrader autograde dnn_application`."""
    if not sandbox.available():
        pytest.skip(f"the grading sandbox cannot run here: {sandbox.unavailable_reason()}")
    course = copy_of_blank_course(
        tmp_path_factory, tmp_path_factory.mktemp("strict_lending") / "course", assignments=(APPLICATION,)
    )
    for student, (application, first, _) in STUDENTS.items():
        hand_in(course, student, application(), first() if first else None)
    done = course.autograde(assignment=APPLICATION)
    assert done.returncode == 0, done.stderr[-3000:]
    scores = {}
    with Gradebook(course.db_url) as gradebook:
        for student in STUDENTS:
            scores[student] = {
                test.function: gradebook.find_grade(test_id, APPLICATION, APPLICATION, student).score
                for test_id, test in application_cases.TESTS.items()
            }
    return course, scores


@pytest.mark.parametrize("student", list(STUDENTS))
def test_a_discarded_update_loses_the_models_points_whatever_first_notebook_sits_beside(graded, student):
    course, scores = graded
    losing = STUDENTS[student][2]
    with Gradebook(course.db_url) as gradebook:
        cells = {cell.name: cell.max_score for cell in gradebook.find_notebook(APPLICATION, APPLICATION).grade_cells}
    for test_id, test in application_cases.TESTS.items():
        if test.function in losing:
            assert scores[student][test.function] == 0, (student, test.function)
        else:
            assert scores[student][test.function] == cells[test_id] > 0, (student, test.function)


@pytest.mark.parametrize("student", list(STUDENTS))
def test_the_verdict_says_the_parameters_never_change(graded, student):
    course, _ = graded
    texts = catalogue.verdict_texts(course, APPLICATION, student)
    for function in STUDENTS[student][2]:
        assert f"Hint: {application_hints.NO_UPDATE}" in texts[function], texts[function]


def test_the_first_notebook_beside_changes_nothing(graded):
    """The grader never runs the student's first notebook: both students of the shared case get
    the same verdict, word for word."""
    course, scores = graded
    one, other = (
        catalogue.verdict_texts(course, APPLICATION, student)
        for student in ("discards_beside_correct_first", "discards_beside_new_dict_first")
    )
    assert one == other
    assert scores["discards_beside_correct_first"] == scores["discards_beside_new_dict_first"]
