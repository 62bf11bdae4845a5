"""A student's due date, as the course sets it, read where her notebook runs.

The released notebook's first code cell (written by `dnngrader release`) calls ``show_due_date``;
``dnngrader validate`` and its copy, self_check.py, read the same thing through ``find``.  The
standard library and traitlets only: it runs in a student's kernel, where the kit is not
installed.

Where the due date comes from, the first that names the assignment:

1. the course's settings, when this user can read them: ``c.Deadlines.due_dates``,
   ``.late_policies`` and ``.timezone`` in an ``nbgrader_config.py`` of Jupyter's configuration
   folders or of the notebook's folder and its parents, loaded as nbgrader loads them (with
   traitlets, which every Jupyter kernel has; without it, only settings written as literals are
   read, and the file is not run);
2. the copies the course publishes in its exchange (``dnngrader deadlines store`` and ``extend``,
   ``dnngrader hub setup``: dnngrader/hub/deadlines.py), found from the ``c.Exchange.root`` and
   ``c.CourseDirectory.course_id`` of the same settings (a hub's student has only those)::

       EXCHANGE/COURSE/deadlines/due_dates.json            the class's due dates, late policies and
                                                           time zone (the course's students read it)
       EXCHANGE/COURSE/deadlines/extension-STUDENT.json    STUDENT's extensions (she and the staff
                                                           read it, nobody else)

The student's extension comes from her published file.  Times are shown in the zone of the
process (``TZ`` of her server, else the machine's).
"""

import ast
import getpass
import json
import os
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

# The published copies, in the course's folder of the exchange.
FOLDER = "deadlines"
CLASS_FILE = "due_dates.json"
EXTENSION_FILE = "extension-{student}.json"
SETTINGS_FILE = "nbgrader_config.py"
# nbgrader's own default exchange (c.Exchange.root when nothing sets it).
DEFAULT_EXCHANGE = "/srv/nbgrader/exchange"
TIME_FORMAT = "%Y-%m-%d %H:%M %Z (UTC%z)"


@dataclass
class Due:
    """What a student is told of an assignment's due date.

    ``due`` is the class's due date (aware, UTC) or None when none is set; ``extension`` hers
    (None: none); ``policy`` the late policy (a dict, dnngrader/plugins/deadlines.py's form) or
    None when unknown; ``timezone`` the zone the course states times in (IANA name) or None;
    ``source`` where it was read (a path), or None when nothing was found."""

    assignment: str
    due: Optional[datetime] = None
    extension: Optional[timedelta] = None
    policy: Optional[dict] = None
    timezone: Optional[str] = None
    source: Optional[str] = None

    @property
    def hers(self):
        """Her due date (the class's plus her extension; aware, UTC), or None."""
        if self.due is None:
            return None
        return self.due + self.extension if self.extension else self.due


def describe_policy(policy):
    """The late policy ``policy`` in words (for the feedback, the deadlines command and the
    student); "no late penalty" for None or ``{"kind": "none"}``."""
    if not policy or policy.get("kind") == "none":
        text = "no late penalty"
    elif policy["kind"] == "zero":
        text = "a late submission scores 0"
    else:
        unit = policy["kind"][4:]
        text = f"{policy['points']:g} points off per {unit} or part of one"
        if policy.get("cap") is not None:
            text += f", at most {policy['cap']:g} points"
    grace = policy.get("grace_minutes") if policy else None
    if grace:
        text += f", after a grace period of {grace:g} minutes"
    return text


def here(moment):
    """``moment`` (aware, or naive UTC) in this process's time zone (TZ, else the machine's), as
    text such as ``2026-12-02 05:59 EST (UTC-0500)``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if hasattr(time, "tzset"):
        time.tzset()  # TZ as it is now (a notebook may have set it)
    return moment.astimezone().strftime(TIME_FORMAT)


def hours(extension):
    """An extension (a timedelta) in hours, as words: ``1 hour``, ``12 hours``, ``1.5 hours``."""
    count = extension.total_seconds() / 3600
    return f"{count:g} hour{'' if count == 1 else 's'}"


def jupyter_config_folders():
    """The folders Jupyter reads its configuration from, the weakest first: the system's, the
    environment's, ``JUPYTER_CONFIG_PATH``'s (a hub's role folder), the user's own
    (``JUPYTER_CONFIG_DIR``, else ~/.jupyter) last, as jupyter_core orders them."""
    folders = ["/etc/jupyter", "/usr/local/etc/jupyter", os.path.join(sys.prefix, "etc", "jupyter")]
    path = os.environ.get("JUPYTER_CONFIG_PATH", "")
    folders += list(reversed([entry for entry in path.split(os.pathsep) if entry]))
    folders.append(os.environ.get("JUPYTER_CONFIG_DIR") or os.path.join(os.path.expanduser("~"), ".jupyter"))
    return [Path(folder) for folder in folders]


def literal_settings(path):
    """{(section, name): value} of the statements ``c.Section.name = <literal>`` of the
    configuration file ``path``, read without running it (other statements are skipped); {} when
    it cannot be read or parsed."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, SyntaxError):
        return {}
    found = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = node.targets[0]
        if not (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Attribute)
            and isinstance(target.value.value, ast.Name)
            and target.value.value.id == "c"
        ):
            continue
        try:
            found[(target.value.attr, target.attr)] = ast.literal_eval(node.value)
        except ValueError:
            continue
    return found


def load_settings(path):
    """{(section, name): value} of the configuration file ``path``, loaded as Jupyter loads it
    (traitlets' PyFileConfigLoader); where traitlets is missing or the file fails to load, its
    literal settings (``literal_settings``)."""
    try:
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader(Path(path).name, str(Path(path).parent)).load_config()
    except Exception:  # no traitlets, or a file that does not load here
        return literal_settings(path)
    return {
        (section, name): value
        for section, values in config.items()
        if isinstance(values, dict)
        for name, value in values.items()
    }


def settings_near(folder):
    """The settings (``load_settings``) a notebook in ``folder`` is under: Jupyter's
    configuration folders, then every nbgrader_config.py of ``folder`` and its parents, the
    nearest last (it wins), as nbgrader merges them."""
    folder = Path(folder).absolute()
    merged = {}
    for each in jupyter_config_folders() + list(reversed([folder, *folder.parents])):
        path = each / SETTINGS_FILE
        if os.access(path, os.R_OK) and path.is_file():
            merged.update(load_settings(path))
    return merged


def parse_due(text):
    """The moment of ``text`` (ISO 8601 with its UTC offset) as an aware UTC datetime; None when it
    is not one."""
    try:
        moment = datetime.fromisoformat(str(text).strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(timezone.utc)


def read_json(path):
    """The JSON object in ``path``, or None when this user cannot read it (or it is not one)."""
    try:
        with open(path, encoding="utf-8") as handle:
            found = json.load(handle)
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def published_folders(settings, folder):
    """The course folders of the exchange (as Paths) whose published due dates may hold the
    notebook's: the course of ``c.CourseDirectory.course_id``; without one (a student of several
    courses), the course named by the notebook's parent folder (nbgrader's fetch into
    COURSE/ASSIGNMENT), then every course of the exchange."""
    root = Path(settings.get(("Exchange", "root")) or DEFAULT_EXCHANGE)
    course_id = settings.get(("CourseDirectory", "course_id"))
    if course_id:
        return [root / course_id]
    candidates = [root / Path(folder).absolute().parent.name]
    try:
        candidates += [root / name for name in sorted(os.listdir(root))]
    except OSError:
        pass
    return candidates


def find(assignment, folder=".", student=None):
    """The Due of ``assignment`` for ``student`` (default: the hub's user, JUPYTERHUB_USER, else
    this process's user) as seen from a notebook in ``folder``: the course's settings first, then
    what the course published in its exchange (the module's docstring).  Raises nothing."""
    found = Due(assignment)
    try:
        student = student or os.environ.get("JUPYTERHUB_USER") or getpass.getuser()
        settings = settings_near(folder)
        due_dates = settings.get(("Deadlines", "due_dates")) or {}
        policies = settings.get(("Deadlines", "late_policies")) or {}
        if assignment in due_dates:
            found.due = parse_due(due_dates[assignment])
            # Without a policy of its own, nbgrader's penalty_method ("none" by default) applies.
            found.policy = policies.get(assignment) or {
                "kind": settings.get(("LateSubmissionPlugin", "penalty_method")) or "none"
            }
            found.timezone = settings.get(("Deadlines", "timezone"))
            found.source = "the course's nbgrader_config.py"
        elif due_dates:
            silent = "the course's nbgrader_config.py"  # it sets due dates, none for this assignment
        else:
            silent = None
        for course in published_folders(settings, folder):
            published = read_json(course / FOLDER / CLASS_FILE)
            if published is None:
                continue
            if assignment not in published.get("assignments", {}):
                silent = silent or str(course / FOLDER / CLASS_FILE)
                continue
            if found.source is None:
                entry = published["assignments"][assignment]
                found.due = parse_due(entry.get("due")) if entry.get("due") else None
                found.policy = entry.get("late_policy")
                found.timezone = published.get("timezone")
                found.source = str(course / FOLDER / CLASS_FILE)
            mine = read_json(course / FOLDER / EXTENSION_FILE.format(student=student)) or {}
            seconds = (mine.get("extensions") or {}).get(assignment)
            if seconds:
                found.extension = timedelta(seconds=float(seconds))
            break
        if found.source is None:
            found.source = silent
    except Exception:  # a notebook's cell must not fail over a due date
        return found
    return found


def due_line(found):
    """One line for ``dnngrader validate``'s report: her due date in this process's time zone,
    her extension, the late policy; None when no due date is set."""
    if found.due is None:
        return None
    text = f"due {here(found.hers)}"
    if found.extension:
        text += f" (with your extension of {hours(found.extension)})"
    return f"{text}, in your time zone; late work: {describe_policy(found.policy)}"


def describe(found):
    """What the released notebook's due-date cell prints for ``found``: lines of text."""
    name = found.assignment
    if found.source is None:
        return [
            f"No due date found for {name}: this server can read neither the course's settings "
            "nor the due dates the course publishes in its exchange. Ask your instructor."
        ]
    if found.due is None:
        return [f"No due date is set for {name}: the course's due dates ({found.source}) do not name it."]
    zone = os.environ.get("TZ")
    where = f"your time zone ({zone})" if zone else "this machine's time zone"
    lines = [f"{name} is due {here(found.hers)}, in {where}."]
    if found.extension:
        lines.append(
            f"That includes your extension of {hours(found.extension)}; the class's due date is {here(found.due)}."
        )
    if found.timezone:
        try:
            from zoneinfo import ZoneInfo

            lines.append(
                f"In the course's time zone ({found.timezone}): "
                f"{found.hers.astimezone(ZoneInfo(found.timezone)).strftime(TIME_FORMAT)}."
            )
        except Exception:  # an unknown zone, or no time zone data on this machine
            pass
    lines.append(f"Late work: {describe_policy(found.policy)}.")
    return lines


def show_due_date(assignment, folder="."):
    """Print the due date of ``assignment`` for the student running the notebook (``describe``).
    Prints nothing while nbgrader autogrades (the feedback states the due date)."""
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        return
    print("\n".join(describe(find(assignment, folder))))
