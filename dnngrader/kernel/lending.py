"""The reference functions as the grader lends them to a student's code, in the kernel.

A reference function handed to a student's code (a callee lent while a function is graded, or a
function provided to a notebook) is first made strict (``strictly``, ``lent``): it works on
copies of its arguments and returns copies, so it never does for the caller what a valid version
written by a student may not do.  ``module_of`` makes the functions from their answer cells'
source, which the grader hands over (dnngrader/judge/delivery.py); the grader's side reads those
cells from the instructor's notebook (dnngrader/assignments/reference.py).
"""

import types

import numpy as np

from dnngrader.kernel.notebook import dnn_utils

# The provided helpers (dnn_utils.py) every module of reference functions holds, and that the
# grader lends the function under test as provided, whatever the notebook redefined.
HELPERS = ("sigmoid", "relu", "sigmoid_backward", "relu_backward")


def module_of(cells, names, helpers=HELPERS):
    """A module of the functions ``names``, defined by executing their answer cells (``cells``:
    grade_id -> source) and nothing else, and of the provided helpers ``helpers`` (names in
    dnn_utils.py)."""
    module = types.ModuleType("dnn_reference")
    module.np = np
    for helper in helpers:  # the kit's own copy, read-only in a sandbox
        setattr(module, helper, getattr(dnn_utils, helper))
    for name in names:
        code = compile(cells[name], f"<reference {name}>", "exec")
        exec(code, module.__dict__)
    return module


def strictly(function, running=None):
    """``function`` as strict as every valid version of it may be: a function that calls it with
    deep copies of the arguments and returns a deep copy of what it returned.

    A reference function may do more for its caller than its contract promises: the reference
    update_parameters writes the new parameters into the caller's dict and returns that dict, and
    linear_forward returns a cache that holds the caller's own arrays.  A valid version written by
    a student may instead return a new dict and leave the caller's alone, or copy its cache.  A
    caller that throws update_parameters' result away is wrong (with such a version its model
    never learns), and lent the reference as it is, it would pass.  Lent this way, no callee
    changes the caller's arguments, and nothing it returns is an object the caller already holds,
    so a caller that relies on either fails as it would with any valid callee.

    ``running``: a one-item list shared by functions lent together, counting those of their calls
    in progress; a call made while one is in progress (L_model_forward calling the
    linear_activation_forward handed over with it) goes straight through, so only what crosses
    into the caller's code is copied.  A value that deepcopy cannot copy (a generator, say) is
    passed on as it is.

    Self-contained (imports inside, nothing of this module used): grading kernels get its source
    with the functions handed over before a notebook's cell (dnngrader/judge/delivery.py), and ``lent``
    remakes it in the lent functions' own namespace.
    """
    import copy

    import numpy

    running = [0] if running is None else running
    # Types whose values cannot change: the copy is the value itself (deepcopy does the same).
    unchanging = {int, float, bool, complex, str, bytes, type(None), numpy.float64, numpy.int64, numpy.bool_}
    ndarray = numpy.ndarray

    def fresh(value, memo):
        # What deepcopy gives, for the values the course passes (arrays of numbers, and dicts,
        # lists and tuples of them) without deepcopy's generic machinery, which took two thirds
        # of a model's time under the hidden cases: a deep copy per call that crosses into the
        # caller's code, thousands of calls per case.  Anything else goes to deepcopy itself.
        # The memo maps id(original) -> copy: an object met twice becomes one copy, met twice.
        kind = type(value)
        if kind in unchanging:
            return value
        made = memo.get(id(value))
        if made is not None:
            return made
        if kind is ndarray and not value.dtype.hasobject:
            made = value.copy(order="K")
        elif kind is dict:
            made = memo[id(value)] = {}
            for key, item in value.items():
                made[key] = item if type(item) in unchanging else fresh(item, memo)
        elif kind is list:  # in the memo before its items, as deepcopy does: it may hold itself
            made = memo[id(value)] = []
            made.extend([item if type(item) in unchanging else fresh(item, memo) for item in value])
        elif kind is tuple:
            made = tuple([item if type(item) in unchanging else fresh(item, memo) for item in value])
        else:
            try:
                return copy.deepcopy(value, memo)
            except Exception:  # an object deepcopy refuses: the call gets it, as a valid callee would
                return value
        memo[id(value)] = made
        return made

    def strict(*args, **kwargs):
        if running[0]:
            return function(*args, **kwargs)
        memo = {}  # one memo: an object passed twice arrives as one copy, twice
        args = tuple(fresh(value, memo) for value in args)
        kwargs = {key: fresh(value, memo) for key, value in kwargs.items()}
        running[0] += 1
        try:
            returned = function(*args, **kwargs)
        finally:
            running[0] -= 1
        return fresh(returned, {})

    # Its name and docstring, as help() and a traceback show them; not __wrapped__, which would
    # hand anyone the function that is not strict.
    for attribute in ("__name__", "__qualname__", "__doc__", "__module__"):
        setattr(strict, attribute, getattr(function, attribute, getattr(strict, attribute)))
    return strict


def lent(functions):
    """name -> the strict version (``strictly``) of each of ``functions`` (name -> function), as
    the grader lends them to a student's function: one group, whose calls between themselves go
    straight through.  Each version is made in its function's own namespace (``__globals__``),
    so a student who looks there finds what the function itself sees (the other lent functions),
    never the kit's modules."""
    running = [0]
    versions = {}
    for name, function in functions.items():
        namespace = getattr(function, "__globals__", None)
        make = (
            strictly
            if not isinstance(namespace, dict)
            else types.FunctionType(strictly.__code__, namespace, strictly.__name__, strictly.__defaults__)
        )
        versions[name] = make(function, running)
    return versions
