"""Where the grader draws no figure (ResilientExecute.draw_figures off, the default), the second
notebook's figure helpers (dnn_app_utils.show_images, show_mislabelled, plot_costs) build none:
they show what the figure is, as IPython shows a figure no format draws, and the grader puts its
note in its place.  Anywhere else they draw as before.  Real kernels, run by nbclient in a copy of
the release folder."""

import shutil

import nbformat
from nbclient import NotebookClient

from dnngrader.paths import APPLICATION, COURSE_ROOT
from dnngrader.plugins import execute

COUNT_FIGURES = """
import matplotlib.figure
built = []
_made = matplotlib.figure.Figure.__init__
def _counted(self, *args, **kwargs):
    built.append(1)
    _made(self, *args, **kwargs)
matplotlib.figure.Figure.__init__ = _counted
"""
SHOW = """
import numpy as np
from dnn_app_utils import plot_costs, show_images, show_mislabelled
x = np.zeros((4, 64, 64, 3), np.uint8)
y, p = np.array([[0, 1, 0, 1]]), np.array([[1, 1, 0, 0]])
classes = np.array([b"non-cat", b"cat"])
show_images(x, y, classes, range(4), title="four")
show_mislabelled(x, y, p, classes)
plot_costs({"model": [0.7, 0.5, 0.3]})
"""


def _run(tmp_path, grader_kernel):
    folder = tmp_path / APPLICATION
    shutil.copytree(
        COURSE_ROOT / "release" / APPLICATION, folder, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__")
    )
    cells = [COUNT_FIGURES, SHOW, "print('figures built:', len(built))"]
    if grader_kernel:
        cells.insert(0, execute.NO_FIGURE_FORMATS)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in cells])
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    return notebook.cells[-2].outputs, "".join(output.get("text", "") for output in notebook.cells[-1].outputs)


def test_in_the_graders_kernel_no_figure_is_built_and_each_becomes_the_graders_note(tmp_path):
    outputs, count = _run(tmp_path, grader_kernel=True)
    assert count.strip() == "figures built: 0"
    texts = [output["data"]["text/plain"] for output in outputs if output.output_type == "display_data"]
    assert len(texts) == 3 and all(execute.FIGURE_TEXT.fullmatch(text) for text in texts), outputs
    assert [execute._figure_note(output).metadata.get("dnngrader") for output in outputs] == ["not drawn"] * 3


def test_in_a_students_kernel_every_figure_is_drawn(tmp_path):
    outputs, count = _run(tmp_path, grader_kernel=False)
    assert count.strip() == "figures built: 3"
    assert sum("image/png" in output.get("data", {}) for output in outputs) == 3, outputs
