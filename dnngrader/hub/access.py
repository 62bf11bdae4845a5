"""Who may read and write what on the course's JupyterHub: the course's Unix groups, the
permissions of the course folder and the exchange, and the Jupyter configuration of each role.

Everything here runs as root (``dnngrader hub setup``, which ``dnngrader hub start`` runs first).

- Groups: ``<course_id>-staff`` (instructors and teaching assistants) and ``<course_id>-students``.
- The course folder: group-owned by the staff group and shared by it (setgid folders, group
  write), closed to everyone else except for the few entries the students' servers need
  (``PUBLIC_ENTRIES``: the kit's environment, the hub's folder, the exchange when it sits in the
  course).  The folder itself keeps only ``o+x``, so nobody outside the staff can list it.
- The hub's folder (the *state* folder): ``jupyter/student`` and ``jupyter/staff``, the Jupyter
  configuration of each role's servers (nbgrader's extensions enabled or disabled, the course's
  nbgrader settings), and ``python/``, a copy of the kit's exchange classes the students' servers
  import (the rest of the kit, with its reference solutions, is hidden from students).
"""

import grp
import json
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

from dnngrader.hub import acl

STUDENT, INSTRUCTOR, TA = "student", "instructor", "ta"
ROLES = (STUDENT, INSTRUCTOR, TA)
STAFF_ROLES = (INSTRUCTOR, TA)
# The course folder's entries every user may reach by name (setup adds the exchange when it sits
# in the course, and the hub's folder when it has another name).
PUBLIC_ENTRIES = (".venv", ".hub")
# Opened to all, read-only, by lock_course: the environments every user's server may run, and the
# second assignment's data set, which every student's notebook reads from there (DNN_DATA).
DATA_FOLDER = "data"
DATA_FILES = ("train_catvnoncat.h5", "test_catvnoncat.h5")  # dnngrader.kernel.notebook.dnn_app_data's
OPEN_FOLDERS = (".venv", ".hub/env", DATA_FOLDER)
# The package the users' servers import the kit's exchange classes from: a copy of these modules
# of dnngrader/hub/ (the exchange imports only acl beside it).
EXCHANGE_PACKAGE = "dnngrader_hub"
EXCHANGE_MODULES = ("__init__.py", "acl.py", "exchange.py", "courselist.py")
EXCHANGE_MODULE = f"{EXCHANGE_PACKAGE}.exchange"
# On a hub of several courses: the users' nbgrader authenticator plug-in and the staff's course list.
COURSELIST_MODULE = f"{EXCHANGE_PACKAGE}.courselist"

# nbgrader's server extensions and JupyterLab plug-ins, and who gets each.
SERVER_EXTENSIONS = {
    "nbgrader.server_extensions.assignment_list": ROLES,
    "nbgrader.server_extensions.validate_assignment": ROLES,
    "nbgrader.server_extensions.formgrader": STAFF_ROLES,
    "nbgrader.server_extensions.course_list": STAFF_ROLES,
}
LAB_PLUGINS = {
    "@jupyter/nbgrader:assignment-list": ROLES,
    "@jupyter/nbgrader:validate-assignment": ROLES,
    "@jupyter/nbgrader:menu": ROLES,
    "@jupyter/nbgrader:formgrader": STAFF_ROLES,
    "@jupyter/nbgrader:course-list": STAFF_ROLES,
    "@jupyter/nbgrader:create-assignment": STAFF_ROLES,
    # JupyterLab's offer of news from jupyter.org, and its fetching them: not in a class.
    "@jupyterlab/apputils-extension:announcements": (),
}


def group_names(course_id):
    """(staff group, students group) of the course: Unix group names made from its id."""
    base = "".join(char if char.isalnum() or char in "_-" else "-" for char in course_id.lower())
    return f"{base}-staff", f"{base}-students"


def ensure_group(name):
    """Create the Unix group ``name`` unless it exists; returns its gid."""
    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        subprocess.run(["groupadd", name], check=True)
        return grp.getgrnam(name).gr_gid


def config_folder(state, role):
    """The Jupyter configuration folder of ``role``'s servers (JUPYTER_CONFIG_PATH)."""
    return Path(state) / "jupyter" / ("student" if role == STUDENT else "staff")


def user_config_folder(state, username, server_name=""):
    """On a hub of several courses, the Jupyter configuration folder of ``username``'s server
    (their default server, or the named server ``server_name``): JUPYTER_CONFIG_PATH."""
    return Path(state) / "jupyter" / "users" / username / (f"course-{server_name}" if server_name else "default")


def exchange_python_path(state):
    """The folder the users' servers import the kit's exchange classes from (PYTHONPATH)."""
    return Path(state) / "python"


def hub_environment(state, role, prefix=sys.prefix, data=None, config=None):
    """The environment variables of a ``role`` user's server on the hub whose folder is ``state``:
    the users' environment (``prefix``) first on PATH, the role's Jupyter configuration folder
    (or ``config``, a user's own on a hub of several courses), the folder of the kit's exchange
    classes (the kit itself may not be in that environment, and is closed to students), and the
    shared data folder ``data`` (DNN_DATA), if any."""
    variables = {
        "PATH": f"{prefix}/bin:/usr/local/bin:/usr/bin:/bin",
        "JUPYTER_CONFIG_PATH": str(config or config_folder(state, role)),
        "PYTHONPATH": str(exchange_python_path(state)),
    }
    if data:
        variables["DNN_DATA"] = str(data)
    return variables


def shared_data(course_root):
    """The course's data folder when it holds both files of the second assignment's data set (the
    original images the instructor put there, or the stand-in), else None: every student's
    notebook then reads them from there, read-only, instead of writing a stand-in of its own.
    (A DNN_DATA folder without them would make the notebook write the stand-in there, which a
    student cannot.)"""
    folder = Path(course_root).resolve() / DATA_FOLDER
    return folder if all((folder / name).is_file() for name in DATA_FILES) else None


def unreachable(path):
    """What keeps other users from running or reading ``path`` (its real path): the folders on the
    way they cannot pass (no ``o+x``) and the file itself when they cannot read it.  Empty when
    every user reaches it."""
    # The folders on the way to the path as named (a venv's bin/python is a link into another
    # interpreter: the venv's own folders must be open too), then to what it resolves to.
    named, real = Path(os.path.abspath(path)), Path(os.path.realpath(path))
    folders = dict.fromkeys([*reversed(named.parents), *reversed(real.parents)])
    blocked = [str(folder) for folder in folders if not os.stat(folder).st_mode & 0o001]
    if not os.stat(real).st_mode & 0o004:
        blocked.append(str(real))
    return blocked


def users_environment(kit_root, prefix=sys.prefix):
    """The Python environment the users' servers run: the kit's own (``prefix``) when every user
    can run its interpreter, else KIT/.hub/env (``make hub`` builds it from an interpreter they
    can run, with the same pinned packages).  Raises ValueError saying what to do when neither."""
    blocked = unreachable(Path(prefix) / "bin" / "python")
    if not blocked:
        return Path(prefix)
    spare = Path(kit_root) / ".hub" / "env"
    closed = unreachable(spare / "bin" / "python") if (spare / "bin" / "python").exists() else None
    if closed == []:
        return spare
    python = os.path.realpath(Path(prefix) / "bin" / "python")
    remedy = (
        f" and there is no {spare}: run `make hub-deps`, which builds it from /usr/bin/python3 "
        "(HUB_PYTHON=...), or build .venv from an interpreter everyone can run"
        if closed is None
        else f", nor {spare}'s ({', '.join(closed)} closed to them): put the kit in a folder every "
        "user can enter (not under /root, nor in a folder of `mktemp -d`)"
    )
    raise ValueError(
        f"the course's users cannot run the kit's Python ({python}: {', '.join(blocked)} closed to them){remedy}"
    )


def nbgrader_settings(role, course_id, exchange_root, course_root):
    """The text of ``role``'s nbgrader_config.py on the hub.  The staff's loads the course's own
    nbgrader_config.py (its grading plug-ins and sandbox count in the formgrader too), then names
    the course folder by the link in each user's home (``link_course``): nbgrader's formgrader
    works only on a course folder inside the folder the server serves, the home."""
    lines = [
        "# Written by `dnngrader hub setup`, again at every start: change the course's",
        "# nbgrader_config.py or the hub's options, not this file.",
        "import os",
        "c = get_config()  # noqa: F821",
    ]
    if role in STAFF_ROLES:
        lines += [
            f"load_subconfig({str(Path(course_root) / 'nbgrader_config.py')!r})  # noqa: F821",
            f"c.CourseDirectory.root = os.path.join(os.path.expanduser('~'), {course_id!r})",
            "c.CourseDirectory.groupshared = True",
            f"c.ExchangeFactory.collect = '{EXCHANGE_MODULE}.CheckedCollect'",
            f"c.ExchangeFactory.release_feedback = '{EXCHANGE_MODULE}.PrivateReleaseFeedback'",
        ]
    lines += [
        f"c.CourseDirectory.course_id = {course_id!r}",
        f"c.Exchange.root = {str(exchange_root)!r}",
        f"c.ExchangeFactory.submit = '{EXCHANGE_MODULE}.PrivateSubmit'",
    ]
    return "\n".join(lines) + "\n"


def link_course(username, course_root, course_id):
    """Make ~USERNAME/COURSE_ID a link to the course folder (a staff user's way to it from their
    server); returns the link, or None when something else already has that name (left alone)."""
    entry = pwd.getpwnam(username)
    link = Path(entry.pw_dir) / course_id
    if link.is_symlink() and os.path.realpath(link) == os.path.realpath(course_root):
        return link
    if link.exists() or link.is_symlink():
        return None
    link.symlink_to(Path(course_root).resolve())
    os.lchown(link, entry.pw_uid, entry.pw_gid)
    return link


def write_role_configs(state, course_id, exchange_root, course_root, staff_group):
    """Write each role's Jupyter configuration folder under ``state`` and the students' copy of
    the exchange classes; returns {role folder name: path}."""
    state = Path(state)
    staff_gid = grp.getgrnam(staff_group).gr_gid
    for folder in (state, state / "jupyter"):
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o711)
        acl.remove_default_acl(folder)
    written = {}
    for role in (STUDENT, INSTRUCTOR):
        folder = config_folder(state, role)
        (folder / "labconfig").mkdir(parents=True, exist_ok=True)
        extensions = {name: role in roles for name, roles in SERVER_EXTENSIONS.items()}
        (folder / "jupyter_server_config.json").write_text(
            json.dumps({"ServerApp": {"jpserver_extensions": extensions}}, indent=2) + "\n"
        )
        disabled = {name: True for name, roles in LAB_PLUGINS.items() if role not in roles}
        (folder / "labconfig" / "page_config.json").write_text(
            json.dumps({"disabledExtensions": disabled}, indent=2) + "\n"
        )
        (folder / "nbgrader_config.py").write_text(nbgrader_settings(role, course_id, exchange_root, course_root))
        readable_tree(folder, 0 if role == STUDENT else staff_gid, other=role == STUDENT)
        written[folder.name] = folder
    write_exchange_package(state)
    return written


def write_exchange_package(state):
    """Copy the kit's exchange classes (and the course list) to the folder every user's server
    imports them from, readable by all; returns that folder."""
    python = exchange_python_path(state)
    (python / EXCHANGE_PACKAGE).mkdir(parents=True, exist_ok=True)
    for name in EXCHANGE_MODULES:
        shutil.copyfile(Path(__file__).parent / name, python / EXCHANGE_PACKAGE / name)
    readable_tree(python, 0, other=True)
    return python


# A user's nbgrader_config.py on a hub of several courses: the same text for every user, reading
# the courses.json beside it (courselist.read_courses' format), which the hub writes for each server.
USER_NBGRADER_SETTINGS = f"""\
# Written by `dnngrader hub` for each server of a hub of several courses, from the courses'
# rosters (courses.json, beside this file): change the rosters or the hub's options, not this file.
import json
import os

c = get_config()  # noqa: F821
with open(os.path.join(os.path.dirname(__file__), "courses.json")) as handle:
    mine = json.load(handle)
courses = mine["courses"]
c.Exchange.root = mine["exchange"]
c.ExchangeFactory.submit = "{EXCHANGE_MODULE}.PrivateSubmit"
# Only the user's courses, in the Assignments panel and the exchange commands.
c.Authenticator.plugin_class = "{COURSELIST_MODULE}.RosterCourses"
c.RosterCourses.courses = sorted(courses)
# A student of several courses gets each course's assignments in a folder named after the course.
if sum(entry["role"] == "{STUDENT}" for entry in courses.values()) > 1:
    c.Exchange.path_includes_course = True
# The course: that of the course folder a command runs in, else the server's own; none for a
# student of several courses on their default server (nbgrader then lists every course of theirs).
try:
    here = os.getcwd()
except OSError:
    here = ""
course = next(
    (
        course_id
        for course_id, entry in courses.items()
        if entry.get("folder") and (here == entry["folder"] or here.startswith(entry["folder"] + os.sep))
    ),
    mine.get("server_course"),
)
if course in courses:
    entry = courses[course]
    if entry["role"] != "{STUDENT}":
        # The course's own settings; the formgrader needs the course folder inside the home.
        load_subconfig(os.path.join(entry["folder"], "nbgrader_config.py"))  # noqa: F821
        c.CourseDirectory.root = os.path.join(os.path.expanduser("~"), course)
        c.CourseDirectory.groupshared = True
        c.ExchangeFactory.collect = "{EXCHANGE_MODULE}.CheckedCollect"
        c.ExchangeFactory.release_feedback = "{EXCHANGE_MODULE}.PrivateReleaseFeedback"
        c.Exchange.root = mine["exchange"]
    c.CourseDirectory.course_id = course
"""


def default_course(courses):
    """The course of a user's default server on a hub of several courses, given their
    ``courses`` ({course id: role}, in the hub's order): the first they teach, else their only
    course, else None (a student of several: the Assignments panel lists them all)."""
    taught = [course_id for course_id, role in courses.items() if role in STAFF_ROLES]
    if taught:
        return taught[0]
    return next(iter(courses)) if len(courses) == 1 else None


def write_user_config(state, username, roles, folders, exchange_root, server_name=""):
    """Write the Jupyter configuration of ``username``'s server on a hub of several courses, from
    their ``roles`` ({course id: role}, in the hub's order): ``server_name`` is a named server's
    name (one of their course ids, that server's course), or empty for their default server
    (``default_course``).  ``folders`` gives each course's folder.  The server gets the staff's
    extensions when its course is one they teach, the students' otherwise; its nbgrader settings
    are USER_NBGRADER_SETTINGS and courses.json.  The folder is root's, readable by that user only.
    Returns the folder."""
    if server_name and server_name not in roles:
        raise ValueError(f"{username} has no course {server_name!r} on this hub: a server is named after a course")
    server_course = server_name or default_course(roles)
    staff = roles.get(server_course) in STAFF_ROLES
    role = INSTRUCTOR if staff else STUDENT
    folder = user_config_folder(state, username, server_name)
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    extensions = {name: role in allowed for name, allowed in SERVER_EXTENSIONS.items()}
    extensions["nbgrader.server_extensions.course_list"] = False
    extensions[COURSELIST_MODULE] = staff
    (folder / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": extensions}}, indent=2) + "\n"
    )
    disabled = {name: True for name, allowed in LAB_PLUGINS.items() if role not in allowed}
    (folder / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": disabled}, indent=2) + "\n"
    )
    courses = {
        course_id: {"role": course_role, **({"folder": str(folders[course_id])} if course_role in STAFF_ROLES else {})}
        for course_id, course_role in roles.items()
    }
    data = {"user": username, "exchange": str(exchange_root), "server_course": server_course, "courses": courses}
    (folder / "courses.json").write_text(json.dumps(data, indent=2) + "\n")
    (folder / "nbgrader_config.py").write_text(USER_NBGRADER_SETTINGS)
    uid = pwd.getpwnam(username).pw_uid
    for path in (Path(state) / "jupyter" / "users", folder.parent):
        os.chown(path, 0, 0)
        os.chmod(path, 0o711)
        acl.remove_default_acl(path)
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, 0, 0)
        if path.is_dir():
            acl.remove_default_acl(path)
        acl.private_to_user(path, uid)
    return folder


def readable_tree(folder, gid, other):
    """Make ``folder`` and its contents root's, group ``gid``'s, readable by the group, and by
    everyone when ``other``; nobody but root writes there."""
    for path in [folder, *Path(folder).rglob("*")]:
        os.chown(path, 0, gid, follow_symlinks=False)
        if path.is_dir():
            acl.remove_default_acl(path)
            os.chmod(path, 0o755 if other else 0o750)
        else:
            os.chmod(path, 0o644 if other else 0o640)


# The default access control list of the course's folders: what anyone creates in them later is
# the staff's to read and write and nobody else's, whatever the creator's umask (a default ACL
# replaces it).  Without it a gradebook.db that nbgrader creates at the course's root would be
# readable by anyone who knows its name, since the folder stays o+x.
CLOSED_DEFAULT_ACL = acl.pack_acl(
    [
        (acl.ACL_USER_OBJ, 7, acl.ACL_UNDEFINED_ID),
        (acl.ACL_GROUP_OBJ, 7, acl.ACL_UNDEFINED_ID),
        (acl.ACL_OTHER, 0, acl.ACL_UNDEFINED_ID),
    ]
)


def close_by_default(folder):
    """Give ``folder`` the CLOSED_DEFAULT_ACL."""
    os.setxattr(folder, acl.DEFAULT_ATTRIBUTE, CLOSED_DEFAULT_ACL)


def open_to_all(folder):
    """Let every user read ``folder`` (and run what its owner may run): an environment rebuilt
    inside the closed course folder inherits its default ACL and is closed like the rest."""
    for path in [Path(folder), *Path(folder).rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode & 0o7777
        if path.is_dir():
            acl.remove_default_acl(path)
            os.chmod(path, mode | 0o005)
        else:
            os.chmod(path, mode | 0o004 | (0o001 if mode & 0o100 else 0))


def lock_course(course_root, staff_group, public=PUBLIC_ENTRIES, open_folders=OPEN_FOLDERS):
    """Share the course folder with the staff group and close it to everyone else: the folder
    keeps ``o+x`` (others reach ``public`` entries by name but cannot list it, and the environments
    of ``open_folders`` are opened to all: ``open_to_all``); every other entry,
    recursively, belongs to the staff group, group-writable, folders setgid, with no permission for
    others, and what is created there later is closed too (CLOSED_DEFAULT_ACL).  Symbolic links
    are left as they are.  Returns the entries closed."""
    root = Path(course_root)
    gid = grp.getgrnam(staff_group).gr_gid
    os.chown(root, -1, gid)
    os.chmod(root, 0o2771)
    close_by_default(root)
    closed = []
    for entry in sorted(root.iterdir()):
        if entry.name in public or entry.is_symlink():
            continue
        for path in [entry, *(entry.rglob("*") if entry.is_dir() else [])]:
            if path.is_symlink():
                continue
            mode = path.stat().st_mode & 0o7777
            os.chown(path, -1, gid)
            if path.is_dir():
                os.chmod(path, (mode | 0o2070) & ~0o007)
                close_by_default(path)
            else:
                group = 0o060 | (0o010 if mode & 0o100 else 0)
                os.chmod(path, (mode | group) & ~0o007)
        closed.append(entry.name)
    for name in open_folders:
        folder = root / name
        if folder.is_dir() and not folder.is_symlink():
            open_to_all(folder)
    return closed


def memberships(courses):
    """{username: {course id: role}} of the rosters of a hub's ``courses`` ([(course id, the folder
    its roster.json is in)], in the hub's order), as synced now (``dnngrader roster sync``)."""
    found = {}
    for course_id, roster_folder in courses:
        path = Path(roster_folder) / "roster.json"
        users = json.loads(path.read_text())["users"] if path.exists() else {}
        for name, row in users.items():
            found.setdefault(name, {})[course_id] = row["role"]
    return found
