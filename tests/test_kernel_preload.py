"""What makes a grading kernel cheaper must not change what it computes or shows.

- `make grade`'s kernels are forked from a template that has imported matplotlib, h5py and Pillow
  already (batch/forked_kernels.py PRELOADED); stock `nbgrader autograde` launches each kernel
  afresh.  The figures the second notebook draws before its last graded cell are the same bytes
  either way, and matplotlib's backend is the one ipykernel chooses.
- Every kernel reads the assignment's data set from the course's data/, mounted read-only in the
  sandbox (Assignment.prepare_data, plugins/sandbox.py), instead of making its own copy.
- The template has imported what a kernel imports while it starts and runs a first cell
  (kernel/template.py KERNEL_START_IMPORTS), so a forked kernel imports nothing more then.
"""

import shutil
import subprocess
import sys

import nbformat
import pytest

from dnngrader.paths import APPLICATION
from dnngrader.plugins import sandbox
from shared_setup import copy_of_blank_course

PROBE = (
    "import matplotlib, sys\nprint('backend:', matplotlib.get_backend())\nprint('preloaded:', 'h5py' in sys.modules)"
)


def _solutions_with_probe(course):
    from test_application_grading import submission

    notebook = submission({}, course.root / "release" / APPLICATION)
    first_answer = next(
        index for index, cell in enumerate(notebook.cells) if cell.metadata.get("nbgrader", {}).get("solution")
    )
    notebook.cells.insert(first_answer, nbformat.v4.new_code_cell(PROBE))
    return notebook


def _graded(tmp_path_factory, name, grade, draw_figures=True):
    # Figures are not drawn by default (ResilientExecute.draw_figures): drawn here, to compare them.
    course = copy_of_blank_course(
        tmp_path_factory,
        tmp_path_factory.mktemp(name) / "course",
        assignments=(APPLICATION,),
        settings={"ResilientExecute.draw_figures": True} if draw_figures else None,
    )
    folder = course.submitted / "probe" / APPLICATION
    shutil.copytree(course.root / "release" / APPLICATION, folder)
    nbformat.write(_solutions_with_probe(course), str(folder / f"{APPLICATION}.ipynb"))
    done = grade(course)
    assert done.returncode == 0, done.stderr[-3000:]
    return course, nbformat.read(str(course.autograded_notebook("probe", APPLICATION)), as_version=4)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    if not sandbox.available():
        pytest.skip(f"the grading sandbox cannot run here: {sandbox.unavailable_reason()}")
    stock = _graded(tmp_path_factory, "stock", lambda course: course.autograde(assignment=APPLICATION))
    kit = _graded(tmp_path_factory, "kit", lambda course: course.grade("--jobs", "1", "--no-feedback", timeout=900))
    return stock, kit


def _text(cell):
    return "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")


def _cell(notebook, starts):
    return next(cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.startswith(starts))


def test_forked_kernels_draw_the_same_figures_with_the_same_backend(both):
    (_, stock), (_, kit) = both
    stock_probe, kit_probe = _text(_cell(stock, PROBE)), _text(_cell(kit, PROBE))
    assert "backend: inline" in stock_probe, stock_probe  # %matplotlib inline, in the imports cell
    assert stock_probe.split("\n")[0] == kit_probe.split("\n")[0], (stock_probe, kit_probe)
    assert "preloaded: True" in kit_probe  # the template imported it: the kit's kernels did not
    figures = [
        [
            output["data"]["image/png"]
            for output in _cell(notebook, "show_images(").outputs
            if "image/png" in output.get("data", {})
        ]
        for notebook in (stock, kit)
    ]
    assert figures[0] and figures[0] == figures[1]


def test_kernels_read_the_courses_data_set_and_make_none(both):
    for course, notebook in both:
        said = _text(_cell(notebook, "train_x_orig, train_y"))
        assert "data from /tmp/data (../data)" in said and "wrote" not in said, said
        assert sorted(path.name for path in (course.root / "data").iterdir()) == [
            "test_catvnoncat.h5",
            "train_catvnoncat.h5",
        ]


@pytest.fixture(scope="module")
def undrawn(tmp_path_factory):
    """The probe graded by `make grade`'s command with the default settings: figures not drawn."""
    if not sandbox.available():
        pytest.skip(f"the grading sandbox cannot run here: {sandbox.unavailable_reason()}")
    return _graded(
        tmp_path_factory, "undrawn", lambda course: course.grade("--jobs", "1", timeout=900), draw_figures=False
    )


def test_by_default_no_figure_is_drawn_and_the_feedback_says_why(undrawn, both):
    """ResilientExecute.draw_figures is off by default: the cell that shows 18 images keeps its
    place in the feedback with a note instead of a picture, nothing in the notebook is an image,
    and the grade is the one the drawn run gets."""
    course, notebook = undrawn
    outputs = _cell(notebook, "show_images(").outputs
    assert [output.get("metadata", {}).get("dnngrader") for output in outputs] == ["not drawn"], outputs
    assert "Figure not drawn by the grader" in outputs[0]["data"]["text/plain"]
    assert not [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if any(kind.startswith("image/") for kind in output.get("data", {}))
    ]
    feedback = next((course.root / "feedback" / "probe" / APPLICATION).glob("*.html")).read_text()
    assert "Figure not drawn by the grader" in feedback and "data:image/png" not in feedback
    drawn_course = both[1][0]
    assert course.grades(assignment=APPLICATION) == drawn_course.grades(assignment=APPLICATION)


# In a fresh interpreter: the template's imports, then what a forked kernel does first (ipykernel's
# start-up and one cell); prints the modules imported by the latter.
AFTER_PRELOAD = """
import os, sys, tempfile
sys.path.insert(0, {folder!r})
import template
template.preload({libraries!r})
before = set(sys.modules)
from ipykernel import kernelapp
app = kernelapp.IPKernelApp.instance()
app.initialize(["-f", os.path.join(tempfile.mkdtemp(), "kernel.json"), "--HistoryManager.enabled=False"])
app.shell.run_cell("import os, time")
sys.__stdout__.write("imported: " + " ".join(sorted(set(sys.modules) - before)) + "\\n")
sys.__stdout__.flush()
os._exit(0)
"""


def test_a_forked_kernel_imports_nothing_while_it_starts():
    from dnngrader.batch import forked_kernels

    script = AFTER_PRELOAD.format(
        folder=str(forked_kernels.TEMPLATE_SCRIPT.parent), libraries=list(forked_kernels.PRELOADED)
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("imported:"))
    imported = set(line.split()[1:]) - set(sys.builtin_module_names)
    assert not imported, f"add these to kernel/template.py KERNEL_START_IMPORTS: {sorted(imported)}"
