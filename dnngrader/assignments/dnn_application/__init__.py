"""The second assignment, dnn_application: a two-layer and an L-layer network that tell cats from
non-cats in 64x64 RGB images, read from HDF5 files.

- the data files' loader and the kit's generated stand-in data set, with the original files'
  schema, are the notebook's own modules (dnngrader/kernel/notebook/dnn_app_data.py and
  dnn_app_standin.py), which the grader imports too;
- ``models``: the reference models and ``predict``, built on the first assignment's helpers;
- ``cases``: the test plan; ``hints``: the classic mistakes the judge recognises;
- ``__main__``: train both reference models and report their figures (``python -m
  dnngrader.application``, the command the course's issue names, runs it).

The assignment's notebook is source/dnn_application/dnn_application.ipynb (dnngrader/tools/build.py
copies the modules it imports there, from dnngrader/kernel/notebook/, and generates its release).
"""

from dnngrader.assignments import Assignment
from dnngrader.assignments import dnn_step_by_step as step_by_step
from dnngrader.kernel import lending
from dnngrader.assignments.dnn_application import cases, hints
from dnngrader.kernel.notebook import dnn_app_standin as standin
from dnngrader import assignments, paths


def _notebook_defining(name):
    """The application's own notebook for its initialiser, the first assignment's for the others."""
    return assignments.source_notebook(paths.APPLICATION if name in cases.OWN_CALLEES else paths.ASSIGNMENT)


def _prepare_data(folder):
    """The stand-in data set written into ``folder`` where the original files are not there, and
    which data set grading uses, as the end of "<assignment> is graded on ..." (standin.ensure)."""
    written = standin.ensure(folder)
    files = [folder / standin.TRAIN_FILE, folder / standin.TEST_FILE]
    if not all(path.exists() and standin.is_standin(path) for path in files):
        return f"the data set in {folder}/"
    originals = f"put the original {standin.TRAIN_FILE} and {standin.TEST_FILE} there to grade on them"
    if written:
        return f"the kit's generated stand-in data set, written now into {folder}/, where there was none ({originals})"
    return f"the kit's generated stand-in data set in {folder}/ ({originals})"


ASSIGNMENT = Assignment(
    name="dnn_application",
    position=2,
    tests=cases.TESTS,
    reference=cases.reference,
    callees=cases.CALLEES,
    hints=hints,
    helpers=lending.HELPERS,
    provided={"step_by_step_functions": cases.FIRST_ASSIGNMENT_FUNCTIONS},
    callee_notebook=_notebook_defining,
    prepare_data=_prepare_data,
    notebook_files=(
        *step_by_step.NOTEBOOK_FILES,
        "dnn_app_checks.py",
        "dnn_app_data.py",
        "dnn_app_helpers.py",
        "dnn_app_standin.py",
        "dnn_app_utils.py",
    ),
)
