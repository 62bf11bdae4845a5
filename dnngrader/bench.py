"""Stock nbgrader against the kit's parallel grader, on the same synthetic class.

    python -m dnngrader.bench [--n 200] [--jobs N] [--feedback] [--keep DIR]

Makes N submissions from the samples in samples/ (a mix of correct, buggy and blank notebooks),
then, in one run and each in a scratch course of its own:
1. times stock `nbgrader autograde` over all of them (one sequential invocation, as an
   instructor would run it);
2. times the kit's `python -m dnngrader.grade --jobs N` on the same submissions;
and prints the seconds per submission of both, the speed-up, whether the two gradebooks agree,
and where the kit's grading time goes.  With --feedback, both also generate the feedback HTML
(stock: `nbgrader generate_feedback` after autograding).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from nbgrader.api import Gradebook

from . import samples, snapshot, timing
from .course import ScratchCourse
from .paths import ASSIGNMENT

KINDS = {"ada_full_marks": "correct", "ben_blank": "blank"}  # every other sample is buggy

# What to look at next when a phase takes most of the time.
NEXT_STEP = {
    "kernel start": "start each submission's kernel while the previous submission is still running",
    "execution": "the cells' round trips to the kernel and the hidden tests in it (runtime.py, delivery.py)",
    "kernel stop": "stop kernels in the background instead of waiting for them",
    "judge": "the verdicts computed outside the kernel (judge.py, hints.py, dnn_checks.compare)",
    "database": "nbgrader's gradebook queries and commits (one commit per cell in SaveAutoGrades)",
    "feedback": "nbconvert's HTML export of the feedback",
    "other": "nbgrader's other preprocessors and the notebook reads and writes",
}


def make_class(count, folder):
    """Write ``count`` submissions under folder/<student>/<assignment>/; returns {kind: count}."""
    specs = sorted(samples.SAMPLES.glob("*.py"))
    notebooks = {}
    for spec in specs:
        answers, start_from = samples.parse_answers(spec.read_text())
        notebooks[spec.stem] = samples.fill_answers(answers, start_from)
    kinds = Counter()
    for index in range(count):
        sample = specs[index % len(specs)].stem
        samples.write_submission(notebooks[sample], f"student_{index:04d}_{sample}", folder)
        kinds[KINDS.get(sample, "buggy")] += 1
    return kinds


def _timed(command, course, log):
    started = time.monotonic()
    with open(log, "w") as output:
        done = subprocess.run(command, cwd=course.root, env=course.env(), stdout=output, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        print(f"  warning: {' '.join(map(str, command[:4]))} ... exited with status {done.returncode} (see {log})")
    return seconds


def time_stock(course, feedback, log):
    nbgrader = [sys.executable, "-m", "nbgrader"]
    seconds = _timed(nbgrader + ["autograde", ASSIGNMENT], course, log)
    if feedback:
        seconds += _timed(nbgrader + ["generate_feedback", ASSIGNMENT], course, str(log) + ".feedback")
    return seconds


def time_kit(course, jobs, feedback, log, timings):
    command = [sys.executable, "-m", "dnngrader.grade", "--course", str(course.root), "--jobs", str(jobs),
               "--timings", str(timings)] + ([] if feedback else ["--no-feedback"])
    return _timed(command, course, log)


def _snapshot(course):
    with Gradebook(course.db_url, "dnn-step-by-step") as gradebook:
        return snapshot.snapshot(gradebook)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200, help="number of synthetic submissions (default: 200)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="workers of the kit's grader "
                        "(default: the number of cores, %(default)s)")
    parser.add_argument("--feedback", action="store_true", help="include generating the feedback HTML")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="dnngrader-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"Preparing {args.n} synthetic submissions and two scratch courses in {work} ...")
        kinds = make_class(args.n, work / "class")
        stock, kit = ScratchCourse(work / "stock").create(), ScratchCourse(work / "kit").create()
        for course in (stock, kit):
            shutil.copytree(work / "class", course.submitted, dirs_exist_ok=True)
        what = "autograde + feedback" if args.feedback else "autograde"
        print(f"{args.n} submissions ({', '.join(f'{n} {kind}' for kind, n in sorted(kinds.items()))}), "
              f"{os.cpu_count()} cores, {what}")

        print("Stock `nbgrader autograde` (sequential, one invocation) ...", flush=True)
        stock_seconds = time_stock(stock, args.feedback, work / "stock.log")
        print(f"Kit `python -m dnngrader.grade --jobs {args.jobs}` ...", flush=True)
        timings_path = work / "kit-timings.json"
        kit_seconds = time_kit(kit, args.jobs, args.feedback, work / "kit.log", timings_path)
        timings = json.loads(timings_path.read_text()) if timings_path.exists() else {}

        differences = snapshot.differences(_snapshot(stock), _snapshot(kit))
        print()
        print(f"stock nbgrader autograde : {stock_seconds:8.1f} s   {stock_seconds / args.n:6.3f} s per submission")
        print(f"kit grader, {args.jobs} worker(s)  : {kit_seconds:8.1f} s   {kit_seconds / args.n:6.3f} s per submission")
        print(f"speed-up                 : {stock_seconds / kit_seconds:8.2f} x   (target: 3 x)")
        print(f"gradebooks agree         : {'yes' if not differences else 'NO'}")
        for line in differences:
            print(f"  {line}")
        if timings.get("submissions"):
            seconds, count = timings["phase_seconds"], timings["submissions"]
            cpu = timings["cpu_seconds"]
            setup, grading, report = (timings["seconds_before_grading"], timings["grading_seconds"],
                                      timings["report_seconds"])
            print(f"\nThe kit's run: {kit_seconds - setup - grading - report:.1f} s to start Python and import "
                  f"nbgrader, {setup:.1f} s to load the configuration and find what to grade, {grading:.1f} s "
                  f"grading ({grading / count:.3f} s per submission), {report:.1f} s for the CSV and the chart.")
            print(f"Where the grading time goes (each worker's seconds, summed over {timings['jobs']} workers):")
            print("\n".join(timing.breakdown(seconds, count)))
            print(f"CPU per submission: grading worker {cpu.get('worker cpu', 0) / count:.3f} s, "
                  f"its kernel {cpu.get('kernel cpu', 0) / count:.3f} s")
            largest = max(seconds, key=seconds.get)
            print(f"Next step: {largest} takes the most time: {NEXT_STEP.get(largest, '')}.")
        return 0 if not differences else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
