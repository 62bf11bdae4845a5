"""Stock nbgrader against the kit's grader on Dask, on the same synthetic class.

    dnngrader bench [--n 200] [--jobs N] [--workers 1,2,4] [--assignment NAME ...]
                                    [--no-feedback] [--keep DIR]

For each assignment with samples (default: every one, in the course's order; --assignment picks),
makes N submissions from its samples (samples/*.py for the first, samples/<assignment>/*.py for
the others: a mix of correct, buggy and blank notebooks), then, in one run and each in a fresh
scratch course of its own:
1. times `make grade`'s command, `dnngrader grade` (a local Dask cluster of
   --jobs workers, default: one per core), on all of them;
2. times stock `nbgrader autograde` over the same submissions (one sequential invocation, as an
   instructor would run it), then `nbgrader generate_feedback`, since the kit makes feedback too;
3. times `make grade`'s command again;
4. for the first assignment only, times the same command with each other number of local Dask
   workers of --workers, to show how it scales (a number equal to --jobs reuses run 3);
and prints, per assignment, the seconds per submission of each, the speed-up against a target of 4 times stock
nbgrader, whether every gradebook agrees with stock nbgrader's, the CPU seconds each
submission costs and where they go, and the throughput per number of workers; at the end, every
assignment's figures side by side.  With --no-feedback, neither side makes feedback.

Why `make grade` runs before and after stock nbgrader: a shared machine's speed drifts (on the
kit's CI machine, by 10 to 20 % within minutes), and stock nbgrader's run is long.  The speed-up
compares stock nbgrader with the mean of the two runs around it, which cancels a steady drift;
both runs are printed, so a reader sees how far they differ.
"""

import argparse
import ctypes
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from nbgrader.api import Gradebook

from dnngrader.tools import samples
from dnngrader.batch import snapshot, timing
from dnngrader.tools.course import ScratchCourse

KINDS = {"ada_full_marks": "correct", "ben_blank": "blank"}  # every other sample is buggy
TARGET = 4.0  # times the throughput of stock nbgrader
PR_SET_CHILD_SUBREAPER = 36  # prctl(2)

# What to look at next when a phase takes most of the time.
NEXT_STEP = {
    "kernel start": "start each submission's kernel while the previous submission is still running",
    "execution": "the cells' round trips to the kernel and the hidden tests in it (runtime.py, delivery.py)",
    "kernel stop": "stop kernels in the background instead of waiting for them",
    "judge": "the verdicts computed outside the kernel (judge.py, hints.py, dnn_checks.compare)",
    "database": "nbgrader's gradebook queries and commits (one commit per cell in SaveAutoGrades)",
    "feedback": "nbconvert's HTML export of the feedback",
    "other": "nbgrader's other preprocessors, the notebook reads and writes, and the submission's "
    "way to and from the worker",
}


def make_class(count, folder, assignment=samples.FIRST):
    """Write ``count`` submissions of ``assignment`` under folder/<student>/<assignment>/, made
    from its samples in turn; returns {kind: count}."""
    specs = samples.sample_files(assignment)
    notebooks = {}
    for spec in specs:
        answers, start_from = samples.parse_answers(spec.read_text(), assignment)
        notebooks[spec.stem] = samples.fill_answers(answers, start_from, assignment=assignment)
    kinds = Counter()
    for index in range(count):
        sample = specs[index % len(specs)].stem
        samples.write_submission(notebooks[sample], f"student_{index:04d}_{sample}", folder, assignment=assignment)
        kinds[KINDS.get(sample, "buggy")] += 1
    return kinds


def _become_subreaper():
    """Make this process the reaper of its orphaned descendants (Linux): a sandboxed kernel, the
    local cluster's forkserver and its workers outlive or escape the process that started them,
    and the CPU time of a process counts for this one only once it has been reaped here."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _reap_orphans(seconds=60):
    """Wait for this process's remaining children (the orphans it adopted) to end."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.1)


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command, course, log):
    """(wall seconds, CPU seconds of the command and of every process it started, orphans included)."""
    started, cpu = time.monotonic(), _children_cpu()
    with open(log, "w") as output:
        done = subprocess.run(command, cwd=course.root, env=course.env(), stdout=output, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    _reap_orphans()
    cpu = _children_cpu() - cpu
    if done.returncode != 0:
        print(f"  warning: {' '.join(map(str, command[:4]))} ... exited with status {done.returncode} (see {log})")
    return seconds, cpu


def time_stock(course, feedback, log, assignment=samples.FIRST):
    nbgrader = [sys.executable, "-m", "nbgrader"]
    seconds, cpu = _timed(nbgrader + ["autograde", assignment], course, log)
    if feedback:
        more_seconds, more_cpu = _timed(nbgrader + ["generate_feedback", assignment], course, str(log) + ".feedback")
        seconds, cpu = seconds + more_seconds, cpu + more_cpu
    return {"seconds": seconds, "cpu": cpu}


def time_kit(course, jobs, feedback, log, timings_path):
    command = [
        sys.executable,
        "-m",
        "dnngrader.batch.prestart",
        "--course",
        str(course.root),
        "--jobs",
        str(jobs),
        "--timings",
        str(timings_path),
    ] + ([] if feedback else ["--no-feedback"])
    seconds, cpu = _timed(command, course, log)
    timings = json.loads(timings_path.read_text()) if timings_path.exists() else {}
    # A forked kernel's template lets the system reap its kernels, so their CPU time is never
    # added to any parent's: the workers measure it (timings), and it is added here.
    cpu += timings.get("cpu_seconds", {}).get("kernel cpu", 0.0)
    return {"seconds": seconds, "cpu": cpu, "timings": timings}


def _snapshot(course):
    with Gradebook(course.db_url, "dnn-step-by-step") as gradebook:
        return snapshot.snapshot(gradebook)


def _workers(text):
    try:
        counts = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers of workers: {text!r}")
    if not counts or counts[0] < 1:
        raise argparse.ArgumentTypeError(f"not a list of numbers of workers: {text!r}")
    return counts


def _cpu_lines(kit, count):
    """Where the kit's CPU seconds per submission go."""
    timings = kit["timings"]
    cpu = timings.get("cpu_seconds", {})
    grading, kernels = cpu.get("worker cpu", 0.0), cpu.get("kernel cpu", 0.0)
    workers = timings.get("cluster_cpu") or grading
    parts = [
        ("grading in the workers (nbgrader, the judge, feedback)", grading),
        ("the submissions' kernels", kernels),
        ("the workers besides (their start-up, Dask)", workers - grading),
        ("the rest (the command: start-up, plan, scheduler, results, reports)", kit["cpu"] - workers - kernels),
    ]
    return [f"  {label:<70}{value / count:7.3f} s" for label, value in parts]


def _assignments(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in samples.with_samples()]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"not assignments with samples: {text!r} (these have: {', '.join(samples.with_samples())})"
        )
    return names


def bench_assignment(assignment, args, work, feedback, exact_cpu, scaling):
    """Time stock nbgrader and the kit on ``args.n`` submissions of ``assignment`` in scratch
    courses under ``work``, print its figures (and, with ``scaling``, the throughput per number
    of workers of --workers); returns {"stock", "kit", "speedup", "agree"}: seconds per
    submission of stock and of the mean of the two kit runs."""
    work = work / assignment
    work.mkdir(parents=True, exist_ok=True)
    print(f"\n== {assignment} ==")
    print(f"Preparing {args.n} synthetic submissions and the scratch courses in {work} ...", flush=True)
    kinds = make_class(args.n, work / "class", assignment)
    blank = ScratchCourse(work / "blank", assignments=(assignment,)).create()

    def fresh_course(name):
        root = work / name
        shutil.rmtree(root, ignore_errors=True)
        shutil.copytree(blank.root, root, symlinks=True)
        course = ScratchCourse(root, assignments=(assignment,))
        shutil.copytree(work / "class", course.submitted)
        return course

    what = "autograde + feedback" if feedback else "autograde only"
    print(
        f"{args.n} submissions of {assignment} ({', '.join(f'{n} {kind}' for kind, n in sorted(kinds.items()))}), "
        f"{os.cpu_count()} cores, {what}"
    )

    def run_kit(jobs, name, label=""):
        print(f"Kit {label}`dnngrader grade --jobs {jobs}` (local Dask cluster) ...", flush=True)
        course = fresh_course(name)
        run = time_kit(course, jobs, feedback, work / f"{name}.log", work / f"{name}-timings.json")
        return run, _snapshot(course)

    before, before_snapshot = run_kit(args.jobs, "kit-before", "`make grade`, before stock nbgrader, ")
    print(
        "Stock `nbgrader autograde`" + (" + `nbgrader generate_feedback`" if feedback else "") + " (sequential) ...",
        flush=True,
    )
    stock_course = fresh_course("stock")
    stock = time_stock(stock_course, feedback, work / "stock.log", assignment)
    expected = _snapshot(stock_course)
    before["differences"] = snapshot.differences(expected, before_snapshot)

    runs = {}
    for jobs in [args.jobs] + ([count for count in args.workers if count != args.jobs] if scaling else []):
        label = "`make grade`, after stock nbgrader, " if jobs == args.jobs else ""
        runs[jobs], graded = run_kit(jobs, f"kit-{jobs}", label)
        runs[jobs]["differences"] = snapshot.differences(expected, graded)

    n = args.n
    kit = runs[args.jobs]
    bracket = (before["seconds"] + kit["seconds"]) / 2
    print()
    print(f"{'':42}{'wall':>9}  {'per submission':>15}  {'CPU per submission':>19}")
    for label, run in (
        (f"make grade ({args.jobs} workers), before", before),
        ("stock nbgrader, sequential", stock),
        (f"make grade ({args.jobs} workers), after", kit),
    ):
        print(f"{label:42}{run['seconds']:8.1f}s  {run['seconds'] / n:13.3f} s  {run['cpu'] / n:17.3f} s")
    speedup = stock["seconds"] / bracket
    print(
        f"speed-up: {speedup:.2f} x stock nbgrader's throughput, against the mean of the two `make grade` "
        f"runs ({bracket / n:.3f} s per submission; target: {TARGET:g} x: "
        f"{'met' if speedup >= TARGET else 'NOT met'}); against each alone: "
        f"{stock['seconds'] / before['seconds']:.2f} x before, {stock['seconds'] / kit['seconds']:.2f} x after"
    )
    disagreeing = {f"{jobs} worker(s)": run["differences"] for jobs, run in runs.items() if run["differences"]}
    if before["differences"]:
        disagreeing[f"{args.jobs} worker(s), before stock nbgrader"] = before["differences"]
    print(f"gradebooks agree with stock nbgrader's: {'yes' if not disagreeing else 'NO'}")
    for label, differences in disagreeing.items():
        print(f"  with {label}:")
        print("\n".join(f"    {line}" for line in differences))

    timings = kit["timings"]
    if timings.get("submissions"):
        seconds, count = timings["phase_seconds"], timings["submissions"]
        setup, grading, report = (
            timings["seconds_before_grading"],
            timings["grading_seconds"],
            timings["report_seconds"],
        )
        print(
            f"\nThe `make grade` run after stock nbgrader: {kit['seconds'] - setup - grading - report:.1f} s "
            f"to start Python and import nbgrader, {setup:.1f} s to load the configuration and find what to grade, "
            f"{grading:.1f} s grading ({grading / count:.3f} s per submission, the local cluster's start "
            f"included; {timings.get('write_seconds', 0):.1f} s of it writing results into the course), "
            f"{report:.1f} s for the CSV and the chart."
        )
        print(f"Where the workers' time goes (each worker's seconds, summed over {timings['jobs']} workers):")
        print("\n".join(timing.breakdown(seconds, count)))
        print(
            f"CPU seconds per submission, every process counted{'' if exact_cpu else ' (but orphans)'}: "
            f"stock nbgrader {stock['cpu'] / n:.3f} s, the kit {kit['cpu'] / n:.3f} s, of which:"
        )
        print("\n".join(_cpu_lines(kit, count)))
        largest = max(seconds, key=seconds.get)
        print(f"Next step: {largest} takes the most time: {NEXT_STEP.get(largest, '')}.")

    if scaling:
        print("\nThroughput with local Dask workers (the whole command, start-up included):")
        print(
            f"  {'workers':>7}  {'wall':>8}  {'s per submission':>16}  {'submissions per minute':>22}  "
            f"{'vs 1 worker':>11}"
        )
        one = runs.get(1)
        for jobs in sorted(runs):
            run = runs[jobs]
            relative = f"{one['seconds'] / run['seconds']:10.2f}x" if one else f"{'':>11}"
            print(
                f"  {jobs:7d}  {run['seconds']:7.1f}s  {run['seconds'] / n:16.3f}  {60 * n / run['seconds']:22.1f}  "
                f"{relative}"
            )
    return {"stock": stock["seconds"] / n, "kit": bracket / n, "speedup": speedup, "agree": not disagreeing}


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="dnngrader bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--n", type=int, default=200, help="number of synthetic submissions of each assignment (default: 200)"
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="local Dask workers of the `make grade` run (default: the number of cores, %(default)s, as make grade)",
    )
    parser.add_argument(
        "--workers",
        type=_workers,
        default=[1, 2, 4],
        metavar="N,N,...",
        help="numbers of local Dask workers to measure the throughput with, on the first assignment (default: 1,2,4)",
    )
    parser.add_argument(
        "--assignment",
        type=_assignments,
        default=samples.with_samples(),
        metavar="NAME,NAME,...",
        help=f"the assignments to time (default: every one with samples: {','.join(samples.with_samples())})",
    )
    parser.add_argument("--no-feedback", action="store_true", help="leave out the feedback HTML on both sides")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args(argv)
    feedback = not args.no_feedback

    exact_cpu = _become_subreaper()
    work = args.keep or Path(tempfile.mkdtemp(prefix="dnngrader-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        figures = {
            assignment: bench_assignment(assignment, args, work, feedback, exact_cpu, scaling=index == 0)
            for index, assignment in enumerate(args.assignment)
        }
        print(
            f"\nSide by side ({args.n} submissions each, `make grade` with {args.jobs} workers, "
            f"the mean of its two runs):"
        )
        print(
            f"  {'assignment':<20}{'stock s per submission':>24}{'kit s per submission':>22}{'speed-up':>10}"
            f"{'gradebooks agree':>18}"
        )
        for assignment, row in figures.items():
            print(
                f"  {assignment:<20}{row['stock']:24.3f}{row['kit']:22.3f}{row['speedup']:9.2f}x"
                f"{'yes' if row['agree'] else 'NO':>18}"
            )
        return 0 if all(row["agree"] for row in figures.values()) else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
