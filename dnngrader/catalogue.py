"""The catalogue of answers (catalogue/wrong, catalogue/valid) and its grading through nbgrader.

Every file of the catalogue holds one function definition whose docstring says what it is;
wrong answers start it with their kind in brackets, e.g. ``[scale] Sums dZ over axis 0 ...``.
The file name is ``<function>__<what>.py``.

To keep grading fast, entries are packed several to a submission.  A pack holds at most one
entry per function, and no two wrong entries of one dependency chain (linear_forward →
linear_activation_forward → L_model_forward, and the same backward), so every function of a
pack without a wrong entry of its own must keep full marks: it shows that a wrong callee, or
any other mistake in the notebook, costs nothing outside its own function.
"""

import ast
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook

from . import export, samples
from .paths import COURSE_ROOT, GRADED_FUNCTIONS

CATALOGUE = COURSE_ROOT / "catalogue"

KINDS = {
    "shapes": "transposed or otherwise wrong shapes",
    "init": "wrong draw order or distribution in initialisation",
    "loop": "off-by-one layer loops",
    "cache": "wrong cache contents or order",
    "scale": "a missing 1/m or the wrong summation axis",
    "mixup": "activation and derivative mix-ups, and sign errors",
    "keys": "wrong keys in the gradient dictionary, and returns in the wrong order",
    "scalar": "2-D results where a scalar is expected",
    "sizes": "code that only works for the visible case's sizes or depth",
    "term": "a term or factor left out",
    "inputs": "inputs changed in place",
}

CHAINS = (
    ("linear_forward", "linear_activation_forward", "L_model_forward"),
    ("linear_backward", "linear_activation_backward", "L_model_backward"),
)


def chain_of(function):
    """The dependency chain a function belongs to (a function on its own is its own chain)."""
    return next((chain for chain in CHAINS if function in chain), (function,))


@dataclass(frozen=True)
class Entry:
    name: str          # the file's stem, e.g. "linear_backward__db_summed_over_axis0"
    function: str
    valid: bool
    kind: str          # a key of KINDS, or "valid"
    description: str   # the docstring's first sentence(s), without the kind
    code: str


def _read_entry(path, valid):
    code = path.read_text()
    answers, _ = samples.parse_answers(code)
    function = path.stem.split("__")[0]
    if list(answers) != [function]:
        raise ValueError(f"{path}: must define exactly one graded function, {function}")
    docstring = ast.get_docstring(next(node for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)))
    if not docstring:
        raise ValueError(f"{path}: the function needs a docstring saying what it is")
    text = " ".join(docstring.split())
    kind = "valid"
    if not valid:
        if not text.startswith("[") or text[1:text.index("]")] not in KINDS:
            raise ValueError(f"{path}: a wrong answer's docstring starts with its kind, one of {sorted(KINDS)}")
        kind, text = text[1:text.index("]")], text[text.index("]") + 1:].strip()
    return Entry(path.stem, function, valid, kind, text, answers[function])


def load(root=CATALOGUE):
    """Every entry: the wrong answers first, then the valid ones, each in file-name order."""
    return [_read_entry(path, valid) for valid, folder in ((False, "wrong"), (True, "valid"))
            for path in sorted((Path(root) / folder).glob("*.py"))]


@dataclass
class Pack:
    student: str
    entries: dict = field(default_factory=dict)   # function -> Entry

    def wrong_functions(self):
        return {function for function, entry in self.entries.items() if not entry.valid}

    def answers(self):
        return {function: entry.code for function, entry in self.entries.items()}


def pack(entries):
    """Submissions carrying all entries: the i-th wrong entry of every chain goes to pack i;
    valid entries then fill the first pack where their function is still free."""
    by_chain = {}
    for entry in entries:
        if not entry.valid:
            by_chain.setdefault(chain_of(entry.function), []).append(entry)
    packs = [Pack("") for _ in range(max((len(group) for group in by_chain.values()), default=0))]
    for group in by_chain.values():
        for index, entry in enumerate(group):
            packs[index].entries[entry.function] = entry
    for entry in entries:
        if entry.valid:
            free = next((p for p in packs if entry.function not in p.entries), None)
            if free is None:
                free = Pack("")
                packs.append(free)
            free.entries[entry.function] = entry
    for number, submission in enumerate(packs, start=1):
        submission.student = f"pack{number:02d}"
    return packs


@dataclass
class Outcome:
    """What grading did to one entry: the points lost in each function of its submission."""
    entry: Entry
    pack: Pack
    lost: dict          # function -> points lost in the entry's submission
    problems: list      # why the grade is wrong (empty when the grader judged right)

    @property
    def ok(self):
        return not self.problems


def evaluate(packs, grades, full_marks):
    """One Outcome per entry from the gradebook rows (student -> row) and the points per function.

    A wrong entry must lose points in its own function; a valid one must lose none; a function
    without a wrong entry in its pack must lose none.  When one does, the wrong entries of its
    chain are blamed for leaking; a loss in a function that holds no entry and no wrong entry's
    chain is blamed on every wrong entry of the pack (a valid entry's loss is its own)."""
    outcomes = []
    for submission in packs:
        row = grades.get(submission.student)
        if row is None:
            lost = {function: None for function in GRADED_FUNCTIONS}
        else:
            lost = {function: round(full_marks[function] - row[function], 2) for function in GRADED_FUNCTIONS}
        wrong = submission.wrong_functions()
        leaks = [f for f in GRADED_FUNCTIONS if f not in wrong and lost[f] != 0]
        for function, entry in submission.entries.items():
            problems = []
            if lost[function] is None:
                problems.append("not graded (no gradebook entry)")
            elif entry.valid and lost[function] != 0:
                problems.append(f"a valid alternative lost {lost[function]:g} points")
            elif not entry.valid and lost[function] == 0:
                problems.append("kept full marks for its own function")
            if not entry.valid:
                unexplained = [f for f in leaks if f not in submission.entries
                               and not any(f in chain_of(w) for w in wrong)]
                suspects = [f for f in leaks if f in chain_of(function)] or unexplained
                problems += [f"{f} also lost {lost[f]:g} points" for f in suspects if lost[f] is not None]
            outcomes.append(Outcome(entry, submission, lost, problems))
    return outcomes


@dataclass
class CatalogueRun:
    packs: list
    outcomes: list
    full_marks: dict
    seconds: float

    def failures(self):
        return [outcome for outcome in self.outcomes if not outcome.ok]


def grade(course, entries=None, grader=None):
    """Write every pack as a submission in ``course`` (a ScratchCourse), autograde them with real
    nbgrader and evaluate each entry.  ``grader(course)`` may replace stock autograde."""
    entries = load() if entries is None else entries
    packs = pack(entries)
    for submission in packs:
        samples.write_submission(samples.fill_answers(submission.answers()), submission.student, course.submitted)
    started = time.monotonic()
    done = (grader or (lambda c: c.autograde()))(course)
    seconds = time.monotonic() - started
    if getattr(done, "returncode", 0) != 0:
        raise RuntimeError(f"autograde failed:\n{done.stderr[-3000:]}")
    with Gradebook(course.db_url) as gradebook:
        full_marks = export.max_points(gradebook)
    return CatalogueRun(packs, evaluate(packs, course.grades(), full_marks), full_marks, seconds)
