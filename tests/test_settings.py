"""Settings as traits (issue 20; dnngrader/settings.py, docs/reference/configuration.md).

Each setting of the kit is a trait with help text, set in a course's nbgrader_config.py or on the
command line, and takes effect in a real grading run: a probe submission's answer cell prints
what its grading kernel sees (its memory limit, DNN_TRAINING_ITERATIONS, its folder and /tmp in
the sandbox) and then ticks until the cell timeout interrupts it, and its compute_cost never
returns, so the hidden tests' time limit shows in the verdict; a second submission kills its
kernel, which shows the restarts allowed.  The old DNN_* variables still work, each with one
warning naming its trait; `dnngrader grade` ships the configuration to its Dask workers, which
read no DNN_* variable of their own; the configuration reference is fresh.
"""

import json
import os
import re
import subprocess
import sys
import warnings

import nbformat
import pytest
from nbgrader.api import Gradebook
from traitlets.config import Config

from dnngrader import settings
from dnngrader.assignments import reference
from dnngrader.batch.grade import DaskGrader
from dnngrader.judge import delivery
from dnngrader.kernel import delivery as kernel_delivery
from dnngrader.plugins import sandbox
from dnngrader.plugins.execute import ResilientExecute
from dnngrader.plugins.lms import TimedFileNameCollector
from dnngrader.paths import ASSIGNMENT, COURSE_ROOT
from dnngrader.tools import config_reference, samples
from grading_class import COURSE_ID, GRADE_TIMEOUT
from shared_setup import copy_of_blank_course

SANDBOXED = sandbox.available()

PROBE = """
import json as _json, os as _os, resource as _resource, time as _time
_limit = _resource.getrlimit(_resource.RLIMIT_AS)[0]
_tmp = _os.statvfs("/tmp")
print("PROBE " + _json.dumps({"memory_mb": -1 if _limit == _resource.RLIM_INFINITY else _limit // 2**20,
                              "iterations": _os.environ.get("DNN_TRAINING_ITERATIONS"), "cwd": _os.getcwd(),
                              "tmp_mb": _tmp.f_blocks * _tmp.f_frsize // 2**20}))
for _tick in range(400):
    print("TICK", _tick, flush=True)
    _time.sleep(0.5)
"""
ENDLESS_COST = """def compute_cost(AL, Y):
    import time
    while True:
        time.sleep(0.1)"""
CRASH = "\nimport os\nos._exit(3)\n"


def _answer(name):
    return samples.without_solution_markers(reference.solution_sources()[name])


def probe_course(tmp_path_factory, name, course_settings=None):
    """A blank course with ``course_settings`` in its nbgrader_config.py and two submissions:
    ``probe`` (see the module docstring) and ``crasher``, whose first answer cell kills its kernel."""
    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp(name) / "course", settings=course_settings)
    probe = samples.fill_answers(
        {"initialize_parameters": _answer("initialize_parameters") + "\n" + PROBE, "compute_cost": ENDLESS_COST}
    )
    samples.write_submission(probe, "probe", course.submitted)
    crasher = samples.fill_answers({"initialize_parameters": _answer("initialize_parameters") + CRASH})
    samples.write_submission(crasher, "crasher", course.submitted)
    return course


def clean_env(course, **variables):
    """The course's environment without any DNN_* variable of the test run's, plus ``variables``."""
    env = {name: value for name, value in course.env().items() if not name.startswith("DNN_")}
    env.update(variables)
    return env


def run(course, command, env, timeout=GRADE_TIMEOUT):
    return subprocess.run(command, cwd=course.root, env=env, capture_output=True, text=True, timeout=timeout)


def autograde(course, *options, env=None):
    return run(
        course,
        [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force", *options],
        env or clean_env(course),
    )


def seen(course, db_url=None):
    """What the probe's kernel printed and ticked, the verdict's time limit, and the crasher's notes."""
    notebook = nbformat.read(str(course.autograded_notebook("probe")), as_version=4)
    texts = [
        output.get("text") or str(output.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    ]
    text = "\n".join(texts)
    probe = json.loads(re.search(r"^PROBE (.*)$", text, re.M).group(1))
    within = re.findall(r"did not finish within ([\d.]+) s", text)
    with Gradebook(db_url or course.db_url) as gradebook:
        from dnngrader.plugins import export

        rows = {
            row["student"]: row
            for row in export.assignment_rows(gradebook, ASSIGNMENT, autograded=course.root / "autograded")
        }
    return {
        **probe,
        "ticks": len(re.findall(r"^TICK \d+$", text, re.M)),
        "within": float(within[0]) if within else None,
        "crasher_notes": rows["crasher"]["notes"],
        "crasher_total": rows["crasher"]["total"],
        "probe_total": rows["probe"]["total"],
    }


def assert_ticked_for(observed, seconds):
    """The probe's cell ticked every half second until the cell timeout of ``seconds`` stopped it."""
    assert 2 * seconds - 3 <= observed["ticks"] <= 2 * seconds + 2, observed


def assert_sandbox(observed, disk_mb):
    if SANDBOXED:
        assert observed["cwd"] == f"/tmp/{ASSIGNMENT}", observed
        assert abs(observed["tmp_mb"] - disk_mb) <= 1, observed


def no_deprecation_warning(stderr):
    assert "DeprecatedVariableWarning" not in stderr, stderr[-3000:]


# ---------------------------------------------------------------------------------------------
# The traits
# ---------------------------------------------------------------------------------------------


def test_every_setting_is_a_configurable_trait_with_help_and_every_old_variable_names_one():
    classes = {cls.__name__: cls for cls in settings.kit_classes()}
    assert set(classes) == {"ResilientExecute", "Sandbox", "TimedFileNameCollector", "Deadlines", "DaskGrader"}
    for cls in classes.values():
        names = settings.kit_traits(cls)
        assert names, cls
        for name in names:
            trait = cls.class_traits()[name]
            assert trait.metadata.get("config"), (cls, name)
            assert len((trait.help or "").split()) >= 5, (cls, name)
    nbgrader_own = {"CourseDirectory.db_url", "Exchange.root"}
    for variable, trait in settings.REPLACED.items():
        assert variable.startswith("DNN_")
        class_name, name = trait.split(".")
        assert trait in nbgrader_own or name in settings.kit_traits(classes[class_name]), trait
    assert set(settings.STUDENT_VARIABLES) == {"DNN_DATA", "DNN_STEP_BY_STEP_NOTEBOOK", "DNN_TRAINING_ITERATIONS"}


READS_A_VARIABLE = re.compile(
    r"""(os\.environ\.get\(\s*|os\.environ\[\s*|os\.getenv\(\s*|environ\.get\(\s*)["']DNN_"""
    r"""|["']DNN_\w+["']\s+(not\s+)?in\s+os\.environ"""
)


def test_no_grader_side_code_reads_a_dnn_variable_but_the_shim():
    """The kit's package, the course's nbgrader_config.py and the hidden-test hook read no DNN_*
    variable themselves: only dnngrader/settings.py does (the student's own notebook and the
    modules it imports from its folder, dnngrader/kernel/notebook/'s, may)."""
    notebook_modules = COURSE_ROOT / "dnngrader" / "kernel" / "notebook"
    package = sorted(path for path in (COURSE_ROOT / "dnngrader").rglob("*.py") if notebook_modules not in path.parents)
    files = [*package, COURSE_ROOT / "nbgrader_config.py", notebook_modules / "hidden_tests.py"]
    assert len(files) > 60
    readers = [
        str(path.relative_to(COURSE_ROOT))
        for path in files
        if path.name != "settings.py" and READS_A_VARIABLE.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == []
    assert READS_A_VARIABLE.search('x = int(os.environ.get("DNN_CELL_TIMEOUT", "60"))')  # the check can fail
    # nbgrader_config.py reads the two it still honours through the shim.
    assert 'settings.from_environment("DNN_EXCHANGE"' in (COURSE_ROOT / "nbgrader_config.py").read_text()


@pytest.fixture
def fresh_shim(monkeypatch):
    """The shim as in a new process: no variable warned about yet, the environment read; no DNN_*
    variable of the test run's."""
    monkeypatch.setattr(settings, "_warned", set())
    monkeypatch.setattr(settings, "_ignored", False)
    for name in [name for name in os.environ if name.startswith("DNN_")]:
        monkeypatch.delenv(name)
    return monkeypatch


# (variable, its text, the trait's value read from it, how to make the trait's owner)
OLD_VALUES = [
    ("DNN_CELL_TIMEOUT", "7", 7, ResilientExecute),
    ("DNN_SECONDS_PER_CALL", "1.5", 1.5, ResilientExecute),
    ("DNN_SECONDS_PER_TEST", "4", 4.0, ResilientExecute),
    ("DNN_KERNEL_MEMORY_MB", "1024", 1024, ResilientExecute),
    ("DNN_KERNEL_RESTARTS", "1", 1, ResilientExecute),
    ("DNN_TRAINING_ITERATIONS", "9", 9, ResilientExecute),
    ("DNN_SANDBOX", "0", False, sandbox.Sandbox),
    ("DNN_SANDBOX_DISK_MB", "64", 64, sandbox.Sandbox),
    ("DNN_LMS_TIME_FORMAT", "%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M", TimedFileNameCollector),
    ("DNN_LMS_TIMEZONE", "Europe/Berlin", "Europe/Berlin", TimedFileNameCollector),
    ("DNN_DASK_SCHEDULER", "tcp://scheduler:8786", "tcp://scheduler:8786", DaskGrader),
]


def test_every_old_variable_is_a_traits_default():
    assert {variable for variable, *_ in OLD_VALUES} == set(settings.REPLACED) - {"DNN_GRADEBOOK_URL", "DNN_EXCHANGE"}


@pytest.mark.parametrize("variable, text, value, owner", OLD_VALUES, ids=[case[0] for case in OLD_VALUES])
def test_an_old_variable_still_works_warns_once_and_loses_to_the_configuration(
    fresh_shim, variable, text, value, owner
):
    trait = settings.REPLACED[variable]
    name = trait.split(".")[1]
    with settings.environment_ignored():
        default = getattr(owner(config=Config()), name)
    assert default != value
    fresh_shim.setenv(variable, text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert getattr(owner(config=Config()), name) == value
        assert getattr(owner(config=Config()), name) == value  # a second reader: no second warning
    said = [
        str(warning.message) for warning in caught if issubclass(warning.category, settings.DeprecatedVariableWarning)
    ]
    assert len(said) == 1 and said[0].startswith(f"{variable} is deprecated: set {trait} instead"), said
    configured = Config()
    configured[owner.__name__][name] = default
    assert getattr(owner(config=configured), name) == default  # nbgrader_config.py or the command line wins


LOAD_CONFIG = """
import json, sys
from traitlets.config.loader import PyFileConfigLoader
for _ in range(2):  # nbgrader loads it more than once
    config = PyFileConfigLoader("nbgrader_config.py", path=sys.argv[1]).load_config()
print(json.dumps({"db_url": config.CourseDirectory.db_url, "exchange": config.Exchange.root}))
"""


def test_the_course_configuration_honours_the_old_gradebook_and_exchange_variables(tmp_path_factory, tmp_path):
    course = copy_of_blank_course(tmp_path_factory, tmp_path_factory.mktemp("config") / "course")
    url, exchange = f"sqlite:///{tmp_path / 'elsewhere.db'}", tmp_path / "exchange"
    done = run(course, [sys.executable, "-c", LOAD_CONFIG, str(course.root)], clean_env(course), timeout=120)
    assert json.loads(done.stdout) == {
        "db_url": f"sqlite:///{course.root / 'gradebook.db'}",
        "exchange": str(course.root / "exchange"),
    }
    no_deprecation_warning(done.stderr)
    done = run(
        course,
        [sys.executable, "-c", LOAD_CONFIG, str(course.root)],
        clean_env(course, DNN_GRADEBOOK_URL=url, DNN_EXCHANGE=str(exchange)),
        timeout=120,
    )
    assert json.loads(done.stdout) == {"db_url": url, "exchange": str(exchange)}
    assert exchange.is_dir()
    for variable in ("DNN_GRADEBOOK_URL", "DNN_EXCHANGE"):
        trait = settings.REPLACED[variable]
        assert done.stderr.count(f"{variable} is deprecated: set {trait} instead") == 1, done.stderr


def test_a_bad_old_value_is_refused_naming_the_variable(fresh_shim):
    fresh_shim.setenv("DNN_KERNEL_MEMORY_MB", "lots")
    with pytest.raises(ValueError, match="DNN_KERNEL_MEMORY_MB='lots'.*ResilientExecute.memory_limit_mb"):
        ResilientExecute().memory_limit_mb


def test_the_time_limits_reach_the_kernel_with_the_test_cell(monkeypatch):
    """ResilientExecute sends them in the test cell's request metadata, beside the hand-over; a
    kernel that gets none (a notebook run outside the grader) uses the defaults, whatever its
    environment says."""
    metadata = delivery.request_metadata("test_compute_cost", {"seconds_per_call": 2, "seconds_per_test": 5.5})
    assert metadata[delivery.LIMITS_KEY] == {"seconds_per_call": 2.0, "seconds_per_test": 5.5}
    assert metadata[delivery.METADATA_KEY] == delivery.for_test("test_compute_cost")
    monkeypatch.setattr(kernel_delivery, "_current_request_metadata", lambda: metadata)
    assert kernel_delivery.receive_limits() == {"seconds_per_call": 2.0, "seconds_per_test": 5.5}
    assert delivery.LIMITS_KEY not in metadata  # taken once
    monkeypatch.setenv("DNN_SECONDS_PER_CALL", "1")
    given_none = {"seconds_per_call": 10.0, "seconds_per_test": 30.0}
    assert kernel_delivery.receive_limits() == kernel_delivery.DEFAULT_LIMITS == given_none
    with settings.environment_ignored():
        defaults = ResilientExecute()
        assert (defaults.seconds_per_call, defaults.seconds_per_test) == (10.0, 30.0)  # the same defaults


# ---------------------------------------------------------------------------------------------
# The reference
# ---------------------------------------------------------------------------------------------


def test_the_configuration_reference_is_fresh(tmp_path):
    path = config_reference.OUTPUT
    assert path == COURSE_ROOT / "docs" / "reference" / "configuration.md"
    text = path.read_text(encoding="utf-8")
    assert text == config_reference.render(), f"{path} is stale: run `{config_reference.COMMAND}`"
    first = text.splitlines()[0]
    assert "Generated" in first and "traits" in first and config_reference.COMMAND in first
    for variable, trait in settings.REPLACED.items():
        assert f"### {trait}\n" in text and f"`{variable}`" in text
    for variable in settings.STUDENT_VARIABLES:
        assert f"| `{variable}` |" in text
    assert config_reference.main(["--check"]) == 0
    stale = tmp_path / "configuration.md"
    stale.write_text(text.replace("Address space the kernel may use", "Memory"), encoding="utf-8")
    assert config_reference.main(["--check", "--output", str(stale)]) == 1


def test_the_reference_does_not_depend_on_the_environment(fresh_shim):
    expected = config_reference.render()
    fresh_shim.setenv("DNN_CELL_TIMEOUT", "5")
    fresh_shim.setenv("DNN_SANDBOX", "0")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning either
        assert config_reference.render() == expected


# ---------------------------------------------------------------------------------------------
# Real grading runs
# ---------------------------------------------------------------------------------------------


def test_settings_in_the_courses_nbgrader_config_take_effect(tmp_path_factory):
    course = probe_course(
        tmp_path_factory,
        "in_config",
        {
            "ResilientExecute.timeout": 3,
            "ResilientExecute.seconds_per_call": 1.5,
            "ResilientExecute.memory_limit_mb": 1536,
            "ResilientExecute.training_iterations": 7,
            "ResilientExecute.max_restarts": 0,
            "Sandbox.disk_mb": 48,
        },
    )
    done = autograde(course)
    assert done.returncode == 0, done.stderr[-3000:]
    no_deprecation_warning(done.stderr)
    observed = seen(course)
    assert observed["memory_mb"] == 1536 and observed["iterations"] == "7", observed
    assert_ticked_for(observed, 3)
    assert "Timeout waiting for execute reply (3s)" in done.stderr
    assert observed["within"] == 1.5
    assert_sandbox(observed, 48)
    assert "the kernel had to be restarted 0 times already" in observed["crasher_notes"], observed


def test_settings_on_the_command_line_win_over_the_courses(tmp_path_factory):
    course = probe_course(
        tmp_path_factory,
        "on_command_line",
        {"ResilientExecute.memory_limit_mb": 1536, "ResilientExecute.max_restarts": 0},
    )
    done = autograde(
        course,
        "--ResilientExecute.timeout=2",
        "--ResilientExecute.seconds_per_test=1.2",
        "--ResilientExecute.memory_limit_mb=1200",
        "--ResilientExecute.training_iterations=3",
        "--ResilientExecute.max_restarts=1",
        "--Sandbox.enabled=False",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    no_deprecation_warning(done.stderr)
    observed = seen(course)
    assert observed["memory_mb"] == 1200 and observed["iterations"] == "3", observed
    assert_ticked_for(observed, 2)
    assert 1.1 <= observed["within"] <= 1.2, observed  # the test cell's budget, not the call's 10 s
    assert observed["cwd"] == str(course.root / "autograded" / "probe" / ASSIGNMENT), observed  # not sandboxed
    # One restart allowed: the crasher's notebook went on in a fresh kernel after its crash.
    assert "restarted" not in observed["crasher_notes"] and observed["crasher_total"] > 0, observed


def test_the_old_variables_still_work_each_with_one_warning(tmp_path_factory, tmp_path):
    course = probe_course(tmp_path_factory, "old_variables")
    elsewhere = tmp_path / "gradebook elsewhere.db"
    elsewhere.write_bytes((course.root / "gradebook.db").read_bytes())
    old = {
        "DNN_GRADEBOOK_URL": f"sqlite:///{elsewhere}",
        "DNN_EXCHANGE": str(tmp_path / "exchange"),
        "DNN_CELL_TIMEOUT": "2",
        "DNN_SECONDS_PER_CALL": "1.3",
        "DNN_SECONDS_PER_TEST": "20",
        "DNN_KERNEL_MEMORY_MB": "1200",
        "DNN_KERNEL_RESTARTS": "0",
        "DNN_TRAINING_ITERATIONS": "3",
        "DNN_SANDBOX": "1",
        "DNN_SANDBOX_DISK_MB": "40",
    }
    done = autograde(course, env=clean_env(course, **old))
    assert done.returncode == 0, done.stderr[-3000:]
    for variable in old:
        trait = settings.REPLACED[variable]
        assert done.stderr.count(f"{variable} is deprecated: set {trait} instead") == 1, (variable, done.stderr[-3000:])
    assert done.stderr.count("DeprecatedVariableWarning") == len(old)
    observed = seen(course, db_url=old["DNN_GRADEBOOK_URL"])
    assert observed["memory_mb"] == 1200 and observed["iterations"] == "3", observed
    assert_ticked_for(observed, 2)
    assert observed["within"] == 1.3
    assert_sandbox(observed, 40)
    assert "the kernel had to be restarted 0 times already" in observed["crasher_notes"], observed
    assert (tmp_path / "exchange").is_dir()
    with Gradebook(course.db_url, COURSE_ID) as gradebook:  # the course's own gradebook was not used
        assert [submission.student_id for submission in gradebook.assignment_submissions(ASSIGNMENT)] == []


@pytest.mark.parametrize("how", ["nbgrader_config.py", "command line", "DNN_DASK_SCHEDULER"])
def test_the_grading_commands_scheduler_setting(tmp_path_factory, how):
    """DaskGrader.scheduler, however it is set, is the scheduler `dnngrader grade` uses (a tls://
    address without certificates is refused before anything is graded)."""
    address = "tls://127.0.0.1:9"
    course = copy_of_blank_course(
        tmp_path_factory,
        tmp_path_factory.mktemp("scheduler") / "course",
        settings={"DaskGrader.scheduler": address} if how == "nbgrader_config.py" else None,
    )
    command = [sys.executable, "-m", "dnngrader.batch.grade", "--course", str(course.root)]
    env = clean_env(course)
    if how == "command line":
        command.append(f"--DaskGrader.scheduler={address}")
    elif how == "DNN_DASK_SCHEDULER":
        env["DNN_DASK_SCHEDULER"] = address
    done = run(course, command, env, timeout=300)
    assert done.returncode == 2, done.stdout + done.stderr[-3000:]
    assert f"--scheduler: {address} needs TLS certificates" in done.stderr
    warned = done.stderr.count("DNN_DASK_SCHEDULER is deprecated: set DaskGrader.scheduler instead")
    assert warned == (1 if how == "DNN_DASK_SCHEDULER" else 0), done.stderr


def test_dask_workers_grade_with_the_commands_configuration(tmp_path_factory):
    """`dnngrader grade` on a local Dask cluster: the course's settings, the command's
    --Class.trait=VALUE arguments and the old variables of the command's environment all reach
    the workers' grading (the workers themselves read no DNN_* variable: what the old variables
    say can only have come with the grading plan)."""
    course = probe_course(tmp_path_factory, "on_dask", {"ResilientExecute.timeout": 3, "Sandbox.disk_mb": 48})
    env = clean_env(course, DNN_SECONDS_PER_CALL="1.4", DNN_KERNEL_RESTARTS="0")
    done = run(
        course,
        [
            sys.executable,
            "-m",
            "dnngrader.batch.grade",
            "--course",
            str(course.root),
            "--jobs",
            "2",
            "--no-feedback",
            "--ResilientExecute.memory_limit_mb=1100",
            "--ResilientExecute.training_iterations",
            "6",
        ],
        env,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    observed = seen(course)
    assert observed["memory_mb"] == 1100 and observed["iterations"] == "6", observed  # the command line
    assert_ticked_for(observed, 3)  # nbgrader_config.py
    assert_sandbox(observed, 48)
    assert observed["within"] == 1.4, observed  # the command's environment
    assert "the kernel had to be restarted 0 times already" in observed["crasher_notes"], observed
    # The command warned, once each; the workers (their output is the grading log) did not.
    for variable in ("DNN_SECONDS_PER_CALL", "DNN_KERNEL_RESTARTS"):
        assert done.stderr.count(f"{variable} is deprecated") == 1, done.stderr[-3000:]
    assert "Deprecated" not in (course.root / "reports" / "grading.log").read_text()


WORKER = """
import json, os, pickle, sys
from pathlib import Path
from nbgrader.api import Gradebook
from dnngrader import settings
from dnngrader.batch import plan, worker
from dnngrader.paths import ASSIGNMENT
root, out = Path(sys.argv[1]), Path(sys.argv[2])
app = worker.load_course(root, assignment=ASSIGNMENT, arguments=["--ResilientExecute.max_restarts=2"])
with Gradebook(app.coursedir.db_url, app.coursedir.course_id) as gradebook:
    grading_plan = plan.build(app.coursedir, gradebook, root / "nbgrader_config.py",
                              arguments=["--ResilientExecute.max_restarts=2"])
# The worker's own environment says otherwise: it must not count, nor be changed.
os.environ.update(DNN_SECONDS_PER_CALL="99", DNN_KERNEL_MEMORY_MB="77", DNN_SANDBOX_DISK_MB="9")
before = dict(os.environ)
settings._warned.clear()
course = worker.WorkerCourse(grading_plan, parent=str(root.parent))
try:
    out.write_text(json.dumps({"plan": grading_plan["settings"], "arguments": grading_plan["arguments"],
                               "worker": settings.resolved(course.app.config),
                               "environ_unchanged": dict(os.environ) == before,
                               "warned": sorted(settings._warned)}))
finally:
    course.close()
"""


def test_a_worker_takes_its_settings_from_the_plan_not_from_its_environment(tmp_path_factory, tmp_path):
    course = copy_of_blank_course(
        tmp_path_factory, tmp_path_factory.mktemp("worker") / "course", settings={"ResilientExecute.timeout": 25}
    )
    out = tmp_path / "out.json"
    env = clean_env(course, DNN_SECONDS_PER_CALL="2.5", DNN_SANDBOX_DISK_MB="33")
    done = run(course, [sys.executable, "-c", WORKER, str(course.root), str(out)], env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    shipped = result["plan"]
    assert shipped["ResilientExecute"]["timeout"] == 25  # nbgrader_config.py
    assert shipped["ResilientExecute"]["max_restarts"] == 2  # the command line
    assert shipped["ResilientExecute"]["seconds_per_call"] == 2.5  # the command's old variable
    assert shipped["Sandbox"]["disk_mb"] == 33
    assert set(shipped) == set(settings.GRADING_CLASSES)
    assert result["arguments"] == ["--ResilientExecute.max_restarts=2"]
    assert result["worker"] == shipped  # not 99 s, 77 MiB nor 9 MiB
    assert result["environ_unchanged"] and result["warned"] == []
