"""The kernel's side of the hand-over: what the grader sent with the running request.

The grading process (dnngrader/judge/delivery.py) sends, in the metadata of a test cell's own
``execute_request``, the inputs of that cell's cases, the answer cells of the functions lent to
the function under test, and the hidden tests' time limits.  ``receive`` and ``receive_limits``
take them from the request the kernel is running (ipykernel keeps it as the parent message) and
remove them before any student function runs, so a student's code never finds them there.  No
environment variable is read in the kernel.
"""

import json

from dnngrader.kernel import lending, payload

METADATA_KEY = "dnngrader_delivery"  # in the test cell's execute_request metadata
LIMITS_KEY = "dnngrader_limits"  # beside it: the hidden tests' time limits, in seconds
# The limits when the grader hands over none (a notebook run outside the grader), and the
# defaults of ResilientExecute.seconds_per_call and seconds_per_test, which are made from these.
DEFAULT_LIMITS = {"seconds_per_call": 10.0, "seconds_per_test": 30.0}


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
    of the reference callees, made strict, and the provided helpers to lend it, the defaults each
    case leaves to the signature (testplan.Case.defaults; None for most)) handed over for ``test_id``
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
    callees = lending.module_of(data["callees"], names=names, helpers=helpers)
    # The callees strict; the provided helpers (dnn_utils.py) as provided: they are the only
    # version there is, the one the student's own code calls too.
    lent = lending.lent({name: getattr(callees, name) for name in names})
    lent.update({helper: getattr(callees, helper) for helper in helpers})
    defaults = data.get("defaults") or [None] * len(arguments)
    return data["function"], arguments, lent, defaults
