"""Judge code the way the grader does, without nbgrader: run a function's definition on every
case of a test cell, with the reference versions of the functions it calls, send the results
through the same payload encoding, and return the judge's verdict."""

from dnngrader.kernel import payload
from dnngrader.judge.verdict import judge
from dnngrader.assignments.dnn_step_by_step.cases import TESTS


def define(code, ref):
    """The namespace after running ``code`` next to the reference's helpers and functions."""
    namespace = dict(vars(ref))
    exec(code, namespace)
    return namespace


def verdict(code, test_id, ref):
    """The judge's verdict (judge.Verdict) on the function ``code`` defines, for ``test_id``."""
    function = define(code, ref)[TESTS[test_id].function]
    results = []
    for case in TESTS[test_id].cases:
        args = case.make_args(ref)
        try:
            value = function(*args)
        except Exception as error:
            results.append({"status": "raised", "error": type(error).__name__, "message": str(error)})
        else:
            results.append({"status": "returned", "value": payload.encode(value), "args_after": payload.encode(args)})
    return judge(test_id, payload.loads(payload.dumps(results)), ref)
