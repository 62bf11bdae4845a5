"""The assignments' content, one folder each, and the registry that finds them.

An assignment is a folder here whose ``__init__.py`` defines ``ASSIGNMENT``, an ``Assignment``:
its test plan (``cases.py``: test id -> ``testplan.Test``), the reference that answers its cases,
the functions lent to each graded function while it is graded, and its classic mistakes
(``hints.py``).  The judge, the nbgrader plug-ins and the class-scale grader look a test cell up
here by its grade_id, so they grade every assignment alike without naming one.  A new assignment
is a new folder here (and its notebook under source/), not edits across the package.

Test ids are unique across the assignments (each is ``test_`` and a graded function's name, or a
branch of one).  Finding the assignments is lazy: importing this package imports no plan.  None of
it reaches a grading kernel (the sandbox mounts dnngrader/kernel/ alone).
"""

import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from dnngrader import paths


@dataclass(frozen=True)
class Assignment:
    name: str  # the nbgrader assignment (source/<name>/<name>.ipynb)
    position: int  # its place in the course: tables, sheets and charts follow it
    tests: dict  # test id -> testplan.Test
    reference: Callable  # () -> module with the reference version of each graded function
    callees: dict  # graded function -> names of the functions lent to it while graded
    # The classic mistakes the judge recognises: a module with for_case and extra_checks, as
    # dnn_step_by_step/hints.py (None: none).
    hints: object = None
    # Other correct routes the judge accepts on inputs that break a function's contract: a module
    # with outputs(function, args, reference), as dnn_step_by_step/routes.py (None: none).
    routes: object = None
    # The provided helpers (names in dnn_utils.py) lent to every graded function as provided,
    # whatever the student's notebook redefined; () for an assignment without dnn_utils.py.
    helpers: tuple = ()
    # grade_id of a cell that is not graded -> names of the reference functions the grader hands
    # the kernel right before that cell, as name -> source, under sys._dnngrader_provided (the
    # second assignment's cell that loads the first assignment's functions: the student's first
    # notebook is not part of the submission).  None: no cell.
    provided: Optional[dict] = None
    # name of a lent function -> the source notebook whose answer cell defines it (None: this
    # assignment's own source notebook for every one).
    callee_notebook: Optional[Callable] = None
    # folder -> which data grading uses, for the instructor, as the end of "<assignment> is graded
    # on ..." (None: nothing to say): writes the data the notebook reads into the course's data/ folder when it is not
    # there, leaving files it did not write alone; grading kernels read that folder read-only
    # (plugins/sandbox.py), instead of each making its own.  None: the assignment reads no data.
    prepare_data: Optional[Callable] = None
    # The kit's modules the notebook imports from its own folder (names in
    # dnngrader/kernel/notebook/): `make release` copies them there (tools/build.py), and the
    # tamper scan knows them as the course's own.  Every assignment with hidden tests lists
    # hidden_tests.py, the hook its test cells call.
    notebook_files: tuple = ("hidden_tests.py",)


_found = []


def all_assignments():
    """Every assignment of the course, in its order (``position``, then name).  Raises
    RuntimeError when two assignments' plans share a test id or a name."""
    if not _found:
        found = []
        for module in pkgutil.iter_modules(__path__):
            if module.ispkg:
                package = importlib.import_module(f"{__name__}.{module.name}")
                assignment = getattr(package, "ASSIGNMENT", None)
                if isinstance(assignment, Assignment):
                    found.append(assignment)
        found.sort(key=lambda assignment: (assignment.position, assignment.name))
        seen_names, seen_tests = set(), set()
        for assignment in found:
            if assignment.name in seen_names:
                raise RuntimeError(f"two assignments are called {assignment.name}")
            twice = seen_tests & set(assignment.tests)
            if twice:
                raise RuntimeError(f"the test ids {sorted(twice)} are in two assignments' plans")
            seen_names.add(assignment.name)
            seen_tests |= set(assignment.tests)
        _found.extend(found)
    return tuple(_found)


_tests = {}


def all_tests():
    """test id -> testplan.Test, of every assignment (made once: the preprocessors look a cell up
    here for every cell of every submission)."""
    if not _tests:
        _tests.update({test_id: test for assignment in all_assignments() for test_id, test in assignment.tests.items()})
    return _tests


def __getattr__(attribute):
    # ``assignments.TESTS``: every test of every assignment, found on first use.
    if attribute == "TESTS":
        return all_tests()
    raise AttributeError(f"module {__name__!r} has no attribute {attribute!r}")


def prepare_data(course_root, names=None):
    """Write each assignment's data (``names``: those assignments; default: every one) into
    ``course_root``/data, where it is missing (Assignment.prepare_data); returns {assignment name:
    which data its grading uses}, for those that say."""
    notes = {}
    for assignment in all_assignments():
        if assignment.prepare_data is not None and (names is None or assignment.name in names):
            note = assignment.prepare_data(Path(course_root) / "data")
            if note:
                notes[assignment.name] = note
    return notes


def names():
    """The assignments' names, in the course's order."""
    return [assignment.name for assignment in all_assignments()]


def find(name):
    """The Assignment called ``name``; KeyError when the registry has none."""
    for assignment in all_assignments():
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


def source_notebook(name, root=None):
    """The instructor's notebook of the assignment ``name`` (source/<name>/<name>.ipynb) in the
    course at ``root`` (default: the course graded, paths.course_root())."""
    return (root or paths.course_root()) / "source" / name / f"{name}.ipynb"


def release_notebook(name, root=None):
    """The student version of the assignment ``name`` (release/<name>/<name>.ipynb) in the course
    at ``root`` (default: the course graded, paths.course_root())."""
    return (root or paths.course_root()) / "release" / name / f"{name}.ipynb"


def assignment_of(test_id):
    """The Assignment whose plan holds ``test_id``; KeyError for an unknown id."""
    for assignment in all_assignments():
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


def routes_for(test_id):
    """The module of other correct routes (``outputs``) of ``test_id``'s assignment, or None when
    it declares none."""
    return assignment_of(test_id).routes


def callees_of(test_id):
    """Names of the functions lent, as reference versions, to the function ``test_id`` grades."""
    assignment = assignment_of(test_id)
    return tuple(assignment.callees.get(assignment.tests[test_id].function, ()))


def provided_before(name, grade_id):
    """Names of the reference functions handed to the kernel before the cell ``grade_id`` of the
    assignment ``name`` (() for a cell that gets none, or an assignment the registry does not have)."""
    try:
        provided = find(name).provided or {}
    except KeyError:
        return ()
    return tuple(provided.get(grade_id, ()))


def reference_sources(name, functions):
    """function -> the source of its answer cell in the notebook that defines it (the assignment
    ``name``'s own source notebook, or the one its ``callee_notebook`` names)."""
    from dnngrader.assignments import reference

    assignment = find(name)
    notebook_of = assignment.callee_notebook or (lambda function: source_notebook(assignment.name))
    return {function: reference.solution_sources(notebook_of(function))[function] for function in functions}


def callee_sources(test_id):
    """name -> source of each function lent to ``test_id``'s function, read from the answer cell
    of the notebook that defines it (what the grader hands the kernel: judge/delivery.py).  A
    notebook is read only when one of its functions is lent."""
    return reference_sources(assignment_of(test_id).name, callees_of(test_id))


def inputs(test_id):
    """(the graded function's name, the arguments of each case, {name: reference function lent},
    the defaults each case leaves to the signature or None) of ``test_id``, built here from the
    plan and the references (kernel/runtime.py's fallback when nothing was handed over: a
    notebook run outside nbgrader autograde)."""
    from dnngrader.kernel import lending

    assignment = assignment_of(test_id)
    test = assignment.tests[test_id]
    ref = assignment.reference()
    lent = lending.module_of(callee_sources(test_id), names=callees_of(test_id), helpers=assignment.helpers)
    return (
        test.function,
        [case.make_args(ref) for case in test.cases],
        {name: getattr(lent, name) for name in (*callees_of(test_id), *assignment.helpers)},
        [case.defaults(ref) if case.defaults else None for case in test.cases],
    )
