"""What an assignment's test plan is made of: the cases of one test cell, and the test cell itself.

Each assignment's ``cases.py`` builds ``TESTS`` (test id -> Test) from these; the judge reads
them, whatever the assignment.
"""

from dataclasses import dataclass, field
from typing import Callable, Optional


@dataclass
class Case:
    description: str          # shown to the student; never the inputs themselves
    make_args: Callable       # reference module -> tuple of arguments
    visible: bool = False


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
