"""Turn a description of a submission into a real submitted notebook.

A description is a Python file of function definitions (see samples/README.md): each one
replaces that function's answer cell in a copy of the released notebook; the other answer cells
get the instructor's solution, or keep the release's stubs when the file sets
``START_FROM = "release"``.

    python -m dnngrader.samples [--into submitted]   writes every file of samples/ as a submission
"""

import argparse
import ast
import shutil
import sys
from pathlib import Path

import nbformat

from .paths import ASSIGNMENT, COURSE_ROOT, GRADED_FUNCTIONS, RELEASE_NOTEBOOK
from .reference import solution_sources

PRACTICE_FILE = "practice_cases.json"  # dnn_checks.PRACTICE_FILE

SAMPLES = COURSE_ROOT / "samples"
CATALOGUE = COURSE_ROOT / "catalogue"


def _assigned(node, name):
    return isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets)


def parse_answers(code):
    """(answers, start_from): the source of each graded function defined in ``code``, or taken
    from the catalogue entries it lists in ``FROM_CATALOGUE`` (paths under catalogue/, no .py)."""
    tree = ast.parse(code)
    answers, start_from = {}, "solution"
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in GRADED_FUNCTIONS:
            answers[node.name] = ast.get_source_segment(code, node)
        elif _assigned(node, "START_FROM"):
            start_from = ast.literal_eval(node.value)
        elif _assigned(node, "FROM_CATALOGUE"):
            for entry in ast.literal_eval(node.value):
                answers.update(parse_answers((CATALOGUE / f"{entry}.py").read_text())[0])
    return answers, start_from


def without_solution_markers(code):
    """The code as a student would have typed it: no nbgrader solution delimiters."""
    return "\n".join(line for line in code.splitlines()
                     if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))


def fill_answers(answers, start_from="solution", release=RELEASE_NOTEBOOK):
    """A copy of the released notebook (``release``: its path) with the answer cells filled in."""
    notebook = nbformat.read(str(release), as_version=4)
    solutions = solution_sources()
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
        elif grade_id in GRADED_FUNCTIONS and start_from == "solution":
            cell.source = without_solution_markers(solutions[grade_id])
    return notebook


def write_submission(notebook, student, submitted_root, release=RELEASE_NOTEBOOK):
    """Lay out ``notebook`` as nbgrader expects a submission, beside the other files of the
    release (``release``: the released notebook's path): the helpers and the practice cases'
    data the notebook's checks read."""
    folder = Path(submitted_root) / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    for item in Path(release).parent.iterdir():
        if item.suffix == ".py" or item.name == PRACTICE_FILE:
            shutil.copyfile(item, folder / item.name)
    nbformat.write(notebook, str(folder / f"{ASSIGNMENT}.ipynb"))
    return folder


def write_samples(submitted_root, release=RELEASE_NOTEBOOK):
    """Write every file of samples/ as a submission under ``submitted_root``, made from the
    released notebook at ``release``; returns the students' ids."""
    students = []
    for spec in sorted(SAMPLES.glob("*.py")):
        answers, start_from = parse_answers(spec.read_text())
        write_submission(fill_answers(answers, start_from, release), spec.stem, submitted_root, release)
        students.append(spec.stem)
    return students


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--into", default=str(COURSE_ROOT / "submitted"), help="the submitted/ folder")
    args = parser.parse_args(argv)
    for student in write_samples(args.into):
        print(f"wrote {args.into}/{student}/{ASSIGNMENT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
