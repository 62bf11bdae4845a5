"""The kernel side of the hidden tests.

``run_hidden_tests(test_id)`` calls the student's function on every case of that test cell,
with the reference versions of the functions it calls, each call under a time limit.

- While nbgrader autogrades, it sends only the raw results out of the kernel; the judge in the
  nbgrader process gives the verdict, so nothing a student cell changes in the kernel can
  change a grade.
- Anywhere else (the instructor's source notebook, ``nbgrader validate``) it judges in the
  kernel and raises AssertionError on a failure, like any test cell.
"""

import contextlib
import os
import signal
import sys

from . import judge, payload, reference
from .cases import TESTS
from .paths import GRADED_FUNCTIONS

SECONDS_PER_CALL = 10
HELPERS = ("sigmoid", "relu", "sigmoid_backward", "relu_backward")


class CallTimedOut(BaseException):
    """A BaseException, so a student's ``except Exception`` cannot swallow it."""


def _user_namespace():
    try:
        return get_ipython().user_ns  # noqa: F821 (defined inside IPython)
    except NameError:
        return sys.modules["__main__"].__dict__


@contextlib.contextmanager
def _reference_callees(function, ref, under_test):
    """Let the student's function call the reference versions of the other functions, so a
    mistake in a callee is not charged again to its caller."""
    namespace = getattr(function, "__globals__", None)
    if not isinstance(namespace, dict):
        yield
        return
    missing = object()
    names = [name for name in GRADED_FUNCTIONS + HELPERS if name != under_test]
    saved = {name: namespace.get(name, missing) for name in names}
    for name in names:
        namespace[name] = getattr(ref, name)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


@contextlib.contextmanager
def _time_limit(seconds):
    def expire(signum, frame):
        raise CallTimedOut()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _run_case(function, name, case, ref):
    args = case.make_args(ref)
    try:
        with _time_limit(SECONDS_PER_CALL), _reference_callees(function, ref, name):
            returned = function(*args)
    except CallTimedOut:
        return {"status": "timeout", "seconds": SECONDS_PER_CALL}
    except Exception as error:
        return {"status": "raised", "error": type(error).__name__, "message": str(error)[:300]}
    return {"status": "returned", "value": payload.encode(returned), "args_after": payload.encode(args)}


def collect(test_id):
    """The encoded result of every case of a test cell."""
    test = TESTS[test_id]
    ref = reference.load()
    function = _user_namespace().get(test.function)
    if not callable(function):
        what = "is not defined" if function is None else f"is a {type(function).__name__}, not a function"
        message = f"{test.function} {what}: run its cell, and keep the name and the def line as given."
        return [{"status": "missing", "message": message} for _ in test.cases]
    return [_run_case(function, test.function, case, ref) for case in test.cases]


def run_hidden_tests(test_id):
    results = collect(test_id)
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        from IPython.display import display
        display({payload.MIME_TYPE: payload.dumps({"test": test_id, "results": results})}, raw=True)
        return
    # The same JSON round trip as under nbgrader, so both modes judge identical data.
    verdict = judge.judge(test_id, payload.loads(payload.dumps(results)), reference.load())
    print(verdict.text, end="")
    if not verdict.passed:
        raise AssertionError(verdict.lines[0])
