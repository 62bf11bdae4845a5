"""`dnngrader grade` as a command: the local cluster's forkserver starts before the grading code loads.

    python -m dnngrader.batch.prestart ARGS...     (what `dnngrader grade ARGS...` runs)

The local Dask cluster's worker processes are forked from a process that has imported the
grading code once, multiprocessing's forkserver (cluster.py).  Importing that code (nbgrader,
nbconvert, Dask) takes a few seconds, in the forkserver as in the grading command itself, and the
two used to take turns: the command imported it, then started the cluster, whose forkserver then
imported the same modules while nothing else ran.  This module imports none of them: it starts
the forkserver (``forking.start``), then imports grade.py and runs it with ARGS, so both imports
run side by side.  Everything else is as with ``python -m dnngrader.batch.grade ARGS...``.

No forkserver is started for a run that asks for help, names another Dask cluster with
--scheduler, or names a folder that is not a course.  One started for a run that then finds its
scheduler in the settings (DaskGrader.scheduler, or the old DNN_DASK_SCHEDULER) is not used, and
exits with this process.  grade.py stops it (forking.stop) as soon as the local cluster is
closed, or at once when there is nothing to grade.
"""

import argparse
import sys
from pathlib import Path

from dnngrader.batch import forking
from dnngrader.paths import COURSE_ROOT


def local_cluster_log(argv):
    """The grading log (reports/grading.log) of the course that grade.py's arguments ``argv``
    name, when they ask for a local cluster; None when they do not, or name no course."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--course", type=Path, default=COURSE_ROOT)
    parser.add_argument("--scheduler")
    parser.add_argument("-h", "--help", action="store_true")
    known, _ = parser.parse_known_args(argv)
    if known.help or known.scheduler:
        return None
    course = known.course.resolve()
    if not (course / "nbgrader_config.py").is_file():
        return None
    (course / "reports").mkdir(exist_ok=True)
    return course / "reports" / "grading.log"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    log_path = local_cluster_log(argv)
    if log_path is not None:
        forking.start(log_path)
    try:
        from dnngrader.batch import grade
    except KeyboardInterrupt:
        print("Interrupted before grading started.", file=sys.stderr)
        return 130
    return grade.command(argv)


if __name__ == "__main__":
    sys.exit(main())
