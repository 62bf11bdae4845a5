"""What an assignment's test plan is made of: the cases of one test cell, and the test cell itself.

Each assignment's ``cases.py`` builds ``TESTS`` (test id -> Test) from these; the judge reads
them, whatever the assignment.
"""

import hashlib
import pickle
from dataclasses import dataclass, field
from typing import Callable, Optional


@dataclass
class Case:
    description: str  # shown to the student; never the inputs themselves
    make_args: Callable  # reference module -> tuple of arguments
    visible: bool = False
    # For a case that leaves parameters to the signature's defaults: reference module ->
    # {parameter: the default its def line gives}.  A function whose def line keeps each of them
    # (dnn_checks.keeps_defaults) is not run on the case: it would run as the explicit call with
    # those values.  None: the case is always run.
    defaults: Optional[Callable] = None


@dataclass
class Test:
    function: str
    part: Optional[str]
    cases: list = field(default_factory=list)
    # For functions dnn_checks does not describe (the second assignment's): what the function
    # returns, named as dnn_checks.RETURN_NAMES names it, and its arguments' names (none of them
    # may be modified).  None: dnn_checks' tables.
    returns: object = None
    arguments: Optional[tuple] = None
    # returned value -> the form it is compared in, applied to the reference's and the student's
    # alike (e.g. costs as plain floats); None: compared as returned.
    normalise: Optional[Callable] = None
    # What the function prints, as the notebook states it next to the function (one sentence,
    # shown with a failure): the judge compares what it printed on each case with what the
    # reference prints on the same inputs (dnn_checks.printed_problems).  None: printing is not judged.
    prints: Optional[str] = None


KEPT_AT_MOST = 256  # results kept per store and process (each assignment's plan has a few dozen cases)


def once_per_case(store, function, args, reference, compute):
    """``compute()``, worked out once per process for the same ``function``, ``args`` and
    ``reference`` module, and kept in ``store`` (a dict of the caller's): what the judge works
    out from a case alone (the classic mistakes' outputs, numerical gradients) is the same for
    every submission a grading worker meets that case in.  The arguments are recognised by a
    digest of their pickle.  Read only: the caller must not change what it gets."""
    key = (function, id(reference), hashlib.sha256(pickle.dumps(args)).digest())
    kept = store.get(key)
    if kept is None or kept[0] is not reference:
        if len(store) >= KEPT_AT_MOST:
            store.clear()
        kept = store[key] = (reference, compute())
    return kept[1]
