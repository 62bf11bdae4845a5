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
EXCHANGE_MODULES = ("__init__.py", "acl.py", "exchange.py")
EXCHANGE_MODULE = f"{EXCHANGE_PACKAGE}.exchange"

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


def exchange_python_path(state):
    """The folder the users' servers import the kit's exchange classes from (PYTHONPATH)."""
    return Path(state) / "python"


def hub_environment(state, role, prefix=sys.prefix, data=None):
    """The environment variables of a ``role`` user's server on the hub whose folder is ``state``:
    the users' environment (``prefix``) first on PATH, the role's Jupyter configuration folder,
    the folder of the kit's exchange classes (the kit itself may not be in that environment, and
    is closed to students), and the shared data folder ``data`` (DNN_DATA), if any."""
    variables = {
        "PATH": f"{prefix}/bin:/usr/local/bin:/usr/bin:/bin",
        "JUPYTER_CONFIG_PATH": str(config_folder(state, role)),
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
    real = Path(os.path.realpath(path))
    blocked = [str(folder) for folder in reversed(real.parents) if not os.stat(folder).st_mode & 0o001]
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
    if (spare / "bin" / "python").exists() and not unreachable(spare / "bin" / "python"):
        return spare
    python = os.path.realpath(Path(prefix) / "bin" / "python")
    raise ValueError(
        f"the course's users cannot run the kit's Python ({python}: {', '.join(blocked)} "
        f"closed to them) and there is no {spare}: run `make hub-deps`, which "
        "builds it from /usr/bin/python3 (HUB_PYTHON=...), or build .venv from an interpreter "
        "everyone can run"
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
    python = exchange_python_path(state)
    (python / EXCHANGE_PACKAGE).mkdir(parents=True, exist_ok=True)
    for name in EXCHANGE_MODULES:
        shutil.copyfile(Path(__file__).parent / name, python / EXCHANGE_PACKAGE / name)
    readable_tree(python, 0, other=True)
    return written


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
