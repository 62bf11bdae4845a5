"""The verdict on one test cell: compare what the student's function returned on every case
with what the reference returns on the same inputs, and say what is wrong.

The judge never trusts the kernel: it rebuilds each case's inputs itself, computes the expected
outputs with the reference solution, and reads from the kernel only the returned data.
"""

import copy
import re
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


def _problems_for_case(test, case, result, reference, visible_error=None):
    """The sentences describing what is wrong with one case's result (empty when right);
    ``visible_error`` is the exception type the visible case raised, if it did."""
    status = result.get("status") if isinstance(result, dict) else None
    if status == "missing":
        return [result.get("message", f"{test.function} is not defined.")]
    if status == "timeout":
        return [f"the call did not finish within {result.get('seconds')} s: an endless loop?"]
    if status == "skipped":
        return ["not run: an earlier case of this cell ran out of time."]
    if status == "raised":
        if case.visible:
            return [f"it raised {result.get('error')}: {result.get('message')}"]
        # A message could echo hidden inputs, so only its type is shown.
        if result.get("error") == visible_error:
            return [f"it raised {visible_error} here too (see the visible case)."]
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
    if "args_after" in result:
        problems += dnn_checks.modified_arguments(test.function, args, payload.decode(result["args_after"]))
    # Checks independent of the reference (numerical gradients): they also confirm a mismatch.
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
    visible = results[0] if isinstance(results[0], dict) else {}
    visible_error = visible.get("error") if visible.get("status") == "raised" else None
    lines, failed = [], []
    for case, result in zip(test.cases, results):
        problems = _problems_for_case(test, case, result, reference, visible_error)
        if problems:
            failed.append(case)
            lines.append(f"  {FAIL} {case.description}")
            lines += _case_lines(problems)
        else:
            lines.append(f"  {PASS} {case.description}")
    total = len(test.cases)
    if failed:
        head = f"{FAIL} {title}: {total - len(failed)} of {total} checks passed."
        if not any(case.visible for case in failed):
            lines.append("  Hint: the visible case passes but hidden ones fail. Look for sizes, layer counts "
                         "or indices written for the visible case, and for steps it does not exercise.")
    else:
        head = f"{PASS} {title}: all {total} checks passed (1 visible, {total - 1} hidden)."
    return Verdict(test_id, not failed, [head] + lines)


_HINT = re.compile(r"\s*Hint: ")


def _case_lines(problems):
    """The lines for one case's problems, each distinct hint once, after the problems: several
    outputs are often wrong because of one mistake."""
    messages, hints_said = [], []
    for problem in problems:
        message, *hint = _HINT.split(problem, maxsplit=1)
        messages.append(message)
        if hint and hint[0] not in hints_said:
            hints_said.append(hint[0])
    return [f"      {text}" for text in messages + [f"Hint: {hint}" for hint in hints_said]]
