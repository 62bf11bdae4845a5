"""Hostile and broken submissions, graded by the real `nbgrader autograde` in a scratch course.

Every submission below is graded in one batch, with short time limits.  For each, the test
asserts what the attack or fault cost (the affected function scores 0, or nothing is gained),
that every other function keeps full marks, whether the submission is flagged for tampering, and
what the grader's notes say.  The honest students graded first and last in the same batch must
keep 100/100, and regrading gives the same grades.
"""

import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from dnngrader import assignments
from dnngrader.plugins import codescan, sandbox
from dnngrader.assignments import reference
from dnngrader.tools import samples
from dnngrader.assignments.dnn_step_by_step.cases import TESTS
from dnngrader.paths import ASSIGNMENT, COURSE_ROOT, GRADED_FUNCTIONS, RELEASE_NOTEBOOK, SOURCE_NOTEBOOK
from shared_setup import copy_of_blank_course

# Short limits, so that loops and hangs cost seconds (README: Configuration).
LIMITS = {
    "DNN_SECONDS_PER_CALL": "1",
    "DNN_SECONDS_PER_TEST": "3",
    "DNN_CELL_TIMEOUT": "8",
    "DNN_KERNEL_MEMORY_MB": "2048",
    "DNN_KERNEL_RESTARTS": "3",
}

WRONG = {
    "linear_forward": "def linear_forward(A, W, b):\n    return np.zeros((W.shape[0], A.shape[1])), (A, W, b)\n",
    "compute_cost": "def compute_cost(AL, Y):\n    return 0.0\n",
    "linear_backward": (
        "def linear_backward(dZ, cache):\n    A_prev, W, b = cache\n"
        "    return np.zeros(A_prev.shape), np.zeros(W.shape), np.zeros(b.shape)\n"
    ),
    "L_model_backward": "def L_model_backward(AL, Y, caches):\n    return {}\n",
    "update_parameters": "def update_parameters(parameters, grads, learning_rate):\n    return parameters\n",
}


# ---------------------------------------------------------------------------------------------
# Building submissions
# ---------------------------------------------------------------------------------------------


def notebook(**answers):
    """The released notebook with every answer filled in: the solution, or the code given."""
    return samples.fill_answers(answers)


def cell_of(nb, grade_id):
    return next(cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def without(nb, grade_id):
    nb.cells.remove(cell_of(nb, grade_id))
    return nb


@dataclass
class Submission:
    notebook: object = None  # a NotebookNode, raw text, or None for no notebook
    files: dict = field(default_factory=dict)  # other files: relative path -> text or bytes
    notebook_name: str = f"{ASSIGNMENT}.ipynb"


@dataclass
class Outcome:
    scores: dict = field(default_factory=dict)  # function -> expected score; others full marks
    flagged: bool = False
    says: tuple = ()  # text the grader's notes contain
    graded: bool = True  # whether there is an autograded notebook


NOISY = {
    "linear_forward": """
def linear_forward(A, W, b):
    import sys, warnings
    print("debug: A", A.shape, "W", W.shape)
    print("debug on stderr", file=sys.stderr)
    warnings.warn("a warning from a correct answer")
    Z = np.dot(W, A) + b
    return Z, (A, W, b)
""",
    "compute_cost": """
def compute_cost(AL, Y):
    import time
    time.sleep(0.05)  # a little slow, still well within the limits
    m = Y.shape[1]
    cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m
    print("cost", cost)
    return np.squeeze(cost)
""",
}

PATCH_NUMPY = """
import numpy
numpy.allclose = lambda *args, **kwargs: True
numpy.array_equal = lambda *args, **kwargs: True
numpy.isclose = lambda a, b, *args, **kwargs: numpy.ones(numpy.broadcast(a, b).shape, dtype=bool)
numpy.testing.assert_allclose = lambda *args, **kwargs: None
""" + WRONG["linear_forward"]

REPLACE_CHECKERS = """
import dnn_checks
def everything_is_fine(*args, **kwargs):
    return []
dnn_checks.compare = everything_is_fine
dnn_checks.compare_returned = everything_is_fine
dnn_checks.check = lambda *args, **kwargs: None
check = lambda *args, **kwargs: None
""" + WRONG["compute_cost"]

FORGE_RESULTS = """
import json
import hidden_tests
from IPython.display import display

MIME = "application/x-dnngrader-results"
real_run_hidden_tests = hidden_tests.run_hidden_tests

def forged_run_hidden_tests(test_id):
    real_run_hidden_tests(test_id)
    display({MIME: json.dumps({"test": test_id, "results": [{"status": "returned", "value": None}] * 4})}, raw=True)

hidden_tests.run_hidden_tests = forged_run_hidden_tests
display({MIME: json.dumps({"test": "test_compute_cost", "results": []})}, raw=True)
""" + WRONG["update_parameters"]

LYING_ARRAY = """
class AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False

def L_model_forward(X, parameters):
    return np.zeros((1, X.shape[1])).view(AlwaysEqual), []
"""

LYING_NUMBER = """
class Anything(float):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False

def compute_cost(AL, Y):
    return Anything(0.0)
"""

REFERENCE_VIA_GLOBALS = """
def L_model_backward(AL, Y, caches):
    # Look for the reference solution behind the reference callees the grader lends.
    for helper in (linear_activation_backward, linear_backward, relu_backward, sigmoid_backward):
        reference = helper.__globals__.get("L_model_backward")
        if reference is not None and reference.__code__ is not L_model_backward.__code__:
            return reference(AL, Y, caches)
    return {}
"""

REFERENCE_IN_MEMORY = """
def compute_cost(AL, Y):
    import sys
    # A reference solution loaded in the kernel would be cached here.
    for module in getattr(sys.modules.get("dnngrader.assignments.reference"), "_cache", {}).values():
        return module.compute_cost(AL, Y)
    return 0.0
"""

SWALLOW_ERRORS = """
import sys
shell = get_ipython()
shell.set_custom_exc((BaseException,), lambda shell, etype, evalue, tb, tb_offset=None: None)
shell.showtraceback = lambda *args, **kwargs: None
sys.excepthook = lambda *args: None

def compute_cost(AL, Y):
    raise ValueError("the grader must not miss this")
"""

HARDCODED_VISIBLE = """
def linear_activation_backward(dA, cache, activation):
    if activation == "relu":
        return (np.array([[0.44090989, 0.], [0.37883606, 0.], [-0.2298228, 0.]]),
                np.array([[0.44513824, 0.37371418, -0.10478989]]), np.array([[-0.20837892]]))
    return (np.array([[0.11017994, 0.01105339], [0.09466817, 0.00949723], [-0.05743092, -0.00576154]]),
            np.array([[0.10266786, 0.09778551, -0.01968084]]), np.array([[-0.05729622]]))
"""

STASHING_L_MODEL_FORWARD = """
def L_model_forward(X, parameters):
    import builtins
    builtins.lent_linear_forward = linear_forward  # while graded: the reference version
    caches, A, L = [], X, len(parameters) // 2
    for l in range(1, L):
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"], "sigmoid")
    caches.append(cache)
    return AL, caches
"""

RELU_BRANCH_WRONG = """
def linear_activation_forward(A_prev, W, b, activation):
    Z, linear_cache = linear_forward(A_prev, W, b)
    A, activation_cache = sigmoid(Z)
    return A, (linear_cache, activation_cache)
"""

ENDLESS_LOOP = "def linear_backward(dZ, cache):\n    while True:\n        pass\n"

IGNORES_INTERRUPTS = """
def compute_cost(AL, Y):
    import signal
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        pass
"""

# Doubling allocations of untouched memory: the address-space limit is reached in a few steps
# however busy the machine is (filling the memory page by page could outlast the call limit).
MEMORY_BLOWUP = """
def update_parameters(parameters, grads, learning_rate):
    hoard, size = [], 10**6
    while True:
        hoard.append(np.empty(size))
        size *= 2
"""

SYS_EXIT = "def linear_activation_forward(A_prev, W, b, activation):\n    import sys\n    sys.exit(1)\n"
EXIT_CALL = "def L_model_forward(X, parameters):\n    exit()\n"
SEGFAULT = "def linear_forward(A, W, b):\n    import ctypes\n    return ctypes.string_at(0)\n"

DIES_ON_REPLAY = """
import os
if os.path.exists("ran.marker"):  # this cell is being run again after a crash
    os._exit(1)
open("ran.marker", "w").close()

def compute_cost(AL, Y):
    os._exit(1)
"""

FAKE_NUMPY = """# Next to the notebook, this would be imported instead of NumPy.
import importlib, sys
sys.path.pop(0)
sys.modules.pop("numpy", None)
real = importlib.import_module("numpy")
real.allclose = lambda *args, **kwargs: True
sys.modules["numpy"] = real
"""


def os_exit_after_definition():
    nb = notebook()
    cell_of(nb, "initialize_parameters_deep").source += "\nimport os\nos._exit(3)\n"
    return nb


def stash_and_reorder():
    nb = notebook(linear_forward=WRONG["linear_forward"], L_model_forward=STASHING_L_MODEL_FORWARD)
    test = cell_of(nb, "test_linear_forward")
    nb.cells.remove(test)
    nb.cells.append(
        new_code_cell("import builtins\nlinear_forward = getattr(builtins, 'lent_linear_forward', linear_forward)")
    )
    nb.cells.append(test)
    return nb


def edited_test():
    nb = notebook(linear_forward=WRONG["linear_forward"])
    cell_of(nb, "test_linear_forward").source = 'print("All visible checks passed.")'
    return nb


def ungraded_test_cell():
    nb = notebook(L_model_backward=WRONG["L_model_backward"])
    meta = cell_of(nb, "test_L_model_backward").metadata.nbgrader
    meta.update(grade=False, locked=False)
    del meta["points"]
    return nb


def with_metadata(grade_id, **changes):
    nb = notebook()
    cell_of(nb, grade_id).metadata.nbgrader.update(changes)
    return nb


def renamed_test():
    nb = notebook(linear_backward=WRONG["linear_backward"])
    cell_of(nb, "test_linear_backward").metadata.nbgrader["grade_id"] = "test_linear_backward_v2"
    return nb


def markdown_test_cell():
    nb = notebook(linear_activation_forward=RELU_BRANCH_WRONG)
    test = cell_of(nb, "test_linear_activation_forward_relu")
    markdown = new_markdown_cell(test.source, metadata=test.metadata)
    nb.cells[nb.cells.index(test)] = markdown
    return nb


def duplicated_test():
    nb = notebook(update_parameters=WRONG["update_parameters"])
    copy = nbformat.from_dict(json.loads(json.dumps(cell_of(nb, "test_update_parameters"))))
    copy.id = "pasted-copy"  # JupyterLab gives a pasted cell a new id, and keeps its metadata
    nb.cells.append(copy)
    return nb


def all_metadata_stripped():
    """A student who pasted their code into a fresh notebook: no nbgrader metadata at all."""
    nb = notebook()
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    return nb


RELEASE_FILES = {path.name: path.read_text() for path in RELEASE_NOTEBOOK.parent.glob("*.py")}

SUBMISSIONS = {
    # Honest students, graded first and last: the batch must not touch their grades.
    "aa_honest": Submission(notebook()),
    "zz_honest_noisy_and_slow": Submission(notebook(**NOISY)),
    # Cheating in the kernel.
    "cheat_patch_numpy": Submission(notebook(linear_forward=PATCH_NUMPY)),
    "cheat_replace_checkers": Submission(notebook(compute_cost=REPLACE_CHECKERS)),
    "cheat_forged_results": Submission(notebook(update_parameters=FORGE_RESULTS)),
    "cheat_lying_objects": Submission(notebook(L_model_forward=LYING_ARRAY, compute_cost=LYING_NUMBER)),
    "cheat_reference_via_globals": Submission(notebook(L_model_backward=REFERENCE_VIA_GLOBALS)),
    "cheat_reference_in_memory": Submission(notebook(compute_cost=REFERENCE_IN_MEMORY)),
    "cheat_swallow_errors": Submission(notebook(compute_cost=SWALLOW_ERRORS)),
    "cheat_hardcoded_visible": Submission(notebook(linear_activation_backward=HARDCODED_VISIBLE)),
    "cheat_stash_and_reorder": Submission(stash_and_reorder()),
    # Files next to the notebook.
    "files_shadow_numpy": Submission(notebook(), {"numpy.py": FAKE_NUMPY}),
    "files_shadow_packages": Submission(
        notebook(linear_backward=WRONG["linear_backward"]),
        {
            "dnngrader/__init__.py": "",
            "dnngrader/kernel/runtime.py": "def run_hidden_tests(test_id):\n    pass\n",
            "dnn_utils/__init__.py": "def sigmoid(Z):\n    return 0.5 + 0 * Z, Z\n",
        },
    ),
    "files_replaced_helpers": Submission(
        notebook(),
        {
            "dnn_utils.py": RELEASE_FILES["dnn_utils.py"] + "\n\ndef relu(Z):\n    return Z, Z\n",
            "test_cases.py": RELEASE_FILES["test_cases.py"] + "\n# edited\n",
        },
    ),
    "files_hooks_and_junk": Submission(
        notebook(),
        {
            "zz_hook.pth": "import os; os._exit(1)\n",
            "sitecustomize.py": "import os\nos._exit(1)\n",
            "scratch.py": "x = 1\n",
            "notes.txt": "my notes\n",
            ".DS_Store": b"\x00\x01junk",
            "plots/loss.png": b"\x89PNG\r\n",
        },
    ),
    # Test cells and their metadata.
    "meta_edited_test": Submission(edited_test()),
    "meta_deleted_test": Submission(without(notebook(compute_cost=WRONG["compute_cost"]), "test_compute_cost")),
    "meta_test_marked_ungraded": Submission(ungraded_test_cell()),
    "meta_points_inflated": Submission(with_metadata("test_initialize_parameters", points=100)),
    "meta_renamed_test": Submission(renamed_test()),
    "meta_answer_marked_as_test": Submission(with_metadata("update_parameters", grade=True, points=50)),
    "meta_test_made_markdown": Submission(markdown_test_cell()),
    "meta_duplicated_test": Submission(duplicated_test()),
    "meta_all_stripped": Submission(all_metadata_stripped()),
    # Faults.
    "fault_endless_loop": Submission(notebook(linear_backward=ENDLESS_LOOP)),
    "fault_ignores_interrupts": Submission(notebook(compute_cost=IGNORES_INTERRUPTS)),
    "fault_memory_blowup": Submission(notebook(update_parameters=MEMORY_BLOWUP)),
    "fault_sys_exit": Submission(notebook(linear_activation_forward=SYS_EXIT)),
    "fault_exit_call": Submission(notebook(L_model_forward=EXIT_CALL)),
    "fault_os_exit_after_definition": Submission(os_exit_after_definition()),
    "fault_segfault": Submission(notebook(linear_forward=SEGFAULT)),
    # The notebook itself.
    "nb_invalid_json": Submission('{"cells": [{"cell_type": "code", "source": "def linear_f'),
    "nb_renamed": Submission(notebook(), notebook_name=f"{ASSIGNMENT}-Copy1.ipynb"),
    "nb_extra_notebook": Submission(notebook(), {"Untitled.ipynb": nbformat.writes(new_notebook())}),
    "nb_missing": Submission(None),
}

AFTER_COST = {"linear_backward": 0, "linear_activation_backward": 0, "L_model_backward": 0, "update_parameters": 0}
ALL_ZERO = {name: 0 for name in GRADED_FUNCTIONS}

EXPECTED = {
    "aa_honest": Outcome(),
    "zz_honest_noisy_and_slow": Outcome(),
    "cheat_patch_numpy": Outcome({"linear_forward": 0}, True, ("changes numpy.allclose",)),
    "cheat_replace_checkers": Outcome(
        {"compute_cost": 0}, True, ("changes dnn_checks.compare", "replaces the grader's check")
    ),
    "cheat_forged_results": Outcome(
        {"update_parameters": 0},
        True,
        ("test_update_parameters received 2 sets of results", "sent results for the grader outside a test cell"),
    ),
    "cheat_lying_objects": Outcome(
        {"L_model_forward": 0, "compute_cost": 0}, True, ("a subclass of numpy.ndarray", "overrides __eq__")
    ),
    "cheat_reference_via_globals": Outcome({"L_model_backward": 0}, True, ("uses __globals__",)),
    "cheat_reference_in_memory": Outcome({"compute_cost": 0}, True, ("uses sys.modules",)),
    "cheat_swallow_errors": Outcome({"compute_cost": 0}, True, ("uses set_custom_exc", "excepthook")),
    "cheat_hardcoded_visible": Outcome({"linear_activation_backward": 0}),
    "cheat_stash_and_reorder": Outcome({"linear_forward": 0}, True, ("out of order", "imports builtins")),
    "files_shadow_numpy": Outcome({}, True, ("numpy.py next to the notebook would replace the module 'numpy'",)),
    "files_shadow_packages": Outcome(
        {"linear_backward": 0}, True, ("the module 'dnngrader'", "the module 'dnn_utils'")
    ),
    "files_replaced_helpers": Outcome({}, True, ("dnn_utils.py was changed", "test_cases.py was changed")),
    "files_hooks_and_junk": Outcome(
        {},
        True,
        (
            "zz_hook.pth next to the notebook could run code when Python starts",
            "sitecustomize.py next to the notebook could run code",
            "scratch.py was deleted",
            "ignored: .DS_Store, notes.txt, plots",
        ),
    ),
    "meta_edited_test": Outcome({"linear_forward": 0}, True, ("test_linear_forward was edited",)),
    "meta_deleted_test": Outcome({"compute_cost": 0}, True, ("test_compute_cost was missing",)),
    "meta_test_marked_ungraded": Outcome({"L_model_backward": 0}, True, ("grade: False instead of True",)),
    "meta_points_inflated": Outcome({}, True, ("points: 100 instead of 5",)),
    "meta_renamed_test": Outcome(
        {"linear_backward": 0},
        True,
        ("'test_linear_backward_v2', which the assignment does not have", "test_linear_backward was missing"),
    ),
    "meta_answer_marked_as_test": Outcome(
        {}, True, ("the answer cell of update_parameters had its nbgrader metadata",)
    ),
    "meta_test_made_markdown": Outcome({"linear_activation_forward": 5}, True, ("cell type markdown instead of code",)),
    "meta_duplicated_test": Outcome({"update_parameters": 0}, True, ("test_update_parameters appeared 2 times",)),
    "meta_all_stripped": Outcome({}, True, ("the test cell test_linear_forward was missing; it was put back",)),
    "fault_endless_loop": Outcome({"linear_backward": 0}),
    "fault_ignores_interrupts": Outcome({"compute_cost": 0}, True, ("did not respond to the interrupt",)),
    "fault_memory_blowup": Outcome({"update_parameters": 0}),
    "fault_sys_exit": Outcome({"linear_activation_forward": 0}, True, ("uses sys.exit",)),
    "fault_exit_call": Outcome({"L_model_forward": 0}, True, ("calls exit()",)),
    "fault_os_exit_after_definition": Outcome(
        {"initialize_parameters_deep": 0}, True, ("the answer cell of initialize_parameters_deep: the kernel died",)
    ),
    "fault_segfault": Outcome({"linear_forward": 0}, True, ("the test cell test_linear_forward: the kernel died",)),
    "nb_invalid_json": Outcome(ALL_ZERO, says=("not autograded",), graded=False),
    "nb_renamed": Outcome(ALL_ZERO, says=("not autograded",), graded=False),
    "nb_extra_notebook": Outcome({}, False, ("the extra notebook Untitled.ipynb was not graded",)),
}


def write(course, student, submission):
    folder = course.submitted / student / ASSIGNMENT
    folder.mkdir(parents=True)
    for name, text in RELEASE_FILES.items():
        (folder / name).write_text(text)
    if isinstance(submission.notebook, str):
        (folder / submission.notebook_name).write_text(submission.notebook)
    elif submission.notebook is not None:
        nbformat.write(submission.notebook, str(folder / submission.notebook_name))
    for name, content in submission.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)


def honest_code():
    """Code an honest student could write: the solutions, the samples, the catalogue's valid
    alternatives (when the catalogue is there), the noisy answers above."""
    sources = dict(reference.answer_cells(json.loads(SOURCE_NOTEBOOK.read_text())))
    for path in sorted((COURSE_ROOT / "samples").glob("*.py")) + sorted(
        (COURSE_ROOT / "catalogue" / "valid").glob("*.py")
    ):
        sources[path.name] = path.read_text()
    sources.update(NOISY)
    return sources


def test_a_function_is_tested_after_the_functions_it_calls():
    """The grader lends the kernel a callee's reference only at its callers' tests: those must
    come after the callee's own tests, or a student could keep it for them (delivery.py)."""
    cells = json.loads(SOURCE_NOTEBOOK.read_text())["cells"]
    order = [cell["metadata"].get("nbgrader", {}).get("grade_id") for cell in cells]
    tests = [grade_id for grade_id in order if grade_id in TESTS]
    for position, test_id in enumerate(tests):
        for callee in assignments.callees_of(test_id):
            callee_tests = [other for other in tests if TESTS[other].function == callee]
            assert callee_tests and all(tests.index(other) < position for other in callee_tests), test_id


def test_the_hand_over_rides_with_the_test_cell_and_is_gone_before_student_code_runs():
    """The grader sends a test cell's inputs in the metadata of that cell's own execute_request;
    the runtime takes them out (kernel/delivery.receive), so a student function that looks at the
    running request afterwards finds nothing, and neither does the next request."""
    from jupyter_client.manager import start_new_kernel
    from dnngrader.judge import delivery
    from dnngrader.plugins.execute import _requests_carrying

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(COURSE_ROOT))
    try:

        def run(code):
            printed = []
            reply = kc.execute_interactive(
                code,
                timeout=60,
                output_hook=lambda message: (
                    printed.append(message["content"].get("text", "")) if message["msg_type"] == "stream" else None
                ),
            )
            assert reply["content"]["status"] == "ok", reply["content"]
            return "".join(printed).split()

        peek = "print(delivery.METADATA_KEY in get_ipython().kernel.get_parent('shell')['metadata'])"
        with _requests_carrying(kc, delivery.request_metadata("test_linear_forward")):
            seen = run(
                "from dnngrader.kernel import delivery\n" + peek + "\n"
                "received = delivery.receive('test_linear_forward')\n"
                "print(received[0], len(received[1]), sorted(received[2]))\n" + peek
            )
        assert seen[0] == "True" and seen[-1] == "False"
        assert seen[1] == "linear_forward" and int(seen[2]) == len(TESTS["test_linear_forward"].cases)
        # The next request carries nothing, and receiving again gives nothing.
        assert run(peek + "\nprint(delivery.receive('test_linear_forward'))") == ["False", "None"]
        # A hand-over for another test is not taken for this one.
        with _requests_carrying(kc, delivery.request_metadata("test_linear_forward")):
            assert run("print(delivery.receive('test_compute_cost'))") == ["None"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_the_code_scan_does_not_flag_honest_code():
    for name, code in honest_code().items():
        assert codescan.suspicious(code) == [], name


# ---------------------------------------------------------------------------------------------
# Grading them all
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limits():
    with pytest.MonkeyPatch.context() as patch:
        for name, value in LIMITS.items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="module")
def course(tmp_path_factory, limits):
    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("hostile"))
    for student, submission in SUBMISSIONS.items():
        write(course, student, submission)
    course.first_run = course.autograde()
    return course


@pytest.fixture(scope="module")
def grades(course):
    return course.grades()


@pytest.fixture(scope="module")
def full(grades):
    return grades["aa_honest"]


def verdict_text(course, student, grade_id):
    nb = nbformat.read(str(course.autograded_notebook(student)), as_version=4)
    return "".join(output.get("text", "") for output in cell_of(nb, grade_id).outputs)


def test_there_are_at_least_25_hostile_or_broken_submissions():
    assert len([student for student in SUBMISSIONS if "honest" not in student]) >= 25
    assert set(EXPECTED) == set(SUBMISSIONS) - {"nb_missing"}


def test_the_batch_grades_everyone_it_can(course, grades):
    log = course.first_run.stderr
    # nbgrader reports the two unreadable submissions as errors at the end, after grading the rest.
    assert course.first_run.returncode != 0
    assert "There was an error processing assignment" in log
    for student, outcome in EXPECTED.items():
        assert course.autograded_notebook(student).exists() == outcome.graded, student
        assert student in grades, student
    assert "nb_missing" not in grades


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_outcome(grades, full, student):
    outcome, row = EXPECTED[student], grades[student]
    for function in GRADED_FUNCTIONS:
        assert row[function] == outcome.scores.get(function, full[function]), (student, function, row)
    assert row["max"] == 100, student
    assert row["flagged"] == outcome.flagged, (student, row["notes"])
    assert ("tampering detected" in row["notes"]) == outcome.flagged, row["notes"]
    for text in outcome.says:
        assert text in row["notes"], (student, text, row["notes"])


def test_honest_students_keep_full_marks_and_a_clean_record(grades):
    for student in ("aa_honest", "zz_honest_noisy_and_slow"):
        assert grades[student]["total"] == 100
        assert not grades[student]["flagged"] and grades[student]["notes"] == ""


def test_files_that_would_shadow_modules_are_gone_before_the_notebook_runs(course):
    def autograded(student):
        return course.root / "autograded" / student / ASSIGNMENT

    assert not (autograded("files_shadow_numpy") / "numpy.py").exists()
    assert not (autograded("files_shadow_packages") / "dnngrader").exists()
    assert not (autograded("files_shadow_packages") / "dnn_utils").is_dir()
    assert (autograded("files_shadow_packages") / "dnn_utils.py").read_text() == RELEASE_FILES["dnn_utils.py"]
    assert not (autograded("files_hooks_and_junk") / "zz_hook.pth").exists()
    assert (autograded("files_hooks_and_junk") / "notes.txt").exists()  # harmless, left alone


def test_an_endless_loop_costs_one_call_then_the_cell_moves_on(course):
    text = verdict_text(course, "fault_endless_loop", "test_linear_backward")
    assert "did not finish within 1.0 s" in text
    assert text.count("not run: an earlier case of this cell ran out of time") == len(
        [line for line in text.splitlines() if "hidden case" in line]
    )


def test_a_memory_blow_up_is_stopped_by_the_kernels_memory_limit(course):
    assert "MemoryError" in verdict_text(course, "fault_memory_blowup", "test_update_parameters")


def test_hard_coded_visible_outputs_pass_the_visible_case_only(course):
    text = verdict_text(course, "cheat_hardcoded_visible", "test_linear_activation_backward_relu")
    assert "\u2713 the visible case" in text and "\u2717 hidden case" in text


def test_unreadable_notebooks_get_a_clear_message(course):
    log = course.first_run.stderr
    assert f"nb_renamed: there is no {ASSIGNMENT}.ipynb" in log
    assert f"it has {ASSIGNMENT}-Copy1.ipynb instead" in log and "rename the student's notebook" in log
    assert "nb_invalid_json:" in log and "is not a readable notebook" in log
    assert "No notebooks were matched" in log and "nb_missing" in log


def test_tampering_shows_at_the_top_of_the_feedback(course, grades):
    course.nbgrader("generate_feedback", ASSIGNMENT, "--student", "meta_edited_test", "--force")
    html = (course.root / "feedback" / "meta_edited_test" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "Tampering detected: the test cell test_linear_forward was edited" in html
    nb = nbformat.read(str(course.autograded_notebook("meta_edited_test")), as_version=4)
    assert nb.cells[0].cell_type == "markdown" and "Tampering detected" in nb.cells[0].source


def test_the_grade_export_shows_flags_and_notes(course, grades):
    destination = course.root / "grades.csv"
    course.nbgrader("export", "--to", str(destination))
    rows = {row["student"]: row for row in csv.DictReader(destination.open())}
    assert rows["files_shadow_numpy"]["flagged"] == "True"
    assert "tampering detected: numpy.py" in rows["files_shadow_numpy"]["notes"]
    assert rows["aa_honest"]["flagged"] == "False" and rows["aa_honest"]["notes"] == ""


def test_a_cell_that_fails_again_on_replay_gives_up_the_rest_and_the_sandbox_forgets_its_files(
    tmp_path_factory, limits, full
):
    """DIES_ON_REPLAY leaves a file before its crash, and crashes again when it finds it.  In the
    sandbox the fresh kernel has a fresh copy of the submission: the file is gone, the replay
    succeeds and only compute_cost is lost.  Without the sandbox the replay fails, and the cells
    after it are given up with a message."""
    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("replay"))
    write(course, "dies_again", Submission(notebook(compute_cost=DIES_ON_REPLAY)))
    expected = {"sandbox": {"compute_cost": 0}, "no sandbox": {"compute_cost": 0, **AFTER_COST}}
    full = {name: full[name] for name in GRADED_FUNCTIONS}
    for how, setting in (("sandbox", "1"), ("no sandbox", "0")):
        if how == "sandbox" and not sandbox.available():
            continue
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DNN_SANDBOX", setting)
            done = course.autograde()
        assert done.returncode == 0, done.stderr[-2000:]
        row = course.grades()["dies_again"]
        assert {name: row[name] for name in GRADED_FUNCTIONS} == {**full, **expected[how]}, how
        if how == "no sandbox":
            assert "failed again while the earlier cells were run again" in row["notes"]


REGRADED = ("cheat_patch_numpy", "meta_renamed_test", "fault_os_exit_after_definition", "aa_honest")


def test_regrading_gives_identical_grades(course, grades, limits):
    # One `nbgrader autograde --force` run regrades them all (every other student excluded):
    # a run per student would only start nbgrader again for each.
    others = sorted(set(SUBMISSIONS) - set(REGRADED))
    written = {
        student: course.autograded_notebook(student).stat().st_mtime_ns
        for student in SUBMISSIONS
        if course.autograded_notebook(student).exists()
    }
    done = course.nbgrader(
        "autograde", ASSIGNMENT, "--force", f"--CourseDirectory.student_id_exclude={','.join(others)}", check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for student, before in written.items():  # the four were graded again, and no one else
        assert (course.autograded_notebook(student).stat().st_mtime_ns != before) == (student in REGRADED), student
    again = course.grades()
    for student in grades:
        assert again[student] == grades[student], student


# ---------------------------------------------------------------------------------------------
# The sandbox (docs/administrators/threat-model.md)
# ---------------------------------------------------------------------------------------------

# Hostile submissions graded through the sandbox: tests/test_sandbox.py.  Every grading run
# above already ran in it, as it is the default.


def test_without_bubblewrap_grading_goes_on_with_one_clear_warning(tmp_path_factory, limits):
    """Where the sandbox cannot run (here: no bwrap on PATH), grading goes on, and the run says
    once what is exposed and how to get the sandbox."""
    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("no_bubblewrap"))
    write(course, "honest", Submission(notebook()))
    venv_bin = str(Path(sys.executable).parent)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("DNN_SANDBOX", raising=False)  # the default: on
        patch.setenv("PATH", venv_bin)  # the environment's programs (alembic), and no bwrap
        done = course.autograde()
    assert done.returncode == 0, done.stderr[-2000:]
    assert course.grades()["honest"]["total"] == 100
    assert done.stderr.count("the grading sandbox cannot run here: there is no bwrap program") == 1
    assert "WITHOUT it" in done.stderr and "install bubblewrap" in done.stderr
