"""The classic mistakes of a class: per assignment and graded function, how many of the
autograded students the judge gave each hint, so that an instructor sees what to teach again
("31 % summed db over the wrong axis").

Where the hints come from: the autograded notebooks.  While grading, ``JudgeTestCells``
(preprocessors.py) records in each test cell's metadata, ``metadata["dnngrader"]["judged"]``,
the function the cell graded and the hints of its verdict, taken from the verdict's own lines,
and removes any such record from every other cell.  So the count reads data the judge wrote,
never the notebook's printed text: a student's own ``print("Hint: ...")`` in a cell of theirs,
a record forged in the submission's metadata, or an exception message that prints like a hint
line in a test cell's output cannot add to it.

Counting: a student counts once per function and hint, whichever of the function's test cells
(e.g. its sigmoid and relu branches) gave it; the share is out of the students whose submission
was autograded, i.e. whose autograded notebook is there and carries the judge's records.  A
notebook autograded before the judge kept records has none; its student is left out of the
count and named (``Tally.unrecorded``), so that the shares never count them as mistake-free.

Generic hints, those the judge gives from which cases failed rather than from recognising a
mistake in the output (``GENERIC_HINTS``), count like the others but are marked ``generic``:
the printed report tags them "[generic]" and the CSV says so in its ``kind`` column.  The judge
gives one only when no hint explains the failure (judge/verdict.py), so a test cell's record
holds either recognised mistakes or the generic hint, never both; records written before that
rule (issue 19) may hold both, until the notebook is autograded again.
"""

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import MissingEntry

KIT = "dnngrader"  # the kit's key in a cell's metadata (findings.KEY)
JUDGED = "judged"  # its record of the verdict (preprocessors.HINTS)

# The beginnings of the hints that name no mistake: judge/verdict.py says this one when the
# visible case passes, hidden ones fail and no hint explains why.  tests/test_mistake_counts.py
# checks that the judge still words it so.
GENERIC_HINTS = ("the visible case passes but hidden ones fail",)

COLUMNS = ["assignment", "function", "test_id", "hint", "students", "share", "kind"]


def is_generic(hint):
    """Whether a hint's text is general advice rather than a recognised mistake."""
    return hint.startswith(GENERIC_HINTS)


@dataclass
class HintCount:
    """One hint of one function: the students who got it, out of ``autograded``."""

    assignment: str
    function: str
    hint: str
    students: set = field(default_factory=set)
    test_ids: set = field(default_factory=set)
    autograded: int = 0

    @property
    def share(self):
        return len(self.students) / self.autograded if self.autograded else 0.0

    @property
    def generic(self):
        return is_generic(self.hint)


@dataclass
class Tally:
    """The hints of one assignment: ``counts`` (HintCount, in report order), the students
    counted (``autograded``) and those whose autograded notebook has no record of the judge's
    verdicts (``unrecorded``)."""

    assignment: str
    counts: list
    autograded: list
    unrecorded: list


def judged_cells(nb):
    """[(cell index, the judge's record)] of a notebook (a dict as read from JSON): the graded
    code cells whose metadata holds a record, well formed, as JudgeTestCells writes it."""
    found = []
    for index, cell in enumerate(nb.get("cells", []) if isinstance(nb, dict) else []):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        nbgrader = metadata.get("nbgrader") if isinstance(metadata.get("nbgrader"), dict) else {}
        kit = metadata.get(KIT) if isinstance(metadata.get(KIT), dict) else {}
        record = kit.get(JUDGED)
        # Only a test cell (graded, not an answer) is judged; JudgeTestCells removes a record from
        # every other cell, so this check is a second line of defence.
        if not (nbgrader.get("grade") and not nbgrader.get("solution")):
            continue
        if not (
            isinstance(record, dict)
            and isinstance(record.get("function"), str)
            and isinstance(record.get("hints"), list)
        ):
            continue
        found.append((index, record))
    return found


def count_hints(assignment, notebooks):
    """The Tally of ``assignment`` from ``notebooks``: student id -> that student's autograded
    notebooks of the assignment, as dicts read from JSON (several when the assignment has
    several notebooks).  Students with no notebook are not autograded and not counted."""
    counts = {}  # (function, hint) -> HintCount
    order = {}  # function -> (notebook number, cell index) of its first test cell
    autograded, unrecorded = [], []
    for student in sorted(notebooks):
        if not notebooks[student]:
            continue
        records = [
            (number, index, record)
            for number, nb in enumerate(notebooks[student])
            for index, record in judged_cells(nb)
        ]
        if not records:
            unrecorded.append(student)
            continue
        autograded.append(student)
        for number, index, record in records:
            function = record["function"]
            order[function] = min(order.get(function, (number, index)), (number, index))
            for hint in record["hints"]:
                if not isinstance(hint, str):
                    continue
                entry = counts.setdefault((function, hint), HintCount(assignment, function, hint))
                # A set: the same hint from two test cells of a function counts once.
                entry.students.add(student)
                if isinstance(record.get("test"), str):
                    entry.test_ids.add(record["test"])
    for entry in counts.values():
        entry.autograded = len(autograded)
    # Stable: functions in the notebook's order, then the most frequent hint first, a generic
    # one after a recognised mistake given as often, then alphabetically.
    ordered = sorted(
        counts.values(),
        key=lambda entry: (order[entry.function], entry.function, -len(entry.students), entry.generic, entry.hint),
    )
    return Tally(assignment, ordered, autograded, unrecorded)


def read_notebook(path):
    """A notebook as JSON; None when it is missing or unreadable."""
    try:
        with open(path, encoding="utf-8") as handle:
            nb = json.load(handle)
    except (OSError, ValueError):
        return None
    return nb if isinstance(nb, dict) else None


def read_class(gradebook, assignment, autograded):
    """The Tally of ``assignment`` for every student the gradebook has a submission of, from
    the autograded notebooks in ``autograded``/<student>/<assignment>/<notebook>.ipynb (the
    notebooks are those the gradebook lists for the assignment)."""
    try:
        names = sorted(notebook.name for notebook in gradebook.find_assignment(assignment).notebooks)
    except MissingEntry:
        return Tally(assignment, [], [], [])
    notebooks = {}
    for submission in gradebook.assignment_submissions(assignment):
        student = submission.student.id
        folder = Path(autograded) / student / assignment
        found = [read_notebook(folder / f"{name}.ipynb") for name in names]
        notebooks[student] = [nb for nb in found if nb is not None]
    return count_hints(assignment, notebooks)


def format_tally(tally):
    """The report printed after the pass rates: a line per function and hint."""
    n = len(tally.autograded)
    lines = [
        f"Hints the judge gave per function ({tally.assignment}), and how many of the {n} autograded students got each:"
    ]
    if not tally.counts:
        lines.append("  none")
    width = max((len(entry.function) for entry in tally.counts), default=0)
    for entry in tally.counts:
        tag = "[generic] " if entry.generic else ""
        lines.append(
            f"  {entry.function:<{width}}  {round(100 * entry.share):>3d} % "
            f"({len(entry.students)}/{n})  {tag}{entry.hint}"
        )
    if tally.unrecorded:
        lines.append(
            f"  Not counted, autograded before the judge recorded its hints (grade again with --force): "
            f"{', '.join(tally.unrecorded)}"
        )
    return "\n".join(lines)


def rows(tally):
    """The CSV's rows (dicts with COLUMNS): share is a fraction of the autograded students,
    kind "mistake" or "generic", test_id the test cells that gave the hint, space-separated."""
    return [
        {
            "assignment": entry.assignment,
            "function": entry.function,
            "test_id": " ".join(sorted(entry.test_ids)),
            "hint": entry.hint,
            "students": len(entry.students),
            "share": f"{entry.share:.4f}",
            "kind": "generic" if entry.generic else "mistake",
        }
        for entry in tally.counts
    ]


def write_csv(tallies, path):
    """Write the rows of one or more Tallies to ``path``."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for tally in tallies:
            writer.writerows(rows(tally))
