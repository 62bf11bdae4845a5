"""Which assignment each test cell belongs to, on the grader's side: its test plan, the reference
that answers its cases and the functions lent to the function under test.

The judge, the hand-over and the preprocessors look a test cell up here by its grade_id, so they
grade every assignment the same way without naming one.  Test ids are unique across the
assignments (each is ``test_`` and a graded function's name, or a branch of one).

- ``dnn_step_by_step``: dnngrader/cases.py, answered by the first assignment's source notebook
  (reference.load()); callees from dnn_checks.CALLEES; classic mistakes in dnngrader/hints.py;
- ``dnn_application``: dnngrader/application/cases.py, answered by the reference models
  (application/models.py); its callees are the first assignment's functions, and its own
  initialiser for L_layer_model; classic mistakes in dnngrader/application/hints.py.
"""

from dataclasses import dataclass
from typing import Callable

import dnn_checks

from . import cases, hints, reference
from .application import cases as application_cases
from .application import hints as application_hints
from .paths import APPLICATION, APPLICATION_SOURCE_NOTEBOOK, ASSIGNMENT, COURSE_ROOT, SOURCE_NOTEBOOK


@dataclass(frozen=True)
class Assignment:
    name: str
    tests: dict            # test id -> cases.Test
    reference: Callable    # () -> module with the reference version of each graded function
    callees: dict          # graded function -> names of the functions lent to it while graded
    # The classic mistakes the judge recognises: a module with for_case and extra_checks, as
    # dnngrader/hints.py (None: none).
    hints: object = None


STEP_BY_STEP = Assignment(ASSIGNMENT, cases.TESTS, reference.load, dnn_checks.CALLEES, hints)
DNN_APPLICATION = Assignment(APPLICATION, application_cases.TESTS, application_cases.reference,
                             application_cases.CALLEES, application_hints)
ASSIGNMENTS = (STEP_BY_STEP, DNN_APPLICATION)


def _merged():
    merged = {}
    for assignment in ASSIGNMENTS:
        for test_id, test in assignment.tests.items():
            if test_id in merged:
                raise RuntimeError(f"the test id {test_id} is in two assignments' plans")
            merged[test_id] = test
    return merged


TESTS = _merged()


def names():
    """The assignments' names, in the course's order."""
    return [assignment.name for assignment in ASSIGNMENTS]


def find(name):
    """The Assignment called ``name``; KeyError when the registry has none."""
    for assignment in ASSIGNMENTS:
        if assignment.name == name:
            return assignment
    raise KeyError(name)


def graded_functions(name):
    """The graded functions of the assignment ``name``, in notebook order (the order of its test
    plan, which follows the notebook's test cells; a test checks it against the source
    notebook); KeyError for an assignment the registry does not have."""
    functions = []
    for test in find(name).tests.values():
        if test.function not in functions:
            functions.append(test.function)
    return tuple(functions)


def function_of(name, test_id):
    """The function the test cell ``test_id`` of the assignment ``name`` grades; None when it is
    not one of that assignment's test cells."""
    try:
        test = find(name).tests.get(test_id)
    except KeyError:
        return None
    return test.function if test else None


def source_notebook(name, root=COURSE_ROOT):
    """The instructor's notebook of the assignment ``name`` (source/<name>/<name>.ipynb)."""
    return root / "source" / name / f"{name}.ipynb"


def release_notebook(name, root=COURSE_ROOT):
    """The student version of the assignment ``name`` (release/<name>/<name>.ipynb)."""
    return root / "release" / name / f"{name}.ipynb"


def assignment_of(test_id):
    """The Assignment whose plan holds ``test_id``; KeyError for an unknown id."""
    for assignment in ASSIGNMENTS:
        if test_id in assignment.tests:
            return assignment
    raise KeyError(test_id)


def reference_for(test_id):
    """The module whose attributes answer ``test_id``'s cases (``getattr(module, function)``)."""
    return assignment_of(test_id).reference()


def hints_for(test_id):
    """The module of classic mistakes (``for_case``, ``extra_checks``) of ``test_id``'s assignment,
    or None when it knows none."""
    return assignment_of(test_id).hints


def callees_of(test_id):
    """Names of the functions lent, as reference versions, to the function ``test_id`` grades."""
    return tuple(assignment_of(test_id).callees.get(TESTS[test_id].function, ()))


def _notebook_of(name):
    """The source notebook whose answer cell defines the lent function ``name``: the
    application's for its own initialiser, the first assignment's for the others."""
    return APPLICATION_SOURCE_NOTEBOOK if name in application_cases.OWN_CALLEES else SOURCE_NOTEBOOK


def callee_sources(test_id):
    """name -> source of each function lent to ``test_id``'s function, read from the answer cell
    of the notebook that defines it (what the grader hands the kernel: delivery.py).  A notebook
    is read only when one of its functions is lent."""
    return {name: reference.solution_sources(_notebook_of(name))[name] for name in callees_of(test_id)}


def inputs(test_id):
    """(the graded function's name, the arguments of each case, {name: reference function lent})
    of ``test_id``, built here from the plan and the references (runtime.py's fallback when
    nothing was handed over: a notebook run outside nbgrader autograde)."""
    test = TESTS[test_id]
    ref = reference_for(test_id)
    lent = reference.module_of(callee_sources(test_id), names=callees_of(test_id))
    return (test.function, [case.make_args(ref) for case in test.cases],
            {name: getattr(lent, name) for name in (*callees_of(test_id), *reference.HELPERS)})
