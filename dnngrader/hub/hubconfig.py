"""The JupyterHub configuration of the course's hub, applied by the jupyterhub_config.py that
``dnngrader hub start`` writes into the hub's folder::

    from dnngrader.hub import hubconfig
    hubconfig.configure(c, {...})

- Login: PAM (the machine's own users and passwords, as ``dnngrader roster sync`` sets them),
  allowed only for the users of the roster the hub's folder keeps (``roster.json``, read at each
  login, so a synced roster counts without a restart).  The instructors and TAs may use the hub's
  admin page to see the users and start or stop their servers (the role ``course-staff``), but
  not open a student's server; the hub has no admins.
- Servers: JupyterHub's LocalProcessSpawner starts each user's ``jupyterhub-singleuser`` of the
  kit's environment as that Unix user (the hub runs as root), in their home folder, opening
  JupyterLab.  Before each start the user's role, read from the roster, chooses the Jupyter
  configuration folder of their servers (``access.config_folder``): students get nbgrader's
  Assignments panel and Validate; instructors and TAs get the formgrader and the assignment
  creation tools too.
- Several courses (``settings["courses"]``): the users of every course's roster may log in, and
  each server gets a Jupyter configuration of its own, written before it starts from the roles its
  user holds in each course (``access.write_user_config``).  JupyterHub's named servers are on: a
  server named after a course (``/hub/spawn/<user>/<course id>``) is about that course (an
  instructor of two courses has one formgrader in each); the default server is about the first
  course the user teaches, or every course of a student.
"""

import json
import os
import sys
from pathlib import Path

from jupyterhub.auth import PAMAuthenticator
from traitlets import List, Unicode

from dnngrader.hub import access

# What the course's staff may do on the hub: its admin page, the users, their servers started and
# stopped; not access:servers (opening a student's server, acting as them) nor tokens.
STAFF_SCOPES = ["admin-ui", "list:users", "read:users", "admin:servers"]
LOGIN_MESSAGE = "Log in with the user name and password your instructor gave you (the ones of this machine's account)."


def roster_users(state):
    """{username: role} of the roster kept in the hub's folder ``state`` (empty when none)."""
    path = Path(state) / "roster.json"
    if not path.exists():
        return {}
    return {name: row["role"] for name, row in json.loads(path.read_text())["users"].items()}


class RosterPAMAuthenticator(PAMAuthenticator):
    """PAM login, for the users of the course's roster only (of the courses' rosters on a hub of
    several courses)."""

    state = Unicode(help="the hub's folder, where roster.json is").tag(config=True)
    rosters = List(Unicode(), help="the folders of the courses' roster.json files (default: state's)").tag(config=True)

    def check_allowed(self, username, authentication=None):
        """Whether ``username`` is in the roster (read anew at each login)."""
        return any(username in roster_users(folder) for folder in self.rosters or [self.state])


def configure(c, settings):
    """Set the hub's configuration ``c`` from ``settings`` (state, ip, port, hub_port,
    proxy_api_port, proxy_command, prefix: the users' Python environment, course, course_id,
    data: the shared data folder or None)."""
    state = Path(settings["state"])
    # JupyterHub's own files (its database, cookie secret, pid files) in a folder only root opens:
    # the hub's folder is open to every user, who read their role's configuration there.
    private = state / "private"
    private.mkdir(mode=0o700, exist_ok=True)
    os.chmod(private, 0o700)
    c.JupyterHub.bind_url = f"http://{settings['ip']}:{settings['port']}/"
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings['hub_port']}"
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings['proxy_api_port']}"
    c.ConfigurableHTTPProxy.command = [settings["proxy_command"]]
    c.ConfigurableHTTPProxy.pid_file = str(private / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{private / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(private / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(private / "jupyterhub.pid")
    c.JupyterHub.cleanup_servers = True
    c.JupyterHub.cleanup_proxy = True
    c.JupyterHub.template_vars = {"announcement_login": LOGIN_MESSAGE}

    c.JupyterHub.authenticator_class = RosterPAMAuthenticator
    c.RosterPAMAuthenticator.state = str(state)
    # The staff see the users and start or stop their servers from the admin page; they are not
    # the hub's admins, who may open any user's server and make tokens in their name.
    courses = settings.get("courses") or []
    rosters = [course["roster"] for course in courses] or [str(state)]
    c.RosterPAMAuthenticator.rosters = rosters
    staff = sorted(
        {name for folder in rosters for name, role in roster_users(folder).items() if role in access.STAFF_ROLES}
    )
    c.JupyterHub.load_roles = [
        {
            "name": "course-staff",
            "description": "the course's instructors and TAs",
            "scopes": STAFF_SCOPES,
            "users": staff,
        }
    ]

    c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
    prefix = settings.get("prefix", sys.prefix)
    c.Spawner.cmd = [f"{prefix}/bin/jupyterhub-singleuser"]
    c.Spawner.default_url = "/lab"
    c.Spawner.notebook_dir = "~"
    c.Spawner.start_timeout = 120
    c.Spawner.http_timeout = 120

    def choose_role(spawner):
        """Give the server the environment of its user's role (read from the roster now), and the
        staff a link to the course folder in their home."""
        role = roster_users(state).get(spawner.user.name, access.STUDENT)
        if role in access.STAFF_ROLES:
            access.link_course(spawner.user.name, settings["course"], settings["course_id"])
        variables = access.hub_environment(state, role, prefix, settings.get("data"))
        spawner.environment = {**spawner.environment, **variables}
        spawner.log.info("Starting %s's server as a %s", spawner.user.name, role)

    c.Spawner.pre_spawn_hook = choose_role
    if courses:
        c.JupyterHub.allow_named_servers = True
        c.Spawner.pre_spawn_hook = lambda spawner: choose_courses(spawner, state, courses, prefix)


def choose_courses(spawner, state, courses, prefix):
    """On a hub of several ``courses``: write the Jupyter configuration of the server about to
    start from its user's roles in each course (read from the rosters now), point it there, and
    give the staff a link to each course folder they teach in.  A named server must be named after
    one of the user's courses (ValueError, shown to the user, otherwise)."""
    name = spawner.user.name
    roles = access.memberships([(course["course_id"], course["roster"]) for course in courses]).get(name, {})
    folders = {course["course_id"]: course["folder"] for course in courses}
    config = access.write_user_config(state, name, roles, folders, courses[0]["exchange"], spawner.name or "")
    for course_id, role in roles.items():
        if role in access.STAFF_ROLES:
            access.link_course(name, folders[course_id], course_id)
    server_course = spawner.name or access.default_course(roles)
    data = next(
        (course["data"] for course in courses if course["course_id"] == server_course and course.get("data")),
        next((course["data"] for course in courses if course["course_id"] in roles and course.get("data")), None),
    )
    role = roles.get(server_course, access.STUDENT)
    variables = access.hub_environment(state, role, prefix, data, config=config)
    spawner.environment = {**spawner.environment, **variables}
    spawner.log.info(
        "Starting %s's server %r (course %s) as %s", name, spawner.name, server_course or "all of theirs", roles
    )
