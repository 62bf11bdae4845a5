"""Where things live in the course directory.

The course is the folder the kit's commands run in, as for nbgrader (``CourseDirectory.root``):
``dnngrader --course DIR`` changes into DIR first.  A source checkout of the kit (a clone of its
repository, installed editable) is a course itself, with the kit's own assignments and samples,
and its kit works on it wherever it is run from: ``KIT_CHECKOUT``.
"""

from pathlib import Path

# The clone the package sits in, when it is one (it holds a course's nbgrader_config.py beside
# the package); None for an installed package (site-packages).
_PARENT = Path(__file__).resolve().parent.parent
KIT_CHECKOUT = _PARENT if (_PARENT / "nbgrader_config.py").is_file() else None
COURSE_ROOT = KIT_CHECKOUT or Path.cwd().resolve()
_graded_course = None  # set in a grading worker: use_course
ASSIGNMENT = "dnn_step_by_step"
SOURCE_NOTEBOOK = COURSE_ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE_NOTEBOOK = COURSE_ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
# The second assignment, built on the first one's functions.
APPLICATION = "dnn_application"
APPLICATION_SOURCE_NOTEBOOK = COURSE_ROOT / "source" / APPLICATION / f"{APPLICATION}.ipynb"
# The hidden-test hook every assignment's folder carries (its test cells' hidden part imports it).
HIDDEN_TESTS_HOOK = "hidden_tests.py"
GRADED_FUNCTIONS = (
    "initialize_parameters",
    "initialize_parameters_deep",
    "linear_forward",
    "linear_activation_forward",
    "L_model_forward",
    "compute_cost",
    "linear_backward",
    "linear_activation_backward",
    "L_model_backward",
    "update_parameters",
)


def course_root():
    """The course whose source notebooks the grader reads its references from: the one a
    grading worker was handed (``use_course``), else COURSE_ROOT."""
    return _graded_course or COURSE_ROOT


def use_course(root):
    """Read the references from the course at ``root`` from now on in this process (a grading
    worker, handed the course it grades for, whatever folder it was started in)."""
    global _graded_course
    _graded_course = Path(root).resolve()
