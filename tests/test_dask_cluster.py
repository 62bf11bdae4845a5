"""Grading on a Dask cluster of its own, as an instructor's cluster would be: a real
`dask scheduler` and `dask worker` processes on loopback, started apart from the grading
command, each in a folder of its own (they share no course folder, and no PYTHONPATH: the kit
is installed in the environment they run from).

- The recipe of docs/administrators/dask.md, its commands as written there (only the kit's
  folder, the host, the port and the number of workers put in), grades a class.

- With two workers, one is killed (SIGKILL to its nanny, worker and kernels) while it grades:
  the run still grades every student, the gradebook is the one sequential stock
  `nbgrader autograde` makes, and a second run grades nothing.
- Over TLS (a CA and a certificate made here with the `cryptography` package), the grader
  connects with certificates; without them it is refused.
- On the default local cluster, a submission that kills its worker every time is tried three
  times, then reported as failed with a clear row in the grades, and the others are graded.
"""

import csv
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from distributed import Client
from distributed.security import Security
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory

from dnngrader import assignments
from dnngrader.assignments import reference
from dnngrader.tools import samples
from dnngrader.batch import snapshot
from dnngrader.batch.cluster import ALLOWED_FAILURES
from dnngrader.paths import ASSIGNMENT, COURSE_ROOT
from dnngrader.batch.submissions import GradingState

from grading_class import COURSE_ID, GRADE_TIMEOUT, STUDENTS, gradebook_snapshot
from processes import stop_process_group
from shared_setup import free_port

DASK = Path(sys.executable).with_name("dask")
START_TIMEOUT = 120  # seconds for a scheduler and its workers to come up on a busy machine


def dask_env():
    """The environment of the scheduler and workers: the kit's Python environment, the kit
    importable, nothing of a course."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DNN_GRADEBOOK_URL", "DNN_EXCHANGE", "DNN_DASK_SCHEDULER")
    }
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.pop("PYTHONPATH", None)  # as the documentation says: the environment holds the kit
    return env


class DaskCluster:
    """A `dask scheduler` and `dask worker` processes, each in a process group of its own."""

    def __init__(self, folder, workers=2, tls=None):
        self.folder, self.tls = folder, tls or []
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.protocol = "tls" if tls else "tcp"
        self.address = f"{self.protocol}://127.0.0.1:{self.port}"
        self.processes = {}
        self.security = (
            Security(
                tls_ca_file=str(tls[1]),
                tls_client_cert=str(tls[3]),
                tls_client_key=str(tls[5]),
                require_encryption=True,
            )
            if tls
            else Security()
        )
        self._start(
            "scheduler",
            [
                DASK,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--protocol",
                self.protocol,
                "--no-dashboard",
                *self.tls,
            ],
        )
        for index in range(workers):
            self.start_worker(f"w{index}")

    def _start(self, name, command):
        folder = self.folder / name
        folder.mkdir()
        with open(self.folder / f"{name}.log", "w") as log:
            self.processes[name] = subprocess.Popen(
                [str(part) for part in command],
                cwd=folder,
                env=dask_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def start_worker(self, name):
        self._start(
            name,
            [
                DASK,
                "worker",
                self.address,
                "--name",
                name,
                "--nthreads",
                "1",
                "--nworkers",
                "1",
                "--host",
                "127.0.0.1",
                "--no-dashboard",
                "--local-directory",
                self.folder / name,
                *self.tls,
            ],
        )

    def client(self, workers):
        """A Client of this test, once ``workers`` workers have joined."""
        client = Client(self.address, security=self.security, timeout=START_TIMEOUT, set_as_default=False)
        client.wait_for_workers(workers, timeout=START_TIMEOUT)
        return client

    def kill(self, name):
        """SIGKILL to a worker's whole process group: its nanny, the worker, its kernel templates."""
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait()

    def logs(self):
        return "\n".join(f"--- {path.name}\n{path.read_text()[-3000:]}" for path in sorted(self.folder.glob("*.log")))

    def stop(self):
        for process in self.processes.values():
            stop_process_group(process, grace=10)


def autograded(course):
    coursedir = CourseDirectory(root=str(course.root))
    with Gradebook(course.db_url, COURSE_ID) as gradebook:
        state = GradingState(coursedir, gradebook, ASSIGNMENT)
        return {student for student in STUDENTS if state.autograded(student)}


def graded_sections(log_text):
    """student -> how many results the grading command wrote into the log for them."""
    counts = {}
    for student in re.findall(r"^==== (\S+): ", log_text, re.MULTILINE):
        counts[student] = counts.get(student, 0) + 1
    return counts


@pytest.fixture(scope="module")
def killed_worker_run(tmp_path_factory, new_class_course):
    """The class graded with --scheduler on two workers, one of them killed while it grades."""
    cluster = DaskCluster(tmp_path_factory.mktemp("dask"))
    client = None
    try:
        client = cluster.client(2)
        names = {address: info["name"] for address, info in client.scheduler_info(n_workers=-1)["workers"].items()}
        course = new_class_course("on_dask")
        timings = course.root / "timings.json"
        output = course.root / "grade-output.txt"
        with open(output, "w") as out:
            run = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "dnngrader.batch.grade",
                    "--course",
                    str(course.root),
                    "--scheduler",
                    cluster.address,
                    "--timings",
                    str(timings),
                ],
                cwd=course.root,
                env=course.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            deadline = time.monotonic() + GRADE_TIMEOUT
            victim = None
            while victim is None:  # a worker grading a submission, once a first result is in
                assert run.poll() is None, "the run ended before a worker could be killed:\n" + output.read_text()
                assert time.monotonic() < deadline, "nothing was graded in time:\n" + cluster.logs()
                if autograded(course):
                    busy = [
                        address
                        for address, keys in client.processing().items()
                        if any(str(key).startswith("dnngrader-grade-") for key in keys)
                    ]
                    victim = busy[0] if busy else None
                time.sleep(0.05)
            graded_before_kill = autograded(course)
            cluster.kill(names[victim])
            run.wait(GRADE_TIMEOUT)
        finally:
            if run.poll() is None:
                run.kill()
        first = {
            "course": course,
            "returncode": run.returncode,
            "output": output.read_text(),
            "timings": json.loads(timings.read_text()) if timings.exists() else {},
            "victim": victim,
            "graded_before_kill": graded_before_kill,
            "snapshot": gradebook_snapshot(course),
            "log": (course.root / "reports" / "grading.log").read_text(),
            "cluster_logs": cluster.logs(),
        }
        survivor = next(name for name in names.values() if name != names[victim])
        first["survivor_folder"] = cluster.folder / survivor
        yield {**first, "again": course.grade("--scheduler", cluster.address, timeout=GRADE_TIMEOUT)}
    finally:
        if client is not None:
            client.close()
        cluster.stop()


def test_a_killed_worker_costs_nothing(killed_worker_run, stock_snapshot):
    run = killed_worker_run
    assert run["returncode"] == 0, run["output"][-3000:] + run["cluster_logs"]
    assert f"0 already graded, {len(STUDENTS)} to grade (on the Dask cluster at tcp://127.0.0.1:" in run["output"]
    assert 1 <= len(run["graded_before_kill"]) < len(STUDENTS)  # killed mid-run
    assert autograded(run["course"]) == set(STUDENTS)
    assert snapshot.differences(stock_snapshot, run["snapshot"]) == []
    assert graded_sections(run["log"]) == {student: 1 for student in STUDENTS}  # each written once
    assert run["timings"]["failed"] == [] and sorted(run["timings"]["graded"]) == STUDENTS
    # What the killed worker was grading was graded by the other one.
    workers = run["timings"]["workers"]
    assert sum(workers.values()) == len(STUDENTS) and set(workers) - {run["victim"]}


def test_the_submissions_travel_as_data(killed_worker_run):
    """The workers graded in scratch courses of their own, made from the grading plan: the log
    names the course's folders, not theirs, and a worker keeps no submission once it is graded."""
    log = killed_worker_run["log"]
    course = killed_worker_run["course"]
    for student in STUDENTS:
        assert f"Sanitizing {course.submitted}/{student}/" in log
        assert (course.root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").exists()
    assert "dnngrader-course-" not in log
    [scratch] = killed_worker_run["survivor_folder"].glob("**/dnngrader-course-*")
    assert (scratch / "nbgrader_config.py").read_text() == (course.root / "nbgrader_config.py").read_text()
    # The modules beside the notebook came with the plan (the assignment's notebook_files).
    assert sorted(path.name for path in scratch.glob(f"source/{ASSIGNMENT}/*.py")) == sorted(
        assignments.find(ASSIGNMENT).notebook_files
    )
    outline = (scratch / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "BEGIN SOLUTION" not in outline and "def linear_forward" not in outline  # the solutions did not
    for step in ("submitted", "autograded", "feedback"):
        assert not (scratch / step).exists() or not any((scratch / step).iterdir()), step


def test_a_second_run_on_the_cluster_grades_nothing(killed_worker_run):
    again = killed_worker_run["again"]
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-3000:]
    assert f"{len(STUDENTS)} already graded, 0 to grade" in again.stdout


# ---------------------------------------------------------------------------------------------
# TLS
# ---------------------------------------------------------------------------------------------


def make_certificates(folder):
    """A CA, and a certificate for 127.0.0.1 it signed (used by the scheduler, the workers and
    the client alike); returns the paths of the CA's certificate, the certificate and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dnngrader test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dask")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    os.chmod(paths[2], 0o600)
    return paths


def test_grading_over_tls_needs_the_certificates(tmp_path, new_class_course):
    ca, cert, key = make_certificates(tmp_path)
    tls = ["--tls-ca-file", ca, "--tls-cert", cert, "--tls-key", key]
    cluster = DaskCluster(tmp_path / "dask", workers=1, tls=tls)
    try:
        cluster.client(1).close()
        course = new_class_course("over_tls")
        for student in STUDENTS[2:]:  # two submissions are enough here
            (course.submitted / student).rename(tmp_path / f"not-submitted-{student}")

        refused = course.grade("--scheduler", cluster.address, timeout=GRADE_TIMEOUT)
        assert refused.returncode == 2 and "needs TLS certificates" in refused.stderr, refused.stderr[-2000:]
        with pytest.raises((OSError, TimeoutError)):  # no plain connection to this scheduler
            Client(f"tcp://127.0.0.1:{cluster.port}", timeout="3s", set_as_default=False)
        assert not autograded(course)

        done = course.grade("--scheduler", cluster.address, *map(str, tls), timeout=GRADE_TIMEOUT)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:] + cluster.logs()
        assert autograded(course) == set(STUDENTS[:2])
    finally:
        cluster.stop()


# ---------------------------------------------------------------------------------------------
# A submission that kills its worker
# ---------------------------------------------------------------------------------------------

# Run in the grading kernel: SIGKILL to the nearest ancestor that is a Dask worker process (the
# local cluster's workers are started by multiprocessing).  Under stock nbgrader there is none.
# Only without the sandbox can a kernel see its ancestors at all.
POISON_ANSWER = """
import os, signal, psutil
for ancestor in psutil.Process().parents():
    if "multiprocessing" in " ".join(ancestor.cmdline()):
        os.kill(ancestor.pid, signal.SIGKILL)
        break

"""
# ... then the correct answer, from the source notebook.
POISON_ANSWER += reference.solution_sources()["initialize_parameters"]


def test_a_submission_that_kills_its_worker_every_time_fails_alone(new_class_course):
    course = new_class_course("poison")
    for folder in list(course.submitted.iterdir()):
        if folder.name not in ("ada_full_marks", "ben_blank"):
            folder.rename(course.root / f"not-submitted-{folder.name}")
    samples.write_submission(
        samples.fill_answers({"initialize_parameters": POISON_ANSWER.strip()}), "pam_poison", course.submitted
    )
    env = course.env()
    env["DNN_SANDBOX"] = "0"  # a sandboxed kernel could not see the worker to kill it
    done = subprocess.run(
        [sys.executable, "-m", "dnngrader.batch.grade", "--course", str(course.root), "--jobs", "2"],
        cwd=course.root,
        env=env,
        capture_output=True,
        text=True,
        # Three worker deaths, each followed by a new worker process: 36 s on the quiet 2-core
        # CI machine, about 90 s with CPU-burning loops beside it, over 300 s once in the full
        # suite on a busy machine.
        timeout=3 * GRADE_TIMEOUT,
    )
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-3000:]
    tries = ALLOWED_FAILURES + 1
    assert f"FAILED pam_poison: its grading worker died {tries} times while grading it" in done.stderr
    assert "1 submission(s) could not be graded: pam_poison" in done.stderr
    with open(course.root / "reports" / "grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert sorted(rows) == ["ada_full_marks", "ben_blank", "pam_poison"]
    total = f"{ASSIGNMENT}:total"
    assert float(rows["ada_full_marks"][total]) == 100 and float(rows["ben_blank"][total]) == 0
    assert float(rows["pam_poison"][total]) == 0
    assert rows["pam_poison"]["notes"].startswith(
        f"{ASSIGNMENT}: grading failed: its grading worker died {tries} times"
    )
    log = (course.root / "reports" / "grading.log").read_text()
    # Dask's nanny started the worker again after each death; the last restart may be logged
    # after the command has stopped listening (it stops once the submission has failed).
    assert tries - 1 <= log.count("distributed.nanny WARNING Restarting worker") <= tries


RECIPE_PAGE = COURSE_ROOT / "docs" / "administrators" / "dask.md"


def documented_recipe():
    """The scheduler's and the worker's command lines of the page's first recipe, as written."""
    text = RECIPE_PAGE.read_text()
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    lines = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    scheduler = next(line for line in lines if " scheduler " in f"{line} ")
    worker = next(line for line in lines if " worker " in line)
    grade = next(line for line in lines if line.startswith("make grade"))
    return scheduler, worker, grade


def test_the_documented_recipe_grades_a_class_as_written(tmp_path, new_class_course):
    """docs/administrators/dask.md's commands, run as written but for where the kit is
    (/srv/dnn-kit: this clone), the machine's address (10.0.0.5: the loopback), its port and
    the number of worker processes: a real scheduler and worker from the kit's environment, no
    PYTHONPATH, each in a folder of its own, and the grading command pointed at them grades the
    whole class."""
    scheduler_line, worker_line, grade_line = documented_recipe()
    port = free_port()

    def as_here(line):
        line = line.replace("/srv/dnn-kit", str(COURSE_ROOT)).replace("10.0.0.5", "127.0.0.1")
        line = line.replace(":8786", f":{port}").replace("--port 8786", f"--port {port}")
        return line.replace("--nworkers 8", "--nworkers 2").split()

    scheduler, worker = as_here(scheduler_line), as_here(worker_line)
    assert scheduler[:2] == [str(COURSE_ROOT / ".venv" / "bin" / "dask"), "scheduler"], scheduler_line
    assert worker[:3] == [str(COURSE_ROOT / ".venv" / "bin" / "dask"), "worker", f"tcp://127.0.0.1:{port}"]
    assert re.fullmatch(r"make grade SCHEDULER=tcp://10\.0\.0\.5:8786", grade_line), grade_line
    processes, env = [], dask_env()
    assert "PYTHONPATH" not in env
    try:
        for name, command in (("scheduler", scheduler), ("worker", worker)):
            folder = tmp_path / name
            folder.mkdir()
            log = open(tmp_path / f"{name}.log", "w")
            processes.append(
                subprocess.Popen(
                    command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
            )
        address = f"tcp://127.0.0.1:{port}"
        with Client(address, timeout=START_TIMEOUT, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=START_TIMEOUT)
        course = new_class_course("documented_recipe")
        # make grade SCHEDULER=... runs `dnngrader grade --scheduler ...` in the course folder.
        done = course.grade("--scheduler", address, timeout=GRADE_TIMEOUT)
        logs = "\n".join(path.read_text()[-2000:] for path in sorted(tmp_path.glob("*.log")))
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:] + logs
        assert autograded(course) == set(STUDENTS), logs
    finally:
        for process in processes:
            stop_process_group(process, grace=10)
