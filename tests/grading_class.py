"""The small class the grading tests grade both ways (stock `nbgrader autograde` and the kit's
grader), shared by tests/test_parallel_grade.py and tests/test_dask_cluster.py through the
session fixtures of conftest.py."""

import shutil

from nbgrader.api import Gradebook

from dnngrader.tools import samples
from dnngrader.batch import snapshot
from dnngrader.paths import ASSIGNMENT

COURSE_ID = "dnn-step-by-step"
GRADE_TIMEOUT = 300
STUDENTS = ["ada_full_marks", "ben_blank", "cleo_shapes", "dev_cost_and_keys", "eli_layers", "fay_on_time"]


def write_class(folder):
    """The six submissions of the tests: the samples, and a copy of a correct one with a
    submission time (nbgrader's timestamp.txt)."""
    samples.write_samples(folder)
    shutil.copytree(folder / "ada_full_marks", folder / "fay_on_time")
    (folder / "fay_on_time" / ASSIGNMENT / "timestamp.txt").write_text("2024-03-01 10:00:00 UTC")


def gradebook_snapshot(course):
    with Gradebook(course.db_url, COURSE_ID) as gradebook:
        return snapshot.snapshot(gradebook)
