"""The practice cases' data file, made from the reference solution at build time.

    dnngrader practice-cases          write source/dnn_step_by_step/practice_cases.json
    dnngrader practice-cases --check  exit 1 if that file is not what would be written

The notebook's check (``dnn_checks.check``) runs every function on its visible case and on
practice cases of other sizes and depths, as the grader runs its hidden cases, but without the
reference solution, which students do not have.  So everything the check needs from the
reference is computed here and shipped next to the notebook, as data, never as code:

- each practice case's inputs (drawn by ``test_cases.practice_recipes``; for ``L_model_backward``
  AL and the caches of a real forward pass) and its expected output;
- for the visible and the practice cases, the output of every classic mistake the grader
  recognises (``hints.for_case``), so that the notebook gives the grader's hints, and of every
  other correct route (``routes.outputs``) that differs from the expected output;
- for the visible and the practice cases, what the reference versions of the functions a
  function calls (``dnn_checks.CALLEES``) return for the inputs that the reference function,
  its classic mistakes and its routes pass them: during the check, stand-ins answer from this
  record, so a function is checked with correct callees, as the grader checks it.

The practice cases are not the hidden cases (dnngrader/assignments/dnn_step_by_step/cases.py): other seeds, other sizes.
Every float is rounded to ``test_cases.SIGNIFICANT_DIGITS`` before anything is computed from it
(the callees' recorded outputs too), so the file is the same byte for byte on every run, and the
check computes from exactly the numbers the file holds.
"""

import argparse
import copy
import json
import sys

from dnngrader.kernel.notebook import dnn_checks
from dnngrader.kernel.notebook import test_cases
from dnngrader.assignments.dnn_step_by_step import hints
from dnngrader.assignments import reference
from dnngrader.kernel import lending
from dnngrader.assignments.dnn_step_by_step import routes
from dnngrader.paths import ASSIGNMENT, COURSE_ROOT, GRADED_FUNCTIONS

PRACTICE_PATH = COURSE_ROOT / "source" / ASSIGNMENT / test_cases.PRACTICE_FILE
ABOUT = (
    "Practice cases of the notebook's checks (dnn_checks.check), generated from the instructor's "
    "solution by `dnngrader release`; do not edit. Per function: the inputs and expected "
    "outputs of its practice cases, the outputs of classic mistakes (for the hints), of other "
    "correct routes, and of correct callees for the inputs they are given. Floats are rounded "
    f"to {test_cases.SIGNIFICANT_DIGITS} significant digits."
)


def _round_trip(value):
    """``value`` as the check will read it back from the file (floats rounded)."""
    return test_cases.from_json(test_cases.to_json(value))


class RecordingReference:
    """A fresh reference module in which the callees of one function record every call: the
    inputs (as passed, keywords put in place) and the output, rounded as stored, which is also
    what the call returns, so that everything downstream is computed from the stored numbers."""

    def __init__(self, function, cells):
        self.module = lending.module_of(cells, GRADED_FUNCTIONS)
        self.calls = []
        for callee in dnn_checks.CALLEES.get(function, ()):
            setattr(self.module, callee, self._recording(callee, getattr(self.module, callee)))

    def _recording(self, callee, real):
        def recorded(*args, **kwargs):
            output = _round_trip(real(*copy.deepcopy(args), **copy.deepcopy(kwargs)))
            bound = dnn_checks.bind_arguments(callee, args, kwargs)
            if bound is not None:
                entry = (callee, test_cases.to_json(bound), test_cases.to_json(output))
                if entry not in self.calls:
                    self.calls.append(entry)
            return copy.deepcopy(output)

        recorded.__name__ = callee
        return recorded

    def recorded_calls(self):
        """The calls recorded so far, as stored: [callee, arguments, output], deduplicated."""
        return [list(entry) for entry in self.calls]


def _hints(function, args, ref, texts):
    """label -> [[index of the hint's text, the mistake's output or None]] for one case."""
    found = hints.for_case(function, args, None, ref)
    stored = {}
    for label, entries in found.items():
        for text, value in entries:
            if text not in texts:
                texts.append(text)
            stored.setdefault(label, []).append(
                [texts.index(text), None if value is None else test_cases.to_json(value)]
            )
    return stored


def _arguments(name, recipe, plain):
    """The arguments of a practice case from its recipe (test_cases.practice_recipes)."""
    if name == "L_model_backward":
        X, parameters, Y = recipe
        AL, caches = plain.L_model_forward(X, parameters)
        return _round_trip((AL, Y, caches))
    return _round_trip(recipe)


def _other_routes(name, args, expected, module, names):
    """[[route, its output as JSON]] of the other correct routes (routes.outputs) whose output
    on ``args`` differs from ``expected``; computing them also records the calls they make."""
    return [
        [text, test_cases.to_json(output)]
        for text, output in routes.outputs(name, args, module)
        if dnn_checks.compare_returned(expected, _round_trip(output), names)
    ]


def _entry(name, part, cells, plain, texts):
    """The file's entry for one function (and part)."""
    names = dnn_checks.RETURN_NAMES[name]
    _, visible_args, _ = dnn_checks.visible_case(name, part)
    ref = RecordingReference(name, cells)
    visible_hints = _hints(name, visible_args, ref.module, texts)
    visible_expected = _round_trip(getattr(ref.module, name)(*copy.deepcopy(visible_args)))
    entry = {
        "visible": {
            "hints": visible_hints,
            "routes": _other_routes(name, visible_args, visible_expected, ref.module, names),
            "calls": ref.recorded_calls(),
        },
        "practice": [],
    }
    for description, recipe in test_cases.practice_recipes()[name, part]:
        args = _arguments(name, recipe, plain)
        ref = RecordingReference(name, cells)
        expected = _round_trip(getattr(ref.module, name)(*copy.deepcopy(args)))
        case_hints = _hints(name, args, ref.module, texts)
        other_routes = _other_routes(name, args, expected, ref.module, names)
        entry["practice"].append(
            {
                "description": description,
                "arguments": test_cases.to_json(args),
                "expected": test_cases.to_json(expected),
                "hints": case_hints,
                "routes": other_routes,
                "calls": ref.recorded_calls(),
            }
        )
    return entry


def build(path=None):
    """The practice file's content (a dict), from the solutions of the source notebook at ``path``."""
    cells = reference.solution_sources() if path is None else reference.solution_sources(path)
    plain = lending.module_of(cells, GRADED_FUNCTIONS)
    texts = []
    functions = {}
    for name, part in sorted(
        test_cases.practice_recipes(), key=lambda key: (GRADED_FUNCTIONS.index(key[0]), str(key[1]))
    ):
        functions[test_cases.practice_key(name, part)] = _entry(name, part, cells, plain, texts)
    return {"about": ABOUT, "hints": texts, "functions": functions}


def render(data):
    """The file's bytes: one function per line, keys in a fixed order, floats as Python writes
    them (the shortest text that reads back the same number)."""
    lines = [
        "{",
        f' "about": {json.dumps(data["about"])},',
        f' "hints": {json.dumps(data["hints"])},',
        ' "functions": {',
    ]
    items = list(data["functions"].items())
    for index, (key, entry) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        lines.append(f"  {json.dumps(key)}: {json.dumps(entry, separators=(',', ':'))}{comma}")
    lines += [" }", "}", ""]
    return "\n".join(lines).encode("utf-8")


def write(target=PRACTICE_PATH):
    """Write the practice file; returns its path."""
    target.write_bytes(render(build()))
    return target


def stale(target=PRACTICE_PATH):
    """Whether the practice file is missing or differs from what ``write`` would write."""
    return not target.is_file() or target.read_bytes() != render(build())


def main(argv=None):
    """The command line (see the module's docstring); returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="dnngrader practice-cases",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--check", action="store_true", help="only check that the file is up to date")
    args = parser.parse_args(argv)
    if args.check:
        if stale():
            print(f"out of date: {PRACTICE_PATH.relative_to(COURSE_ROOT)} (run `make release`)")
            return 1
        return 0
    print(f"wrote {write().relative_to(COURSE_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
