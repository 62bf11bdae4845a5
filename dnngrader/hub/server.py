"""The course's JupyterHub on this machine: set up, start, stop.

    dnngrader hub [start] [--ip IP] [--port PORT] [--state DIR] [--course DIR [--course DIR ...]]
    dnngrader hub setup [--state DIR] [--course DIR [--course DIR ...]]
    dnngrader hub stop [--state DIR] [--course DIR]

``make hub`` installs what the hub needs (the ``jupyterhub`` package in the kit's environment, and
``configurable-http-proxy`` from npm into ``.hub/node_modules``) and runs ``dnngrader hub start``.

``start`` (as root: PAM login and starting servers as other users need it) runs ``setup``, then
JupyterHub in the foreground on http://IP:PORT/ (default: every address, port 8000); Ctrl-C, or
``dnngrader hub stop`` from another terminal, stops it with every user's server and the proxy.
``setup`` alone makes the course's groups, the exchange's folders and permissions
(``exchange.prepare``), closes the course folder to everyone but its staff
(``access.lock_course``), and writes each role's Jupyter configuration
(``access.write_role_configs``).  Users come from ``dnngrader roster sync``.

The hub keeps its files (database, cookie secret, roster, passwords, logs, configuration) in its
folder, STATE (default: COURSE/.hub, git-ignored).

Several ``--course`` options make one hub serve several courses (``setup_courses``): they share
one exchange root, each course keeps its own roster (the first course's in STATE, each other's in
its own ``.hub``), its own groups and its folder in the exchange, closed to the other courses'
users, and each user's server gets a configuration of its own, built from the roles they hold in
each course (``access.write_user_config``).  With one ``--course``, nothing of this changes.
"""

import argparse
import json
import os
import pwd
import shutil
import signal
import sys
import time
from pathlib import Path

from dnngrader.hub import access, acl, deadlines, exchange

PROXY = Path("node_modules") / ".bin" / "configurable-http-proxy"
KIT_ROOT = Path(__file__).resolve().parents[2]
STOP_LIMIT_S = 60


def default_state(course):
    """The hub's folder of the course folder ``course``."""
    return Path(course).absolute() / ".hub"


def course_settings(course):
    """(course id, absolute exchange root) as the course folder's nbgrader_config.py sets them,
    loaded as nbgrader loads it."""
    from traitlets.config.loader import PyFileConfigLoader

    course = Path(course).resolve()
    if not (course / "nbgrader_config.py").is_file():
        raise ValueError(f"{course} has no nbgrader_config.py: it is not a course folder")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    course_id = config.CourseDirectory.get("course_id", "")
    root = config.Exchange.get("root", "")
    if not course_id or not root:
        raise ValueError(f"{course}/nbgrader_config.py must set c.CourseDirectory.course_id and c.Exchange.root")
    return course_id, str(course / root)


def proxy_command(state):
    """The configurable-http-proxy the Makefile installed (in the kit's .hub or STATE), else one on
    PATH; raises FileNotFoundError with the remedy when there is none."""
    for candidate in (KIT_ROOT / ".hub" / PROXY, Path(state) / PROXY):
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    raise FileNotFoundError(
        f"configurable-http-proxy is not installed: run `make hub-proxy` (npm install into {KIT_ROOT / '.hub'})"
    )


def setup(course, state):
    """Groups, exchange, course folder permissions and the roles' configuration for the hub of
    ``course``; returns a list of sentences saying what was set."""
    course = Path(course).resolve()
    course_id, exchange_root = course_settings(course)
    staff, students = access.group_names(course_id)
    access.ensure_group(staff)
    access.ensure_group(students)
    public = set(access.PUBLIC_ENTRIES) | {Path(state).resolve().name}
    exchange_path = Path(exchange_root).resolve()
    if exchange_path.is_relative_to(course):
        public.add(exchange_path.relative_to(course).parts[0])
    closed = access.lock_course(course, staff, public=tuple(public))
    exchange.prepare(exchange_root, course_id, staff)
    access.write_role_configs(state, course_id, exchange_root, course, staff)
    linked = [
        name
        for name, role in roster_roles(state).items()
        if role in access.STAFF_ROLES and access.link_course(name, course, course_id)
    ]
    return [
        f"course {course_id}: staff group {staff}, students group {students}",
        f"exchange {exchange_root}: {course_id}'s inbound not listable by students (exchange.layout)",
        f"course folder {course}: {', '.join(closed) or 'nothing'} closed to all but {staff}",
        f"roles' Jupyter configuration in {Path(state) / 'jupyter'}",
        f"the course folder linked as ~/{course_id} for {', '.join(linked) or 'no staff yet'}",
        f"the second assignment's data: {access.shared_data(course) or 'none in data/'} (DNN_DATA, read-only)",
        *deadlines.publish_course(course),
    ]


def roster_folder(index, course, state):
    """The folder the roster of the hub's course number ``index`` (``course``, its folder) is synced
    into: the hub's own folder ``state`` for the first course, the course's ``.hub`` for the others
    (``dnngrader roster sync --course COURSE`` writes there by default)."""
    return Path(state) if index == 0 else default_state(course)


def hub_courses(folders, state):
    """The courses of a hub of several courses, in the order given: [{course_id, folder, roster,
    exchange}].  Raises ValueError when two have the same id or they do not share one exchange
    root (nbgrader lists the courses of one root: each course's nbgrader_config.py must set the
    same c.Exchange.root)."""
    courses = []
    for index, folder in enumerate(folders):
        folder = Path(folder).resolve()
        course_id, exchange_root = course_settings(folder)
        courses.append(
            {
                "course_id": course_id,
                "folder": str(folder),
                "roster": str(roster_folder(index, folder, state).resolve()),
                "exchange": str(Path(exchange_root).resolve()),
            }
        )
    ids = [course["course_id"] for course in courses]
    if len(set(ids)) != len(ids):
        raise ValueError(f"two course folders have the same course id: {', '.join(ids)}")
    roots = sorted({course["exchange"] for course in courses})
    if len(roots) > 1:
        raise ValueError(
            "the courses of one hub share one exchange, but their nbgrader_config.py set "
            + ", ".join(f"{course['course_id']}: {course['exchange']}" for course in courses)
            + ": set the same c.Exchange.root in each"
        )
    return courses


def setup_courses(folders, state):
    """Groups, exchange, course folders' permissions and each user's configuration for a hub of
    the several courses in ``folders``; returns a list of sentences saying what was set.  Each
    course's folder in the shared exchange is closed to all but its staff and its students, and
    each user of a roster gets the configuration of their default server
    (``access.write_user_config``; the hub writes it again at each start of a server)."""
    state = Path(state).resolve()
    courses = hub_courses(folders, state)
    exchange_root = courses[0]["exchange"]
    lines = []
    for course in courses:
        folder, course_id = Path(course["folder"]), course["course_id"]
        staff, students = access.group_names(course_id)
        access.ensure_group(staff)
        access.ensure_group(students)
        public = set(access.PUBLIC_ENTRIES)
        for inside in (state, Path(exchange_root)):
            if inside.is_relative_to(folder) and inside != folder:
                public.add(inside.relative_to(folder).parts[0])
        closed = access.lock_course(folder, staff, public=tuple(public))
        exchange.prepare(exchange_root, course_id, staff, students)
        lines += [
            f"course {course_id} ({folder}): staff group {staff}, students group {students}, "
            f"{', '.join(closed) or 'nothing'} closed to all but {staff}",
            f"exchange {exchange_root}/{course_id}: open to {staff} and {students} only",
            *deadlines.publish_course(folder),
        ]
    for folder in (state, state / "jupyter"):
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o711)
        acl.remove_default_acl(folder)
    access.write_exchange_package(state)
    folders_by_id = {course["course_id"]: course["folder"] for course in courses}
    members = access.memberships([(course["course_id"], course["roster"]) for course in courses])
    written = []
    for name, roles in sorted(members.items()):
        if not user_exists(name):
            continue
        access.write_user_config(state, name, roles, folders_by_id, exchange_root)
        for course_id, role in roles.items():
            if role in access.STAFF_ROLES:
                access.link_course(name, folders_by_id[course_id], course_id)
        written.append(name)
    lines.append(
        f"each user's Jupyter configuration in {state / 'jupyter' / 'users'}: {', '.join(written) or 'no users yet'}"
    )
    return lines


def roster_roles(state):
    """{username: role} of the roster synced into ``state`` whose users exist on this machine."""
    path = Path(state) / "roster.json"
    users = json.loads(path.read_text())["users"] if path.exists() else {}
    return {name: row["role"] for name, row in users.items() if user_exists(name)}


def user_exists(name):
    """Whether the machine has a user ``name``."""
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def write_hub_config(state, settings, extra=None):
    """Write STATE/jupyterhub_config.py, which applies ``hubconfig.configure`` with ``settings``,
    then the administrator's own JupyterHub configuration file ``extra``, if any (an LTI login,
    HTTPS), whose settings win."""
    path = Path(state) / "jupyterhub_config.py"
    text = (
        "# Written by `dnngrader hub start` at every start: put settings of your own in a file\n"
        "# of yours, named with --extra-config.\n"
        "from dnngrader.hub import hubconfig\n\n"
        # As a Python literal: JSON's null, true and false are not Python (a course without data/).
        f"hubconfig.configure(c, {settings!r})  # noqa: F821\n"
    )
    if extra:
        text += f"load_subconfig({str(Path(extra).resolve())!r})  # noqa: F821\n"
    path.write_text(text)
    os.chmod(path, 0o600)
    return path


def hub_command(state, args):
    """The command line and environment of the hub ``args`` ask for, its configuration written
    (``args.course``: a course folder, or a list of them)."""
    folders = args.course if isinstance(args.course, list) else [args.course]
    settings = {
        "state": str(Path(state).resolve()),
        "ip": args.ip,
        "port": args.port,
        "hub_port": args.hub_port,
        "proxy_api_port": args.proxy_api_port,
        "proxy_command": proxy_command(state),
        "prefix": str(args.env or access.users_environment(KIT_ROOT)),
        "course": str(Path(folders[0]).resolve()),
        "course_id": course_settings(folders[0])[0],
    }
    data = access.shared_data(folders[0])
    settings["data"] = str(data) if data else None
    if len(folders) > 1:
        settings["courses"] = hub_courses(folders, state)
        for course in settings["courses"]:
            data = access.shared_data(course["folder"])
            course["data"] = str(data) if data else None
    config = write_hub_config(state, settings, args.extra_config)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join(
        [str(Path(settings["proxy_command"]).parent), f"{sys.prefix}/bin", env.get("PATH", "/usr/bin:/bin")]
    )
    return [sys.executable, "-m", "jupyterhub", "-f", str(config)], env


def running(pid):
    """Whether the process ``pid`` runs (an exited one its parent has not reaped yet does not)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def stop(state):
    """Stop the hub whose pid file is in ``state`` (SIGTERM: JupyterHub stops the users' servers
    and the proxy, then exits); returns a sentence."""
    pid_file = Path(state) / "private" / "jupyterhub.pid"
    if not pid_file.exists():
        return f"no hub runs from {state} (no {pid_file.name})"
    pid = int(pid_file.read_text().strip())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        return f"the hub of {state} (pid {pid}) had already stopped"
    deadline = time.monotonic() + STOP_LIMIT_S
    while time.monotonic() < deadline:
        if not running(pid):
            return f"stopped the hub of {state} (pid {pid})"
        time.sleep(0.2)
    raise TimeoutError(f"the hub (pid {pid}) did not stop within {STOP_LIMIT_S} s")


def main(argv=None):
    """Command line: setup, start (the default) or stop."""
    parser = argparse.ArgumentParser(
        prog="dnngrader hub",
        description=__doc__.split("\n\n")[0],
        epilog="docs/administrators/hub.md says how users log in and how the exchange is closed.",
    )
    parser.add_argument(
        "action",
        nargs="?",
        default="start",
        choices=("start", "setup", "stop"),
        help="start (the default; as root): set up, then run the hub in the foreground until Ctrl-C "
        "or `dnngrader hub stop`; setup: only the course's groups, exchange folders and permissions "
        "and each role's Jupyter configuration; stop: stop a running hub, every user's server and "
        "the proxy",
    )
    parser.add_argument(
        "--course",
        type=Path,
        action="append",
        metavar="DIR",
        help="the course folder (default: the current folder); once per course for a hub of several courses",
    )
    parser.add_argument("--state", type=Path, metavar="DIR", help="the hub's folder (default: the first course's .hub)")
    parser.add_argument("--ip", default="", help="the address to serve on (default: every address)")
    parser.add_argument("--port", type=int, default=8000, metavar="PORT", help="the hub's public port (8000)")
    parser.add_argument("--hub-port", type=int, default=8081, metavar="PORT", help="the hub's internal port (8081)")
    parser.add_argument("--proxy-api-port", type=int, default=8001, metavar="PORT", help="the proxy's API port (8001)")
    parser.add_argument(
        "--extra-config",
        type=Path,
        metavar="FILE",
        help="a JupyterHub configuration file of yours, applied after the kit's (LTI login, HTTPS)",
    )
    parser.add_argument(
        "--env",
        type=Path,
        metavar="DIR",
        help="the Python environment of the users' servers (default: the kit's .venv when "
        "every user can run its Python, else .hub/env, which `make hub-deps` builds)",
    )
    args = parser.parse_args(argv)
    folders = args.course or [Path.cwd()]
    args.course = folders if len(folders) > 1 else folders[0]
    state = (args.state or default_state(folders[0])).absolute()
    try:
        if args.action == "stop":
            print(stop(state))
            return 0
        if os.geteuid() != 0:
            print(
                f"dnngrader hub {args.action}: runs as root (it logs users in with PAM and starts "
                "their servers as them)",
                file=sys.stderr,
            )
            return 2
        for line in setup(args.course, state) if len(folders) == 1 else setup_courses(folders, state):
            print(line)
        if args.action == "setup":
            return 0
        command, env = hub_command(state, args)
    except (ValueError, OSError, TimeoutError) as error:
        print(f"dnngrader hub: {error}", file=sys.stderr)
        return 1
    print(
        f"JupyterHub on http://{args.ip or 'localhost'}:{args.port}/ (Ctrl-C or `dnngrader hub stop` stops it)",
        flush=True,
    )
    # The hub in the foreground, in this process: Ctrl-C reaches JupyterHub, which stops cleanly.
    os.chdir(state)
    os.execve(command[0], command, env)


if __name__ == "__main__":
    sys.exit(main())
