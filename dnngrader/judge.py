"""The verdict on one test cell: compare what the student's function returned on every case
with what the reference returns on the same inputs, and say what is wrong.

The judge never trusts the kernel: it rebuilds each case's inputs itself, computes the expected
outputs with the reference solution, and reads from the kernel only the returned data.
"""

import copy
from dataclasses import dataclass, field

import dnn_checks
from . import hints, payload
from .cases import TESTS

PASS, FAIL = "\u2713", "\u2717"


@dataclass
class Verdict:
    test_id: str
    passed: bool
    lines: list = field(default_factory=list)

    @property
    def text(self):
        return "\n".join(self.lines) + "\n"


def _problems_for_case(test, case, result, reference):
    """The sentences describing what is wrong with one case's result (empty when right)."""
    status = result.get("status") if isinstance(result, dict) else None
    if status == "missing":
        return [result.get("message", f"{test.function} is not defined.")]
    if status == "timeout":
        return [f"the call did not finish within {result.get('seconds')} s: an endless loop?"]
    if status == "raised":
        if case.visible:
            return [f"it raised {result.get('error')}: {result.get('message')}"]
        # A message could echo hidden inputs, so only its type is shown.
        return [f"it raised {result.get('error')} on this hidden case (it may assume the visible "
                "case's sizes or depth; look for hard-coded shapes, layer counts or indices)."]
    if status != "returned":
        return ["the grader received no result for this case."]
    args = case.make_args(reference)
    expected = getattr(reference, test.function)(*copy.deepcopy(args))
    got = payload.decode(result.get("value"))
    problems = dnn_checks.compare_returned(
        expected, got, dnn_checks.RETURN_NAMES[test.function], show_values=case.visible,
        hints=hints.for_case(test.function, args, got, reference))
    if dnn_checks.KEEPS_INPUTS[test.function] and "args_after" in result:
        problems += dnn_checks.unchanged_problems(args, payload.decode(result["args_after"]), "an argument")
    if not problems:
        problems += hints.extra_checks(test.function, args, got, reference)
    return problems


def judge(test_id, results, reference, failure_note=None):
    """The verdict on a test cell from the per-case ``results`` sent by the kernel (None when
    no results came back; ``failure_note`` then says why, e.g. a timeout)."""
    test = TESTS[test_id]
    title = test.function + (f" ({test.part} branch)" if test.part else "")
    if results is None or len(results) != len(test.cases):
        reason = failure_note or "the grader's checks did not run to the end in this cell."
        return Verdict(test_id, False, [f"{FAIL} {title}: not graded, {reason}"])
    lines, failures = [], 0
    for case, result in zip(test.cases, results):
        problems = _problems_for_case(test, case, result, reference)
        if problems:
            failures += 1
            lines.append(f"  {FAIL} {case.description}")
            lines += [f"      {problem}" for problem in problems]
        else:
            lines.append(f"  {PASS} {case.description}")
    total = len(test.cases)
    if failures:
        head = f"{FAIL} {title}: {total - failures} of {total} checks passed."
    else:
        head = f"{PASS} {title}: all {total} checks passed (1 visible, {total - 1} hidden)."
    return Verdict(test_id, failures == 0, [head] + lines)
