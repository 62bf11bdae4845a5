"""The parallel grader with its gradebook on a real PostgreSQL server.

The server is Debian's (the postgresql package, which `make debian-packages` installs): a
throwaway cluster in a temporary folder, listening on a free loopback port, run as the
`postgres` system user when the tests run as root, and stopped at the end.  The test is skipped
only when the server cannot be installed.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from dnngrader.tools import samples
from dnngrader.batch import snapshot
from dnngrader.assignments.dnn_step_by_step.cases import TESTS
from dnngrader.tools.course import ScratchCourse
from dnngrader.paths import ASSIGNMENT, COURSE_ROOT, GRADED_FUNCTIONS
from shared_setup import free_port

# sample -> the functions its mistakes are in (samples/*.py)
SAMPLE_MISTAKES = {
    "ada_full_marks": set(),
    "cleo_shapes": {"linear_forward", "linear_backward"},
    "dev_cost_and_keys": {"compute_cost", "L_model_backward"},
    "eli_layers": {"L_model_forward", "update_parameters"},
}


def server_binaries():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class PostgresServer:
    """A PostgreSQL cluster of its own in a temporary folder, on 127.0.0.1."""

    USER = "dnn"

    def __init__(self, binaries):
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="dnngrader-postgres-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0  # PostgreSQL refuses to run as root

    def _run(self, program, *args):
        command = [str(self.binaries / program), *map(str, args)]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)

    def start(self):
        if self.as_root:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", self.data, "-U", self.USER, "-A", "trust", "-E", "UTF8", "--no-sync")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.data}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            )  # a test cluster
        self._run("pg_ctl", "-D", self.data, "-l", self.folder / "server.log", "-w", "-t", "60", "start")
        self._run("createdb", "-h", "127.0.0.1", "-p", self.port, "-U", self.USER, "gradebook")
        return f"postgresql://{self.USER}@127.0.0.1:{self.port}/gradebook"

    def stop(self):
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres_url():
    binaries = server_binaries()
    if binaries is None:
        subprocess.run(["make", "-C", str(COURSE_ROOT), "debian-packages"], capture_output=True, timeout=900)
        binaries = server_binaries()
    if binaries is None:
        pytest.skip(
            "no PostgreSQL server: /usr/lib/postgresql/*/bin/pg_ctl is missing and "
            "`make debian-packages` could not install Debian's postgresql package"
        )
    server = PostgresServer(binaries)
    try:
        yield server.start()
    finally:
        server.stop()


def test_the_grader_fills_a_postgresql_gradebook(postgres_url, tmp_path):
    course = ScratchCourse(tmp_path / "course", db_url=postgres_url).create()
    students = samples.write_samples(course.submitted)
    done = course.grade("--jobs", "2", timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert f"0 already graded, {len(students)} to grade" in done.stdout
    assert not (course.root / "gradebook.db").exists()  # the grades went to PostgreSQL

    grades = course.grades()
    assert grades["ada_full_marks"]["total"] == 100 and grades["ben_blank"]["total"] == 0
    for student, mistakes in SAMPLE_MISTAKES.items():
        for function in GRADED_FUNCTIONS:
            full = grades["ada_full_marks"][function]
            assert (grades[student][function] < full) == (function in mistakes), (student, function)
    with Gradebook(postgres_url, "dnn-step-by-step") as gradebook:
        rows = snapshot.snapshot(gradebook)["rows"]
    assert rows["submitted_assignment"] == rows["submitted_notebook"] == len(students)
    assert rows["grade"] == len(students) * len(TESTS)
    for student in students:
        assert (course.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").exists()

    again = course.grade(timeout=300)
    assert f"{len(students)} already graded, 0 to grade" in again.stdout
