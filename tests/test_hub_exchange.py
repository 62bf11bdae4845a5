"""The course's exchange on a hub, with real, separate Unix users: nothing is mocked.

`dnngrader roster sync` creates an instructor, a teaching assistant and three students (alice,
bob and mallory, who tries everything) from a roster CSV file; `dnngrader hub setup` makes the
course's groups and exchange and closes the course folder (tests/test_hub.py starts the hub
itself).  Then each person runs real `nbgrader` commands as their own Unix user (runuser), with
the Jupyter configuration the hub gives their role: the instructor releases, the students
fetch and submit, the TA collects, the instructor releases feedback and each student fetches
theirs.  Mallory submits in alice's name (stock nbgrader lets her), moves her own late submission
to an earlier time, and makes a later one whose notebook is a link to the instructor's source
notebook; the kit's collect refuses the first and the third and dates the second by the change.
Finally a probe, running as mallory, tries every forbidden action on the real paths (which she
could not even learn: the test, as root, hands them to her) and each must be refused by the
operating system, while two allowed reads beside them succeed.

The course is a tiny nbgrader course of one notebook (the exchange does not depend on the
assignment), with its exchange inside the course folder as in the kit's own layout.  Users and
groups carry a random tag and are removed at the end.
"""

import csv
import json
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from dnngrader.hub import access, exchange, roster, server

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="creates Unix users: runs as root")

ASSIGNMENT = "ps1"
EARLY = "2020-01-01 00:00:00.000000 UTC"


def notebook():
    """A one-exercise nbgrader source notebook: an answer cell and a graded test cell."""
    answer = nbformat.v4.new_code_cell(
        "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
        metadata={
            "nbgrader": {"grade_id": "double", "solution": True, "grade": False, "locked": False, "schema_version": 3}
        },
    )
    check = nbformat.v4.new_code_cell(
        "assert double(2) == 4",
        metadata={
            "nbgrader": {
                "grade_id": "double_test",
                "solution": False,
                "grade": True,
                "points": 1,
                "locked": True,
                "schema_version": 3,
            }
        },
    )
    return nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# Problem set 1"), answer, check],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )


class Course:
    """The scratch course, its users and how to run a command as one of them."""

    def __init__(self, base):
        self.base = base
        self.tag = "h" + secrets.token_hex(3)
        self.course_id = f"hubx-{self.tag}"
        self.folder = base / "course"
        self.state = self.folder / ".hub"
        self.exchange = self.folder / "exchange"
        self.users = {"teach": "instructor", "ta": "ta", "alice": "student", "bob": "student", "mallory": "student"}
        self.passwords = {}
        # The environment every user's server runs (the kit's, or .hub/env: `make hub-deps`).
        self.bin = access.users_environment(server.KIT_ROOT) / "bin"

    def name(self, person):
        """The Unix name of ``person`` (teach, ta, alice, bob, mallory)."""
        return f"{self.tag}{person}"

    def home(self, person):
        """``person``'s home folder."""
        return Path(pwd.getpwnam(self.name(person)).pw_dir)

    def write(self):
        """The course folder: nbgrader_config.py and the source notebook; and the roster file."""
        (self.folder / "source" / ASSIGNMENT).mkdir(parents=True)
        nbformat.write(notebook(), self.folder / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
        (self.folder / "nbgrader_config.py").write_text(
            textwrap.dedent(f"""\
            c = get_config()  # noqa: F821
            c.CourseDirectory.course_id = {self.course_id!r}
            c.CourseDirectory.db_url = 'sqlite:///{self.folder}/gradebook.db'
            c.Exchange.root = {str(self.exchange)!r}
            """)
        )
        with open(self.base / "roster.csv", "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["username", "full_name", "email", "lms_id", "role"])
            for person, role in self.users.items():
                writer.writerow(
                    [self.name(person), f"{person.title()} Tester", f"{person}@example.org", f"LMS-{person}", role]
                )

    def command(self, *words):
        """`dnngrader roster|hub ...` as the kit's module runs it, on this course."""
        module = "dnngrader.hub.roster" if words[0] == "roster" else "dnngrader.hub.server"
        rest = words[1:]
        return subprocess.run(
            [sys.executable, "-m", module, "--course", str(self.folder), "--state", str(self.state), *rest],
            capture_output=True,
            text=True,
            timeout=120,
        )

    def run(self, person, *command, cwd=None, check=True):
        """Run ``command`` as ``person``'s Unix user, with the environment the hub gives their
        server (the role's Jupyter configuration, the kit's environment on PATH), in their home
        folder unless ``cwd``."""
        role = self.users[person]
        env = access.hub_environment(self.state, role, self.bin.parent)
        env.update({"HOME": str(self.home(person)), "LANG": "C.UTF-8", "USER": self.name(person)})
        done = subprocess.run(
            [
                "runuser",
                "-u",
                self.name(person),
                "--",
                "env",
                "-i",
                *[f"{key}={value}" for key, value in env.items()],
                *command,
            ],
            cwd=cwd or self.home(person),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check:
            assert done.returncode == 0, f"{person}: {command}\n{done.stdout}\n{done.stderr}"
        return done

    def nbgrader(self, person, *arguments, **options):
        """`nbgrader ARGUMENTS` as ``person``; the staff's run in the course folder."""
        if person in ("teach", "ta"):
            options.setdefault("cwd", self.folder)
        return self.run(person, str(self.bin / "nbgrader"), *arguments, **options)

    def answer(self, person, text):
        """``person`` answers in their fetched notebook (the file stays theirs)."""
        path = self.home(person) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        path.write_text(path.read_text().replace("raise NotImplementedError()", f"return 2 * x  # {text}"))
        assert path.stat().st_uid == pwd.getpwnam(self.name(person)).pw_uid

    def remove(self):
        """Remove the users and groups (the test's own, by their tag) and the course."""
        for person in [*self.users, "extra"]:
            subprocess.run(["userdel", "--remove", self.name(person)], capture_output=True)
        for group in access.group_names(self.course_id):
            subprocess.run(["groupdel", group], capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)


def together(*calls):
    """Run the ``calls`` side by side; their results, in order."""
    with ThreadPoolExecutor(len(calls)) as pool:
        return [future.result() for future in [pool.submit(call) for call in calls]]


def submission_folder(output):
    """The inbound folder nbgrader submit names in its log."""
    return Path(re.search(r"Destination: (\S+/inbound/.+)", output).group(1).strip())


@pytest.fixture(scope="module")
def course():
    """The course after the whole round trip (see the module's docstring)."""
    base = Path(tempfile.mkdtemp(prefix="dnn-hub-exchange-", dir="/tmp"))
    os.chmod(base, 0o755)
    course = Course(base)
    try:
        course.folder.mkdir()
        course.write()
        course.synced = course.command("roster", "sync", str(base / "roster.csv"))
        assert course.synced.returncode == 0, course.synced.stdout + course.synced.stderr
        course.passwords = dict(re.findall(r"created (\S+)\tpassword (\S+)", course.synced.stdout))
        course.setup = course.command("hub", "setup")
        assert course.setup.returncode == 0, course.setup.stdout + course.setup.stderr
        (course.folder / "autograded").mkdir()  # made by root after the lock: closed by default

        course.nbgrader("teach", "generate_assignment", ASSIGNMENT)
        course.nbgrader("teach", "release_assignment", ASSIGNMENT)
        students = ("alice", "bob", "mallory")
        # What does not depend on another's step runs side by side (each command takes seconds).
        together(
            *[lambda person=person: course.nbgrader(person, "fetch_assignment", ASSIGNMENT) for person in students]
        )
        for person in students:
            course.answer(person, f"{person.upper()}-ANSWER")
        submits = together(
            *[lambda person=person: course.nbgrader(person, "submit", ASSIGNMENT) for person in ("alice", "bob")]
        )
        course.submitted = {person: submission_folder(done.stderr) for person, done in zip(("alice", "bob"), submits)}
        # Mallory submits in alice's name, later than alice: stock nbgrader accepts it.
        course.forged = submission_folder(
            course.nbgrader("mallory", "submit", ASSIGNMENT, f"--student={course.name('alice')}").stderr
        )
        # Her own submission, moved (as she can: it is hers) to a name and a timestamp.txt of 2020.
        own = submission_folder(course.nbgrader("mallory", "submit", ASSIGNMENT).stderr)
        course.backdated = own.with_name(f"{course.name('mallory')}+{ASSIGNMENT}+{EARLY}+{own.name.rsplit('+', 1)[1]}")
        course.run(
            "mallory",
            str(course.bin / "python"),
            "-c",
            "import os, sys; os.rename(sys.argv[1], sys.argv[2]); "
            "open(os.path.join(sys.argv[2], 'timestamp.txt'), 'w').write(sys.argv[3])",
            str(own),
            str(course.backdated),
            EARLY,
        )
        # And a later one she makes by hand, whose notebook is a link to the instructor's source
        # notebook (which the TA's collect could read and copy as hers).
        course.linked = own.with_name(f"{course.name('mallory')}+{ASSIGNMENT}+2099-01-01 00:00:00.000000 UTC+x")
        course.run(
            "mallory",
            str(course.bin / "python"),
            "-c",
            "import os, sys; os.mkdir(sys.argv[1]); "
            "os.symlink(sys.argv[2], os.path.join(sys.argv[1], 'ps1.ipynb')); "
            "open(os.path.join(sys.argv[1], 'timestamp.txt'), 'w').write('2099-01-01 00:00:00.000000 UTC')",
            str(course.linked),
            str(course.folder / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        )

        course.collected = course.nbgrader("ta", "collect", ASSIGNMENT)
        # The instructor's feedback files, as generate_feedback leaves them (the exchange, not the
        # grading, is under test here).
        feedback = (
            "import shutil, sys, pathlib; course, a = pathlib.Path(sys.argv[1]), sys.argv[2]\n"
            "for student in sys.argv[3:]:\n"
            "    src, dest = course / 'submitted' / student / a, course / 'feedback' / student / a\n"
            "    dest.mkdir(parents=True); (dest / f'{a}.html').write_text(f'FEEDBACK FOR {student}')\n"
            "    [shutil.copy(src / n, dest / n) for n in ('timestamp.txt', 'submission_secret.txt')]"
        )
        course.run(
            "teach",
            str(course.bin / "python"),
            "-c",
            feedback,
            str(course.folder),
            ASSIGNMENT,
            course.name("alice"),
            course.name("bob"),
        )
        course.released_feedback = course.nbgrader("teach", "release_feedback", ASSIGNMENT)
        together(
            *[
                lambda person=person: course.nbgrader(person, "fetch_feedback", ASSIGNMENT)
                for person in ("alice", "bob")
            ]
        )
        yield course
    finally:
        course.remove()


def test_the_roster_makes_real_users_with_their_groups_and_passwords(course):
    import pamela

    staff, students = access.group_names(course.course_id)
    for person, role in course.users.items():
        name = course.name(person)
        groups = subprocess.run(["id", "-nG", name], capture_output=True, text=True).stdout.split()
        assert (staff in groups) == (role != "student") and (students in groups) == (role == "student"), groups
        assert os.stat(course.home(person)).st_mode & 0o077 == 0  # a home nobody else opens
    for person in ("teach", "alice"):  # each check hashes a password: two are enough
        name = course.name(person)
        pamela.authenticate(name, course.passwords[name], service="login")  # raises when refused
    with pytest.raises(pamela.PAMError):  # once: PAM delays every failure by seconds
        pamela.authenticate(course.name("alice"), "not-" + course.passwords[course.name("alice")], service="login")
    # The passwords were written once, for root only.
    written = list((course.state / "passwords").glob("*.csv"))
    assert len(written) == 1 and os.stat(written[0]).st_mode & 0o077 == 0
    # A second sync creates nobody and changes no password; a user the roster did not create is
    # refused, and with --adopt-existing a person's account joins the course (password untouched)
    # while a system account never does.
    extra = course.name("extra")
    subprocess.run(["useradd", "--create-home", extra], check=True)
    with open(course.base / "roster.csv", "a") as handle:
        handle.write("root,Not A Student,root@example.org,LMS-0,student\n")
        handle.write(f"{extra},Extra Student,extra@example.org,LMS-9,student\n")
    refused = course.command("roster", "sync", str(course.base / "roster.csv"))
    assert refused.returncode == 1 and "0 created" in refused.stdout, refused.stdout + refused.stderr
    assert "root: a user of that name exists" in refused.stderr
    assert f"{extra}: a user of that name exists" in refused.stderr
    pamela.authenticate(course.name("bob"), course.passwords[course.name("bob")], service="login")
    adopted = course.command("roster", "sync", str(course.base / "roster.csv"), "--adopt-existing")
    assert adopted.returncode == 1 and "root: a user" in adopted.stderr and extra not in adopted.stderr
    assert f"in the course as student: {extra}" in adopted.stdout
    assert (
        access.group_names(course.course_id)[1]
        in subprocess.run(["id", "-nG", extra], capture_output=True, text=True).stdout.split()
    )
    assert pwd.getpwnam("root").pw_dir == "/root"
    # Removing the adopted account takes it out of the course only.
    removed = course.command("roster", "remove", extra)
    assert removed.returncode == 0 and "their account kept" in removed.stdout, removed.stdout + removed.stderr
    assert pwd.getpwnam(extra) and extra not in roster.load_state(course.state)["users"]


def test_release_fetch_submit_collect_and_feedback_work_between_the_users(course):
    for person in ("alice", "bob", "mallory"):
        assert (course.home(person) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    submitted = course.folder / "submitted"
    for person in ("alice", "bob"):
        text = (submitted / course.name(person) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
        assert f"{person.upper()}-ANSWER" in text
    # Each student fetched their own feedback, and only theirs.
    for person in ("alice", "bob"):
        fetched = list((course.home(person) / ASSIGNMENT / "feedback").glob("*/*.html"))
        assert [path.read_text() for path in fetched] == [f"FEEDBACK FOR {course.name(person)}"]


def test_submissions_are_private_to_their_student_and_the_staff(course):
    for folder in course.submitted.values():
        assert exchange.is_private(folder), oct(os.stat(folder).st_mode)
    layout = {str(path): mode for path, mode in exchange.layout(str(course.exchange), course.course_id)}
    for path, mode in layout.items():
        assert os.stat(path).st_mode & 0o7777 == mode, path


def test_a_submission_in_another_students_name_is_refused_at_collect(course):
    alice = course.folder / "submitted" / course.name("alice") / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert "MALLORY-ANSWER" not in alice.read_text() and "ALICE-ANSWER" in alice.read_text()
    assert f"Refused {course.forged}" in course.collected.stderr
    assert f"but {course.name('mallory')} made it" in course.collected.stderr


def test_a_submission_holding_a_link_is_refused_at_collect(course):
    collected = (course.folder / "submitted" / course.name("mallory") / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "MALLORY-ANSWER" in collected and "BEGIN SOLUTION" not in collected
    assert f"Refused {course.linked}: it holds what a submission cannot hold" in course.collected.stderr


def test_a_submission_moved_to_an_earlier_time_is_dated_by_its_change(course):
    stamp = (course.folder / "submitted" / course.name("mallory") / ASSIGNMENT / "timestamp.txt").read_text()
    assert not stamp.startswith("2020"), stamp
    assert "later time counts as its submission time" in course.collected.stderr


PROBE = r"""
import json, os, shutil, sys
actions, results = json.loads(sys.argv[1]), {}
for name, (kind, path, *rest) in actions.items():
    try:
        if kind == "list":
            os.listdir(path)
        elif kind == "read":
            open(path, "rb").read(1)
        elif kind == "write":
            open(path, "a").write("x")
        elif kind == "create":
            open(os.path.join(path, "planted.txt"), "w").write("x")
        elif kind == "rename":
            os.rename(path, rest[0])
        elif kind == "delete":
            os.unlink(path) if os.path.isfile(path) else shutil.rmtree(path)
        elif kind == "mkdir":
            os.mkdir(path)
        results[name] = "done"
    except PermissionError:
        results[name] = "refused"
    except OSError as error:
        results[name] = f"{type(error).__name__}: {error}"
print(json.dumps(results))
"""


def probe(course, person, actions):
    """Run each (kind, path, ...) action as ``person``; {name: "refused" | "done" | error}."""
    done = course.run(person, str(course.bin / "python"), "-c", PROBE, json.dumps(actions))
    return json.loads(done.stdout)


def test_every_snoop_is_refused_by_the_operating_system(course):
    alice = course.submitted["alice"]
    feedback = course.exchange / course.course_id / "feedback"
    [alice_feedback] = [path for path in feedback.glob("*.html") if course.name("alice") in path.read_text()]
    outbound = course.exchange / course.course_id / "outbound" / ASSIGNMENT
    forbidden = {
        "list the submissions": ["list", str(alice.parent)],
        "read alice's submission": ["read", str(alice / f"{ASSIGNMENT}.ipynb")],
        "read alice's submission secret": ["read", str(alice / "submission_secret.txt")],
        "add a file to alice's submission": ["create", str(alice)],
        "change alice's submission": ["write", str(alice / f"{ASSIGNMENT}.ipynb")],
        "delete alice's submission file": ["delete", str(alice / f"{ASSIGNMENT}.ipynb")],
        "rename alice's submission": ["rename", str(alice), str(alice.parent / "stolen")],
        "delete alice's submission": ["delete", str(alice)],
        "list the feedback": ["list", str(feedback)],
        "read alice's feedback": ["read", str(alice_feedback)],
        "change alice's feedback": ["write", str(alice_feedback)],
        "delete alice's feedback": ["delete", str(alice_feedback)],
        "replace the released notebook": ["write", str(outbound / f"{ASSIGNMENT}.ipynb")],
        "delete the released notebook": ["delete", str(outbound / f"{ASSIGNMENT}.ipynb")],
        "rename the released assignment": ["rename", str(outbound), str(outbound.parent / "old")],
        "release an assignment": ["mkdir", str(outbound.parent / "ps2")],
        "rename the course in the exchange": ["rename", str(outbound.parent.parent), str(course.exchange / "moved")],
        "list the course folder": ["list", str(course.folder)],
        "read the source notebook": ["read", str(course.folder / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")],
        "read the gradebook": ["read", str(course.folder / "gradebook.db")],
        "list autograded/": ["list", str(course.folder / "autograded")],
        "list submitted/": ["list", str(course.folder / "submitted")],
        "read a collected submission": [
            "read",
            str(course.folder / "submitted" / course.name("alice") / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"),
        ],
        "read alice's working copy": ["read", str(course.home("alice") / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")],
        "read the roster": ["read", str(course.state / "roster.json")],
        "list the passwords": ["list", str(course.state / "passwords")],
        "read the staff's settings": ["read", str(access.config_folder(course.state, "ta") / "nbgrader_config.py")],
    }
    allowed = {
        "read the released notebook": ["read", str(outbound / f"{ASSIGNMENT}.ipynb")],
        "read her own working copy": ["read", str(course.home("mallory") / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")],
    }
    results = probe(course, "mallory", {**forbidden, **allowed})
    assert {name: results[name] for name in forbidden} == {name: "refused" for name in forbidden}
    assert {name: results[name] for name in allowed} == {name: "done" for name in allowed}
    # Nothing changed: alice's submission and feedback are whole and where they were.
    assert "ALICE-ANSWER" in (alice / f"{ASSIGNMENT}.ipynb").read_text()
    assert alice_feedback.read_text() == f"FEEDBACK FOR {course.name('alice')}"


def test_the_staff_reach_what_the_students_cannot(course):
    gradebook = course.folder / "gradebook.db"
    results = probe(
        course,
        "ta",
        {
            "list the submissions": ["list", str(course.exchange / course.course_id / "inbound")],
            "read alice's submission": ["read", str(course.submitted["alice"] / f"{ASSIGNMENT}.ipynb")],
            "read the gradebook": ["read", str(gradebook)],
            "read the source notebook": ["read", str(course.folder / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")],
            "list autograded/": ["list", str(course.folder / "autograded")],
        },
    )
    assert set(results.values()) == {"done"}, results
    # The gradebook nbgrader created after the lock is closed to others by the default ACL.
    assert os.stat(gradebook).st_mode & 0o007 == 0, oct(os.stat(gradebook).st_mode)


def test_removing_a_student_keeps_their_submissions(course):
    done = course.command("roster", "remove", course.name("bob"))
    assert done.returncode == 0, done.stdout + done.stderr
    with pytest.raises(KeyError):
        pwd.getpwnam(course.name("bob"))
    assert course.name("bob") not in roster.load_state(course.state)["users"]
    assert course.submitted["bob"].is_dir()
    assert server.course_settings(course.folder)[0] == course.course_id
