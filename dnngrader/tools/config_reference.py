"""The configuration reference, docs/reference/configuration.md, generated from the traits.

    dnngrader config-reference            write the file
    dnngrader config-reference --check    exit 1 when the file is not what it would write

For every Configurable of the kit (``settings.CLASSES``) it lists each setting: its name, type,
default, help text and the ``DNN_*`` environment variable it replaces; then nbgrader's own
settings that an old variable set, and the environment variables a student's notebook reads.
The defaults are the traits' own: no environment variable is read while the file is made.
"""

import argparse
import inspect
import sys
from pathlib import Path

from traitlets.config import Config

from dnngrader import settings
from dnngrader.paths import COURSE_ROOT

COMMAND = "dnngrader config-reference"
OUTPUT = COURSE_ROOT / "docs" / "reference" / "configuration.md"
FIRST_LINE = (
    f"<!-- Generated from the traits of the kit's Configurables and dnngrader/settings.py by "
    f"`{COMMAND}`: do not edit, run it again (`--check` says whether this file is stale). -->"
)

INTRODUCTION = """\
Every setting of the kit is a traitlets trait of a Configurable, with help text, set as
nbgrader's own settings are:

- in the course's `nbgrader_config.py`, for every command: `c.ResilientExecute.timeout = 120`;
- on the command line, for one command: `nbgrader autograde dnn_step_by_step
  --ResilientExecute.timeout=120`, or `dnngrader grade --Sandbox.disk_mb=512` (the grading command
  takes any `--Class.trait=VALUE` too; its own options, such as `--scheduler`, win over the
  `DaskGrader` settings of the same names).

The command line wins over `nbgrader_config.py`, which wins over a trait's default.  `dnngrader
grade` sends the configuration to its Dask workers with the grading plan: the course's
`nbgrader_config.py`, its `--Class.trait=VALUE` arguments, and the value of every grading setting
(`ResilientExecute`, `Sandbox`) as the command resolved it.  A worker reads no `DNN_*` variable of
its own environment.  The hidden tests' time limits reach the grading kernel with each test cell
(in the metadata of the cell's execute request), so the kernel reads no environment variable for
them either; a notebook run outside the grader uses the defaults below.

**The `DNN_*` environment variables are deprecated.**  Each one that set a setting before still
works for now: the default of the trait that replaces it reads it, with one warning per process
(a `DeprecatedVariableWarning`) naming that trait.  A value set in `nbgrader_config.py` or on the
command line wins over the variable.  Only the variables a student's notebook reads stay
environment variables (the last section)."""


def _code(value):
    text = repr(value) if isinstance(value, str) else str(value)
    return f"`{text}`" if text else "`''`"


def _plain(text):
    """``text`` as Markdown shows it: one paragraph, and no <...> taken for an HTML tag."""
    return " ".join(text.split()).replace("<", "&lt;").replace(">", "&gt;")


def _help(trait):
    text = inspect.cleandoc(trait.help or "").strip()
    return _plain(text) if text else "(no help text)"


def _inherited_from(cls, name):
    """The class of ``cls``'s ancestors that defines the trait ``name``, or None when ``cls`` does."""
    if name in cls.class_own_traits():
        return None
    return next(base for base in cls.__mro__[1:] if name in getattr(base, "class_own_traits", dict)())


def _defaults():
    """{class: {setting: its default}}, read with no configuration and no environment variable."""
    with settings.environment_ignored():
        instances = {cls: cls(config=Config()) for cls in settings.kit_classes()}
        return {
            cls: {name: getattr(instance, name) for name in settings.kit_traits(cls)}
            for cls, instance in instances.items()
        }


def _kit_section(cls, defaults):
    lines = [f"## {cls.__name__}", ""]
    doc = inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0]
    lines += [_plain(doc), "", f"Defined in `{cls.__module__}`.", ""]
    for name in settings.kit_traits(cls):
        trait = cls.class_traits()[name]
        full = f"{cls.__name__}.{name}"
        variable = settings.variable_of(full)
        lines += [
            f"### {full}",
            "",
            f"- type: `{type(trait).__name__}`",
            f"- default: {_code(defaults[name])}",
            f"- replaces: `{variable}` (deprecated)" if variable else "- replaces: no environment variable",
            "",
            _help(trait),
            "",
        ]
        base = _inherited_from(cls, name)
        if base is not None:
            lines += [
                f"Inherited from `{base.__module__}.{base.__name__}` (default there: "
                f"{_code(trait.default_value)}); the kit sets its own default, and "
                f"`c.{base.__name__}.{name}` applies too.",
                "",
            ]
    return lines


# nbgrader's own settings that an old variable set: what the course's nbgrader_config.py sets them to.
NBGRADER_SETTINGS = {
    "CourseDirectory.db_url": ("nbgrader.coursedir", "sqlite:///<course root>/gradebook.db"),
    "Exchange.root": ("nbgrader.exchange.default.exchange", "<course root>/exchange"),
}


def _nbgrader_section():
    import importlib

    lines = [
        "## nbgrader's own settings",
        "",
        "Two old variables set settings of nbgrader itself; the course's `nbgrader_config.py` "
        "sets them, reading the variable (deprecated) where it is set.",
        "",
    ]
    for full, (module, course_value) in NBGRADER_SETTINGS.items():
        class_name, name = full.split(".")
        trait = getattr(importlib.import_module(module), class_name).class_traits()[name]
        lines += [
            f"### {full}",
            "",
            f"- type: `{type(trait).__name__}`",
            f"- default: `{course_value}`, as the course's `nbgrader_config.py` sets it",
            f"- replaces: `{settings.variable_of(full)}` (deprecated)",
            "",
            _help(trait),
            "",
        ]
    return lines


def render():
    """The text of docs/reference/configuration.md."""
    defaults = _defaults()
    lines = [
        FIRST_LINE,
        "",
        "# Configuration reference",
        "",
        INTRODUCTION,
        "",
        "## The old variables",
        "",
        "| deprecated variable | set instead |",
        "| --- | --- |",
    ]
    lines += [f"| `{variable}` | `{trait}` |" for variable, trait in settings.REPLACED.items()]
    lines.append("")
    for cls, values in defaults.items():
        lines += _kit_section(cls, values)
    lines += _nbgrader_section()
    lines += [
        "## Environment variables of the student's notebook",
        "",
        "What a student's own notebook reads stays an environment variable, which a JupyterHub may "
        "set for every student.  The grader sets `DNN_TRAINING_ITERATIONS` for its kernels from "
        "`ResilientExecute.training_iterations` (in the grader's own environment it is only the "
        "deprecated fallback of that trait); it reads neither of the other two.",
        "",
        "| variable | what it is |",
        "| --- | --- |",
    ]
    lines += [f"| `{variable}` | {meaning} |" for variable, meaning in settings.STUDENT_VARIABLES.items()]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog=COMMAND, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="only check the file: exit 1 when it is stale")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"the file (default: {OUTPUT})")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.is_file() else None
        if current != text:
            print(f"{args.output} is stale: run `{COMMAND}`.", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date.")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"Wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
