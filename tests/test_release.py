"""The student version in release/ is exactly what nbgrader makes from source/, carries no
solution and no hidden test, and fails every graded test until the student writes code."""

import ast
import filecmp

import nbformat
import pytest
from nbgrader.validator import Validator

from dnngrader.tools import build
from dnngrader.paths import ASSIGNMENT, GRADED_FUNCTIONS, RELEASE_NOTEBOOK, SOURCE_NOTEBOOK

TEST_IDS = None


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


@pytest.fixture(scope="module")
def source():
    return nbformat.read(str(SOURCE_NOTEBOOK), as_version=4)


@pytest.fixture(scope="module")
def release():
    return nbformat.read(str(RELEASE_NOTEBOOK), as_version=4)


def test_copies_of_the_shared_helpers_match_their_originals():
    assert build.stale_copies() == [], "run `make release` to refresh the copies"


def comparable(notebook):
    """What matters of a notebook: cell types, sources and nbgrader metadata (not ids, outputs
    or volatile metadata)."""
    return [(cell.cell_type, cell.source, nbgrader_meta(cell)) for cell in notebook.cells]


def test_release_is_what_generate_assignment_makes_from_source(scratch_course):
    regenerated = scratch_course.root / "release" / ASSIGNMENT
    committed = RELEASE_NOTEBOOK.parent

    def files(folder):  # every file, in subfolders too (figures/); hidden ones (.ipynb_checkpoints) are Jupyter's
        paths = (p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
        return sorted(p for p in paths if not any(part.startswith(".") for part in p.parts))

    assert files(regenerated) == files(committed)
    for path in files(committed):
        if path.suffix != ".ipynb":
            assert filecmp.cmp(committed / path, regenerated / path, shallow=False), str(path)
    fresh = nbformat.read(str(regenerated / f"{ASSIGNMENT}.ipynb"), as_version=4)
    assert comparable(fresh) == comparable(nbformat.read(str(RELEASE_NOTEBOOK), as_version=4))


def test_each_function_has_one_answer_cell_holding_only_its_definition(source):
    answers = {nbgrader_meta(c)["grade_id"]: c for c in source.cells if nbgrader_meta(c).get("solution")}
    assert sorted(answers) == sorted(GRADED_FUNCTIONS)
    for name, cell in answers.items():
        tree = ast.parse(cell.source)
        assert [type(node).__name__ for node in tree.body] == ["FunctionDef"], name
        assert tree.body[0].name == name
        assert nbgrader_meta(cell).get("grade") is False


def test_test_cells_are_named_after_their_function_and_points_total_100(source):
    tests = [nbgrader_meta(c) for c in source.cells if nbgrader_meta(c).get("grade")]
    for meta in tests:
        assert meta["locked"] and not meta["solution"]
        name = meta["grade_id"]
        assert any(name == f"test_{f}" or name.startswith(f"test_{f}_") for f in GRADED_FUNCTIONS), name
    assert sum(meta["points"] for meta in tests) == 100
    covered = {
        f
        for f in GRADED_FUNCTIONS
        for meta in tests
        if meta["grade_id"] == f"test_{f}" or meta["grade_id"].startswith(f"test_{f}_")
    }
    assert covered == set(GRADED_FUNCTIONS)


def split_solution_lines(source):
    """(lines inside solution blocks, lines outside them) of the source's code cells."""
    inside_lines, outside_lines, inside = [], set(), False
    for cell in source.cells:
        for line in cell.source.splitlines():
            if line.strip() == "### BEGIN SOLUTION":
                inside = True
            elif line.strip() == "### END SOLUTION":
                inside = False
            elif inside and line.strip():
                inside_lines.append(line.strip())
            else:
                outside_lines.add(line.strip())
    return inside_lines, outside_lines


def test_release_holds_no_solution_and_no_hidden_test(source, release):
    text = "\n".join(cell.source for cell in release.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "run_hidden_tests"):
        assert marker not in text
    code = {line.strip() for c in release.cells if c.cell_type == "code" for line in c.source.splitlines()}
    inside, outside = split_solution_lines(source)
    # A solution line may also appear legitimately outside the solutions (in a docstring, say).
    leaked = [line for line in inside if line in code and line not in outside]
    assert leaked == []
    answers = [c for c in release.cells if nbgrader_meta(c).get("solution")]
    assert len(answers) == 10 and all("raise NotImplementedError()" in c.source for c in answers)


def test_release_keeps_the_seeds_the_expected_values_depend_on(release):
    cells = {nbgrader_meta(c).get("grade_id"): c.source for c in release.cells}
    assert "np.random.seed(1)" in cells["initialize_parameters"]
    assert "np.random.seed(3)" in cells["initialize_parameters_deep"]


def test_every_graded_test_fails_on_the_blank_release(release):
    results = Validator().validate(str(RELEASE_NOTEBOOK))
    failed = results.get("failed", [])
    graded = [c for c in release.cells if nbgrader_meta(c).get("grade")]
    assert len(failed) == len(graded) == 12
    assert all("NotImplementedError" in f["raw_error"] for f in failed)
