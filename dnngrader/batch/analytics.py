"""The class at a glance, per assignment: the pass rate of each function and the distribution of
total scores, as text and as a PNG made with matplotlib (a row of two panels per assignment).

A student passes a function when they got all of its points.  The PNG also carries the numbers
it plots, as JSON in its "Description" text chunk, so a script (or a test) can read them back:
{"assignments": {assignment: {"students", "max", "score_bins", "students_per_bin",
"pass_rate_percent"}}, "order": [assignment, ...]}.
"""

import json
import math
import threading
from pathlib import Path

SCORE_BIN = 10  # points per bar of the score histogram


def pass_rates(rows, points):
    """function -> (students with all its points, students), for one assignment's ``rows``
    (export.assignment_rows) and ``points`` (function -> its points, in notebook order)."""
    return {name: (sum(math.isclose(row[name], points[name]) for row in rows), len(rows)) for name in points}


def format_pass_rates(rates, assignment=None):
    width = max(len(name) for name in rates)
    of = f" of {assignment}" if assignment else ""
    lines = [f"Pass rate per function{of} (all of its points), {next(iter(rates.values()))[1]} students:"]
    for name, (passed, students) in rates.items():
        share = 100 * passed / students if students else 0.0
        lines.append(f"  {name:<{width}}  {passed:>4}/{students:<4} {share:5.1f} %")
    return "\n".join(lines)


def score_histogram(rows, maximum):
    """(bin edges, students per bin) of the totals; the last bin includes the maximum."""
    top = max(maximum, max((row["total"] for row in rows), default=0))
    edges = list(range(0, int(math.ceil(top / SCORE_BIN)) * SCORE_BIN + 1, SCORE_BIN)) or [0, SCORE_BIN]
    if len(edges) < 2:
        edges.append(edges[0] + SCORE_BIN)
    counts = [0] * (len(edges) - 1)
    for row in rows:
        index = min(int(row["total"] // SCORE_BIN), len(counts) - 1)
        counts[index] += 1
    return edges, counts


def read_plotted(path):
    """The numbers a PNG made by ``write_png`` plots (from its "Description" text chunk)."""
    data = Path(path).read_bytes()
    position = 8  # after the PNG signature; then chunks: length, type, data, CRC
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"tEXt" and body.startswith(b"Description\0"):
            return json.loads(body.split(b"\0", 1)[1].decode("latin-1"))
        position += 12 + length
    return None


def _panel_data(rows, points):
    maximum = sum(points.values())
    edges, counts = score_histogram(rows, maximum)
    rates = pass_rates(rows, points)
    percent = {name: (100 * passed / students if students else 0.0) for name, (passed, students) in rates.items()}
    return {
        "students": len(rows),
        "max": maximum,
        "score_bins": edges,
        "students_per_bin": counts,
        "pass_rate_percent": percent,
    }


def _plotting():
    """matplotlib's pyplot, drawing to files (the Agg backend), imported on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def import_plotting_in_background():
    """Import what ``write_png`` draws with in a thread of its own, now: the grading command
    calls it as grading starts, when this process mostly waits for results, so the chart at the
    end does not wait about half a second for matplotlib."""
    threading.Thread(target=_plotting, name="import matplotlib", daemon=True).start()


def write_png(panels, path):
    """Draw, for each (assignment, its rows, its points) of ``panels``, the distribution of its
    total scores and its pass rate per function, a row of two panels per assignment, into
    ``path``; returns what was plotted (as the PNG's "Description" holds it)."""
    plt = _plotting()

    plotted = {"assignments": {}, "order": [assignment for assignment, _, _ in panels]}
    heights = [max(3.0, 1.2 + 0.42 * len(points)) for _, _, points in panels]
    figure, axes = plt.subplots(
        len(panels),
        2,
        figsize=(13, 1.0 + sum(heights)),
        squeeze=False,
        gridspec_kw={"width_ratios": [1, 1.25], "height_ratios": heights},
    )
    for (assignment, rows, points), (scores, functions) in zip(panels, axes):
        data = plotted["assignments"][assignment] = _panel_data(rows, points)
        edges, counts = data["score_bins"], data["students_per_bin"]
        scores.bar(edges[:-1], counts, width=SCORE_BIN, align="edge", color="#4c72b0", edgecolor="white")
        scores.set_xlim(0, edges[-1])
        scores.set_xlabel(f"total score (out of {data['max']:g})")
        scores.set_ylabel("students")
        scores.set_title(f"{assignment}: total scores ({len(rows)} students)")
        scores.yaxis.get_major_locator().set_params(integer=True)

        names = list(reversed(points))  # the first function at the top
        values = [data["pass_rate_percent"][name] for name in names]
        bars = functions.barh(names, values, color=["#55a868" if v >= 50 else "#c44e52" for v in values])
        functions.set_xlim(0, 100)
        functions.set_xlabel("students with all of the function's points (%)")
        functions.set_title(f"{assignment}: pass rate per function")
        for bar, value in zip(bars, values):
            functions.text(min(value + 1, 88), bar.get_y() + bar.get_height() / 2, f"{value:.0f}%", va="center")

    figure.suptitle("Autograded results")
    figure.tight_layout()
    figure.savefig(path, dpi=100, metadata={"Description": json.dumps(plotted)})
    plt.close(figure)
    return plotted
