"""The verdict on one test cell: compare what the student's function returned on every case
with what the reference returns on the same inputs, and say what is wrong.

The judge never trusts the kernel: it rebuilds each case's inputs itself, computes the expected
outputs with the reference solution, and reads from the kernel only the returned data.

Its hints name the assignment's classic mistakes (its hints module) that explain what went
wrong: a hint is given only when it explains every failing output of every failing case
(``explaining_hints``), and the generic one, about code written for the visible case, only when
none does.
"""

import copy
from dataclasses import dataclass, field

import numpy as np

import dnn_checks
from dnngrader.judge import payload, routes
from dnngrader.assignments import TESTS, hints_for

PASS, FAIL = "\u2713", "\u2717"


@dataclass
class Verdict:
    test_id: str
    passed: bool
    lines: list = field(default_factory=list)

    @property
    def text(self):
        return "\n".join(self.lines) + "\n"


_kept_cases = {}  # (id(case), id(reference)) -> (case, reference, inputs, expected outputs)


def _prepared(test, case, reference):
    """(the inputs of ``case``, what ``reference`` returns on them), both fresh deep copies that
    the caller may change.  Both depend on the case and the reference alone, never on a student:
    a grading worker computes them once per process rather than once per submission."""
    key = (id(case), id(reference))
    kept = _kept_cases.get(key)
    if kept is None or kept[0] is not case or kept[1] is not reference:
        args = case.make_args(reference)
        expected = getattr(reference, test.function)(*copy.deepcopy(args))
        kept = _kept_cases[key] = (case, reference, args, expected)
    return copy.deepcopy(kept[2]), copy.deepcopy(kept[3])


def _no_output(text):
    """The problem of a case that returned nothing to compare (it raised, timed out, ...): a
    ``Problem`` that no classic mistake explains, so that the hint rule (``explaining_hints``)
    counts the case as a failing output and names no mistake that it does not explain."""
    return dnn_checks.Problem(text)


def _dict_outputs(value, names, label=None):
    """(label, dict) for every dict in a returned value, labelled as ``dnn_checks.compare``
    labels it (e.g. "parameters", "grads"; a model's ("parameters", "costs") gives "parameters").
    ``value`` may be a student's, of any structure: items that ``names`` does not name are
    labelled by their index, as ``compare`` would label them."""
    if isinstance(names, str) and label is None:
        label, names = names, None
    if isinstance(value, dict):
        yield label, value
        for key, item in value.items():
            yield from _dict_outputs(item, None, f"{label}['{key}']")
    elif isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            named = isinstance(names, list) or (isinstance(names, tuple) and index < len(names))
            item_label, item_names = dnn_checks._item_name(label, names if named else None, index)
            yield from _dict_outputs(item, item_names, item_label)


def _keys_explained(problems, expected, got, names, mistakes):
    """``problems`` with each dict of the wrong keys explained by the classic mistakes whose
    output there is a dict with exactly the student's keys.

    ``dnn_checks.compare`` matches a mistake's output against arrays and numbers only; a dict
    with the wrong keys gets no more than advice read off its keys' layer numbers, which
    misleads when the keys are right but spelled otherwise ("w1" or "W_1" for "W1" reads as a
    loop that stops one layer early).  ``mistakes`` is what the assignment's ``for_case`` gave
    (label -> [(hint, that mistake's output)])."""
    wanted, returned = dict(_dict_outputs(expected, names)), dict(_dict_outputs(got, names))
    explained = []
    for problem in problems:
        label = getattr(problem, "label", None)
        want, have = wanted.get(label), returned.get(label)
        if isinstance(want, dict) and isinstance(have, dict) and set(map(str, want)) != set(map(str, have)):
            texts = [text for text, output in mistakes.get(label, [])
                     if isinstance(output, dict) and set(map(str, output)) == set(map(str, have))]
            if texts:
                problem = dnn_checks.Problem(str(problem), label, problem.explained_by + tuple(texts),
                                             problem.advice, problem.fallback)
        explained.append(problem)
    return explained


def _texts(problem, depth):
    """The hint texts of ``problem`` in its ``depth`` most specific tiers."""
    return [text for tier in dnn_checks.TIERS[:depth] for text in getattr(problem, tier)]


def explaining_hints(failing_cases):
    """The hint lines ("Hint: ...") for a function whose failing cases had the given problems
    (a list per case).

    A hint is given only when it explains every failing output of the function, over all its
    failing cases at once: every ``dnn_checks.Problem`` (a wrong output, or a case that returned
    nothing), whatever output it is about.  Problems that are plain strings (an argument changed
    in place, text printed, the numerical gradient check) are about something else than the
    returned values and neither need nor rule out an explanation.  ``dnn_checks.hint_lines``
    decides output by output instead, and so names a mistake for one output that another
    output's failures contradict (costs "one step late" beside costs lists of the wrong length,
    one initialiser told three things about three of its weights).

    The tiers of ``dnn_checks.Problem`` are tried from the most specific: first the classic
    mistakes that give exactly each output, then also the advice read off each value, then also
    the fallbacks.  A text counts at a tier when it is at that tier or a more specific one of
    each output, so a mistake that gives exactly one case's costs and explains another case's
    costs list of the wrong length (a fallback: lists of other lengths are not compared number
    by number) explains both.  When several texts explain everything, all are named together;
    when none does, there is no hint.
    """
    outputs = [problem for problems in failing_cases for problem in problems
               if isinstance(problem, dnn_checks.Problem)]
    if not outputs:
        return []
    for depth in range(1, len(dnn_checks.TIERS) + 1):
        common = list(dict.fromkeys(text for text in _texts(outputs[0], depth)
                                    if all(text in _texts(problem, depth) for problem in outputs[1:])))
        if len(common) == 1:
            return [f"Hint: {common[0]}"]
        if common:
            return ["Hint: more than one mistake gives exactly this output; look for one of these: "
                    + " ".join(f"({number}) {text}" for number, text in enumerate(common, start=1))]
    return []


def _problems_for_case(test, case, result, reference, visible_error=None, hints=None):
    """(the problems with one case's result, empty when right; the other correct route it
    followed, or None).  ``visible_error`` is the exception type the visible case raised, if
    it did; ``hints`` the module of the assignment's classic mistakes (None: none).  A wrong
    output, or a case without one, is a ``dnn_checks.Problem`` (what the hint rule weighs); what
    is not about the returned values (arguments changed, text printed, the numerical gradient
    check) is a plain string."""
    status = result.get("status") if isinstance(result, dict) else None
    if status == "missing":
        return [_no_output(result.get("message", f"{test.function} is not defined."))], None
    if status == "timeout":
        return [_no_output(f"the call did not finish within {result.get('seconds')} s: an endless loop?")], None
    if status == "skipped":
        return [_no_output("not run: an earlier case of this cell ran out of time.")], None
    if status == "raised":
        if case.visible:
            return [_no_output(f"it raised {result.get('error')}: {result.get('message')}")], None
        # A message could echo hidden inputs, so only its type is shown.
        if result.get("error") == visible_error:
            return [_no_output(f"it raised {visible_error} here too (see the visible case).")], None
        return [_no_output(f"it raised {result.get('error')} on this hidden case (it may assume the visible "
                           "case's sizes or depth; look for hard-coded shapes, layer counts or indices).")], None
    if status != "returned":
        return [_no_output("the grader received no result for this case.")], None
    args, expected = _prepared(test, case, reference)
    got = payload.decode(result.get("value"))
    if test.normalise:
        expected, got = test.normalise(expected), test.normalise(got)
    names = test.returns if test.returns is not None else dnn_checks.RETURN_NAMES[test.function]
    problems = dnn_checks.compare_returned(expected, got, names, show_values=case.visible)
    if problems and hints is not None:
        # Hints only explain problems, never find them: the classic mistakes' outputs are worked
        # out for a wrong result alone, then the same comparison runs again with them.
        mistakes = hints.for_case(test.function, args, got, reference)
        problems = dnn_checks.compare_returned(expected, got, names, show_values=case.visible, hints=mistakes)
        problems = _keys_explained(problems, expected, got, names, mistakes)
    route = None
    if problems:
        # An answer right under the contract, on inputs that break it (routes.py).
        route = next((description for description, output in routes.outputs(test.function, args, reference)
                      if not dnn_checks.compare_returned(output, got, names)), None)
        if route:
            problems = []
    if "args_after" in result:
        problems += _modified_arguments(test, args, payload.decode(result["args_after"]))
    if test.silent and isinstance(result.get("printed"), int) and result["printed"] > 0:
        problems.append(f"it printed {result['printed']} characters although print_cost was False: "
                        "print the costs only when print_cost is True.")
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
    return [problem for name, old, new in zip(test.arguments, before, after)
            if isinstance(old, (np.ndarray, dict, list, tuple))
            for problem in dnn_checks.unchanged_problems(old, new, name)]


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
    lines, failed, failing_problems = [], [], []
    for case, result in zip(test.cases, results):
        problems, route = _problems_for_case(test, case, result, reference, visible_error, hints_for(test_id))
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
        # mistake that explains one case or output but not the others.
        hints = explaining_hints(failing_problems)
        lines += [f"  {line}" for line in hints]
        # The generic advice only where no hint explains the failure: beside one that does (a
        # >= in predict, a hard-coded learning rate), it would send the student looking for
        # sizes written for the visible case that are not there.
        if not hints and not any(case.visible for case in failed):
            lines.append("  Hint: the visible case passes but hidden ones fail. Look for sizes, layer counts "
                         "or indices written for the visible case, and for steps it does not exercise.")
    else:
        head = f"{PASS} {title}: all {total} checks passed (1 visible, {total - 1} hidden)."
    return Verdict(test_id, not failed, [head] + lines)
