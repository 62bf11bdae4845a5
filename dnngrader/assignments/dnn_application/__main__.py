"""Train the second assignment's two reference models on a data folder and report their figures.

    dnngrader application-reference [--data DIR] [--json]          (make application-reference)

As the original exercise does: learning rate 0.0075, 2500 iterations, a two-layer network with
n_h = 7 and an L-layer network with dims (12288, 20, 7, 5, 1), trained on DIR/train_catvnoncat.h5
and measured on both files (``models.predict``, ``models.accuracy``).  --json prints

    {"two_layer": {"costs": {"0": c0, "100": c100, ..., "2400": c2400},
                   "train_accuracy": a, "test_accuracy": b},
     "L_layer": {...}}

with the costs the models record (every 100 iterations: 0 .. 2400 for 2500 iterations); without
it, a table that also shows the cost at the last iteration.  On the original files the figures are
the reference table's (application.md); README, "The second assignment's data", has the
stand-in's.  A folder without the files, or with malformed ones, exits with status 2 and a message
saying what is wrong and how to make the stand-in.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from dnngrader.assignments.dnn_application import models
from dnngrader.kernel.notebook import dnn_app_data as data, dnn_app_standin as standin
from dnngrader.paths import COURSE_ROOT

LEARNING_RATE = 0.0075
ITERATIONS = 2500
# What a data error's message adds, in the kit's terms (the module's own MAKE_STANDIN is a student's).
MAKE_STANDIN = "make data (or: dnngrader data --out DIR)"
N_H = 7
LAYERS_DIMS = (12288, 20, 7, 5, 1)
MODELS = {  # JSON key: (what the table calls it, model, layer sizes)
    "two_layer": (f"two-layer, n_h = {N_H}", models.two_layer_model, (12288, N_H, 1)),
    "L_layer": (f"L-layer, dims {LAYERS_DIMS}", models.L_layer_model, LAYERS_DIMS),
}


def run(folder, iterations=ITERATIONS, log=None):
    """Train both models on ``folder``'s files and measure them.

    Returns (results, last_costs): results is the JSON object above (costs keyed by iteration as a
    string, accuracies as floats in [0, 1]); last_costs maps each model's key to the cost at its
    last iteration.  ``log`` (a file) gets a line per model as it starts.  Raises data.DataError.
    """
    train_x_orig, train_y, test_x_orig, test_y, _ = data.load_data(folder)
    train_x, test_x = data.preprocess(train_x_orig), data.preprocess(test_x_orig)
    results, last_costs = {}, {}
    for key, (title, model, dims) in MODELS.items():
        if log:
            print(f"training {title} ({iterations} iterations)...", file=log, flush=True)
        history = {}
        parameters, costs = model(train_x, train_y, dims, LEARNING_RATE, iterations, history=history)
        results[key] = {
            "costs": {str(i * models.RECORD_EVERY): float(cost) for i, cost in enumerate(costs)},
            "train_accuracy": models.accuracy(models.predict(train_x, train_y, parameters), train_y),
            "test_accuracy": models.accuracy(models.predict(test_x, test_y, parameters), test_y),
        }
        last_costs[key] = history[iterations - 1]
    return results, last_costs


def table(results, last_costs, iterations):
    """The figures as a Markdown table, columns as in application.md's reference table."""
    last_recorded = (iterations - 1) // models.RECORD_EVERY * models.RECORD_EVERY
    # The reference table's iterations (0, 100, the last recorded), each once: a short run
    # (--iterations 50) records the cost at 0 only.
    recorded = list(dict.fromkeys(i for i in (0, models.RECORD_EVERY, last_recorded) if i <= last_recorded))
    headings = [f"cost at {recorded[0]}"] + [f"at {i}" for i in recorded[1:]] + [f"at {iterations - 1}"]
    lines = [
        f"| model | {' | '.join(headings)} | train accuracy | test accuracy |",
        "| " + " | ".join(["---"] * (len(headings) + 3)) + " |",
    ]
    for key, (title, _, _) in MODELS.items():
        costs = results[key]["costs"]
        cells = [costs.get(str(i)) for i in recorded] + [
            last_costs[key],
            results[key]["train_accuracy"],
            results[key]["test_accuracy"],
        ]
        lines.append(f"| {title} | " + " | ".join("-" if c is None else repr(c) for c in cells) + " |")
    return "\n".join(lines)


def describe(folder):
    """Which data set a folder holds, in a few words."""
    made = [standin.is_standin(folder / name) for name in (data.TRAIN_FILE, data.TEST_FILE)]
    return "the kit's stand-in" if all(made) else "not the kit's stand-in (the original files?)"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="dnngrader application-reference",
        description="Train the second assignment's reference models (two-layer, n_h = 7, and L-layer, "
        "dims (12288, 20, 7, 5, 1); learning rate 0.0075, 2500 iterations) on a folder's "
        "train_catvnoncat.h5 and report their costs and accuracies.  Takes a minute or two.",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=COURSE_ROOT / "data",
        help="the folder holding train_catvnoncat.h5 and test_catvnoncat.h5 (default: data/ at the course root)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='print {"two_layer": {"costs": {"0": ..., "2400": ...}, "train_accuracy": ..., '
        '"test_accuracy": ...}, "L_layer": {...}} instead of a table',
    )
    parser.add_argument(
        "--iterations",
        type=int,
        default=ITERATIONS,
        help="for quick checks only: train this many iterations instead of 2500 "
        "(the figures are then not the reference table's)",
    )
    args = parser.parse_args(argv)
    if args.iterations < 1:
        parser.error("--iterations must be at least 1")
    start = time.monotonic()
    try:
        results, last_costs = run(args.data, args.iterations, log=sys.stderr)
    except data.DataError as error:
        message = str(error)
        if MAKE_STANDIN not in message:
            message += f".  To use the kit's stand-in data set instead: {MAKE_STANDIN}"
        print(message, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(results))
    else:
        print(
            f"Data: {args.data} ({describe(args.data)}); learning rate {LEARNING_RATE}, "
            f"{args.iterations} iterations; {time.monotonic() - start:.0f} s\n"
        )
        print(table(results, last_costs, args.iterations))
    return 0


if __name__ == "__main__":
    sys.exit(main())
