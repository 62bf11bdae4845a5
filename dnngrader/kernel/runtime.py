"""The kernel side of the hidden tests.

``run_hidden_tests(test_id)`` calls the student's function on every case of that test cell,
with the reference versions of the functions it calls, each call under a time limit.  After a
call runs out of time, or once the cell's time budget is spent, the remaining cases are skipped,
so an endless loop costs a few seconds and that test cell's points, nothing more.  The limits
are the grader's (ResilientExecute.seconds_per_call and seconds_per_test), handed over with the
test cell (delivery.receive_limits); 10 s per call and 30 s per test cell when none are.

- The callees are lent strict (``lending.strictly``): on copies of their arguments, returning
  copies, so a function that throws away update_parameters' result fails here as it does beside
  a valid update_parameters that returns a new dict.
- While nbgrader autogrades, it sends only the raw results out of the kernel; the judge in the
  nbgrader process gives the verdict, so nothing a student cell changes in the kernel can
  change a grade.  The cases' inputs and the callees' reference versions are handed over by the
  grader just before the cell (see delivery.py): the kernel never loads the reference solution.
- Anywhere else (the instructor's source notebook, ``nbgrader validate``) it judges in the
  kernel and raises AssertionError on a failure, like any test cell.
"""

import contextlib
import io
import os
import signal
import sys
import time

from dnngrader.kernel import delivery, lending, payload
from dnngrader.kernel.notebook import dnn_checks

PRINTED_KEPT = 20000  # characters of a call's printed text sent to the judge


class CallTimedOut(BaseException):
    """A BaseException, so a student's ``except Exception`` cannot swallow it."""


def _user_namespace():
    try:
        return get_ipython().user_ns  # noqa: F821 (defined inside IPython)
    except NameError:
        return sys.modules["__main__"].__dict__


_MISSING = object()


@contextlib.contextmanager
def _reference_callees(function, lent):
    """Let the student's function call the reference versions of the functions it calls
    (``lent``: name -> function, strict versions: ``lending.lent``), so a mistake in a callee
    is not charged again to its caller, and no callee does for it what a valid one may not.
    Only those: the reference of any other graded function must not be within the student's
    reach.  Each name is put back as it was afterwards, or removed if it was not there."""
    namespace = getattr(function, "__globals__", None)
    if not isinstance(namespace, dict):
        yield
        return
    saved = {name: namespace.get(name, _MISSING) for name in lent}
    try:
        namespace.update(lent)
        yield
    finally:
        for name, value in saved.items():
            if value is _MISSING:
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


def _run_case(function, args, lent, seconds):
    # What the call prints is sent to the judge, not shown: a plan may state what a function
    # prints (dnn_checks.printed_problems), and the test cell's output is the verdict anyway.
    printed = io.StringIO()
    try:
        with _time_limit(seconds), _reference_callees(function, lent), contextlib.redirect_stdout(printed):
            returned = function(*args)
    except CallTimedOut:
        return {"status": "timeout", "seconds": round(seconds, 2)}
    except (Exception, SystemExit) as error:  # sys.exit() in a function fails that case only
        return {"status": "raised", "error": type(error).__name__, "message": str(error)[:300]}
    return {
        "status": "returned",
        "value": payload.encode(returned),
        "args_after": payload.encode(args),
        "printed": printed.getvalue()[:PRINTED_KEPT],
    }


def run_case(function, args, lent, seconds, defaults=None):
    """The encoded result of ``function`` on one case's ``args``, lent ``lent`` (name ->
    function), within ``seconds``.  ``defaults``: for a case that leaves parameters to the
    signature's defaults, name -> the default the notebook's def line gives; a function whose
    def line keeps every one of them is not run ("kept defaults": the call would run as the
    explicit one with those values, which other cases test), and one that changes them is run,
    its result saying which defaults its def line gives ("defaults given", as reprs)."""
    if defaults and dnn_checks.keeps_defaults(function, defaults):
        return {"status": "kept defaults", "defaults": defaults}
    result = _run_case(function, args, lent, seconds)
    if defaults:
        given = dnn_checks.signature_defaults(function, defaults)
        result["defaults given"] = {name: repr(given[name])[:40] if name in given else None for name in defaults}
    return result


def _inputs(test_id):
    """(the graded function's name, the arguments of each case, {name: reference function} to
    lend it, the defaults each case leaves to the signature or None): handed over by the grader
    under autograde, otherwise built here from the references and the cases' plans, which only
    the whole kit has: a kernel outside the grader's sandbox (the instructor's source notebook,
    ``nbgrader validate``)."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        handed_over = delivery.receive(test_id)
        if handed_over is not None:
            return handed_over
    from dnngrader import assignments

    name, arguments, lent, defaults = assignments.inputs(test_id)
    # Strict callees here too, as delivery.receive lends them (the helpers as provided).
    callees = assignments.callees_of(test_id)
    lent.update(lending.lent({callee: lent[callee] for callee in callees}))
    return name, arguments, lent, defaults


def collect(test_id):
    """The encoded result of every case of a test cell."""
    name, arguments, lent, defaults = _inputs(test_id)
    limits = delivery.receive_limits()
    function = _user_namespace().get(name)
    if not callable(function):
        what = "is not defined" if function is None else f"is a {type(function).__name__}, not a function"
        message = f"{name} {what}: run its cell, and keep the name and the def line as given."
        return [{"status": "missing", "message": message} for _ in arguments]
    results, deadline = [], time.monotonic() + limits["seconds_per_test"]
    for args, left_to_defaults in zip(arguments, defaults):
        seconds = min(limits["seconds_per_call"], deadline - time.monotonic())
        ran_out = seconds <= 0 or (results and results[-1]["status"] in ("timeout", "skipped"))
        if ran_out and not (left_to_defaults and dnn_checks.keeps_defaults(function, left_to_defaults)):
            results.append({"status": "skipped"})
        else:
            results.append(run_case(function, args, lent, max(seconds, 0.001), left_to_defaults))
    return results


def run_hidden_tests(test_id):
    results = collect(test_id)
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        from IPython.display import display

        display({payload.MIME_TYPE: payload.dumps({"test": test_id, "results": results})}, raw=True)
        return
    # The same JSON round trip as under nbgrader, so both modes judge identical data.
    from dnngrader import assignments
    from dnngrader.judge.verdict import judge

    verdict = judge(test_id, payload.loads(payload.dumps(results)), assignments.reference_for(test_id))
    print(verdict.text, end="")
    if not verdict.passed:
        raise AssertionError(verdict.lines[0])
