"""The kit's settings, and the one place that still reads the old ``DNN_*`` variables.

Every setting of the grader is a traitlets trait with help text on a Configurable, set as
nbgrader's own are: in the course's ``nbgrader_config.py`` (``c.ResilientExecute.timeout = 60``)
or on the command line (``--ResilientExecute.timeout=60``, for ``nbgrader autograde`` and
``dnngrader grade`` alike).  ``dnngrader config-reference`` writes the reference
of them all (docs/reference/configuration.md) from the traits themselves.

The ``DNN_*`` environment variables that carried these settings before still work for now:
the default of the trait that replaces a variable reads it through ``from_environment``, which
says once per process, as a ``DeprecatedVariableWarning``, which trait to set instead.  A value
set in ``nbgrader_config.py`` or on the command line wins over the variable.  A grading worker
of ``dnngrader grade`` reads none of them (``ignore_environment``): the grading command sends it
the settings as configuration.

What a student's own notebook reads (``STUDENT_VARIABLES``) stays an environment variable, which
a JupyterHub may set for everyone; the grader sets ``DNN_TRAINING_ITERATIONS`` for its kernels
from ``ResilientExecute.training_iterations``.
"""

import contextlib
import os
import warnings

from traitlets import default

# Each old variable -> the trait ("Class.name") that replaces it.  CourseDirectory.db_url and
# Exchange.root are nbgrader's own; the course's nbgrader_config.py sets them.
REPLACED = {
    "DNN_GRADEBOOK_URL": "CourseDirectory.db_url",
    "DNN_EXCHANGE": "Exchange.root",
    "DNN_CELL_TIMEOUT": "ResilientExecute.timeout",
    "DNN_SECONDS_PER_CALL": "ResilientExecute.seconds_per_call",
    "DNN_SECONDS_PER_TEST": "ResilientExecute.seconds_per_test",
    "DNN_KERNEL_MEMORY_MB": "ResilientExecute.memory_limit_mb",
    "DNN_KERNEL_RESTARTS": "ResilientExecute.max_restarts",
    "DNN_TRAINING_ITERATIONS": "ResilientExecute.training_iterations",
    "DNN_SANDBOX": "Sandbox.enabled",
    "DNN_SANDBOX_DISK_MB": "Sandbox.disk_mb",
    "DNN_LMS_TIME_FORMAT": "TimedFileNameCollector.timestamp_format",
    "DNN_LMS_TIMEZONE": "TimedFileNameCollector.timezone",
    "DNN_DASK_SCHEDULER": "DaskGrader.scheduler",
}

# The environment variables a student's own notebook (and its helper files) reads: they stay
# environment variables, which a hub may set for every student.
STUDENT_VARIABLES = {
    "DNN_DATA": "the folder holding the second assignment's image data set (dnn_app_utils.py); "
    "without it, data/, ../data or ../../data of the notebook's folder",
    "DNN_STEP_BY_STEP_NOTEBOOK": "the student's first notebook (or a folder holding it), whose functions the "
    "second assignment's notebook loads (dnn_app_helpers.py); without it, the "
    "notebook looks in the usual places next to its own folder",
    "DNN_TRAINING_ITERATIONS": "iterations of the second assignment's training cells (the notebook's "
    "NUM_ITERATIONS, 2500 without it); a grading kernel gets "
    "ResilientExecute.training_iterations in it",
}

# The kit's Configurables, (module, class): the reference lists their settings.
CLASSES = (
    ("dnngrader.plugins.execute", "ResilientExecute"),
    ("dnngrader.plugins.sandbox", "Sandbox"),
    ("dnngrader.plugins.lms", "TimedFileNameCollector"),
    ("dnngrader.plugins.deadlines", "Deadlines"),
    ("dnngrader.batch.grade", "DaskGrader"),
)
# Those whose settings the grading workers of `dnngrader grade` use (batch/plan.py ships them).
GRADING_CLASSES = ("ResilientExecute", "Sandbox")


class DeprecatedVariableWarning(FutureWarning):
    """A DNN_* variable was read: set the trait it names instead."""


_warned = set()  # the variables this process has warned about
_ignored = False  # True in a grading worker: its settings come with the grading plan


def variable_of(trait):
    """The old variable that ``trait`` ("Class.name") replaces, or None."""
    return next((variable for variable, replacement in REPLACED.items() if replacement == trait), None)


def ignore_environment():
    """From now on this process reads no DNN_* variable: every trait keeps its own default."""
    global _ignored
    _ignored = True


@contextlib.contextmanager
def environment_ignored():
    """While in effect, no DNN_* variable is read (the reference shows the traits' own defaults)."""
    global _ignored
    saved, _ignored = _ignored, True
    try:
        yield
    finally:
        _ignored = saved


def warning_text(variable, value):
    trait = REPLACED[variable]
    return (
        f"{variable} is deprecated: set {trait} instead, in the course's nbgrader_config.py "
        f"(c.{trait} = ...) or on the command line (--{trait}=...). For now {variable}={value!r} "
        f"is used where neither sets {trait}."
    )


def from_environment(variable, fallback, parse=None):
    """The value of the old variable ``variable`` (through ``parse``, a function of its text),
    with one DeprecatedVariableWarning per process naming its trait; ``fallback`` when it is not
    set (or this process ignores the environment).  Raises ValueError for a value ``parse``
    refuses, naming the variable."""
    if _ignored or variable not in os.environ:
        return fallback
    text = os.environ[variable]
    try:
        value = parse(text) if parse else text
    except (ValueError, TypeError) as error:
        raise ValueError(f"{variable}={text!r} (deprecated; {REPLACED[variable]}): {error}") from None
    if variable not in _warned:
        _warned.add(variable)
        # Shown as coming from "environment": the variable is to blame, not a line of the kit.
        warnings.warn_explicit(
            warning_text(variable, text), DeprecatedVariableWarning, "environment", 0, module=__name__
        )
    return value


def trait_default(variable, value=None):
    """The ``@default`` method of the trait that replaces ``variable`` (REPLACED names it): the
    variable's value, read as the command line reads that trait's values, when it is set (with
    one warning per process); otherwise ``value``, or the trait's own default when None."""
    name = REPLACED[variable].split(".", 1)[1]

    def read(self):
        trait = self.traits()[name]
        fallback = trait.default_value if value is None else value
        return from_environment(variable, fallback, trait.from_string)

    read.__doc__ = f"{variable}, deprecated, when set; otherwise the default."
    return default(name)(read)


def read_all(configurable):
    """Read every kit setting of ``configurable`` now, so that a deprecated variable it still
    honours warns when a run starts, not when the setting is first needed (a crash, say)."""
    for name in kit_traits(type(configurable)):
        getattr(configurable, name)


def kit_classes():
    """The kit's Configurable classes (CLASSES), imported."""
    import importlib

    return [getattr(importlib.import_module(module), name) for module, name in CLASSES]


def kit_traits(cls):
    """The names of the settings the kit defines on ``cls``: its own configurable traits, and
    the inherited ones whose default it sets (a variable's replacement), sorted by name."""
    own = set(cls.class_own_traits(config=True))
    replaced = {trait.split(".", 1)[1] for trait in REPLACED.values() if trait.split(".", 1)[0] == cls.__name__}
    return sorted(own | replaced)


def resolved(config, classes=GRADING_CLASSES):
    """The value of every kit setting of ``classes`` (names of CLASSES) as ``config`` (a traitlets
    Config) and this process's defaults make it, as a dict {class: {trait: value}}."""
    values = {}
    for cls in kit_classes():
        if cls.__name__ in classes:
            instance = cls(config=config)
            values[cls.__name__] = {name: getattr(instance, name) for name in kit_traits(cls)}
    return values
