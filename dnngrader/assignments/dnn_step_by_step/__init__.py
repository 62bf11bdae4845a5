"""The first assignment, dnn_step_by_step: the helpers of a deep network, one function at a time
(initialisation, the forward pass, the cost, the backward pass, the update).

- ``cases``: the test plan, a visible and hidden cases per test cell;
- ``hints``: the classic mistakes the judge recognises;
- ``routes``: the other correct answers it accepts on inputs that break a function's contract;
- ``practice``: the practice cases' data file students check their answers against;
- ``figures``: the notebook's diagrams.

Its reference is the instructor's source notebook itself (assignments/reference.py reads the
answer cells); each function is lent the reference versions of the graded functions it calls
(dnn_checks.CALLEES, the table the student's visible checks use too).
"""

from dnngrader.kernel.notebook import dnn_checks
from dnngrader.assignments import Assignment, reference
from dnngrader.kernel import lending
from dnngrader.assignments.dnn_step_by_step import cases, hints, routes

# The kit's modules next to the notebook: the activations, the visible cases, the checks, the hook,
# and the due-date cell's reader.
NOTEBOOK_FILES = ("dnn_utils.py", "test_cases.py", "dnn_checks.py", "hidden_tests.py", "due_date.py")
ASSIGNMENT = Assignment(
    name="dnn_step_by_step",
    position=1,
    tests=cases.TESTS,
    reference=reference.load,
    callees=dnn_checks.CALLEES,
    hints=hints,
    routes=routes,
    helpers=lending.HELPERS,
    notebook_files=NOTEBOOK_FILES,
)
