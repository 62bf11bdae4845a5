"""A user's courses on a hub of several courses, as their server sees them: the nbgrader
authenticator plug-in that limits the Assignments panel and the exchange commands to the user's
own courses, and the formgrader's course list of a member of the staff.

Both read ``courses.json``, which the hub writes into each server's Jupyter configuration folder
(``dnngrader.hub.access.write_user_config``) from the courses' rosters::

    {"user": "ada", "exchange": "/srv/exchange", "server_course": "A",
     "courses": {"A": {"role": "instructor", "folder": "/srv/A"}, "B": {"role": "student"}}}

Like ``exchange``, this module imports nothing of the kit (nbgrader, jupyter_server and the
standard library only): the hub copies it beside the exchange classes, into the package every
user's server imports (``dnngrader_hub``).  The real boundary between courses is the file system
(each course's folder in the exchange is closed to the other courses' users); the plug-in only
keeps nbgrader from offering what the user could not open anyway, with a clear message.
"""

import json
import os
from urllib.parse import urlparse

from nbgrader.auth.base import BaseAuthPlugin
from traitlets import List, Unicode

COURSES_FILE = "courses.json"
STAFF_ROLES = ("instructor", "ta")


def read_courses(folder=None):
    """The ``courses.json`` of the server's Jupyter configuration folder (``folder``, default: the
    first of JUPYTER_CONFIG_PATH); empty when there is none."""
    folder = folder or os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep)[0]
    path = os.path.join(folder, COURSES_FILE)
    if not folder or not os.path.isfile(path):
        return {"courses": {}}
    with open(path) as handle:
        return json.load(handle)


class RosterCourses(BaseAuthPlugin):
    """nbgrader's authenticator plug-in for a hub of several courses: the user may use the courses
    the hub listed for them (``courses``, the rosters they are in), and no other."""

    courses = List(Unicode(), help="the ids of the courses this user is in, as the hub wrote them").tag(config=True)

    def get_student_courses(self, student_id):
        """The user's courses, whatever ``student_id`` nbgrader asks about (each server is one
        user's)."""
        return list(self.courses)

    def add_student_to_course(self, student_id, course_id):
        """Enrolment is the rosters' business (``dnngrader roster sync``), not nbgrader's."""

    def remove_student_from_course(self, student_id, course_id):
        """Enrolment is the rosters' business (``dnngrader roster remove``), not nbgrader's."""


def formgraders(data, server_url, hub_url):
    """The formgrader course list of the user ``data`` describes: one entry per course they teach,
    the formgrader of this server (at ``server_url``) for the server's own course, and for each
    other course the formgrader of their server named after it (JupyterHub's named servers,
    under ``hub_url``), which the hub starts when it is opened.  The first is of nbgrader's kind
    "local" (the Course List panel opens it in a JupyterLab tab), the others "jupyterhub" (a link
    to a new browser tab)."""
    found = []
    for course_id, entry in sorted(data.get("courses", {}).items()):
        if entry.get("role") not in STAFF_ROLES:
            continue
        if course_id == data.get("server_course"):
            url, kind = server_url.rstrip("/") + "/formgrader", "local"
        else:
            url, kind = f"{hub_url.rstrip('/')}/user/{data['user']}/{course_id}/formgrader", "jupyterhub"
        found.append({"course_id": course_id, "url": url, "kind": kind})
    return found


def _load_jupyter_server_extension(serverapp):
    """Serve ``/formgraders`` (nbgrader's course list, which the Course List panel asks) from the
    hub's ``courses.json``: the kit's replacement of nbgrader's course_list extension, which knows
    a single formgrader per server.  (nbgrader's assignment_list extension, on in every server,
    serves ``/nbgrader_version``, which the panel asks too.)"""
    from jupyter_server.base.handlers import JupyterHandler
    from jupyter_server.utils import url_path_join
    from tornado import web

    class CourseListHandler(JupyterHandler):
        """The formgraders of the courses the user teaches."""

        @web.authenticated
        def get(self):
            """{"success": true, "value": [{"course_id", "url", "kind"}, ...]}, as nbgrader's."""
            parts = urlparse(self.request.full_url())
            origin = f"{parts.scheme}://{parts.netloc}"
            hub = origin + os.environ.get("JUPYTERHUB_BASE_URL", "/")
            courses = formgraders(read_courses(), origin + self.base_url, hub)
            self.finish(json.dumps({"success": True, "value": courses}))

    base_url = serverapp.web_app.settings["base_url"]
    serverapp.web_app.add_handlers(".*$", [(url_path_join(base_url, "/formgraders"), CourseListHandler)])
    serverapp.log.info("The hub's course list: the formgraders of %s", os.environ.get("JUPYTERHUB_USER", "this user"))


def _jupyter_server_extension_points():
    """This module is its own server extension."""
    return [{"module": __name__}]
