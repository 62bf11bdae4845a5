"""The instructor's notebook runs top to bottom in a real kernel with every test passing,
hidden tests included, and nbgrader's own validation agrees."""

import nbformat
from nbclient import NotebookClient
from nbgrader.validator import Validator

from dnngrader.assignments.dnn_step_by_step.cases import TESTS
from dnngrader.paths import SOURCE_NOTEBOOK


def test_source_notebook_runs_top_to_bottom_with_every_test_passing():
    notebook = nbformat.read(str(SOURCE_NOTEBOOK), as_version=4)
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(SOURCE_NOTEBOOK.parent)}}
    ).execute()
    seen = set()
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in TESTS:
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            assert "All visible checks passed" in text, grade_id
            assert f"all {len(TESTS[grade_id].cases)} checks passed" in text, grade_id
            seen.add(grade_id)
    assert seen == set(TESTS)


def test_nbgrader_validate_passes_every_cell_of_the_source():
    assert Validator().validate(str(SOURCE_NOTEBOOK)) == {}  # no cell failed
    # Inverted, validation lists the cells that pass: all of them.
    assert len(Validator(invert=True).validate(str(SOURCE_NOTEBOOK))["passed"]) == len(TESTS)
