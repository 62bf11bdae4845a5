"""Turn a description of a submission into a real submitted notebook.

A description is a Python file of function definitions (see samples/README.md): each one
replaces that function's answer cell in a copy of the released notebook; the other answer cells
get the instructor's solution, or keep the release's stubs when the file sets
``START_FROM = "release"``.  The course's first assignment's samples are samples/*.py; any other
assignment's are samples/<assignment>/*.py.

    dnngrader samples [--into submitted] [--assignment NAME]
        writes every sample (of every assignment, or of NAME) as a submission
"""

import argparse
import ast
import shutil
import sys
from pathlib import Path

import nbformat

from dnngrader import assignments
from dnngrader.paths import COURSE_ROOT, RELEASE_NOTEBOOK
from dnngrader.assignments.reference import solution_sources

PRACTICE_FILE = "practice_cases.json"  # test_cases.PRACTICE_FILE

SAMPLES = COURSE_ROOT / "samples"
CATALOGUE = COURSE_ROOT / "catalogue"
FIRST = assignments.names()[0]  # its samples are samples/*.py, as they always were


def folder_of(assignment=FIRST):
    """The folder of ``assignment``'s samples: samples/ for the first, samples/<assignment>/ else."""
    return SAMPLES if assignment == FIRST else SAMPLES / assignment


def sample_files(assignment=FIRST):
    """The sample descriptions of ``assignment``, sorted."""
    return sorted(folder_of(assignment).glob("*.py"))


def sample_students(assignment=FIRST):
    """The students of ``assignment``'s samples (their file names), sorted."""
    return [spec.stem for spec in sample_files(assignment)]


def assignment_of(spec):
    """The assignment the sample file ``spec`` belongs to, from where it is."""
    folder = Path(spec).resolve().parent
    return FIRST if folder == SAMPLES.resolve() else folder.name


def with_samples():
    """The assignments that have samples, in the course's order."""
    return [name for name in assignments.names() if sample_files(name)]


def _release_of(assignment, release):
    if release is not None:
        return release
    return RELEASE_NOTEBOOK if assignment == FIRST else assignments.release_notebook(assignment)


def _assigned(node, name):
    return isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets)


def parse_answers(code, assignment=FIRST):
    """(answers, start_from): the source of each graded function of ``assignment`` defined in
    ``code``, or taken from the catalogue entries it lists in ``FROM_CATALOGUE`` (paths under
    catalogue/, no .py)."""
    functions = assignments.graded_functions(assignment)
    tree = ast.parse(code)
    answers, start_from = {}, "solution"
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in functions:
            answers[node.name] = ast.get_source_segment(code, node)
        elif _assigned(node, "START_FROM"):
            start_from = ast.literal_eval(node.value)
        elif _assigned(node, "FROM_CATALOGUE"):
            for entry in ast.literal_eval(node.value):
                answers.update(parse_answers((CATALOGUE / f"{entry}.py").read_text(), assignment)[0])
    return answers, start_from


def without_solution_markers(code):
    """The code as a student would have typed it: no nbgrader solution delimiters."""
    return "\n".join(
        line for line in code.splitlines() if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
    )


def fill_answers(answers, start_from="solution", release=None, assignment=FIRST):
    """A copy of ``assignment``'s released notebook (``release``: its path; default: the
    course's release/) with the answer cells filled in."""
    notebook = nbformat.read(str(_release_of(assignment, release)), as_version=4)
    solutions = solution_sources(assignments.source_notebook(assignment))
    functions = assignments.graded_functions(assignment)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
        elif grade_id in functions and start_from == "solution":
            cell.source = without_solution_markers(solutions[grade_id])
    return notebook


def write_submission(notebook, student, submitted_root, release=None, assignment=FIRST):
    """Lay out ``notebook`` as nbgrader expects a submission of ``assignment``, beside the other
    files of the release (``release``: the released notebook's path): the helpers (.py) and the
    data the notebook's checks read (.json: the practice cases, the visible checks' values)."""
    release = _release_of(assignment, release)
    folder = Path(submitted_root) / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for item in Path(release).parent.iterdir():
        if item.is_file() and item.suffix in (".py", ".json"):
            shutil.copyfile(item, folder / item.name)
    nbformat.write(notebook, str(folder / f"{assignment}.ipynb"))
    return folder


def write_samples(submitted_root, release=None, assignment=FIRST):
    """Write every sample of ``assignment`` as a submission under ``submitted_root``, made from
    the released notebook at ``release`` (default: the course's release/); returns the students'
    ids."""
    students = []
    for spec in sample_files(assignment):
        answers, start_from = parse_answers(spec.read_text(), assignment)
        write_submission(
            fill_answers(answers, start_from, release, assignment), spec.stem, submitted_root, release, assignment
        )
        students.append(spec.stem)
    return students


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="dnngrader samples", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--into", default=str(COURSE_ROOT / "submitted"), help="the submitted/ folder")
    parser.add_argument(
        "--assignment",
        choices=with_samples(),
        help="write this assignment's samples only (default: every assignment's)",
    )
    args = parser.parse_args(argv)
    for assignment in [args.assignment] if args.assignment else with_samples():
        for student in write_samples(args.into, assignment=assignment):
            print(f"wrote {args.into}/{student}/{assignment}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
