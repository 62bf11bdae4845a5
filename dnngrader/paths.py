"""Where things live in the course directory (the repository root)."""

from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parent.parent
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
