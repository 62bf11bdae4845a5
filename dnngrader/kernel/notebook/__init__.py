"""The modules an assignment's notebook imports from its own folder: the originals.

`make release` copies each of them next to the notebooks of the assignments that list it
(``Assignment.notebook_files``), with their relative imports made flat (dnngrader/tools/build.py),
so a released assignment works without the kit installed.  They import nothing but each other,
NumPy, h5py, matplotlib, IPython and traitlets (due_date.py, which reads Jupyter's settings); the
kit's grader imports them as ``dnngrader.kernel.notebook.<name>``.
"""

from pathlib import Path

# Every module here, by the name a notebook imports it under.
MODULES = frozenset(path.stem for path in Path(__file__).parent.glob("*.py") if path.stem != "__init__")
# Those that check a student's work (the visible checks and the hidden tests' hook): a student's
# own cell has no business importing or changing them.
CHECKING = frozenset({"dnn_checks", "dnn_app_checks", "hidden_tests"})
