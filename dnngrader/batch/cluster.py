"""Grading on Dask's distributed scheduler: a local cluster by default, or any Dask cluster.

``connect`` gives a ``distributed.Client``: by default on a ``LocalCluster`` started here (one
worker process per job, one thread each, behind Dask's nannies, which start a worker again when
one dies), otherwise on the scheduler at an address (``tcp://HOST:8786``, or ``tls://...`` with
certificates).  ``grade`` sends the grading plan to the cluster once and one task per
submission (worker.grade_task), and hands each result to a callback as it arrives
(``distributed.as_completed``).

It keeps as many submissions in flight as the cluster has worker threads: the rest wait here,
not in the scheduler's memory, and a worker that dies was grading only the submission it was
running.  So that a worker waits as little as possible between two submissions, the next one is
read while the workers are busy, goes out as soon as a worker is free (before the result just
received is written into the course), and carries the course's support files by reference
(plan.by_reference): they travel once, in the plan.  When a worker dies, Dask runs its task
again on another worker; a submission that kills its worker every time (a poison one) is tried
``ALLOWED_FAILURES + 1`` times (the scheduler's ``distributed.scheduler.allowed-failures``;
Dask's default for a cluster of yours is 3), then comes back as a failed result that says so,
and the batch goes on.

The local cluster listens on the loopback interface only, with a throwaway TLS certificate
(``Security.temporary``), so other users of the machine cannot send it work: Dask's plain
``tcp://`` carries pickles, i.e. code, unauthenticated.  Its workers are forked from a process
that has imported the grading code once (a forkserver), so starting one, or starting one again
after a crash, takes a fraction of a second rather than seconds of imports.  Their output (and
their kernels') goes to the grading log, and they ignore Ctrl-C: the command stops them itself.
"""

import contextlib
import logging
import multiprocessing
import os
import resource
import signal
import time
import traceback
from multiprocessing import forkserver

import dask
import psutil
from distributed import Client, LocalCluster, as_completed
from distributed.security import Security
from distributed.utils import get_mp_context

from dnngrader.batch import forking, plan, worker

ALLOWED_FAILURES = 2  # a submission whose worker died this many times is tried once more, then fails
CONNECT_TIMEOUT = "60s"
# The local cluster's Dask settings.  Left at Dask's defaults, a cluster of 2 idle workers used
# 11 % of a core: every Dask process checks its event loop's health every 20 ms (admin.tick),
# each worker and nanny measures the worker's memory every 100 ms and the machine's load every
# 500 ms, and each worker samples its task thread for the profiler every 10 ms.  The profiler
# feeds the dashboard's profile page, which the local cluster (no dashboard) never shows, and cost
# about 5 % of a grading worker's CPU on grading's deep stacks; the other checks need not be so
# frequent for tasks that each take a second.  With these: 1.7 % of a core, idle.  A cluster of
# yours can be started likewise (README).
LOCAL_CLUSTER_CONFIG = {
    "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}
THREADS_REFRESH = 2.0  # seconds between two looks at how many worker threads the cluster has


class ClusterLost(RuntimeError):
    """The connection to the Dask scheduler was lost, or the cluster shut down, mid-run."""


def security(ca_file=None, cert=None, key=None):
    """The ``distributed.security.Security`` for the client: from these files when any is given
    (TLS then required), else from Dask's configuration (``distributed.comm.tls.*``)."""
    given = {
        name: value
        for name, value in (("tls_ca_file", ca_file), ("tls_client_cert", cert), ("tls_client_key", key))
        if value
    }
    if given:
        return Security(require_encryption=True, **{name: str(value) for name, value in given.items()})
    return Security()


def check_address(address, client_security):
    """Why the client cannot connect to ``address`` with ``client_security``; None when it can try."""
    if address.startswith("tls://") and not (client_security.tls_ca_file and client_security.tls_client_cert):
        return (
            f"{address} needs TLS certificates: give --tls-ca-file, --tls-cert and --tls-key (or set "
            "distributed.comm.tls.ca-file and distributed.comm.tls.client.cert/key in Dask's configuration)"
        )
    if client_security.require_encryption and not address.startswith("tls://"):
        return f"TLS certificates were given, but {address} is not a tls:// address"
    return None


@contextlib.contextmanager
def _interrupt_deferred():
    """While the local cluster starts: Ctrl-C is noted (in the list this yields) rather than
    raised, so that the half-started cluster is not left to Dask's clean-up at exit."""
    noted = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: noted.append(signum))
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _warm_forkserver():
    """While the local cluster starts: its worker processes are forked from a process that has
    imported the grading code once (multiprocessing's forkserver; `dnngrader grade` started it
    already, forking.py), instead of each importing nbgrader and its dependencies anew (seconds
    of CPU per worker, and per worker started again)."""
    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        get_mp_context()  # Dask sets its preloads the first time it makes the context: ours replace them
        multiprocessing.get_context("forkserver").set_forkserver_preload(list(forking.PRELOAD))
        with forking.in_kit_folder():
            yield


def dask_setup(worker):
    """Run by each worker of the local cluster as it starts (its ``preload``): Ctrl-C in the
    terminal reaches the worker processes too, but the grading command stops them itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _dask_logs_to(log_path):
    """Dask's messages in this process (the local cluster's scheduler, the client) go to the log."""
    logger = logging.getLogger("distributed")
    handler = logging.FileHandler(log_path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    saved = logger.handlers[:], logger.propagate
    logger.handlers, logger.propagate = [handler], False
    try:
        yield
    finally:
        logger.handlers, logger.propagate = saved
        handler.close()


@contextlib.contextmanager
def connect(address, jobs, client_security, log_path):
    """A Client on the scheduler at ``address``, or on a new local cluster of ``jobs`` workers
    when ``address`` is None; both closed on exit (only the local cluster is stopped)."""
    with _dask_logs_to(log_path), contextlib.ExitStack() as stack:
        if address:
            try:
                client = Client(address, security=client_security, timeout=CONNECT_TIMEOUT, set_as_default=False)
            except (OSError, ValueError) as error:  # nobody there, a refused certificate, a bad address
                raise ClusterLost(f"could not reach the Dask scheduler at {address}: {error}") from error
        else:
            local_security = Security.temporary()
            with (
                dask.config.set(LOCAL_CLUSTER_CONFIG),
                forking.into_log(log_path),
                _warm_forkserver(),
                _interrupt_deferred() as interrupted,
            ):
                try:
                    cluster = LocalCluster(
                        n_workers=jobs,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        security=local_security,
                        preload=[__name__],
                    )
                except Exception:
                    if interrupted:  # Ctrl-C reached a worker as it started
                        raise KeyboardInterrupt from None
                    raise
            stack.callback(cluster.close)
            if interrupted:
                raise KeyboardInterrupt
            client = Client(cluster, security=local_security, set_as_default=False)
        stack.callback(client.close)
        yield client


def _process_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds(client):
    """CPU seconds the cluster's worker processes have used so far (their start-up, Dask and
    grading; not their kernels), and the local cluster's forkserver's; None if unknown."""
    try:
        total = sum(client.run(_process_cpu_seconds).values())
    except Exception:
        return None
    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid:
        try:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def worker_threads(client):
    """How many tasks the cluster's workers can run at once right now."""
    return sum(client.nthreads().values())


def _failed(work, reason, log):
    return {
        "student": work["student"],
        "ok": False,
        "reason": reason,
        "log": log,
        "seconds": {},
        "cpu": {},
        "kernels": [],
        "state": None,
        "autograded": None,
        "feedback": None,
    }


def grade(client, grading_plan, works, make_task, on_result, allowed_failures=None):
    """Grade ``works`` (GradingState.tasks) on the cluster of ``client``: ``make_task(work)``
    gives each one's task data, ``on_result(result)`` gets each result as it arrives.

    Raises ClusterLost when the scheduler goes away mid-run."""
    from distributed.scheduler import KilledWorker

    # The plan travels once: the scheduler keeps it as a task of its own, so that it is made
    # again on another worker if every worker holding it is lost.
    plan_future = client.submit(
        worker.plan_value, grading_plan, key=f"dnngrader-plan-{grading_plan['hash']}", pure=False
    )
    pending = list(reversed(works))
    # The first submissions go one to each free worker thread.  Left to itself, the scheduler
    # gives them all to the worker that holds the plan, and work stealing moves them to the
    # others only later (0.6 s later, measured on a local cluster of 2 workers).  A worker that
    # has gone meanwhile is no obstacle: the restriction is loose.
    first_round = [address for address, threads in client.nthreads().items() for _ in range(threads)]
    made = []  # the next submission's task data, made while the workers are busy
    in_flight = {}
    completed = as_completed(loop=client.loop)
    capacity = {"threads": 1, "checked": 0.0}

    def room():
        now = time.monotonic()
        if now - capacity["checked"] > THREADS_REFRESH:
            capacity.update(threads=max(1, worker_threads(client)), checked=now)
        return capacity["threads"] - len(in_flight)

    def make_next():
        """Read the next submission into ``made``; a submission that cannot be read is that
        student's failure alone, reported at once."""
        while pending and not made:
            work = pending.pop()
            try:
                task = make_task(work)
                task["files"] = plan.by_reference(task["files"], grading_plan["source_files"])
                made.append((work, task))
            except Exception as error:
                on_result(
                    _failed(
                        work, f"its files could not be read: {type(error).__name__}: {error}", traceback.format_exc()
                    )
                )

    def top_up():
        while room() > 0:
            make_next()
            if not made:
                return
            work, task = made.pop()
            placed = {"workers": [first_round.pop()], "allow_other_workers": True} if first_round else {}
            future = client.submit(
                worker.grade_task,
                plan_future,
                task,
                pure=False,
                key=f"dnngrader-grade-{len(pending)}-{os.urandom(4).hex()}",
                **placed,
            )
            in_flight[future.key] = work
            completed.add(future)

    try:
        top_up()
        make_next()
        for future in completed:
            work = in_flight.pop(future.key)
            # A worker is free: it gets the next submission (made ahead) before this result is
            # written into the course, which takes longer than the hand-over.
            top_up()
            try:
                result = future.result()
            except KilledWorker as error:
                tries = error.allowed_failures + 1
                result = _failed(
                    work,
                    f"its grading worker died {tries} times while grading it (a crash, "
                    "the memory limit, or a machine gone away), so it was not tried again",
                    f"[ERROR] {error}\n",
                )
            except Exception as error:
                if future.status == "cancelled" or client.status not in ("running", "connecting"):
                    raise ClusterLost(f"the Dask cluster went away: {error!r}") from error
                result = _failed(
                    work, f"Dask could not run its task: {type(error).__name__}: {error}", traceback.format_exc()
                )
            future.release()
            on_result(plan.result_with_data(result, grading_plan))
            make_next()
    finally:
        for future in list(completed.futures):
            future.cancel()
        plan_future.release()
