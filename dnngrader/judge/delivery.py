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
- what is lent is strict (``reference.strictly``): it works on copies of its arguments and returns
  copies, so a student's function that relies on a callee changing its arguments in place (the
  reference update_parameters does; a valid student version may not) fails as it would beside
  any valid callee.

The hand-over travels in the metadata of the test cell's own ``execute_request`` (the Jupyter
messaging protocol's request metadata, which the kernel keeps as the request's parent message):
``runtime.run_hidden_tests`` takes it from there with ``receive`` and removes it before any
student function runs.  No request of its own, and no code to parse: an earlier version sent it
as a silent execution of a string literal, which cost the kernel an extra request and a hash of
the whole text per test cell.  When nothing was handed over (a notebook run some other way), the
runtime falls back to reading the reference itself.

The same metadata carries the hidden tests' time limits (``LIMITS_KEY``: ResilientExecute's
``seconds_per_call`` and ``seconds_per_test``, settings of the grader), which the runtime takes
with ``receive_limits``; a kernel that gets none uses ``DEFAULT_LIMITS``.  No environment variable
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

from dnngrader.judge import payload
from dnngrader.assignments import reference

METADATA_KEY = "dnngrader_delivery"  # in the test cell's execute_request metadata
LIMITS_KEY = "dnngrader_limits"  # beside it: the hidden tests' time limits, in seconds
# The limits when the grader hands over none (a notebook run outside the grader), and the
# defaults of ResilientExecute.seconds_per_call and seconds_per_test, which are made from these.
DEFAULT_LIMITS = {"seconds_per_call": 10.0, "seconds_per_test": 30.0}


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


PROVIDED_ATTRIBUTE = "_dnngrader_provided"  # read by the assignment's own helper (dnn_app_helpers.py)


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
    """The source of ``reference.strictly``, read in the grading process (a kernel cannot import
    the kit where the provided functions are loaded, so the hand-over carries it)."""
    return inspect.getsource(reference.strictly)


def _made_strict(name, source):
    """``source`` (an answer cell defining ``name``), followed by code that rebinds ``name`` to its
    strict version.  The helper that loads the hand-over runs every source in one namespace, so
    the functions share one count of calls in progress, kept there (their calls between
    themselves go straight through, as in ``reference.lent``)."""
    return (f"{source.rstrip()}\n\n\n{_strictly_source()}\n\n"
            f"{name} = strictly({name}, globals().setdefault('_strictly_running', [0]))\n")


def _current_request_metadata():
    """In the kernel: the metadata dict of the request being run (ipykernel's ``get_parent``,
    public since ipykernel 6); {} outside an IPython kernel."""
    try:
        from IPython import get_ipython
        kernel = getattr(get_ipython(), "kernel", None)
        parent = kernel.get_parent("shell") if kernel is not None else None
    except Exception:  # not in a kernel, or one that keeps no parent
        return {}
    metadata = parent.get("metadata") if isinstance(parent, dict) else None
    return metadata if isinstance(metadata, dict) else {}


def receive_limits():
    """In the kernel: the hidden tests' time limits handed over with the running request
    (DEFAULT_LIMITS, for each one not handed over or not a positive number of seconds).  Taken
    once, as ``receive`` takes the cases."""
    limits = dict(DEFAULT_LIMITS)
    given = _current_request_metadata().pop(LIMITS_KEY, None)
    if isinstance(given, dict):
        for name in DEFAULT_LIMITS:
            value = given.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
                limits[name] = float(value)
    return limits


def receive(test_id):
    """In the kernel: (name of the function under test, arguments of each case, {name: function}
    of the reference callees, made strict, and the provided helpers to lend it) handed over for ``test_id``
    with the running request, or None if nothing was.  Taken once: it is removed from the
    request's metadata, so the student's functions cannot find it there."""
    text = _current_request_metadata().pop(METADATA_KEY, None)
    if not isinstance(text, str):
        return None
    data = json.loads(text)
    if data.get("test") != test_id:
        return None
    arguments = [payload.decode(args) for args in data["args"]]
    names, helpers = list(data["callees"]), list(data["helpers"])
    callees = reference.module_of(data["callees"], names=names, helpers=helpers)
    # The callees strict; the provided helpers (dnn_utils.py) as provided: they are the only
    # version there is, the one the student's own code calls too.
    lent = reference.lent({name: getattr(callees, name) for name in names})
    lent.update({helper: getattr(callees, helper) for helper in helpers})
    return data["function"], arguments, lent
