"""``dnngrader``: one command for the kit, with a subcommand per step of the course's workflow.

    dnngrader [--course DIR] COMMAND [ARGS...]       (or: python -m dnngrader ...)

Each subcommand is one of the kit's modules, run as ``python -m <module> ARGS...`` in the course
folder, exactly as the Makefile ran them before this command existed: the arguments after the
subcommand go to the module untouched, so ``dnngrader grade --help`` prints the grader's own
help and options.

The course.  ``--course DIR`` (default: the current folder) names it: a folder holding an
nbgrader_config.py.  This command changes into DIR and starts ``python -m <module>`` there, so
relative paths in ARGS are taken from DIR, as under ``make``, and the modules find the course
there (``dnngrader.paths``).  The two subcommands whose module takes a course of its own (grade,
student-config) are given ``--course DIR`` unless ARGS name one.

A kit installed from its source checkout (a clone, ``make venv``) belongs to that clone, which is
a course too, with the kit's own samples and catalogue: the subcommands that work on the kit's own
course (release, demo, bench, ...) refuse another folder rather than quietly work on the clone.
A kit installed from a wheel works on the course it is run in.

The command puts its environment's ``bin`` folder first on PATH for the subcommand (nbgrader runs
``alembic`` from PATH), so ``.venv/bin/dnngrader`` works without activating the environment.
"""

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from dnngrader import paths

# How a subcommand's module relates to the course it runs in.
OWN_COURSE = "own"  # works on paths.COURSE_ROOT: a checkout's own course, else the current folder
COURSE_OPTION = "option"  # has a --course option of its own: given DIR
NO_COURSE = "none"  # works on the files its arguments name (or on the machine)


@dataclass(frozen=True)
class Subcommand:
    name: str
    module: str
    summary: str
    course: str = OWN_COURSE


# In the order of the course's workflow: preparing the assignment, the student's side, grading,
# checking the grader, the second assignment's data, the assignment author's generators.
SUBCOMMANDS = (
    Subcommand(
        "release",
        "dnngrader.tools.build",
        "regenerate the generated files and release/ from source/ (--check: only check them)",
    ),
    Subcommand(
        "classroom",
        "dnngrader.tools.classroom",
        "write the students' repository template, classroom/, from release/ (--check)",
    ),
    Subcommand(
        "student-config",
        "dnngrader.tools.student_config",
        "write work/'s nbgrader settings for JupyterLab's Assignments panel (and a working copy)",
        COURSE_OPTION,
    ),
    Subcommand(
        "validate",
        "dnngrader.tools.validate",
        "run notebooks as a student runs them and report which visible checks pass",
        NO_COURSE,
    ),
    Subcommand(
        "samples", "dnngrader.tools.samples", "write the bundled sample submissions into submitted/ (or --into DIR)"
    ),
    Subcommand(
        "grade",
        "dnngrader.batch.prestart",
        "grade the class's submissions on Dask, then feedback, grades CSV and chart",
        COURSE_OPTION,
    ),
    Subcommand(
        "deadlines",
        "dnngrader.tools.deadlines",
        "due dates into the gradebook (store), a student's extension (extend), an assignment's (show)",
        COURSE_OPTION,
    ),
    Subcommand(
        "lms-grades",
        "dnngrader.tools.lms_grades",
        "the grades as Canvas and Moodle import them (--roster ROSTER.csv): reports/canvas_grades.csv, "
        "moodle_grades.csv",
        COURSE_OPTION,
    ),
    Subcommand(
        "demo", "dnngrader.tools.demo", "grade the sample submissions in a scratch course (demo/) and print the results"
    ),
    Subcommand(
        "grading-report",
        "dnngrader.tools.grading_report",
        "grade the catalogue of wrong and valid answers; show what each costs, exit 1 on a misjudgement",
    ),
    Subcommand(
        "bench", "dnngrader.batch.bench", "time stock nbgrader against `dnngrader grade` on synthetic submissions"
    ),
    Subcommand(
        "hub",
        "dnngrader.hub.server",
        "the course's JupyterHub (as root): setup, start (Ctrl-C stops it), stop",
        COURSE_OPTION,
    ),
    Subcommand(
        "roster",
        "dnngrader.hub.roster",
        "the class roster's Unix users for the hub (as root): sync ROSTER.csv, remove USER, list",
        COURSE_OPTION,
    ),
    Subcommand(
        "sandbox",
        "dnngrader.plugins.sandbox",
        "say whether the grading sandbox (bubblewrap) runs here and what it hides",
        NO_COURSE,
    ),
    Subcommand(
        "data",
        "dnngrader.kernel.notebook.dnn_app_standin",
        "write the second assignment's stand-in data set (--out DIR)",
        NO_COURSE,
    ),
    Subcommand(
        "application-reference",
        "dnngrader.application",
        "train the second assignment's reference models on a data folder, print their figures",
    ),
    Subcommand(
        "figures",
        "dnngrader.assignments.dnn_step_by_step.figures",
        "redraw the first assignment's figures (release does it too)",
    ),
    Subcommand(
        "practice-cases",
        "dnngrader.assignments.dnn_step_by_step.practice",
        "write the first assignment's practice cases (release does it too; --check)",
    ),
    Subcommand(
        "config-reference",
        "dnngrader.tools.config_reference",
        "write docs/reference/configuration.md from the settings' traits (--check: only check it)",
    ),
)
BY_NAME = {command.name: command for command in SUBCOMMANDS}
HELP_FLAGS = ("-h", "--help")


class CourseError(Exception):
    """The course folder cannot be used for this subcommand; the message says why."""


def parser():
    top = argparse.ArgumentParser(
        prog="dnngrader",
        allow_abbrev=False,
        description="The course kit's commands. Each COMMAND passes its arguments on to the kit's "
        "module behind it: `dnngrader COMMAND --help` shows that module's own options.",
        epilog="The command runs in the course folder (--course), a folder holding nbgrader_config.py, "
        "so relative paths in its arguments are taken from there.",
    )
    top.add_argument(
        "--course",
        metavar="DIR",
        type=Path,
        help="the course folder, holding nbgrader_config.py (default: the current folder)",
    )
    commands = top.add_subparsers(dest="command", metavar="COMMAND", title="commands", required=True)
    for command in SUBCOMMANDS:
        # add_help=False: -h and --help go to the module, with the rest of the arguments.
        commands.add_parser(command.name, help=command.summary, description=command.summary, add_help=False)
    return top


def split(argv):
    """(global arguments with the subcommand's name, the subcommand's own arguments): everything
    after the first word that is not an option or --course's value goes to the subcommand."""
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--course":
            index += 2
        elif word.startswith("-"):
            index += 1
        else:
            return argv[: index + 1], argv[index + 1 :]
    return argv, []


def is_course(folder):
    return (folder / "nbgrader_config.py").is_file()


def given_course(arguments):
    return any(word == "--course" or word.startswith("--course=") for word in arguments)


def command_line(command, course, arguments, help_only=False):
    """The ``python -m`` command line that runs ``command`` on ``course`` (an absolute folder);
    ``help_only``: the arguments ask for the module's help, which any course may show."""
    if not is_course(course) and not help_only:
        raise CourseError(
            f"{course} is not a course folder ({course / 'nbgrader_config.py'} is missing): "
            "change into the course or name it with --course DIR."
        )
    checkout = paths.KIT_CHECKOUT
    if command.course == OWN_COURSE and checkout is None and not help_only:
        raise CourseError(
            f"`dnngrader {command.name}` builds or checks the kit's own course (its samples, "
            "catalogue, generated files and release) and needs a clone of the kit, installed "
            "with `make venv` in it; this dnngrader is installed as a package."
        )
    if command.course == OWN_COURSE and checkout and checkout != course.resolve() and not help_only:
        raise CourseError(
            f"this dnngrader is installed from its clone {checkout}, and `dnngrader "
            f"{command.name}` works only on that clone's course: run it with --course "
            f"{checkout} (or install the kit into an environment of this course's own)."
        )
    arguments = list(arguments)
    if command.course == COURSE_OPTION and not given_course(arguments):
        arguments = ["--course", str(course.resolve()), *arguments]
    return [sys.executable, "-m", command.module, *arguments]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    head, rest = split(argv)
    options = parser().parse_args(head)
    command = BY_NAME[options.command]
    course = (options.course or Path.cwd()).absolute()
    help_only = any(flag in rest for flag in HELP_FLAGS)
    try:
        if not course.is_dir():
            raise CourseError(f"{course} is not a folder")
        line = command_line(command, course, rest, help_only)
    except CourseError as error:
        print(f"dnngrader {command.name}: {error}", file=sys.stderr)
        return 2
    os.chdir(course)
    # The environment's own commands first on PATH: nbgrader runs `alembic` from PATH when it makes
    # a gradebook, so a command run as .venv/bin/dnngrader, the environment not activated, failed
    # with "No such file or directory: 'alembic'" (and left a half-made gradebook).
    environment_bin = str(Path(sys.executable).parent)
    searched = os.environ.get("PATH", "")
    if searched.split(os.pathsep)[0] != environment_bin:
        os.environ["PATH"] = os.pathsep.join([environment_bin, searched]) if searched else environment_bin
    # Replaces this process: signals, exit status and the terminal are the module's own, as when
    # the module was started with `python -m` directly.
    os.execv(line[0], line)


if __name__ == "__main__":
    sys.exit(main())
