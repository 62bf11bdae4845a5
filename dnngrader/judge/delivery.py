"""What the grader hands the kernel with a test cell, and before a cell that loads provided functions.

Under autograde the kernel never reads the reference solution: with each test cell, the grading
process (``execute.ResilientExecute``) sends the kernel the inputs of that cell's cases, built
outside the kernel, the reference versions of only the functions the graded function calls, and
the names of the provided helpers (dnn_utils.py) it is lent as provided
(dnngrader/assignments/__init__.py says which, and from which source notebook).  So:

- the function under test is graded without its own reference ever being in the kernel, and a
  callee's reference arrives only after that callee's own test cell has run (RestoreGradedCells
  keeps test cells in the assignment's order);
- a kernel without read access to source/ (a sandbox) grades as well as any other;
- what is lent is strict (``lending.strictly``): it works on copies of its arguments and returns
  copies, so a student's function that relies on a callee changing its arguments in place (the
  reference update_parameters does; a valid student version may not) fails as it would beside
  any valid callee.

The hand-over travels in the metadata of the test cell's own ``execute_request`` (the Jupyter
messaging protocol's request metadata, which the kernel keeps as the request's parent message):
``kernel/runtime.run_hidden_tests`` takes it from there with ``kernel/delivery.receive`` and removes it before any
student function runs.  No request of its own, and no code to parse: an earlier version sent it
as a silent execution of a string literal, which cost the kernel an extra request and a hash of
the whole text per test cell.  When nothing was handed over (a notebook run some other way), the
runtime falls back to reading the reference itself.

The same metadata carries the hidden tests' time limits (``LIMITS_KEY``: ResilientExecute's
``seconds_per_call`` and ``seconds_per_test``, settings of the grader), which the runtime takes
with ``kernel/delivery.receive_limits``; a kernel that gets none uses ``DEFAULT_LIMITS``.  No environment variable
is read in the kernel.

Before a cell that is not graded, an assignment may have functions handed over too
(``provided_code``): the second assignment's notebook loads the first assignment's functions in
such a cell, and the student's first notebook is not part of the submission.  That hand-over is
a silent execution that stores the JSON text on the kernel's ``sys`` module, where the
assignment's own helper file (dnn_app_helpers.py) takes it.  Each source handed over ends by
making its function strict, as the lent callees are: a student's function may reach these too
(one its cell's callees do not list, a default argument bound to one, ``step_by_step.X``).
"""

import functools
import inspect
import json

from dnngrader.kernel import lending, payload
from dnngrader.kernel.delivery import DEFAULT_LIMITS, LIMITS_KEY, METADATA_KEY
from dnngrader.kernel.notebook.dnn_app_helpers import PROVIDED_ATTRIBUTE


@functools.cache
def for_test(test_id):
    """The JSON text handed over for a test cell (built in the grading process, once: it depends
    on the test alone, and a grading process hands it over once per submission)."""
    from dnngrader import assignments

    test = assignments.TESTS[test_id]
    ref = assignments.reference_for(test_id)
    return json.dumps(
        {
            "test": test_id,
            "function": test.function,
            "args": [payload.encode(case.make_args(ref)) for case in test.cases],
            "defaults": [case.defaults(ref) if case.defaults else None for case in test.cases],
            "callees": assignments.callee_sources(test_id),
            "helpers": list(assignments.assignment_of(test_id).helpers),
        }
    )


def request_metadata(test_id, limits=None):
    """The metadata to send with the execute_request of the test cell ``test_id``, with the
    hidden tests' time ``limits`` ({"seconds_per_call": s, "seconds_per_test": s}) when given."""
    metadata = {METADATA_KEY: for_test(test_id)}
    if limits:
        metadata[LIMITS_KEY] = {name: float(limits[name]) for name in DEFAULT_LIMITS if name in limits}
    return metadata


def _stored_on_sys(attribute, text):
    """Python source that stores the string ``text`` on the kernel's ``sys`` module."""
    return f"__import__('sys').{attribute} = {text!r}"


def provided_code(assignment, grade_id):
    """Python source that, run silently in the kernel, hands over the reference functions the
    assignment ``assignment`` provides before its cell ``grade_id`` (as name -> source JSON), or
    None when that cell gets none (assignments.Assignment.provided)."""
    from dnngrader import assignments

    names = assignments.provided_before(assignment, grade_id)
    if not names:
        return None
    sources = assignments.reference_sources(assignment, names)
    text = json.dumps({name: _made_strict(name, source) for name, source in sources.items()})
    return _stored_on_sys(PROVIDED_ATTRIBUTE, text)


@functools.cache
def _strictly_source():
    """The source of ``lending.strictly``, read in the grading process (a kernel cannot import
    the kit where the provided functions are loaded, so the hand-over carries it)."""
    return inspect.getsource(lending.strictly)


def _made_strict(name, source):
    """``source`` (an answer cell defining ``name``), followed by code that rebinds ``name`` to its
    strict version.  The helper that loads the hand-over runs every source in one namespace, so
    the functions share one count of calls in progress, kept there (their calls between
    themselves go straight through, as in ``lending.lent``)."""
    return (
        f"{source.rstrip()}\n\n\n{_strictly_source()}\n\n"
        f"{name} = strictly({name}, globals().setdefault('_strictly_running', [0]))\n"
    )
