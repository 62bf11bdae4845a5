"""The verdict on one test cell: compare what the student's function returned on every case
with what the reference returns on the same inputs, and say what is wrong.

The judge never trusts the kernel: it rebuilds each case's inputs itself, computes the expected
outputs with the reference solution, and reads from the kernel only the returned data.

Its hints name the assignment's classic mistakes (its hints module) that explain what went
wrong: a hint is given only when it explains every failing output of every failing case, and
the generic one, about code written for the visible case, only when none does.  The rule is the
notebook's own (``dnn_checks.hint_lines``, which the first notebook's check calls too), so that a
student reads the same hints in the notebook and in the feedback.
"""

import contextlib
import copy
import io
from dataclasses import dataclass, field

import numpy as np

from dnngrader.kernel.notebook import dnn_checks
from dnngrader.kernel import payload
from dnngrader.assignments import TESTS, hints_for, routes_for

PASS, FAIL = "\u2713", "\u2717"


@dataclass
class Verdict:
    test_id: str
    passed: bool
    lines: list = field(default_factory=list)

    @property
    def text(self):
        return "\n".join(self.lines) + "\n"


_kept_cases = {}  # (id(case), id(reference)) -> (case, reference, inputs, expected outputs, printed)


def _prepared(test, case, reference):
    """(the inputs of ``case``, what ``reference`` returns on them, what it prints there), the
    first two fresh deep copies that the caller may change.  They depend on the case and the
    reference alone, never on a student: a grading worker computes them once per process rather
    than once per submission."""
    key = (id(case), id(reference))
    kept = _kept_cases.get(key)
    if kept is None or kept[0] is not case or kept[1] is not reference:
        args = case.make_args(reference)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            expected = getattr(reference, test.function)(*copy.deepcopy(args))
        kept = _kept_cases[key] = (case, reference, args, expected, printed.getvalue())
    return copy.deepcopy(kept[2]), copy.deepcopy(kept[3]), kept[4]


def _changed_defaults(expected, given):
    """The sentence saying which defaults a def line changed: ``expected`` maps each parameter a
    case leaves to its default to the notebook's default, ``given`` to the repr of the student's
    (None: no default).  It names the parameters, never values: a hidden case's line shows none."""
    changed = [name for name, value in expected.items() if given.get(name) != repr(value)]
    return (
        f"this case leaves {', '.join(expected)} to their defaults, and your def line changes them: "
        f"{', '.join(changed)} {'has' if len(changed) == 1 else 'have'} another default than the notebook's "
        "def line gives (keep the def line as written)."
    )


def _no_output(text):
    """The problem of a case that returned nothing to compare (it raised, timed out, ...): a
    ``Problem`` that no classic mistake explains, so that the hint rule (``dnn_checks.hint_lines``)
    counts the case as a failing output and names no mistake that it does not explain."""
    return dnn_checks.Problem(text)


def _problems_for_case(test, case, result, reference, visible_error=None, hints=None, routes=None):
    """(the problems with one case's result, empty when right; the other correct route it
    followed, or None).  ``visible_error`` is the exception type the visible case raised, if
    it did; ``hints`` the module of the assignment's classic mistakes, ``routes`` that of its
    other correct routes (None: none).  A wrong
    output, or a case without one, is a ``dnn_checks.Problem`` (what the hint rule weighs); what
    is not about the returned values (arguments changed, text printed, the numerical gradient
    check) is a plain string."""
    status = result.get("status") if isinstance(result, dict) else None
    if status == "missing":
        return [_no_output(result.get("message", f"{test.function} is not defined."))], None
    if status == "timeout":
        return [_no_output(f"the call did not finish within {result.get('seconds')} s: an endless loop?")], None
    if status == "kept defaults":
        # The def line keeps the defaults the case leaves to it: the call would run as the explicit
        # one with those values (dnn_checks.keeps_defaults), which the other cases test.
        if case.defaults is not None and result.get("defaults") == case.defaults(reference):
            return [], None
        return [_no_output("the grader received no result for this case.")], None
    if status == "skipped":
        return [_no_output("not run: an earlier case of this cell ran out of time.")], None
    if status == "raised":
        if case.visible:
            return [_no_output(f"it {dnn_checks.raised(result.get('error'), result.get('message'))}")], None
        # A message could echo hidden inputs, so only its type is shown.
        if result.get("error") == visible_error:
            return [_no_output(f"it raised {visible_error} here too (see the visible case).")], None
        return [
            _no_output(
                f"it raised {result.get('error')} on this hidden case (it may assume the visible "
                "case's sizes or depth; look for hard-coded shapes, layer counts or indices)."
            )
        ], None
    if status != "returned":
        return [_no_output("the grader received no result for this case.")], None
    args, expected, reference_printed = _prepared(test, case, reference)
    got = payload.decode(result.get("value"))
    if test.normalise:
        expected, got = test.normalise(expected), test.normalise(got)
    names = test.returns if test.returns is not None else dnn_checks.RETURN_NAMES[test.function]
    # The references and the mistakes' reruns print what a model prints: none of it is the student's.
    with contextlib.redirect_stdout(io.StringIO()):
        problems = dnn_checks.compare_returned(expected, got, names, show_values=case.visible)
        if problems and hints is not None:
            # Hints only explain problems, never find them: the classic mistakes' outputs are worked
            # out for a wrong result alone, then the same comparison runs again with them.
            problems = dnn_checks.compare_returned(
                expected,
                got,
                names,
                show_values=case.visible,
                hints=hints.for_case(test.function, args, got, reference),
            )
        route = None
        if problems:
            # An answer right under the contract, on inputs that break it (the assignment's routes).
            route = next(
                (
                    description
                    for description, output in (routes.outputs(test.function, args, reference) if routes else ())
                    if not dnn_checks.compare_returned(output, got, names)
                ),
                None,
            )
            if route:
                problems = []
    values_wrong = bool(problems)
    if problems and case.defaults is not None and isinstance(result.get("defaults given"), dict):
        problems.append(_changed_defaults(case.defaults(reference), result["defaults given"]))
    if "args_after" in result:
        problems += _modified_arguments(test, args, payload.decode(result["args_after"]))
    if test.prints is not None:
        problems += dnn_checks.printed_problems(
            test.prints,
            reference_printed,
            result.get("printed") if isinstance(result.get("printed"), str) else "",
            show_values=case.visible,
            numbers=not values_wrong,
        )
    if not route and hints is not None:
        # Checks independent of the reference (numerical gradients): they also confirm a
        # mismatch.  They read the cache as the reference does, so they do not judge a route.
        problems += hints.extra_checks(test.function, args, got, reference)
    return problems, route


def _modified_arguments(test, before, after):
    """Sentences naming the arguments the call changed although it must not: a plan that names
    its function's arguments allows no change; otherwise dnn_checks' tables say."""
    if test.arguments is None:
        return dnn_checks.modified_arguments(test.function, before, after)
    # Numbers and flags cannot change in place: only arrays and containers are compared.
    return [
        problem
        for name, old, new in zip(test.arguments, before, after)
        if isinstance(old, (np.ndarray, dict, list, tuple))
        for problem in dnn_checks.unchanged_problems(old, new, name)
    ]


def _kept_defaults(result):
    return isinstance(result, dict) and result.get("status") == "kept defaults"


def judge(test_id, results, reference, failure_note=None):
    """The verdict on a test cell from the per-case ``results`` sent by the kernel (None when
    no results came back; ``failure_note`` then says why, e.g. a timeout).  ``reference`` is the
    module that answers the cell's cases (``assignments.reference_for(test_id)``)."""
    test = TESTS[test_id]
    title = test.function + (f" ({test.part} branch)" if test.part else "")
    if results is None or len(results) != len(test.cases):
        reason = failure_note or "the grader's checks did not run to the end in this cell."
        return Verdict(test_id, False, [f"{FAIL} {title}: not graded, {reason}"])
    visible = results[0] if isinstance(results[0], dict) else {}
    visible_error = visible.get("error") if visible.get("status") == "raised" else None
    outcomes = [
        _problems_for_case(test, case, result, reference, visible_error, hints_for(test_id), routes_for(test_id))
        for case, result in zip(test.cases, results)
    ]
    # A case whose def line keeps the defaults it leaves to them is not run (kept defaults): it
    # fails only when every case that ran failed (dnn_checks.kept_defaults_problems).
    ran = [problems for (problems, _), result in zip(outcomes, results) if not _kept_defaults(result)]
    failing = sum(1 for problems in ran if problems)
    kept = dnn_checks.kept_defaults_problems(failing, len(ran) - failing)
    lines, failed, failing_problems = [], [], []
    for case, result, (problems, route) in zip(test.cases, results, outcomes):
        problems = problems or (kept if _kept_defaults(result) else [])
        if problems:
            failed.append(case)
            failing_problems.append(problems)
            lines.append(f"  {FAIL} {case.description}")
            lines += [f"      {problem}" for problem in problems]
        elif route:
            lines.append(f"  {PASS} {case.description} (accepted: {route})")
        else:
            lines.append(f"  {PASS} {case.description}")
    total = len(test.cases)
    if failed:
        head = f"{FAIL} {title}: {total - len(failed)} of {total} checks passed."
        # Hints are decided over all failing cases and outputs at once, so that none names a
        # mistake that explains one case or output but not the others; the generic one only
        # when the visible case passes and no hint explains the failure.  The notebook's check
        # decides its hints by the same rule, in the same function.
        generic = None if any(case.visible for case in failed) else dnn_checks.generic_hint("hidden ones")
        lines += [f"  {line}" for line in dnn_checks.hint_lines(failing_problems, unexplained=generic)]
    else:
        head = f"{PASS} {title}: all {total} checks passed (1 visible, {total - 1} hidden)."
    return Verdict(test_id, not failed, [head] + lines)
