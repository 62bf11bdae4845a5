"""tiny_vectors: a two-function assignment that exists to show how an assignment plugs in.

tests/test_third_assignment.py copies the kit, drops this folder into dnngrader/assignments/
and tiny_vectors.ipynb into source/tiny_vectors/, and grades a class with `make grade`:
nothing else of the kit changes.  Everything an assignment brings is here:

- the test plan: for each test cell, the function it grades and its cases (the first visible,
  the others hidden);
- the reference: the answer cells of the instructor's notebook;
- the callees: unit_vector is lent the reference norm, so a wrong norm costs only norm;
- the classic mistakes the judge recognises (a norm without its square root).
"""

import types

import numpy as np

from dnngrader.assignments import Assignment, reference, source_notebook
from dnngrader.kernel import lending
from dnngrader.assignments.testplan import Case, Test

NAME = "tiny_vectors"
FUNCTIONS = ("norm", "unit_vector")


def _reference():
    """The module of the reference norm and unit_vector, from the source notebook."""
    return lending.module_of(reference.solution_sources(source_notebook(NAME)), names=FUNCTIONS, helpers=())


def _random_vector(seed, size):
    return lambda ref: (np.random.RandomState(seed).randn(size),)


def _cases():
    return [
        Case("the visible case, v = [3, 4]", lambda ref: (np.array([3.0, 4.0]),), visible=True),
        Case("a hidden case: 7 values", _random_vector(1, 7)),
        Case("a hidden case: a single value", _random_vector(2, 1)),
    ]


TESTS = {
    "test_norm": Test("norm", None, _cases(), returns="n", arguments=("v",)),
    "test_unit_vector": Test("unit_vector", None, _cases(), returns="u", arguments=("v",)),
}

NO_SQUARE_ROOT = "the norm is the square root of the sum of squares: take np.sqrt of the sum."


def _for_case(function, args, got, reference):
    """label -> [(hint, the output that mistake gives)] on one case (see dnn_step_by_step/hints.py)."""
    if function != "norm":
        return {}
    (v,) = args
    return {"n": [(NO_SQUARE_ROOT, float(np.sum(v * v)))]}


HINTS = types.SimpleNamespace(for_case=_for_case, extra_checks=lambda function, args, got, reference: [])

ASSIGNMENT = Assignment(
    name=NAME, position=3, tests=TESTS, reference=_reference, callees={"unit_vector": ("norm",)}, hints=HINTS
)
