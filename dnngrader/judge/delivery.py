"""What the grader hands the kernel right before a test cell runs.

Under autograde the kernel never reads the reference solution: just before each test cell, the
grading process (``execute.ResilientExecute``) sends the kernel the inputs of that cell's cases,
built outside the kernel, the reference versions of only the functions the graded function
calls, and the names of the provided helpers (dnn_utils.py) it is lent as provided (dnngrader/assignments/__init__.py says which, and from which source notebook).  So:

- the function under test is graded without its own reference ever being in the kernel, and a
  callee's reference arrives only after that callee's own test cell has run (RestoreGradedCells
  keeps test cells in the assignment's order);
- a kernel without read access to source/ (a sandbox) grades as well as any other.

Before a cell that is not graded, an assignment may have functions handed over the same way
(``provided_code``): the second assignment's notebook loads the first assignment's functions in
such a cell, and the student's first notebook is not part of the submission.

The hand-over is a silent execution that stores the JSON text on the kernel's ``sys`` module;
``runtime.run_hidden_tests`` takes it from there.  When nothing was handed over (a notebook run
some other way), the runtime falls back to reading the reference itself.
"""

import functools
import json
import sys

from dnngrader.judge import payload
from dnngrader.assignments import reference

ATTRIBUTE = "_dnngrader_delivery"


@functools.cache
def for_test(test_id):
    """The JSON text handed over for a test cell (built in the grading process, once: it depends
    on the test alone, and a grading process hands it over once per submission)."""
    # The grader's side only: a sandboxed kernel has neither the plans nor the registry, and its
    # folder may not hold dnn_checks.py (the second assignment's does not).
    from dnngrader import assignments
    test = assignments.TESTS[test_id]
    ref = assignments.reference_for(test_id)
    return json.dumps({
        "test": test_id,
        "function": test.function,
        "args": [payload.encode(case.make_args(ref)) for case in test.cases],
        "callees": assignments.callee_sources(test_id),
        "helpers": list(assignments.assignment_of(test_id).helpers),
    })


def _stored_on_sys(attribute, text):
    """Python source that stores the string ``text`` on the kernel's ``sys`` module."""
    return f"__import__('sys').{attribute} = {text!r}"


def kernel_code(test_id):
    """Python source that, run silently in the kernel, hands over ``for_test(test_id)``."""
    return _stored_on_sys(ATTRIBUTE, for_test(test_id))


PROVIDED_ATTRIBUTE = "_dnngrader_provided"  # read by the assignment's own helper (dnn_app_helpers.py)


def provided_code(assignment, grade_id):
    """Python source that, run silently in the kernel, hands over the reference functions the
    assignment ``assignment`` provides before its cell ``grade_id`` (as name -> source JSON), or
    None when that cell gets none (assignments.Assignment.provided)."""
    from dnngrader import assignments
    names = assignments.provided_before(assignment, grade_id)
    if not names:
        return None
    text = json.dumps(assignments.reference_sources(assignment, names))
    return _stored_on_sys(PROVIDED_ATTRIBUTE, text)


def receive(test_id):
    """In the kernel: (name of the function under test, arguments of each case, {name: function}
    of the reference callees and the provided helpers to lend it) handed over for ``test_id``,
    or None if nothing was.  Taken once: a second call finds nothing."""
    text = sys.__dict__.pop(ATTRIBUTE, None)
    if not isinstance(text, str):
        return None
    data = json.loads(text)
    if data.get("test") != test_id:
        return None
    arguments = [payload.decode(args) for args in data["args"]]
    names, helpers = list(data["callees"]), list(data["helpers"])
    callees = reference.module_of(data["callees"], names=names, helpers=helpers)
    return data["function"], arguments, {name: getattr(callees, name) for name in (*names, *helpers)}
