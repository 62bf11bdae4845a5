"""The companion notebook notebooks/walkthrough.ipynb runs in a real kernel, from notebooks/ as
JupyterLab would run it, and trains a network that really separates its two spirals."""

import base64
import math

import nbformat
import pytest
from nbclient import NotebookClient

from dnngrader.paths import COURSE_ROOT
from png_colours import colours

WALKTHROUGH = COURSE_ROOT / "notebooks" / "walkthrough.ipynb"
# A network with no hidden layer draws a straight line and gets about 72% of the spirals right (the
# notebook shows it); a working three-layer network gets them all. A network that does not learn
# (a wrong gradient, a wrong update) stays near the line's accuracy or near 50%.
MIN_TRAIN_ACCURACY = 0.95
MIN_TEST_ACCURACY = 0.90


@pytest.fixture(scope="module")
def executed():
    """The walkthrough after running every cell in a fresh kernel (the file is left untouched)."""
    notebook = nbformat.read(str(WALKTHROUGH), as_version=4)
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(WALKTHROUGH.parent)}}
    ).execute()
    return notebook


@pytest.fixture(scope="module")
def summary(executed):
    """The numbers the notebook's last cell (tagged "summary") displays as JSON."""
    cells = [c for c in executed.cells if "summary" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "the walkthrough needs exactly one cell tagged 'summary'"
    outputs = [o for o in cells[0].outputs if "application/json" in o.get("data", {})]
    assert len(outputs) == 1, "the summary cell displays one application/json output"
    return outputs[0]["data"]["application/json"]


def outputs_of(notebook):
    return [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]


def test_committed_walkthrough_has_no_outputs():
    notebook = nbformat.read(str(WALKTHROUGH), as_version=4)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert code_cells
    assert all(c.outputs == [] and c.execution_count is None for c in code_cells), (
        "clear the walkthrough's outputs before committing it"
    )


def test_walkthrough_runs_without_errors_or_warnings(executed):
    outputs = outputs_of(executed)
    assert [o for o in outputs if o.output_type == "error"] == []
    # A numpy warning here (overflow, log of 0, division by 0) means training went numerically wrong.
    assert [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"] == []


def test_cost_falls_substantially(summary):
    costs = summary["costs_every_200_iterations"]
    # A cost that overflowed arrives as the string "nan" (JSON has no NaN).
    assert len(costs) >= 5 and all(isinstance(c, float) and math.isfinite(c) for c in costs), costs
    assert 0.5 < costs[0] < 1.0  # a fresh network on balanced classes starts near log(2)
    assert costs[-1] < costs[0] / 10
    assert all(later < costs[0] for later in costs[1:])


def test_network_separates_the_spirals_and_a_straight_line_does_not(summary):
    assert summary["layer_dims"][0] == 2 and summary["layer_dims"][-1] == 1
    assert len(summary["layer_dims"]) >= 4, "the walkthrough trains a network with at least two hidden layers"
    assert summary["train_accuracy"] >= MIN_TRAIN_ACCURACY
    assert summary["test_accuracy"] >= MIN_TEST_ACCURACY
    # The threshold means something: the notebook's own no-hidden-layer baseline stays well below it.
    assert summary["no_hidden_layer_train_accuracy"] < MIN_TRAIN_ACCURACY - 0.1


def test_figures_are_drawn(executed):
    figures = [base64.b64decode(o.data["image/png"]) for o in outputs_of(executed) if "image/png" in o.get("data", {})]
    assert len(figures) >= 2, "expected the cost/decision-boundary figure and the learning-rate figure"
    for png in figures:
        image = colours(png)
        assert image.width >= 400 and image.height >= 250
        assert not image.looks_blank, image


def test_parameters_survive_the_hdf5_round_trip(summary):
    layers = len(summary["layer_dims"]) - 1
    hdf5 = summary["hdf5"]
    assert hdf5["datasets"] == sorted(f"{kind}{l}" for kind in "Wb" for l in range(1, layers + 1))
    assert hdf5["layer_dims"] == summary["layer_dims"]
    assert hdf5["points"] > 0
    assert hdf5["predictions_differing"] == 0
