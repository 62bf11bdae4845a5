"""The kit's patches of library internals (dnngrader/patching.py), each applied only to the
versions it was written and tested for.

Each guard refuses a version outside its range (simulated), warns once naming the library, its
version and the range, and leaves the library as it is; DNNGRADER_NO_PATCHES=1 refuses them all,
and a class graded that way by the kit's grader gets stock nbgrader's gradebook.
"""

import json
import subprocess
import sys
import warnings

import pytest

from dnngrader import patching
from dnngrader.batch import forked_kernels, speedups, worker  # noqa: F401 (their patches are declared on import)
from dnngrader.batch import snapshot
from dnngrader.plugins import sandbox, timestamps  # noqa: F401

from grading_class import GRADE_TIMEOUT, STUDENTS, gradebook_snapshot

SIMULATED = "99.0"


@pytest.fixture
def fresh_warnings(monkeypatch):
    """No refusal warned about yet in this process, and no DNNGRADER_NO_PATCHES."""
    monkeypatch.setattr(patching, "_warned", set())
    monkeypatch.delenv(patching.NO_PATCHES_VARIABLE, raising=False)


def test_every_library_the_kit_patches_is_pinned_inside_its_range(fresh_warnings):
    assert len(patching.DECLARED) >= 7
    for patch in patching.DECLARED:
        assert patch.out_of_range() is None, patch
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert patch.applies(), patch


@pytest.mark.parametrize(
    "patch",
    patching.DECLARED,
    ids=lambda patch: patch.what.split(" ")[0] + "..." + patch.what.split(":")[0].split(" ")[-1],
)
def test_each_guard_refuses_a_version_outside_its_range_with_one_warning(patch, fresh_warnings, monkeypatch):
    library = next(iter(patch.tested))
    real = patching.installed_version
    monkeypatch.setattr(patching, "installed_version", lambda name: SIMULATED if name == library else real(name))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert patch.applies() is False
        assert patch.applies() is False  # asked again: no second warning
    refusals = [warning for warning in caught if issubclass(warning.category, patching.PatchRefused)]
    assert len(refusals) == 1
    message = str(refusals[0].message)
    assert f"{library} {SIMULATED}" in message and patch.tested[library] in message


def test_a_version_that_is_not_a_version_is_outside_every_range(fresh_warnings, monkeypatch):
    monkeypatch.setattr(patching, "installed_version", lambda name: "not-a-version")
    patch = patching.DECLARED[0]
    with pytest.warns(patching.PatchRefused, match="not-a-version"):
        assert patch.applies() is False


# Run in a fresh interpreter, so that no earlier test has patched anything: every library the kit
# patches reports version 99.0, then each patch site is given its chance to patch.
UNTOUCHED = r"""
import json, tempfile, warnings
warnings.simplefilter("always")
from dnngrader import patching
patching.installed_version = lambda name: "99.0"

import nbgrader.api as api
from nbgrader.coursedir import CourseDirectory
from nbgrader.nbgraderformat import common
from nbconvert.exporters import HTMLExporter
from nbformat.v4 import new_markdown_cell, new_notebook
from traitlets.config import Config

stock = {"get_existing_timestamp": CourseDirectory.get_existing_timestamp, "create_engine": api.create_engine,
         "inspect": api.inspect, "create_all": api.Base.metadata.create_all,
         "check_course": api.Gradebook.check_course, "jsonschema": common.jsonschema}
with warnings.catch_warnings(record=True) as caught:
    from dnngrader.plugins import sandbox, timestamps
    from dnngrader.batch import forked_kernels, speedups
    timestamps.install()
    speedups.install()
    speedups.schema_known(f"sqlite:///{tempfile.mkdtemp()}/gradebook.db")
    config = Config()
    sandbox.configure(config)
    notebook = new_notebook(cells=[new_markdown_cell("# A title\n\nSome *text*.")])
    kept, _ = speedups.FeedbackHTMLExporter().from_notebook_node(notebook)
    plain, _ = HTMLExporter().from_notebook_node(notebook)
now = {"get_existing_timestamp": CourseDirectory.get_existing_timestamp, "create_engine": api.create_engine,
       "inspect": api.inspect, "create_all": api.Base.metadata.create_all,
       "check_course": api.Gradebook.check_course, "jsonschema": common.jsonschema}
print(json.dumps({
    "changed": sorted(name for name in stock if now[name] != stock[name]),  # bound methods: ==
    "kernel_manager_configured": "kernel_manager_class" in config.ResilientExecute,
    "same_feedback_page": kept == plain,
    "sandbox_view": sandbox.activate(config) is not None,
    "warnings": [str(w.message) for w in caught if issubclass(w.category, patching.PatchRefused)],
}))
"""


def test_refused_patches_leave_every_library_as_it_is():
    done = subprocess.run([sys.executable, "-c", UNTOUCHED], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["changed"] == []
    assert seen["kernel_manager_configured"] is False  # nbgrader's own kernel manager
    assert seen["same_feedback_page"] is True  # HTMLExporter's own page, not the kept renderings'
    assert seen["sandbox_view"] is False  # and "cannot run here" said once, on stderr
    assert "grading sandbox cannot run here: jupyter_client 99.0 is outside the versions" in done.stderr
    # One warning per library (every patch of it refused), naming its version and range.
    libraries = {text.split(" ")[0] for text in seen["warnings"]}
    assert len(libraries) == len(seen["warnings"]), seen["warnings"]
    assert {"nbgrader", "nbconvert", "jupyter_client"} <= libraries
    for text in seen["warnings"]:
        library = text.split(" ")[0]
        assert f"{library} {SIMULATED} is outside the versions {patching.TESTED[library]}" in text


def test_the_switch_refuses_every_patch_with_one_warning(fresh_warnings, monkeypatch):
    monkeypatch.setenv(patching.NO_PATCHES_VARIABLE, "1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert not any(patch.applies() for patch in patching.DECLARED)
    assert [str(warning.message).split(" ")[0] for warning in caught] == [patching.NO_PATCHES_VARIABLE]


def test_a_class_graded_with_every_patch_refused_gets_stock_nbgraders_gradebook(
    new_class_course, stock_snapshot, monkeypatch
):
    """The kit's grader (dnngrader grade, on a local Dask cluster) with DNNGRADER_NO_PATCHES=1:
    kernels spawned by jupyter_client (neither forked nor sandboxed), nbgrader's gradebook
    checks, schema validation and feedback exporter as they are, the unreadable-timestamp patch
    off; the gradebook is the one stock `nbgrader autograde` makes."""
    monkeypatch.setenv(patching.NO_PATCHES_VARIABLE, "1")
    course = new_class_course("no-patches")
    done = course.grade("--jobs", "2", timeout=GRADE_TIMEOUT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert f"{patching.NO_PATCHES_VARIABLE} is set" in done.stderr
    graded = gradebook_snapshot(course)
    assert sorted(graded["students"]) == sorted(STUDENTS)
    assert snapshot.differences(stock_snapshot, graded) == []
