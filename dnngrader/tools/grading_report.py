"""How well the grader judges: every answer of the catalogue, graded by real nbgrader.

    dnngrader grading-report [--assignment NAME] [--keep DIR] [--jobs N]
                                                                    (or: make grading-report)

For each assignment (both by default: dnn_step_by_step, then dnn_application), packs the
catalogue's entries into submissions (see dnngrader/tools/catalogue.py), autogrades them in a scratch
course that registers both assignments and prints, for each entry, the points lost in each
function of its submission, then a summary line.  Exit code 1 when, in either assignment, a
wrong answer keeps full marks for its function, a mistake costs points in another function, a
valid alternative loses a point, or the verdict on a wrong answer lacks the hint its entry
records.  Grading is stock `nbgrader autograde`; --jobs N grades the first assignment with N
parallel workers instead (dnngrader grade, the same nbgrader Autograde converter in
several processes; it does not grade dnn_application yet).
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from dnngrader.tools import catalogue
from dnngrader.tools.course import ScratchCourse

ANOTHER_ENTRY = "-"  # the function holds another entry of the same submission


def _row(outcome, functions):
    """The cells of one entry's row: name, submission, points lost per function, verdict."""
    cells = [outcome.entry.name, outcome.pack.student]
    for function in functions:
        lost = outcome.lost[function]
        if function != outcome.entry.function and function in outcome.pack.entries:
            cells.append(ANOTHER_ENTRY)
        else:
            cells.append("?" if lost is None else f"{lost:g}")
    cells.append("ok" if outcome.ok else "FAIL: " + "; ".join(outcome.problems))
    return cells


def _table(rows):
    """Aligned columns; a row that is a string is a section title, printed as it is."""
    cells = [row for row in rows if not isinstance(row, str)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]) - 1)]
    lines = [
        row
        if isinstance(row, str)
        else "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1]
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def format_report(run):
    """The report of one assignment: a title, one table section per kind of answer, then the
    summary line."""
    short = catalogue.CATALOGUES[run.assignment].short_names
    header = ["entry", "submission"] + [short[f] for f in run.functions] + ["verdict"]
    sections = {}
    for outcome in run.outcomes:
        sections.setdefault(outcome.entry.kind, []).append(outcome)
    lines = [
        f"== {run.assignment} ==",
        "Points lost per function in each entry's submission "
        f"({ANOTHER_ENTRY}: that function holds another entry of the same submission).",
        "Full marks: " + ", ".join(f"{short[f]} {run.full_marks[f]:g}" for f in run.functions),
    ]
    rows = [header]
    for kind in list(catalogue.KINDS) + ["valid"]:
        if kind in sections:
            title = "valid alternatives" if kind == "valid" else f"wrong: {catalogue.KINDS[kind]}"
            rows.append(f"[{title}]")
            rows += [_row(outcome, run.functions) for outcome in sorted(sections[kind], key=lambda o: o.entry.name)]
    lines += [""] + _table(rows) + ["", summary(run)]
    return "\n".join(lines)


def summary(run):
    wrong = [o for o in run.outcomes if not o.entry.valid]
    valid = [o for o in run.outcomes if o.entry.valid]
    failures = run.failures()
    verdict = "ALL RIGHT" if not failures else f"{len(failures)} ENTRIES GRADED WRONGLY"
    hinted = sum(1 for o in wrong if o.entry.hint)
    hints = f" (and get the hint their entry records, {hinted} of them)" if hinted else ""
    return (
        f"{verdict}: {sum(o.ok for o in wrong)} of {len(wrong)} wrong answers lose points in their "
        f"own function and nowhere else{hints}; {sum(o.ok for o in valid)} of {len(valid)} valid alternatives "
        f"keep full marks ({len(run.packs)} submission{'s' if len(run.packs) != 1 else ''}, "
        f"autograded in {run.seconds:.0f} s)."
    )


def parallel_grader(jobs):
    """A grader for catalogue.grade: the kit's parallel autograde with ``jobs`` workers."""

    def grade(course):
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "dnngrader.batch.prestart",
                "--course",
                str(course.root),
                "--no-feedback",
                "--jobs",
                str(jobs),
            ],
            cwd=course.root,
            env=course.env(),
            capture_output=True,
            text=True,
        )

    return grade


def grade_all(root, assignments, grader=None):
    """Grade each assignment's catalogue in a scratch course at ``root`` that registers them;
    returns one CatalogueRun per assignment."""
    course = ScratchCourse(Path(root), assignments=assignments).create()
    return [
        catalogue.grade(course, grader=grader if assignment == catalogue.ASSIGNMENT else None, assignment=assignment)
        for assignment in assignments
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="dnngrader grading-report", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--assignment",
        choices=list(catalogue.CATALOGUES),
        action="append",
        help="only this assignment's catalogue (repeatable; default: every assignment's)",
    )
    parser.add_argument(
        "--keep", metavar="DIR", help="grade in DIR (created) and keep it, to read the autograded notebooks"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        help="grade the first assignment with this many parallel workers instead of stock `nbgrader autograde`",
    )
    args = parser.parse_args(argv)
    grader = parallel_grader(args.jobs) if args.jobs else None
    assignments = tuple(args.assignment or catalogue.CATALOGUES)
    if args.keep:
        runs = grade_all(args.keep, assignments, grader)
    else:
        with tempfile.TemporaryDirectory(prefix="grading-report-") as folder:
            runs = grade_all(folder, assignments, grader)
    print("\n\n".join(format_report(run) for run in runs))
    return 1 if any(run.failures() for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
