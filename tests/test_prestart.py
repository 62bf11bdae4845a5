"""`dnngrader grade` starts the local cluster's forkserver before it imports the grading code
(dnngrader/batch/prestart.py), so that the two imports run side by side."""

import subprocess
import sys

from dnngrader.batch import prestart


def course(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    return tmp_path


def test_a_local_cluster_run_gets_the_courses_grading_log(tmp_path):
    folder = course(tmp_path)
    assert prestart.local_cluster_log(["--course", str(folder), "--jobs", "2"]) == folder / "reports" / "grading.log"
    assert (folder / "reports").is_dir()


def test_help_another_cluster_or_no_course_starts_nothing(tmp_path):
    folder = course(tmp_path / "course")
    assert prestart.local_cluster_log(["--course", str(folder), "--help"]) is None
    assert prestart.local_cluster_log(["--course", str(folder), "--scheduler", "tls://host:8786"]) is None
    assert prestart.local_cluster_log(["--course", str(tmp_path)]) is None  # no nbgrader_config.py
    assert not (tmp_path / "reports").exists()


PROBE = """
import sys
from multiprocessing import get_context

from dnngrader.batch import forking


def loaded(queue):
    print("a process forked from the forkserver", flush=True)
    queue.put(sorted({name.split(".")[0] for name in sys.modules} & {"nbgrader", "distributed", "dnngrader"}))


if __name__ == "__main__":
    forking.start(sys.argv[1])
    print(sorted({name.split(".")[0] for name in sys.modules} & {"nbgrader", "distributed"}))
    context = get_context("forkserver")
    queue = context.Queue()
    process = context.Process(target=loaded, args=(queue,))
    process.start()
    print(queue.get(timeout=240))
    process.join()
"""


def test_the_forkserver_starts_before_the_grading_code_is_imported_and_imports_it(tmp_path):
    """In a new process: right after ``forking.start`` neither nbgrader nor Dask is imported there, while
    a process forked from the forkserver has both (and the kit's worker module), and writes into
    the log."""
    (tmp_path / "probe.py").write_text(PROBE)
    log = tmp_path / "grading.log"
    done = subprocess.run(
        [sys.executable, "probe.py", str(log)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "['distributed', 'dnngrader', 'nbgrader']"], done.stdout
    assert "a process forked from the forkserver" in log.read_text()
