"""Checks for the step-by-step assignment.

``check(name, function)`` runs one of your functions on its visible test case from
``test_cases.py``, then on its practice cases (other sizes and depths, a single example, large
values, read from ``practice_cases.json`` next to the notebook), compares every output with the
expected one and prints what it checked.  When something is wrong it says which output, how it
differs (type, shape, dtype, values) and, when the difference looks like a classic mistake, how
to fix it.

Your function is checked as the grader checks it: with the same comparison, the same hints,
and correct versions of the functions it calls (a mistake in ``linear_forward`` is charged to
``linear_forward`` only).  The grader's hidden cases are other inputs again, which you cannot
run here, so a message from the grader reads like the messages here.
"""

import contextlib
import copy
import os

import numpy as np

from . import dnn_utils, test_cases
from .test_cases import PRACTICE_FILE, from_json, practice_cases, visible_extras

RTOL = 1e-6
ATOL = 1e-8


class Shaped:
    """An expected array of which only the shape is known (the check tests type, dtype, shape)."""

    def __init__(self, *shape):
        self.shape = tuple(shape)


class Problem(str):
    """One thing wrong with a returned value: the sentence a student reads (the string itself),
    and what could explain it, in three tiers from most to least specific:

    - ``explained_by``: classic mistakes that give exactly this output on this case;
    - ``advice``: what the value itself suggests (its shape, a common factor, its keys);
    - ``fallback``: general advice about this output, when nothing more specific applies.

    ``label`` names the output (e.g. "db", "grads['dW1']"); a case that returned nothing to
    compare (it raised) is a Problem without label or hints.  Which hints a student is given is
    decided over every failing output of every failing case together (``hint_lines``), never
    from one output or one case alone.
    """

    def __new__(cls, text, label=None, explained_by=(), advice=(), fallback=()):
        problem = super().__new__(cls, text)
        problem.label = label
        problem.explained_by = tuple(dict.fromkeys(explained_by))
        problem.advice = tuple(dict.fromkeys(text for text in advice if text))
        problem.fallback = tuple(dict.fromkeys(text for text in fallback if text))
        return problem


TIERS = ("explained_by", "advice", "fallback")

# Said when the visible case passes, others fail and no hint explains why; "{}" is which others
# ("practice cases" in the notebook, "hidden ones" in the grader's verdict).
GENERIC_HINT = (
    "Hint: the visible case passes but {} fail. Look for sizes, layer counts or indices written "
    "for the visible case, and for steps it does not exercise."
)


# The problem of a case left to the signature's defaults when the def line keeps them (so the
# case is not run: keeps_defaults) and every case that ran failed: the def line alone passes
# nothing.  A plain string, so it neither needs nor rules out a hint (hint_lines).
KEPT_DEFAULTS_UNJUDGED = (
    "not run: your def line keeps these defaults, so this call would run as the cases above do, and they fail."
)


def kept_defaults_problems(failed, passed):
    """The problems of a case left to the signature's defaults that the def line keeps (not run:
    ``keeps_defaults``), given how many of the cases that ran ``failed`` and ``passed``: none,
    unless every one of them failed; the notebook's check and the grader's verdict both ask here."""
    return [KEPT_DEFAULTS_UNJUDGED] if failed and not passed else []


def raised(error, message=None):
    """The words "raised <type>: <message>", as a check and the grader say them of a call that raised
    ``error`` (an exception, or the name of its type with ``message``): the message on one line,
    at most 300 characters, and left out when empty (``raise NotImplementedError()``)."""
    name, default = (error, "") if isinstance(error, str) else (type(error).__name__, str(error))
    text = " ".join(str(default if message is None else message).split())
    text = text if len(text) <= 300 else text[:297] + "..."
    return f"raised {name}: {text}" if text else f"raised {name}"


def generic_hint(others):
    """The generic hint line, for a function that passes its visible case and fails ``others``."""
    return GENERIC_HINT.format(others)


def _texts(problem, depth):
    """The hint texts of ``problem`` in its ``depth`` most specific tiers."""
    return [text for tier in TIERS[:depth] for text in getattr(problem, tier)]


def hint_lines(failing_cases, unexplained=None):
    """The hint lines ("Hint: ...") for a function whose failing cases had the given problems (a
    list per case); the notebook's check and the grader's verdict both decide their hints here.

    A hint is given only when it explains every failing output of the function, over all its
    failing cases at once: every ``Problem`` (a wrong output, or a case that returned nothing),
    whatever output it is about.  Output by output, a mistake that gives one output would be
    named while another output's failure contradicts it (one initialiser told three things about
    three of its weights), and so would one that fits some cases but not the case that raised.
    Problems that are plain strings (an argument changed in place, text printed, the numerical
    gradient check) are about something else than the returned values and neither need nor rule
    out an explanation.

    The tiers of ``Problem`` are tried from the most specific: first the classic mistakes that
    give exactly each output, then also the advice read off each value, then also the fallbacks.
    A text counts at a tier when it is at that tier or a more specific one of each output, so a
    mistake that gives exactly one case's output and explains another case's output of the
    wrong length (a fallback) explains both.  When several texts explain everything, all are
    named together: on one case two mistakes can give the same output.

    When none does, the result is ``[unexplained]`` if that is given (the caller's generic hint,
    ``generic_hint``, for a function that passes its visible case), else empty: beside a hint that
    explains, the generic one would send the student looking for sizes written for the visible
    case that are not there.
    """
    outputs = [problem for problems in failing_cases for problem in problems if isinstance(problem, Problem)]
    for depth in range(1, len(TIERS) + 1) if outputs else ():
        common = list(
            dict.fromkeys(
                text
                for text in _texts(outputs[0], depth)
                if all(text in _texts(problem, depth) for problem in outputs[1:])
            )
        )
        if len(common) == 1:
            return [f"Hint: {common[0]}"]
        if common:
            return [
                "Hint: more than one mistake gives exactly this output; look for one of these: "
                + " ".join(f"({number}) {text}" for number, text in enumerate(common, start=1))
            ]
    return [unexplained] if unexplained else []


# ---------------------------------------------------------------------------------------------
# Describing and comparing values
# ---------------------------------------------------------------------------------------------


def describe(value):
    """A short description of a value's type and shape, e.g. 'ndarray of shape (3, 1), float64'."""
    if isinstance(value, np.ndarray):
        kind = "ndarray" if type(value) is np.ndarray else f"{type(value).__name__} (an ndarray subclass)"
        return f"{kind} of shape {value.shape}, {value.dtype}"
    if isinstance(value, (tuple, list)):
        return f"{type(value).__name__} of {len(value)} items"
    if isinstance(value, dict):
        return f"dict with keys {sorted(map(str, value))}"
    if value is None:
        return "None"
    return type(value).__name__


def _fmt(array, prefix=""):
    """``prefix`` followed by the array, its later rows aligned under the first."""
    text = np.array2string(
        np.asarray(array), precision=8, separator=" ", suppress_small=False, max_line_width=100, prefix=prefix
    )
    return prefix + text


def _is_number(value):
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def same_values(candidate, got):
    """Whether ``got`` has the shape and (within tolerance) the values of ``candidate``."""
    try:
        candidate, got = np.asarray(candidate, dtype=float), np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    # A mistake that gives nan where the student got nan (training that diverged) explains it.
    return candidate.shape == got.shape and bool(np.allclose(got, candidate, rtol=RTOL, atol=ATOL, equal_nan=True))


def same_output(candidate, got):
    """Whether ``got`` is what a classic mistake returned (``candidate``): a tuple or list item
    by item (a mistake may return a container where an array is expected, as the swapped parts
    of a cache do), anything else as ``same_values`` compares it."""
    if isinstance(candidate, (tuple, list)):
        return (
            isinstance(got, (tuple, list))
            and len(got) == len(candidate)
            and all(same_output(want, have) for want, have in zip(candidate, got))
        )
    return same_values(candidate, got)


def _matching_hints(hints, got):
    """(the texts of every hint whose mistaken output equals ``got``, the fallback texts).

    ``hints`` is a list of (text, output that mistake gives); an output of None marks a
    fallback, said when no more specific hint explains the difference."""
    specific = [text for text, candidate in hints if candidate is not None and same_output(candidate, got)]
    fallback = [text for text, candidate in hints if candidate is None]
    return specific, fallback


def _scalar_problem(label, expected, got, show_values, hints=()):
    """Problems with a value that must be a 0-d number (the cost)."""
    if isinstance(got, np.ndarray) and type(got) is not np.ndarray:
        return [Problem(f"{label} is a {type(got).__name__}, a subclass of ndarray; return a plain number.", label)]
    if isinstance(got, np.ndarray):
        if got.ndim != 0:
            return [
                Problem(
                    f"{label} is an array of shape {got.shape}, but a scalar (0-d) is expected.",
                    label,
                    advice=[f"np.squeeze({label}) or float({label}) turns e.g. [[17]] into 17."],
                )
            ]
        got = got[()]
    if not _is_number(got):
        return [Problem(f"{label} should be a number, got {describe(got)}.", label)]
    if not np.isfinite(got):
        return [Problem(f"{label} is {got}: a log of 0 somewhere? Check which terms use AL and 1 - AL.", label)]
    if np.isclose(got, expected, rtol=RTOL, atol=ATOL):
        return []
    message = f"{label} has the wrong value"
    if show_values:
        message += f": expected {expected!r}, got {float(got)!r}"
    message += "."
    specific, fallback = _matching_hints(hints, got)
    advice = []
    if np.isclose(got, -expected, rtol=RTOL, atol=ATOL):
        advice.append("it has the opposite sign; the cost is minus the mean log-likelihood.")
    elif expected != 0 and np.isclose(got / expected, round(got / expected)) and round(got / expected) > 1:
        # No factor in the text: the same words must fit every case for the hint to be given.
        advice.append("it is a whole multiple of the expected value: is the sum divided by m, the number of examples?")
    return [Problem(message, label, specific, advice, fallback)]


def _shape_hint(label, expected_shape, got_shape):
    leaf = label.rsplit(" ", 1)[-1].strip("()")
    if leaf.startswith("db") and len(expected_shape) == 2:
        return (
            f"{leaf} must have one entry per unit, shape {expected_shape}: sum dZ over axis 1 "
            "(the examples) with keepdims=True."
        )
    if len(expected_shape) == 2 and got_shape == expected_shape[::-1]:
        return "it looks transposed: check the order of the factors and of the shape's dimensions."
    if len(expected_shape) == 2 and expected_shape[1] == 1 and got_shape == expected_shape[:1]:
        return "it lost its second axis: keep column vectors 2-D, e.g. np.zeros((n, 1)) or keepdims=True."
    per_example = leaf.startswith(("Z", "A", "dA", "dZ", "grads['dA"))
    if per_example and len(got_shape) == 2 and len(expected_shape) == 2 and got_shape[0] == expected_shape[0]:
        return "the number of columns is off: each column is one example."
    return None


def _value_hints(expected, got):
    """Classic mistakes recognisable from the values alone (shapes already agree)."""
    if np.allclose(got, -expected, rtol=RTOL, atol=ATOL):
        return "the sign is flipped."
    if (
        expected.ndim == 2
        and expected.shape[0] == expected.shape[1]
        and np.allclose(got, expected.T, rtol=RTOL, atol=ATOL)
    ):
        return "it equals the transpose of the expected array."
    mask = np.abs(expected) > 1e-12
    # A common factor says something only when at least two values share it.
    if mask.sum() >= 2 and np.all(np.isfinite(got)):
        ratios = got[mask] / expected[mask]
        ratio = float(np.median(ratios))
        if (
            ratio > 0
            and ratio != 1.0
            and np.allclose(ratios, ratio, rtol=1e-6)
            and np.allclose(got, expected * ratio, rtol=RTOL, atol=ATOL)
        ):
            # No factor in the text: the same words must fit every case for the hint to be given.
            if ratio > 1:
                return (
                    "every value is the same multiple (above 1) of the expected one: a missing "
                    "scale factor (1/m, or 0.01 at initialisation)?"
                )
            return "every value is the same fraction of the expected one: an extra division (by m?) or scale factor?"
    return None


def _array_problems(label, expected, got, show_values, hints, values_known=True):
    specific, fallback = _matching_hints(hints, got)
    if not isinstance(got, np.ndarray):
        message = f"{label} should be a numpy array of shape {expected.shape}, got {describe(got)}."
        return [Problem(message, label, specific)]
    if type(got) is not np.ndarray:
        return [
            Problem(
                f"{label} is a {type(got).__name__}, a subclass of ndarray; return a plain "
                "np.ndarray (np.asarray turns it into one).",
                label,
            )
        ]
    if not np.issubdtype(got.dtype, np.floating):
        return [
            Problem(
                f"{label} has dtype {got.dtype}; expected floating point numbers (float64).",
                label,
                advice=["integer arrays come from np.zeros(..., dtype=int) or integer arithmetic."],
            )
        ]
    if got.shape != expected.shape:
        message = f"{label} has shape {got.shape}, expected {expected.shape}."
        return [Problem(message, label, specific, [_shape_hint(label, expected.shape, got.shape)])]
    if not values_known:
        return []
    if np.allclose(got, expected, rtol=RTOL, atol=ATOL, equal_nan=False):
        return []
    wrong = ~np.isclose(got, expected, rtol=RTOL, atol=ATOL)
    message = f"{label} has the right shape {got.shape} but {int(wrong.sum())} of {got.size} values are wrong"
    if show_values:
        message += f".\n{_fmt(expected, '      expected: ')}\n{_fmt(got, '      got:      ')}"
    else:
        # No number here: even the largest difference would give away an expected value.
        message += "."
    return [Problem(message, label, specific, [_value_hints(expected, got)], fallback)]


def compare(expected, got, label, names=None, show_values=True, hints=None):
    """Every way in which ``got`` differs from ``expected``, as a list of sentences.

    ``expected`` may nest dicts, tuples and lists of arrays, numbers and ``Shaped`` placeholders;
    ``names`` mirrors a tuple's structure to name its items (a name, or ``(name, sub_names)``),
    ``hints`` maps a label to ``[(hint text, the array that mistake gives), ...]``.
    """
    hints = hints or {}
    if isinstance(expected, Shaped):
        # Only the shape is known, but a mistake's output of another type or shape still tells
        # what happened (the parts of a cache swapped), as on the cases whose values are known.
        return _array_problems(label, np.empty(expected.shape), got, False, hints.get(label, []), values_known=False)
    if isinstance(expected, np.ndarray):
        return _array_problems(label, expected, got, show_values, hints.get(label, []))
    if _is_number(expected):
        return _scalar_problem(label, float(expected), got, show_values, hints.get(label, []))
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [Problem(f"{label} should be a dict with keys {sorted(expected)}, got {describe(got)}.", label)]
        problems = []
        missing = sorted(set(expected) - set(got))
        extra = sorted(set(map(str, got)) - set(expected))
        if missing or extra:
            text = f"{label} has the wrong keys:"
            if missing:
                text += f" missing {missing}"
            if extra:
                text += f"{',' if missing else ''} unexpected {extra}"
            text += f". Expected exactly {sorted(expected, key=_key_order)}."
            # A dict of the wrong keys is a mistake's output when it has exactly the keys of that
            # output (keyed_mistakes: the right values under keys spelled or numbered otherwise);
            # its values are compared under the expected keys only, below.
            keys = set(map(str, got))
            specific = [
                hint
                for hint, candidate in hints.get(label, [])
                if isinstance(candidate, dict) and set(map(str, candidate)) == keys
            ]
            problems.append(Problem(text, label, specific, advice=[_key_hint(expected, map(str, got))]))
        for key in sorted(expected, key=_key_order):
            if key in got:
                problems += compare(expected[key], got[key], f"{label}['{key}']", None, show_values, hints)
        return problems
    if isinstance(expected, (tuple, list)):
        # A container of another type or length is compared whole with the mistakes' outputs
        # there (labelled_outputs stores them so): the array in place of a cache whose parts
        # are swapped, say.
        specific, fallback = _matching_hints(hints.get(label, []), got)
        if not isinstance(got, (tuple, list)):
            return [
                Problem(
                    f"{label} should be a tuple of {len(expected)} items, got {describe(got)}.",
                    label,
                    specific,
                    fallback=fallback,
                )
            ]
        if len(got) != len(expected):
            items = "item" if len(expected) == 1 else "items"
            return [
                Problem(
                    f"{label} should hold {len(expected)} {items}, got {len(got)}.", label, specific, fallback=fallback
                )
            ]
        problems = []
        for index, (want, have) in enumerate(zip(expected, got)):
            item_label, item_names = _item_name(label, names, index)
            problems += compare(want, have, item_label, item_names, show_values, hints)
        return problems
    raise TypeError(f"cannot compare against {type(expected).__name__}")


def _layer_numbers(keys):
    """{prefix: set of layer numbers} of keys such as 'W1', 'dA0'."""
    numbers = {}
    for key in keys:
        prefix = key.rstrip("0123456789")
        if prefix != key:
            numbers.setdefault(prefix, set()).add(int(key[len(prefix) :]))
    return numbers


def _key_hint(expected_keys, got_keys):
    """What is off with the layer numbers of a dict's keys, when a pattern shows (else None).
    The words fit any depth, so that the same hint can be given for every failing case."""
    want, have = _layer_numbers(expected_keys), _layer_numbers(got_keys)
    for prefix in sorted(want):
        expected, got = want[prefix], have.get(prefix, set())
        if got == expected:
            continue
        first, last = min(expected), max(expected)
        if got == {n + 1 for n in expected}:
            if prefix == "dA":
                return (
                    "the dA keys are one too high. The dA_prev that layer l returns is the "
                    "gradient with respect to that layer's input, so it goes under "
                    "'dA' + str(l - 1): the dA keys run from dA0 to dA{L-1}."
                )
            return f"the {prefix} keys are one too high: they run from {prefix}{first}, one per layer."
        if got == {n - 1 for n in expected}:
            return (
                f"the {prefix} keys are one too low: they start at {prefix}{first} "
                "(layers are numbered from 1; there is no W0 or b0)."
            )
        if got < expected and last not in got:
            return (
                f"the last layer's {prefix} is missing: does your loop stop one layer early? "
                "With range(a, b) the last value is b - 1."
            )
        if got < expected and first not in got:
            return (
                f"no {prefix}{first}: does your loop skip layer 1? Counting up it starts at 1; "
                "counting down, range(a, 0, -1) ends at 1."
            )
        if got > expected:
            return f"there are more {prefix} keys than layers: they run from {prefix}{first}, one per layer."
    return None


# ---------------------------------------------------------------------------------------------
# Mistakes in a dict's keys, recognised from the student's own keys (both assignments)
# ---------------------------------------------------------------------------------------------

MISSPELLED_KEYS = (
    "the keys are the expected ones spelled otherwise (another letter case, or an underscore "
    "or other mark between letter and number): spell each exactly as in the list of expected "
    'keys, e.g. "W" + str(l) gives W1, W2, ...'
)


def mistakes_in_keys(expected, got, names):
    """label -> [(hint, that mistake's output)]: this assignment's mistakes in the keys of a dict
    returned whole (``names`` a single name: parameters, grads), as ``compare`` takes hints.
    Keys spelled otherwise get ``MISSPELLED_KEYS``; the right values under renumbered keys the
    comparison's own advice on those keys (``_key_hint``), which, checked against every value
    under them, becomes a mistake that explains the whole output.  Worked out from the student's
    output ``got`` (None: there is none yet, and nothing is found), so the notebook's check works
    them out itself, as the grader does (hints.for_case): the practice file cannot hold them."""
    if not isinstance(names, str) or not isinstance(expected, dict) or not isinstance(got, dict):
        return {}
    renumbered_text = _key_hint(map(str, expected), map(str, got))
    return keyed_mistakes(expected, got, names, MISSPELLED_KEYS, renumbered_text)


def keyed_mistakes(expected, got, label, misspelled_text, renumbered_text):
    """label -> [(hint, that mistake's output)] for a dict output ``label`` whose keys are the
    expected ones spelled otherwise (``misspelled_text``) or numbered otherwise
    (``renumbered_text``; None: not named).  These mistakes are worked out from the student's
    own keys, since their spelling and numbering are the student's choice: the dict itself is
    matched by its keys (``compare``), and a renumbered dict's values under the keys the
    comparison looks at (the expected keys the student also has) by their values, as every
    mistake's are.  Empty when ``got`` (None while practice cases are made) is neither."""
    found = {}
    respelt = respelled(expected, got)
    if respelt is not None:
        found.setdefault(label, []).append((misspelled_text, respelt))
    moved = renumbered(expected, got)
    if moved is not None and renumbered_text:
        found.setdefault(label, []).append((renumbered_text, moved))
        for key, value in moved.items():
            found.setdefault(f"{label}['{key}']", []).append((renumbered_text, value))
    return found


def _spelling(key):
    """A key with its letter case and every mark that is not a letter or digit left out."""
    return "".join(character for character in str(key).lower() if character.isalnum())


def respelled(expected, got):
    """What a function returns that stores every expected value under the key ``got`` spells it
    with: ``expected`` with each key that ``got`` lacks renamed to the one key of ``got`` that is
    the same but for letter case and marks ("w1", "W_1" for "W1").  None unless ``got`` is a
    dict whose keys are exactly the expected ones, some of them spelled so.  Its values are the
    expected ones: the comparison looks at none under a key it does not expect."""
    if not (isinstance(expected, dict) and isinstance(got, dict)):
        return None
    want, have = {str(key) for key in expected}, {str(key) for key in got}
    missing, unexpected = want - have, have - want
    if not missing:
        return None
    spelled = {}
    for key in unexpected:
        spelled.setdefault(_spelling(key), []).append(key)
    renamed = {}
    for key in missing:
        candidates = spelled.get(_spelling(key), [])
        if len(candidates) != 1:
            return None
        renamed[key] = candidates[0]
    if set(renamed.values()) != unexpected:  # a key that is no expected one, however spelled
        return None
    return {renamed.get(str(key), key): value for key, value in expected.items()}


def _by_layer(keys):
    """{letters: {layer number: key}} of keys that are letters then a layer number (W1, dA0);
    None when a key is not."""
    layers = {}
    for key in map(str, keys):
        letters = key.rstrip("0123456789")
        if not letters or letters == key:
            return None
        layers.setdefault(letters, {})[int(key[len(letters) :])] = key
    return layers


def renumbered(expected, got):
    """What a function returns that stores every expected value under a layer number shifted by
    the same amount for all keys of one letter prefix (W0, b0, ... for W1, b1, ...: a loop
    counted from 0; dA1, dA2, ... for dA0, dA1, ...: the older convention of L_model_backward):
    ``expected`` with its keys numbered as ``got``'s are.  None unless ``got`` is a dict whose
    keys are exactly those, and not the expected ones."""
    if not (isinstance(expected, dict) and isinstance(got, dict)):
        return None
    want, have = _by_layer(expected), _by_layer(got)
    if want is None or have is None or set(want) != set(have):
        return None
    shifts = {}
    for letters, numbers in want.items():
        shift = min(have[letters]) - min(numbers)
        if {number + shift for number in numbers} != set(have[letters]):
            return None
        shifts[letters] = shift
    if not any(shifts.values()):
        return None
    return {
        f"{letters}{number + shifts[letters]}": expected[key]
        for letters, numbers in want.items()
        for number, key in numbers.items()
    }


def _key_order(key):
    """W1, b1, W2, ... sorted by layer number, then name."""
    digits = "".join(ch for ch in key if ch.isdigit())
    return (int(digits) if digits else -1, key)


def _item_name(label, names, index):
    """The label of item ``index`` of a tuple named by ``names``."""
    if names is None:
        return f"{label}[{index}]", None
    if isinstance(names, list):  # a list whose items all share one structure
        return f"{label}[{index}]", names[0]
    entry = names[index]
    if isinstance(entry, tuple):
        name, sub_names = entry
    else:
        name, sub_names = entry, None
    if label is None:
        return name, sub_names
    return f"{label}[{index}] ({name})", sub_names


def compare_returned(expected, got, names, show_values=True, hints=None):
    """Compare a function's whole return value; ``names`` names the returned items."""
    if isinstance(names, tuple):
        if not isinstance(got, tuple) or len(got) != len(expected):
            shown = describe(got)
            return [
                Problem(
                    f"the function should return a tuple of {len(expected)} values "
                    f"({', '.join(n if isinstance(n, str) else n[0] for n in names)}), got {shown}."
                )
            ]
        problems = []
        for index, (want, have) in enumerate(zip(expected, got)):
            label, sub_names = _item_name(None, names, index)
            problems += compare(want, have, label, sub_names, show_values, hints)
        return problems
    return compare(expected, got, names, None, show_values, hints)


def labelled_leaves(value, names, label=None):
    """(label, leaf) for every array or number in a returned value, labelled as ``compare``
    labels them (e.g. "db", "grads['dW1']", "cache[0] (A)")."""
    if isinstance(names, str) and label is None:
        label, names = names, None
    if isinstance(value, dict):
        for key, item in value.items():
            yield from labelled_leaves(item, None, f"{label}['{key}']")
    elif isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            item_label, item_names = _item_name(label, names, index)
            yield from labelled_leaves(item, item_names, item_label)
    else:
        yield label, value


def labelled_outputs(value, expected, names, label=None):
    """(label, part) for a classic mistake's output ``value``, labelled as ``compare`` meets its
    parts when it compares such an output with ``expected``: each part where ``expected`` holds
    an array or a number, and the whole part wherever the two part ways (a tuple where an array
    is expected, an array where a tuple is, a tuple of another length, a dict of other keys).
    ``compare`` matches a wrong output against the mistakes' outputs at its own label, so a
    mistake that returns the parts of a cache swapped is stored whole at each part's label,
    where ``labelled_leaves`` would split it into items that ``compare`` never looks up.  Parts
    under keys that ``expected`` lacks are left out: ``compare`` compares none."""
    if isinstance(names, str) and label is None:
        label, names = names, None
    if isinstance(expected, dict):
        if not isinstance(value, dict):
            yield label, value
            return
        if set(map(str, value)) != set(map(str, expected)):
            yield label, value
        for key in expected:
            if key in value:
                yield from labelled_outputs(value[key], expected[key], None, f"{label}['{key}']")
    elif isinstance(expected, (tuple, list)):
        if not isinstance(value, (tuple, list)) or len(value) != len(expected):
            yield label, value
            return
        for index, (item, want) in enumerate(zip(value, expected)):
            item_label, item_names = _item_name(label, names, index)
            yield from labelled_outputs(item, want, item_names, item_label)
    else:
        yield label, value


def unchanged_problems(before, after, label="argument"):
    """Sentences naming the input arrays a call modified in place."""
    if type(after) is not type(before):
        return [f"{label} was replaced or modified in place; work on a copy instead."]
    if isinstance(before, np.ndarray):
        same = (
            isinstance(after, np.ndarray)
            and after.shape == before.shape
            and np.array_equal(after, before, equal_nan=True)
        )
        return [] if same else [f"{label} was modified in place; work on a copy instead."]
    if isinstance(before, dict):
        return [p for key in before for p in unchanged_problems(before[key], after.get(key), f"{label}['{key}']")]
    if isinstance(before, (tuple, list)):
        return [p for i, (b, a) in enumerate(zip(before, after)) for p in unchanged_problems(b, a, f"{label}[{i}]")]
    return []


def signature_defaults(function, names):
    """{name: default} of the parameters ``names`` of ``function`` that its signature gives a
    default (``inspect.signature``: the def line, as written); {} when the signature cannot be
    read (not a Python function, say)."""
    import inspect

    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return {}
    return {
        name: parameters[name].default
        for name in names
        if name in parameters and parameters[name].default is not inspect.Parameter.empty
    }


def keeps_defaults(function, defaults):
    """Whether ``function``'s def line gives each parameter of ``defaults`` (name -> the default
    the notebook's def line gives it) exactly that default: the same type and an equal value
    (``num_iterations=3000.0`` is not ``3000``: ``range`` refuses it).

    A case that leaves parameters to their defaults (a model called with X, Y and layers_dims
    only) then runs exactly as the explicit call with those values, so its checks, the notebook's
    and the grader's, take this answer instead of running it (3000 iterations, most of a
    model's checking time); a def line that changes a default runs the case for real and is
    judged on what it returns and prints."""
    given = signature_defaults(function, defaults)
    return len(given) == len(defaults) and all(
        type(given[name]) is type(value) and given[name] == value for name, value in defaults.items()
    )


# ---------------------------------------------------------------------------------------------
# The visible tests
# ---------------------------------------------------------------------------------------------

# What each function returns, named item by item (see ``compare``).
LINEAR_CACHE = ("linear_cache", ("A_prev", "W", "b"))
LAYER_CACHE = (LINEAR_CACHE, "Z")
RETURN_NAMES = {
    "initialize_parameters": "parameters",
    "initialize_parameters_deep": "parameters",
    "linear_forward": ("Z", ("cache", ("A", "W", "b"))),
    "linear_activation_forward": ("A", ("cache", LAYER_CACHE)),
    "L_model_forward": ("AL", ("caches", [LAYER_CACHE])),
    "compute_cost": "cost",
    "linear_backward": ("dA_prev", "dW", "db"),
    "linear_activation_backward": ("dA_prev", "dW", "db"),
    "L_model_backward": "grads",
    "update_parameters": "parameters",
}

# Each function's arguments, by name, and those it may change in place: update_parameters may
# update `parameters` in place, but must leave `grads` alone; every other argument stays as given.
ARGUMENT_NAMES = {
    "initialize_parameters": ("n_x", "n_h", "n_y"),
    "initialize_parameters_deep": ("layer_dims",),
    "linear_forward": ("A", "W", "b"),
    "linear_activation_forward": ("A_prev", "W", "b", "activation"),
    "L_model_forward": ("X", "parameters"),
    "compute_cost": ("AL", "Y"),
    "linear_backward": ("dZ", "cache"),
    "linear_activation_backward": ("dA", "cache", "activation"),
    "L_model_backward": ("AL", "Y", "caches"),
    "update_parameters": ("parameters", "grads", "learning_rate"),
}
MAY_MODIFY = {"update_parameters": ("parameters",)}


def modified_arguments(name, before, after):
    """Sentences naming the arguments a call of ``name`` changed although it must not; empty for
    a function not in ARGUMENT_NAMES (its arguments have no names here)."""
    return [
        problem
        for arg, old, new in zip(ARGUMENT_NAMES.get(name, ()), before, after)
        if arg not in MAY_MODIFY.get(name, ())
        for problem in unchanged_problems(old, new, arg)
    ]


def _visible_cases():
    """(name, part) -> (description, arguments, expected).  Values from the reference solution,
    rounded to 8 decimals as they appear in the notebook."""
    a = np.array
    cases = {}
    cases["initialize_parameters", None] = (
        "initialize_parameters(3, 2, 1)",
        (3, 2, 1),
        {
            "W1": a([[0.01624345, -0.00611756, -0.00528172], [-0.01072969, 0.00865408, -0.02301539]]),
            "b1": a([[0.0], [0.0]]),
            "W2": a([[0.01744812, -0.00761207]]),
            "b2": a([[0.0]]),
        },
    )
    cases["initialize_parameters_deep", None] = (
        "initialize_parameters_deep([5, 4, 3])",
        ([5, 4, 3],),
        {
            "W1": a(
                [
                    [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388],
                    [-0.00354759, -0.00082741, -0.00627001, -0.00043818, -0.00477218],
                    [-0.01313865, 0.00884622, 0.00881318, 0.01709573, 0.00050034],
                    [-0.00404677, -0.0054536, -0.01546477, 0.00982367, -0.01101068],
                ]
            ),
            "b1": np.zeros((4, 1)),
            "W2": a(
                [
                    [-0.01185047, -0.0020565, 0.01486148, 0.00236716],
                    [-0.01023785, -0.00712993, 0.00625245, -0.00160513],
                    [-0.00768836, -0.00230031, 0.00745056, 0.01976111],
                ]
            ),
            "b2": np.zeros((3, 1)),
        },
    )
    A, W, b = test_cases.linear_forward_test_case()
    cases["linear_forward", None] = (
        "linear_forward(*linear_forward_test_case())",
        (A, W, b),
        (a([[3.26295337, -1.23429987]]), (A, W, b)),
    )
    A_prev, W, b = test_cases.linear_activation_forward_test_case()
    for activation, values in (("sigmoid", [[0.96890023, 0.11013289]]), ("relu", [[3.43896131, 0.0]])):
        cases["linear_activation_forward", activation] = (
            f'linear_activation_forward(*linear_activation_forward_test_case(), activation="{activation}")',
            (A_prev, W, b, activation),
            (a(values), ((A_prev, W, b), Shaped(1, 2))),
        )
    X, parameters = test_cases.L_model_forward_test_case_2hidden()
    p = parameters
    cases["L_model_forward", None] = (
        "L_model_forward(*L_model_forward_test_case_2hidden())",
        (X, parameters),
        (
            a([[0.03921668, 0.70498921, 0.19734387, 0.04728177]]),
            [
                ((X, p["W1"], p["b1"]), Shaped(4, 4)),
                ((Shaped(4, 4), p["W2"], p["b2"]), Shaped(3, 4)),
                ((Shaped(3, 4), p["W3"], p["b3"]), Shaped(1, 4)),
            ],
        ),
    )
    Y, AL = test_cases.compute_cost_test_case()
    cases["compute_cost", None] = (
        "compute_cost(AL, Y) with Y, AL = compute_cost_test_case()",
        (AL, Y),
        0.2797765635793422,
    )
    dZ, linear_cache = test_cases.linear_backward_test_case()
    cases["linear_backward", None] = (
        "linear_backward(*linear_backward_test_case())",
        (dZ, linear_cache),
        (
            a(
                [
                    [-1.15171336, 0.06718465, -0.3204696, 2.09812712],
                    [0.60345879, -3.72508701, 5.81700741, -3.84326836],
                    [-0.4319552, -1.30987417, 1.72354705, 0.05070578],
                    [-0.38981415, 0.60811244, -1.25938424, 1.47191593],
                    [-2.52214926, 2.67882552, -0.67947465, 1.48119548],
                ]
            ),
            a(
                [
                    [0.07313866, -0.0976715, -0.87585828, 0.73763362, 0.00785716],
                    [0.85508818, 0.37530413, -0.59912655, 0.71278189, -0.58931808],
                    [0.97913304, -0.24376494, -0.08839671, 0.55151192, -0.10290907],
                ]
            ),
            a([[-0.14713786], [-0.11313155], [-0.13209101]]),
        ),
    )
    dA, cache = test_cases.linear_activation_backward_test_case()
    cases["linear_activation_backward", "sigmoid"] = (
        'linear_activation_backward(*linear_activation_backward_test_case(), activation="sigmoid")',
        (dA, cache, "sigmoid"),
        (
            a([[0.11017994, 0.01105339], [0.09466817, 0.00949723], [-0.05743092, -0.00576154]]),
            a([[0.10266786, 0.09778551, -0.01968084]]),
            a([[-0.05729622]]),
        ),
    )
    cases["linear_activation_backward", "relu"] = (
        'linear_activation_backward(*linear_activation_backward_test_case(), activation="relu")',
        (dA, cache, "relu"),
        (
            a([[0.44090989, 0.0], [0.37883606, 0.0], [-0.2298228, 0.0]]),
            a([[0.44513824, 0.37371418, -0.10478989]]),
            a([[-0.20837892]]),
        ),
    )
    AL, Y, caches = test_cases.L_model_backward_test_case()
    cases["L_model_backward", None] = (
        "L_model_backward(*L_model_backward_test_case())",
        (AL, Y, caches),
        {
            "dA0": a([[0.0, 0.52257901], [0.0, -0.3269206], [0.0, -0.32070404], [0.0, -0.74079187]]),
            "dA1": a([[0.12913162, -0.44014127], [-0.14175655, 0.48317296], [0.01663708, -0.05670698]]),
            "dW1": a(
                [
                    [0.41010002, 0.07807203, 0.13798444, 0.10502167],
                    [0.0, 0.0, 0.0, 0.0],
                    [0.05283652, 0.01005865, 0.01777766, 0.0135308],
                ]
            ),
            "db1": a([[-0.22007063], [0.0], [-0.02835349]]),
            "dW2": a([[-0.39202432, -0.13325855, -0.04601089]]),
            "db2": a([[0.15187861]]),
        },
    )
    parameters, grads = test_cases.update_parameters_test_case()
    cases["update_parameters", None] = (
        "update_parameters(*update_parameters_test_case(), learning_rate=0.1)",
        (parameters, grads, 0.1),
        {
            "W1": a(
                [
                    [-0.59562069, -0.09991781, -2.14584584, 1.82662008],
                    [-1.76569676, -0.80627147, 0.51115557, -1.18258802],
                    [-1.0535704, -0.86128581, 0.68284052, 2.20374577],
                ]
            ),
            "b1": a([[-0.04659241], [-1.28888275], [0.53405496]]),
            "W2": a([[-0.55569196, 0.0354055, 1.32964895]]),
            "b2": a([[-0.84610769]]),
        },
    )
    return cases


def visible_case(name, part=None):
    """(description, arguments, expected) of the visible test of ``name`` (and ``part``)."""
    return _visible_cases()[name, part]


def accepted_routes(name, part=None):
    """[(route, output on the visible case)] of the other correct answers of ``name``.

    The visible cases keep the original exercise's seeded draws, so some break a promise of the
    function's contract: in the L_model_backward case AL is a random draw, not the sigmoid of
    the last cache's Z, and in the linear_activation_backward case the cached Z is not
    W A_prev + b.  An answer that relies on the promise (dZ = AL - Y for the output layer, or Z
    recomputed from the linear cache) is right for every input the contract allows, but gives
    other numbers on these inputs; such an answer passes.  The routes and their outputs come
    from the practice file, where the grader's routes
    (dnngrader/assignments/dnn_step_by_step/routes.py) computed them; empty when that file is
    missing."""
    extras = visible_extras(name, part)
    return extras[2] if extras is not None else []


def _matches_route(output, returned, names):
    """Whether ``returned`` equals a route's output, as ``compare`` compares (the rounding of
    the values written above is well within its tolerance)."""
    return not compare_returned(output, returned, names)


# ---------------------------------------------------------------------------------------------
# The correct callees the check lends a function (the practice cases: test_cases.py)
# ---------------------------------------------------------------------------------------------

# The graded functions each function calls, directly or through another.  While a function is
# checked, these names in its namespace answer as correct versions would (as the grader lends it
# the reference versions: dnngrader/judge/delivery.py), so a mistake in a callee costs only the callee.
CALLEES = {
    "linear_activation_forward": ("linear_forward",),
    "L_model_forward": ("linear_forward", "linear_activation_forward"),
    "linear_activation_backward": ("linear_backward",),
    "L_model_backward": ("linear_backward", "linear_activation_backward"),
}
# The provided helpers, lent as provided (dnn_utils.py) whatever the notebook redefined.
HELPERS = ("sigmoid", "relu", "sigmoid_backward", "relu_backward")
_MISSING = object()


def bind_arguments(name, args, kwargs):
    """The positional arguments of a call of graded function ``name``, keywords put in place;
    None when they do not fit its parameters."""
    names = ARGUMENT_NAMES[name]
    if len(args) > len(names) or set(kwargs) - set(names[len(args) :]):
        return None
    if any(parameter not in kwargs for parameter in names[len(args) :]):
        return None
    return tuple(args) + tuple(kwargs[parameter] for parameter in names[len(args) :])


def same_inputs(recorded, given):
    """Whether the inputs ``given`` to a call are those ``recorded`` (arrays and numbers within
    the comparison's tolerance, strings equal, containers item by item)."""
    if isinstance(recorded, str) or isinstance(given, str):
        return isinstance(recorded, str) and isinstance(given, str) and recorded == given
    if recorded is None or given is None:
        return recorded is None and given is None
    if isinstance(recorded, dict):
        return (
            isinstance(given, dict)
            and set(map(str, given)) == set(recorded)
            and all(same_inputs(recorded[key], given[key]) for key in recorded)
        )
    if isinstance(recorded, (tuple, list)):
        return (
            isinstance(given, (tuple, list))
            and len(given) == len(recorded)
            and all(same_inputs(want, have) for want, have in zip(recorded, given))
        )
    if isinstance(given, (dict, tuple, list)):
        return False
    try:
        recorded, given = np.asarray(recorded, dtype=float), np.asarray(given, dtype=float)
    except (TypeError, ValueError):
        return False
    return recorded.shape == given.shape and bool(np.allclose(given, recorded, rtol=RTOL, atol=ATOL, equal_nan=True))


def _stand_in(callee, calls, own, answered_by_own, inside_own):
    """A function that answers as a correct ``callee`` for the recorded inputs ``calls`` and
    otherwise calls ``own`` (the notebook's own ``callee``), noting that in ``answered_by_own``
    unless the call comes from inside another such fallback (``inside_own``: a one-item list
    counting the fallbacks running)."""

    def stand_in(*args, **kwargs):
        bound = bind_arguments(callee, args, kwargs)
        if bound is not None:
            for arguments, output in calls:
                if same_inputs(arguments, bound):
                    return from_json(output)
        if not inside_own[0] and callee not in answered_by_own:
            answered_by_own.append(callee)
        if own is _MISSING:
            raise NameError(f"name '{callee}' is not defined")
        inside_own[0] += 1
        try:
            return own(*args, **kwargs)
        finally:
            inside_own[0] -= 1

    stand_in.__name__ = stand_in.__qualname__ = callee
    return stand_in


@contextlib.contextmanager
def names_set(namespace, values):
    """While the block runs, each name of ``values`` in ``namespace`` (a dict) is bound to its
    value; afterwards each is put back as it was, or removed if it was not there, even when the
    block raises.  The grader lends its callees the same way (dnngrader/kernel/runtime.py)."""
    saved = {key: namespace.get(key, _MISSING) for key in values}
    try:
        namespace.update(values)
        yield
    finally:
        for key, value in saved.items():
            if value is _MISSING:
                namespace.pop(key, None)
            else:
                namespace[key] = value


@contextlib.contextmanager
def lent_callees(function, name, calls, answered_by_own):
    """While the block runs, ``function`` (graded function ``name``) calls correct versions of
    the graded functions it calls (``calls``: callee -> recorded calls; None lends none) and the
    provided helpers.  Its namespace (``function.__globals__``, the notebook's) is put back as
    it was afterwards, even when the block raises."""
    namespace = getattr(function, "__globals__", None)
    if not isinstance(namespace, dict):
        yield
        return
    callees = CALLEES.get(name, ()) if calls is not None else ()
    inside_own = [0]
    lent = {
        callee: _stand_in(callee, calls.get(callee, []), namespace.get(callee, _MISSING), answered_by_own, inside_own)
        for callee in callees
    }
    lent.update({helper: getattr(dnn_utils, helper) for helper in HELPERS})
    with names_set(namespace, lent):
        yield


def _own_callee_note(name, callees):
    """The note for a case in which the function's own callees answered some calls."""
    own = " and ".join(callees)
    return (
        f"{name} called {own} with inputs that a correct {name} does not pass here, so your own "
        f"{own} answered those calls (the grader would use a correct {own})."
    )


class CheckFailed(AssertionError):
    """A visible check that did not pass.  Its message holds everything the student needs to fix
    the mistake (each failing case and its problems, what passed, then the hints), so the failure
    reads the same wherever it is shown: in the notebook, in nbgrader's Validate dialog and output
    (which show the error's traceback), and in a log.  In a notebook it is shown without a
    traceback into this module: IPython shows what ``_render_traceback_`` returns instead of the
    frames.

    ``failures`` is a list of (case title, problems, notes); ``passed`` names the cases that
    passed; ``total`` is the number of cases checked."""

    def __init__(self, name, failures, hints, passed=(), total=1):
        self.name = name
        self.lines = []
        for title, problems, notes in failures:
            self.lines.append(f"\u2717 {title}")
            self.lines += [f"    \u2717 {problem}" for problem in problems]
            self.lines += [f"    note: {note}" for note in notes]
        if passed:
            self.lines.append(f"\u2713 passed: {', '.join(passed)}.")
        self.lines += list(hints)
        count = sum(len(problems) for _, problems, _ in failures)
        where = f" in {len(failures)} of {total} cases" if total > 1 else ""
        self.summary = (
            f"{name} does not pass its visible check: {count} problem{'s' if count != 1 else ''}"
            f"{where} (above). Fix {'it' if count == 1 else 'them'} and run this cell again."
        )
        super().__init__("\n".join(self.lines + [self.summary]))

    def _render_traceback_(self):
        return self.lines + [f"{type(self).__name__}: {self.summary}"]


def _judge_case(name, expected, returned, before, arguments, hints, routes):
    """(problems, the accepted route or None) of one case, as the grader judges a case.  ``hints``
    are the practice file's; the mistakes in a dict's keys, which depend on the student's keys,
    are worked out here from ``returned``, as the grader's hints.for_case works them out."""
    names = RETURN_NAMES[name]
    hints = {label: list(entries) for label, entries in hints.items()}
    for label, entries in mistakes_in_keys(expected, returned, names).items():
        hints.setdefault(label, []).extend(entries)
    problems = compare_returned(expected, returned, names, hints=hints)
    route = None
    if problems:
        route = next((description for description, output in routes if _matches_route(output, returned, names)), None)
        if route:
            problems = []
    return problems + modified_arguments(name, before, arguments), route


NOT_RUN_HERE = (
    "The grader also runs hidden cases (other sizes and depths, a single example, large "
    "values), which you cannot run here."
)


def check(name, function, part=None):
    """Run ``function`` on its visible test case, then on its practice cases, each with correct
    versions of the functions it calls, and explain every difference from the expected outputs
    as the grader would.  Raises CheckFailed (an AssertionError) when something is wrong; its
    message lists every failing case's problems, then the hints."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        # The grader checks these cases itself, outside your notebook's kernel.
        return
    description, arguments, expected = visible_case(name, part)
    extras = visible_extras(name, part)
    visible_hints, visible_calls, visible_routes = extras if extras is not None else ({}, None, [])
    practice = practice_cases(name, part) or []
    print(f"Checking {description}")
    before = copy.deepcopy(arguments)
    own = []
    try:
        with lent_callees(function, name, visible_calls, own):
            returned = function(*arguments)
    except Exception as error:  # the student's traceback is more useful than ours here
        print(f"  \u2717 it {raised(error)}")
        raise
    visible_title = f"the visible case, {description}"
    problems, route = _judge_case(name, expected, returned, before, arguments, visible_hints, visible_routes)
    results = [(visible_title, problems, route, [_own_callee_note(name, own)] if own else [])]
    for case in practice:
        arguments = case.arguments()
        before, own = copy.deepcopy(arguments), []
        try:
            with np.errstate(all="ignore"), lent_callees(function, name, case.calls, own):
                returned = function(*arguments)
        except Exception as error:
            # A Problem, as in the grader's verdict: a case that returned nothing is a failing
            # output that no classic mistake explains, so no hint is named that it contradicts.
            problems, route = (
                [Problem(f"it {raised(error)} (run {case.call} in a cell of your own to see where).")],
                None,
            )
        else:
            problems, route = _judge_case(name, case.expected, returned, before, arguments, case.hints, case.routes)
        title = f"practice case {case.number} of {len(practice)}, {case.description}: {case.call}"
        results.append((title, problems, route, [_own_callee_note(name, own)] if own else []))
    failing = [(title, problems, notes) for title, problems, _, notes in results if problems]
    if failing:
        # Raised without printing first: the error shows the problems, once, wherever it is shown.
        # The grader's rule (its verdict calls hint_lines too): the generic hint only when the
        # visible case passes and no hint explains the failure.
        hints = hint_lines(
            [problems for _, problems, _ in failing],
            unexplained=None if results[0][1] else generic_hint("practice cases"),
        )
        passed = [_short_title(title) for title, problems, _, _ in results if not problems]
        raise CheckFailed(name, failing, hints, passed, len(results))
    route = results[0][2]
    if route:
        print(
            f"  \u2713 {_returned_names(name)}: as expected for another correct route, {route}. "
            "This case's inputs do not keep that promise, so the numbers differ from the ones "
            "shown in the notebook; the grader accepts this route too."
        )
    else:
        print(f"  \u2713 {_returned_names(name)}: types, shapes and values as expected.")
    if name in MAY_MODIFY:
        print(
            f"  \u2713 leaves its inputs unchanged, except {', '.join(MAY_MODIFY[name])} "
            "(which it may update in place)."
        )
    else:
        print("  \u2713 leaves its inputs unchanged.")
    for (_, _, route, _), case in zip(results[1:], practice):
        accepted = f": as expected for another correct route, {route}" if route else ""
        print(f"  \u2713 practice case {case.number}: {case.description}{accepted}.")
    noted = {}
    for index, (_, _, _, notes) in enumerate(results):
        for note in notes:
            noted.setdefault(note, []).append(index)
    for note, indices in noted.items():
        print(f"  note ({_which_cases(indices, len(results))}): {note}")
    if extras is None:
        print(
            f"  (no practice cases: {PRACTICE_FILE} is missing next to the notebook; copy it back "
            "from the assignment's release to run them.)"
        )
    elif CALLEES.get(name):
        print(
            f"  (each case ran with correct versions of {' and '.join(CALLEES[name])}, as the grader "
            "runs it: a mistake in those is charged to them, not here.)"
        )
    count = len(practice)
    which = (
        f"the visible case and {count} practice case{'s' if count != 1 else ''}" if count else "the visible case only"
    )
    print(f"All visible checks passed: {which}. {NOT_RUN_HERE}")


def _which_cases(indices, total):
    """Words for the cases at ``indices`` of ``total`` (0 is the visible case, n practice case n)."""
    if len(indices) == total and total > 1:
        return "every case"
    practice = [str(index) for index in indices if index > 0]
    words = ["the visible case"] if 0 in indices else []
    if practice:
        words.append(f"practice case{'s' if len(practice) > 1 else ''} {', '.join(practice)}")
    return " and ".join(words)


def _short_title(title):
    """ "the visible case" or "practice case 2 of 5" from a case's full title."""
    return title.split(",", 1)[0]


def _returned_names(name):
    names = RETURN_NAMES[name]
    if isinstance(names, str):
        return names
    return ", ".join(entry if isinstance(entry, str) else entry[0] for entry in names)


# ---------------------------------------------------------------------------------------------
# What a function prints (the second assignment's models and predict state it in the notebook)
# ---------------------------------------------------------------------------------------------

# A number as Python and NumPy print one: 0.6931..., 1e-05, -3, nan, inf.
_NUMBER = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?\b(?:nan|inf)\b"


def printed_lines(text):
    """The non-blank lines of printed ``text``, without trailing spaces."""
    return [line.rstrip() for line in (text or "").splitlines() if line.strip()]


def same_printed_line(want, got, numbers=True):
    """Whether the printed line ``got`` says what ``want`` says: the same words and (with
    ``numbers``) the same numbers, each within the comparison's tolerance (RTOL, ATOL)."""
    import re

    if re.sub(_NUMBER, "#", want).strip() != re.sub(_NUMBER, "#", got).strip():
        return False
    if not numbers:
        return True
    expected = np.array([float(number) for number in re.findall(_NUMBER, want)])
    printed = np.array([float(number) for number in re.findall(_NUMBER, got)])
    return bool(np.allclose(printed, expected, rtol=RTOL, atol=ATOL, equal_nan=True))


def printed_problems(rule, expected_text, got_text, show_values, numbers=True):
    """Sentences saying how the printed ``got_text`` breaks ``rule`` (the sentence the notebook
    states), judged against ``expected_text``, what the reference printed on the same inputs:
    the same number of lines, each with the same words and, with ``numbers``, the same numbers
    within the tolerance.  [] when it keeps the rule.  ``show_values``: the lines themselves may
    be quoted (a visible case).  Without ``numbers`` (the returned values are wrong already, so
    the printed costs cannot be right) only the lines' number and words are judged: wrong costs
    are said once, not twice.  The grader judges printing with this function too."""
    want, got = printed_lines(expected_text), printed_lines(got_text)
    if not got and not want:
        return []
    plural = "s" if len(got) != 1 else ""
    if not want:
        first = f" (the first: {got[0][:80]!r})" if show_values else ""
        return [f"it printed {len(got)} line{plural}{first} where it should print nothing (the rule: {rule})"]
    if len(got) != len(want):
        return [f"it printed {len(got)} line{plural} instead of {len(want)} (the rule: {rule})"]
    for number, (expected, printed) in enumerate(zip(want, got), start=1):
        if not same_printed_line(expected, printed, numbers):
            if show_values:
                return [f"printed line {number} reads {printed[:100]!r} instead of {expected!r} (the rule: {rule})"]
            return [f"printed line {number} is not the line the rule asks for (the rule: {rule})"]
    return []
