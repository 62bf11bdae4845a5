"""The catalogue of answers and its grading through nbgrader, per assignment: the first
assignment's in catalogue/wrong and catalogue/valid, the second's in
catalogue/dnn_application/wrong and .../valid (``CATALOGUES``).

Every file of the catalogue holds one function definition whose docstring says what it is;
wrong answers start it with their kind in brackets, e.g. ``[scale] Sums dZ over axis 0 ...``.
The file name is ``<function>__<what>.py``.  A file may also set ``HINT = "..."``: a sentence
the grader's verdict on that function must contain (the hint that names the mistake, or the
verdict's own words when they say it all); it never goes into the submission.

To keep grading fast, entries are packed several to a submission.  A pack holds at most one
entry per function, and no two wrong entries of one dependency chain (linear_forward →
linear_activation_forward → L_model_forward, and the same backward), so every function of a
pack without a wrong entry of its own must keep full marks: it shows that a wrong callee, or
any other mistake in the notebook, costs nothing outside its own function.  The second
assignment's functions are each graded with the reference versions of all they call, so none of
them is in a chain: any of its wrong entries may share a submission.
"""

import ast
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from dnngrader.plugins import export
from dnngrader.assignments import reference
from dnngrader.tools import samples
from dnngrader.assignments.dnn_application import cases as application_cases
from dnngrader.assignments import TESTS
from dnngrader.paths import APPLICATION, APPLICATION_SOURCE_NOTEBOOK, ASSIGNMENT, COURSE_ROOT, GRADED_FUNCTIONS

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
    "record": "costs recorded at the wrong iterations",
    "steps": "training steps that do not update the parameters, or with the wrong learning rate",
    "threshold": "predictions at the wrong threshold, or probabilities for labels",
    "output": "the wrong things returned",
    "prints": "printing that breaks the rule the notebook states (print_cost, predict's silence)",
    "defaults": "a default of the signature changed",
}

CHAINS = (
    ("linear_forward", "linear_activation_forward", "L_model_forward"),
    ("linear_backward", "linear_activation_backward", "L_model_backward"),
)


def chain_of(function):
    """The dependency chain a function belongs to (a function on its own is its own chain)."""
    return next((chain for chain in CHAINS if function in chain), (function,))


@dataclass(frozen=True)
class Catalogue:
    """One assignment's part of the catalogue."""

    assignment: str
    folder: Path  # holds wrong/ and valid/
    functions: tuple  # its graded functions, in the notebook's order
    short_names: dict  # function -> a column title for the report
    student_prefix: str  # the packs' student ids start with it


APPLICATION_FUNCTIONS = tuple(dict.fromkeys(test.function for test in application_cases.TESTS.values()))
CATALOGUES = {
    ASSIGNMENT: Catalogue(ASSIGNMENT, CATALOGUE, GRADED_FUNCTIONS, export.SHORT_NAMES, "pack"),
    APPLICATION: Catalogue(
        APPLICATION,
        CATALOGUE / APPLICATION,
        APPLICATION_FUNCTIONS,
        {
            "initialize_parameters_deep_scaled": "init_scaled",
            "two_layer_model": "two_layer",
            "L_layer_model": "L_layer",
            "predict": "predict",
        },
        "app_pack",
    ),
}


@dataclass(frozen=True)
class Entry:
    name: str  # the file's stem, e.g. "linear_backward__db_summed_over_axis0"
    function: str
    valid: bool
    kind: str  # a key of KINDS, or "valid"
    description: str  # the docstring's first sentence(s), without the kind
    code: str
    assignment: str = ASSIGNMENT
    hint: Optional[str] = None  # what the verdict on the function must say (HINT), if recorded


def _definitions(code, functions):
    """function name -> source of each top-level definition in ``code`` of one of ``functions``."""
    return {
        node.name: ast.get_source_segment(code, node)
        for node in ast.parse(code).body
        if isinstance(node, ast.FunctionDef) and node.name in functions
    }


def _constant(code, name):
    """The literal value a top-level ``name = ...`` assigns in ``code``, or None."""
    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def _read_entry(path, valid, assignment=ASSIGNMENT):
    code = path.read_text()
    answers = _definitions(code, CATALOGUES[assignment].functions)
    function = path.stem.split("__")[0]
    if list(answers) != [function]:
        raise ValueError(f"{path}: must define exactly one graded function, {function}")
    docstring = ast.get_docstring(next(node for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)))
    if not docstring:
        raise ValueError(f"{path}: the function needs a docstring saying what it is")
    text = " ".join(docstring.split())
    kind = "valid"
    if not valid:
        if not text.startswith("[") or text[1 : text.index("]")] not in KINDS:
            raise ValueError(f"{path}: a wrong answer's docstring starts with its kind, one of {sorted(KINDS)}")
        kind, text = text[1 : text.index("]")], text[text.index("]") + 1 :].strip()
    return Entry(path.stem, function, valid, kind, text, answers[function], assignment, _constant(code, "HINT"))


def load(root=None, assignment=ASSIGNMENT):
    """Every entry of ``assignment``: the wrong answers first, then the valid ones, each in
    file-name order.  ``root``: the folder holding wrong/ and valid/ (default: the assignment's)."""
    root = CATALOGUES[assignment].folder if root is None else root
    return [
        _read_entry(path, valid, assignment)
        for valid, folder in ((False, "wrong"), (True, "valid"))
        for path in sorted((Path(root) / folder).glob("*.py"))
    ]


@dataclass
class Pack:
    student: str
    entries: dict = field(default_factory=dict)  # function -> Entry

    def wrong_functions(self):
        return {function for function, entry in self.entries.items() if not entry.valid}

    def answers(self):
        return {function: entry.code for function, entry in self.entries.items()}


def pack(entries, prefix="pack"):
    """Submissions carrying all entries: the i-th wrong entry of every chain goes to pack i;
    valid entries then fill the first pack where their function is still free.  The packs'
    students are ``prefix`` and a number."""
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
        submission.student = f"{prefix}{number:02d}"
    return packs


@dataclass
class Outcome:
    """What grading did to one entry: the points lost in each function of its submission."""

    entry: Entry
    pack: Pack
    lost: dict  # function -> points lost in the entry's submission
    problems: list  # why the grade is wrong (empty when the grader judged right)

    @property
    def ok(self):
        return not self.problems


def evaluate(packs, grades, full_marks, functions=GRADED_FUNCTIONS):
    """One Outcome per entry from the gradebook rows (student -> row) and the points per function.

    A wrong entry must lose points in its own function; a valid one must lose none; a function
    without a wrong entry in its pack must lose none.  When one does, the wrong entries of its
    chain are blamed for leaking; a loss in a function that holds no entry and no wrong entry's
    chain is blamed on every wrong entry of the pack (a valid entry's loss is its own).
    ``functions``: the assignment's graded functions."""
    outcomes = []
    for submission in packs:
        row = grades.get(submission.student)
        if row is None:
            lost = {function: None for function in functions}
        else:
            lost = {function: round(full_marks[function] - row[function], 2) for function in functions}
        wrong = submission.wrong_functions()
        leaks = [f for f in functions if f not in wrong and lost[f] != 0]
        for function, entry in submission.entries.items():
            problems = []
            if lost[function] is None:
                problems.append("not graded (no gradebook entry)")
            elif entry.valid and lost[function] != 0:
                problems.append(f"a valid alternative lost {lost[function]:g} points")
            elif not entry.valid and lost[function] == 0:
                problems.append("kept full marks for its own function")
            if not entry.valid:
                unexplained = [
                    f for f in leaks if f not in submission.entries and not any(f in chain_of(w) for w in wrong)
                ]
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
    assignment: str = ASSIGNMENT
    functions: tuple = GRADED_FUNCTIONS
    verdicts: dict = field(default_factory=dict)  # student -> function -> its test cells' output

    def failures(self):
        return [outcome for outcome in self.outcomes if not outcome.ok]


def grade(course, entries=None, grader=None, assignment=ASSIGNMENT):
    """Write every pack of ``assignment``'s entries as a submission in ``course`` (a
    ScratchCourse that registered the assignment), autograde them with real nbgrader and
    evaluate each entry.  ``grader(course)`` may replace stock autograde (the first assignment
    only: the parallel grader knows no other)."""
    catalogue = CATALOGUES[assignment]
    entries = load(assignment=assignment) if entries is None else entries
    packs = pack(entries, catalogue.student_prefix)
    for submission in packs:
        if assignment == ASSIGNMENT:
            samples.write_submission(samples.fill_answers(submission.answers()), submission.student, course.submitted)
        else:
            write_application_submission(course, submission.student, submission.answers())
    started = time.monotonic()
    if assignment == ASSIGNMENT:
        done = (grader or (lambda c: c.autograde()))(course)
    else:
        done = course.autograde(assignment=assignment)
    seconds = time.monotonic() - started
    if getattr(done, "returncode", 0) != 0:
        raise RuntimeError(f"autograde failed:\n{done.stderr[-3000:]}")
    if assignment == ASSIGNMENT:
        with Gradebook(course.db_url) as gradebook:
            full_marks = export.max_points(gradebook)
        grades = course.grades()
    else:
        full_marks, grades = gradebook_scores(course, assignment, [p.student for p in packs])
    outcomes = evaluate(packs, grades, full_marks, catalogue.functions)
    verdicts = {p.student: verdict_texts(course, assignment, p.student) for p in packs}
    for outcome in outcomes:
        said = verdicts[outcome.pack.student].get(outcome.entry.function, "")
        if outcome.entry.hint and outcome.entry.hint not in said:
            outcome.problems.append(f'the verdict does not say "{outcome.entry.hint}"')
    return CatalogueRun(packs, outcomes, full_marks, seconds, assignment, catalogue.functions, verdicts)


def verdict_texts(course, assignment, student):
    """function -> what its test cells printed in the student's autograded notebook (the judge's
    verdicts); empty when there is no autograded notebook."""
    path = course.autograded_notebook(student, assignment)
    if not path.exists():
        return {}
    texts = {}
    for cell in nbformat.read(str(path), as_version=4).cells:
        test = TESTS.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
        if test is not None:
            printed = "".join(
                output.get("text", "") for output in cell.get("outputs", []) if output.get("output_type") == "stream"
            )
            texts[test.function] = texts.get(test.function, "") + printed
    return texts


def application_solutions():
    """function -> the second assignment's solution, as a student would type it."""
    return {
        name: samples.without_solution_markers(source)
        for name, source in reference.solution_sources(APPLICATION_SOURCE_NOTEBOOK).items()
        if name in APPLICATION_FUNCTIONS
    }


def write_application_submission(course, student, answers):
    """Hand in the second assignment as a student does: the course's released folder (without the
    first assignment beside it), its answer cells filled with ``answers`` (function -> code) and
    the solutions elsewhere."""
    release = course.root / "release" / APPLICATION
    folder = course.submitted / student / APPLICATION
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(release, folder)
    notebook = nbformat.read(str(release / f"{APPLICATION}.ipynb"), as_version=4)
    solutions = application_solutions()
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = answers.get(grade_id, solutions[grade_id])
    nbformat.write(notebook, str(folder / f"{APPLICATION}.ipynb"))
    return folder


def gradebook_scores(course, assignment, students):
    """(function -> full marks, student -> {function: points}) of ``assignment``, read from the
    course's gradebook; a student without an autograded submission has no row."""
    full_marks, grades = {}, {}
    with Gradebook(course.db_url) as gradebook:
        cells = [cell for cell in gradebook.find_notebook(assignment, assignment).grade_cells if cell.name in TESTS]
        for cell in cells:
            function = TESTS[cell.name].function
            full_marks[function] = full_marks.get(function, 0.0) + cell.max_score
        for student in students:
            try:
                row = {}
                for cell in cells:
                    function = TESTS[cell.name].function
                    score = gradebook.find_grade(cell.name, assignment, assignment, student).score
                    row[function] = row.get(function, 0.0) + score
            except MissingEntry:
                continue
            grades[student] = row
    return full_marks, grades
