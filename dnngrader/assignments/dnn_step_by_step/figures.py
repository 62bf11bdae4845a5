"""The notebook's diagrams, drawn with matplotlib and written as SVG next to the source notebook.

    dnngrader figures              write every figure into source/dnn_step_by_step/figures/
    dnngrader figures --out DIR    write them into DIR instead
    dnngrader figures --png DIR    also write a PNG of each, to look at

`dnngrader release` (make release) runs this before nbgrader generates the release, which
then copies the figures/ folder into release/ with the other files of the source folder.

The SVG files are the same byte for byte each time they are drawn with the same matplotlib: every
setting that reaches the file is fixed here (matplotlib's defaults, whatever a matplotlibrc says,
a fixed salt for the SVG ids, text as paths, no date in the metadata), so a test can draw them
again and compare them with the committed ones.
"""

import argparse
import contextlib
import io
import sys
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from dnngrader.paths import ASSIGNMENT, COURSE_ROOT

FIGURE_FOLDER = COURSE_ROOT / "source" / ASSIGNMENT / "figures"

# Settings that reach the SVG.  Text is written as paths so that it looks the same in every
# browser, whatever fonts it has; the salt makes the ids of clip paths and glyphs reproducible.
STYLE = {
    "svg.hashsalt": "dnn_step_by_step",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": 12,
}
SVG_METADATA = {"Date": None}

# Colour-blind-safe pair (Okabe and Ito's blue and vermilion); backward arrows are also dashed,
# so the two directions differ without colour too.
FORWARD, FORWARD_FILL = "#0a5c9e", "#e4eff9"
BACKWARD, BACKWARD_FILL = "#b8470f", "#fbeadf"
CACHE, CACHE_FILL = "#55524a", "#f4f1e4"
INK, MUTED, PAPER = "#1b1b1b", "#5c5c5c", "#ffffff"
CODE = "DejaVu Sans Mono"


# ---------------------------------------------------------------------------------------------
# Drawing helpers: coordinates are inches from the figure's bottom-left corner
# ---------------------------------------------------------------------------------------------


def _canvas(width, height):
    """A blank figure of width x height inches whose data coordinates are inches."""
    figure = Figure(figsize=(width, height), facecolor=PAPER)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, width)
    axes.set_ylim(0, height)
    axes.set_axis_off()
    return figure, axes


def _box(axes, x, y, width, height, lines, edge, fill, dashed=False):
    """A rounded box centred on (x, y) holding ``lines`` (text or (text, options) pairs)."""
    axes.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0,rounding_size=0.09",
            facecolor=fill,
            edgecolor=edge,
            linewidth=1.6,
            linestyle=(0, (5, 3)) if dashed else "-",
        )
    )
    _lines(axes, x, y, lines)


def _outline(x, y, width, height, edge, fill="none"):
    """A thin rounded frame with its lower-left corner at (x, y), around boxes that belong together."""
    return FancyBboxPatch(
        (x, y), width, height, boxstyle="round,pad=0,rounding_size=0.14", facecolor=fill, edgecolor=edge, linewidth=1.1
    )


def _lines(axes, x, y, lines, size=None, spacing=0.27, color=INK, ha="center"):
    """Lines of text centred vertically on y; an entry may be (text, {text options})."""
    size = size or STYLE["font.size"]
    spacing = spacing * size / STYLE["font.size"]
    top = y + spacing * (len(lines) - 1) / 2
    for index, line in enumerate(lines):
        text, options = (line, {}) if isinstance(line, str) else line
        options = {"color": color, "fontsize": size, "ha": ha, **options}
        axes.text(x, top - index * spacing, text, va="center", **options)


def _arrow(
    axes, start, end, color, dashed=False, width=1.8, label=None, label_side="above", label_size=None, label_at="middle"
):
    """An arrow from ``start`` to ``end``; a dashed one keeps a solid head.  The label goes above,
    left or right of it (``label_side``); above a horizontal arrow it is centred, or starts at the
    arrow's start or ends at its end (``label_at``: "middle", "start", "end")."""
    (x0, y0), (x1, y1) = start, end
    length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
    head = 0.13
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    base = (x1 - ux * head, y1 - uy * head)
    axes.add_line(
        Line2D(
            [x0, base[0]],
            [y0, base[1]],
            color=color,
            linewidth=width,
            linestyle=(0, (4, 2.5)) if dashed else "-",
            solid_capstyle="butt",
            dash_capstyle="butt",
        )
    )
    axes.add_patch(
        FancyArrowPatch(
            base, end, arrowstyle="-|>", mutation_scale=16, color=color, linewidth=width, shrinkA=0, shrinkB=0
        )
    )
    if label:
        size = label_size or STYLE["font.size"]
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        if label_side == "above" and label_at != "middle":
            rightwards = x1 > x0
            ha = "left" if rightwards == (label_at == "start") else "right"
            x = (x0 if label_at == "start" else x1) + (0.06 if ha == "left" else -0.06)
            axes.text(x, my + 0.2, label, ha=ha, va="center", color=color, fontsize=size)
        elif label_side == "above":
            axes.text(mx, my + 0.2, label, ha="center", va="center", color=color, fontsize=size)
        elif label_side == "right":
            axes.text(mx + 0.12, my, label, ha="left", va="center", color=color, fontsize=size)
        else:
            axes.text(mx - 0.12, my, label, ha="right", va="center", color=color, fontsize=size)


def _bracket(axes, x0, x1, y, label, color=INK, size=None):
    """A bracket under the span x0..x1 at height y, with a label under it."""
    axes.add_line(Line2D([x0, x0, x1, x1], [y + 0.12, y, y, y + 0.12], color=color, linewidth=1.3))
    axes.text(
        (x0 + x1) / 2, y - 0.24, label, ha="center", va="center", color=color, fontsize=size or STYLE["font.size"]
    )


def _legend(axes, x, y, size=None):
    """The key to the colours: forward (solid blue), backward (dashed orange), cache (box)."""
    size = size or STYLE["font.size"] - 1
    _arrow(axes, (x, y), (x + 0.6, y), FORWARD)
    axes.text(x + 0.75, y, "forward pass", va="center", fontsize=size, color=FORWARD)
    _arrow(axes, (x + 2.4, y), (x + 3.0, y), BACKWARD, dashed=True)
    axes.text(x + 3.15, y, "backward pass", va="center", fontsize=size, color=BACKWARD)
    axes.add_patch(
        FancyBboxPatch(
            (x + 5.0, y - 0.13),
            0.45,
            0.26,
            boxstyle="round,pad=0,rounding_size=0.05",
            facecolor=CACHE_FILL,
            edgecolor=CACHE,
            linewidth=1.3,
        )
    )
    axes.text(x + 5.6, y, "cache", va="center", fontsize=size, color=CACHE)


# ---------------------------------------------------------------------------------------------
# The figures
# ---------------------------------------------------------------------------------------------


def network():
    """The L-layer network [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID, left to right, with the
    shapes of W[l] and b[l] above each layer and of Z[l] and A[l] under it, for X of shape (n[0], m)."""
    figure, axes = _canvas(11.6, 3.85)
    y, height = 2.1, 1.05
    layer_width, end_width, dots_width, gap = 1.64, 1.3, 0.26, 0.56
    columns = [
        ("input", end_width),
        ("1", layer_width),
        ("dots", dots_width),
        ("l", layer_width),
        ("dots", dots_width),
        ("L", layer_width),
        ("output", end_width),
    ]
    left, centres = 0.13, []
    for _, width in columns:
        centres.append(left + width / 2)
        left += width + gap
    previous = {"1": "0", "l": "l-1", "L": "L-1"}
    for (kind, width), x in zip(columns, centres):
        if kind == "input":
            _box(
                axes, x, y, width, height, [("input", {"color": MUTED}), "$X = A^{[0]}$", "$(n^{[0]}, m)$"], INK, PAPER
            )
        elif kind == "output":
            _box(
                axes,
                x,
                y,
                width,
                height,
                [("prediction", {"color": MUTED}), r"$A^{[L]} = \hat{Y}$", "$(1, m)$"],
                INK,
                PAPER,
            )
        elif kind == "dots":
            axes.text(x, y, r"$\cdots$", ha="center", va="center", fontsize=16, color=INK)
        else:
            activation = "SIGMOID" if kind == "L" else "RELU"
            _box(
                axes,
                x,
                y,
                width,
                height,
                [(f"layer ${kind}$", {"fontweight": "bold"}), (f"LINEAR → {activation}", {"fontsize": 11})],
                FORWARD,
                FORWARD_FILL,
            )
            # The parameters above, the shape of what the layer computes below.
            _lines(
                axes,
                x,
                y + height / 2 + 0.62,
                [
                    f"$W^{{[{kind}]}}$: $(n^{{[{kind}]}}, n^{{[{previous[kind]}]}})$",
                    f"$b^{{[{kind}]}}$: $(n^{{[{kind}]}}, 1)$",
                ],
                size=12.5,
                spacing=0.31,
            )
            _arrow(axes, (x, y + height / 2 + 0.3), (x, y + height / 2), MUTED, width=1.3)
            shape = "(1, m)" if kind == "L" else f"(n^{{[{kind}]}}, m)"
            axes.text(
                x,
                y - height / 2 - 0.27,
                f"$Z^{{[{kind}]}}, A^{{[{kind}]}}$: ${shape}$",
                ha="center",
                va="center",
                fontsize=12.5,
                color=INK,
            )
    labels = [None, "$A^{[1]}$", "$A^{[l-1]}$", "$A^{[l]}$", "$A^{[L-1]}$", None]
    label_at = ["middle", "start", "end", "start", "end", "middle"]  # next to a layer, clear of the dots
    for index, label in enumerate(labels):
        x0 = centres[index] + columns[index][1] / 2 + 0.05
        x1 = centres[index + 1] - columns[index + 1][1] / 2 - 0.05
        _arrow(axes, (x0, y), (x1, y), FORWARD, label=label, label_size=12.5, label_at=label_at[index])
    hidden_left = centres[1] - layer_width / 2
    hidden_right = centres[4] + dots_width / 2
    _bracket(axes, hidden_left, hidden_right, 0.82, r"hidden layers: [LINEAR → RELU] $\times$ $(L-1)$")
    _bracket(axes, centres[5] - layer_width / 2, centres[5] + layer_width / 2, 0.82, "output layer")
    axes.text(centres[5], 0.3, "LINEAR → SIGMOID", ha="center", va="center", fontsize=STYLE["font.size"])
    return figure


def layer_cache():
    """One layer, forward and backward: linear_forward then the activation, each storing its part
    of the cache (linear_cache (A_prev, W, b), activation_cache Z); the backward functions read
    them in the opposite order, from dA[l] to dA[l-1], dW[l] and db[l]."""
    figure, axes = _canvas(10.9, 7.6)
    linear_x, activation_x, width, height = 3.8, 7.5, 2.9, 0.85
    left, right = 0.55, 10.55  # where the arrows into and out of the layer start and end
    outline_x, outline_width = linear_x - width / 2 - 0.3, activation_x - linear_x + width + 0.6
    forward_y, cache_y, backward_y = 5.3, 3.75, 1.95
    small = 11

    _legend(axes, 2.4, 7.3)

    # Forward: A[l-1] -> linear_forward -> Z -> activation -> A[l]; W and b come in from above.
    axes.add_patch(_outline(outline_x, forward_y - 0.55, outline_width, 1.6, FORWARD))
    axes.text(
        outline_x + outline_width - 0.15,
        forward_y + 0.82,
        "linear_activation_forward",
        fontsize=small,
        family=CODE,
        color=FORWARD,
        va="center",
        ha="right",
    )
    _box(
        axes,
        linear_x,
        forward_y,
        width,
        height,
        [("linear_forward", {"family": CODE, "fontsize": small}), "$Z = W A_{prev} + b$"],
        FORWARD,
        FORWARD_FILL,
    )
    _box(
        axes,
        activation_x,
        forward_y,
        width,
        height,
        [("relu(Z) or sigmoid(Z)", {"family": CODE, "fontsize": small}), "$A = g(Z)$"],
        FORWARD,
        FORWARD_FILL,
    )
    axes.text(linear_x, 6.72, "$W^{[l]}, b^{[l]}$", ha="center", va="center", color=MUTED)
    _arrow(axes, (linear_x, 6.5), (linear_x, forward_y + height / 2 + 0.03), MUTED, width=1.3)
    _arrow(axes, (left, forward_y), (linear_x - width / 2 - 0.04, forward_y), FORWARD)
    _lines(axes, left, forward_y + 0.3, ["$A^{[l-1]}$"], color=FORWARD, ha="left")
    _arrow(
        axes,
        (linear_x + width / 2 + 0.04, forward_y),
        (activation_x - width / 2 - 0.04, forward_y),
        FORWARD,
        label="$Z^{[l]}$",
    )
    _arrow(axes, (activation_x + width / 2 + 0.04, forward_y), (right, forward_y), FORWARD)
    _lines(axes, right, forward_y + 0.3, ["$A^{[l]}$"], color=FORWARD, ha="right")

    # The cache of the layer, a pair
    axes.add_patch(_outline(outline_x, cache_y - 0.62, outline_width, 1.24, CACHE, fill=CACHE_FILL))
    axes.text(
        0.1,
        cache_y,
        "cache =\n(linear_cache,\n activation_cache)",
        fontsize=small,
        family=CODE,
        color=CACHE,
        va="center",
        ha="left",
        linespacing=1.5,
    )
    _box(
        axes,
        linear_x,
        cache_y,
        width,
        0.8,
        [("linear_cache", {"family": CODE, "fontsize": small}), "$(A^{[l-1]}, W^{[l]}, b^{[l]})$"],
        CACHE,
        PAPER,
    )
    _box(
        axes,
        activation_x,
        cache_y,
        width,
        0.8,
        [("activation_cache", {"family": CODE, "fontsize": small}), "$Z^{[l]}$"],
        CACHE,
        PAPER,
    )
    for x in (linear_x, activation_x):
        _arrow(
            axes,
            (x - 0.45, forward_y - height / 2),
            (x - 0.45, cache_y + 0.42),
            FORWARD,
            label="stored",
            label_side="left",
            label_size=small,
        )
        _arrow(
            axes,
            (x + 0.45, cache_y - 0.42),
            (x + 0.45, backward_y + 0.57),
            BACKWARD,
            dashed=True,
            label="read",
            label_side="right",
            label_size=small,
        )

    # Backward: dA[l] -> activation's backward -> dZ -> linear_backward -> dA[l-1], with dW, db
    axes.add_patch(_outline(outline_x, backward_y - 1.15, outline_width, 1.8, BACKWARD))
    axes.text(
        outline_x + outline_width - 0.15,
        backward_y - 0.92,
        "linear_activation_backward",
        fontsize=small,
        family=CODE,
        color=BACKWARD,
        va="center",
        ha="right",
    )
    _box(
        axes,
        activation_x,
        backward_y,
        width,
        1.1,
        [
            ("relu_backward or", {"family": CODE, "fontsize": small}),
            ("sigmoid_backward", {"family": CODE, "fontsize": small}),
            r"$dZ = dA \ast g\,'(Z)$",
        ],
        BACKWARD,
        BACKWARD_FILL,
        dashed=True,
    )
    _box(
        axes,
        linear_x,
        backward_y,
        width,
        1.1,
        [("linear_backward", {"family": CODE, "fontsize": small}), r"$dW,\ db,\ dA_{prev}$"],
        BACKWARD,
        BACKWARD_FILL,
        dashed=True,
    )
    _arrow(axes, (right, backward_y), (activation_x + width / 2 + 0.04, backward_y), BACKWARD, dashed=True)
    _lines(axes, right, backward_y + 0.3, ["$dA^{[l]}$"], color=BACKWARD, ha="right")
    _arrow(
        axes,
        (activation_x - width / 2 - 0.04, backward_y),
        (linear_x + width / 2 + 0.04, backward_y),
        BACKWARD,
        dashed=True,
        label="$dZ^{[l]}$",
    )
    _arrow(axes, (linear_x - width / 2 - 0.04, backward_y), (left, backward_y), BACKWARD, dashed=True)
    _lines(axes, left, backward_y + 0.3, ["$dA^{[l-1]}$"], color=BACKWARD, ha="left")
    _arrow(axes, (linear_x, backward_y - 0.57), (linear_x, 0.48), BACKWARD, dashed=True)
    axes.text(linear_x, 0.27, "$dW^{[l]}, db^{[l]}$", ha="center", va="center", color=BACKWARD)
    return figure


def forward_backward():
    """The whole network's forward and backward pass: layers 1 to L store caches[0] to caches[L-1]
    on the way forward; the backward pass starts from dA[L] and uses them in reverse, giving
    dW[l], db[l] and dA[l-1] for each layer, down to dA[0]."""
    figure, axes = _canvas(11.4, 7.2)
    forward_y, cache_y, backward_y, grads_y = 5.25, 3.55, 1.85, 0.45
    box_width, box_height, cache_width = 1.75, 0.9, 2.05
    small = 11
    columns = [("1", "0", "relu"), ("l", "l-1", "relu"), ("L", "L-1", "sigmoid")]
    xs = [2.35, 5.55, 8.75]
    dots = [3.95, 7.15]

    _legend(axes, 2.6, 6.9)
    # The forward pass starts on the left, the backward pass on the right.
    axes.text(0.15, forward_y + 0.8, "L_model_forward", family=CODE, fontsize=small, color=FORWARD, va="center")
    axes.text(
        11.25,
        backward_y - 0.8,
        "L_model_backward",
        family=CODE,
        fontsize=small,
        color=BACKWARD,
        va="center",
        ha="right",
    )
    _lines(
        axes,
        0.15,
        cache_y,
        [
            ("caches", {"family": CODE, "fontsize": small}),
            ("a list,", {"fontsize": small - 1}),
            ("layer 1 first", {"fontsize": small - 1}),
        ],
        color=CACHE,
        ha="left",
    )

    # Forward row
    _lines(axes, 0.5, forward_y, ["$X = A^{[0]}$"], color=FORWARD)
    for (layer, before, activation), x in zip(columns, xs):
        _box(
            axes,
            x,
            forward_y,
            box_width,
            box_height,
            [(f"layer ${layer}$", {"fontweight": "bold"}), (activation, {"family": CODE, "fontsize": small})],
            FORWARD,
            FORWARD_FILL,
        )
        _box(
            axes,
            x,
            cache_y,
            cache_width,
            1.05,
            [
                (f"caches[{'0' if layer == '1' else layer + '-1'}]", {"family": CODE, "fontsize": small}),
                (f"$(A^{{[{before}]}}, W^{{[{layer}]}}, b^{{[{layer}]}})$", {"fontsize": small}),
                (f"$Z^{{[{layer}]}}$", {"fontsize": small}),
            ],
            CACHE,
            CACHE_FILL,
        )
        _arrow(axes, (x - 0.4, forward_y - box_height / 2), (x - 0.4, cache_y + 0.54), FORWARD)
        _arrow(axes, (x + 0.4, cache_y - 0.54), (x + 0.4, backward_y + box_height / 2), BACKWARD, dashed=True)
        _box(
            axes,
            x,
            backward_y,
            box_width,
            box_height,
            [
                (f"layer ${layer}$", {"fontweight": "bold"}),
                (f"{activation}_backward", {"family": CODE, "fontsize": small}),
            ],
            BACKWARD,
            BACKWARD_FILL,
            dashed=True,
        )
        _arrow(axes, (x, backward_y - box_height / 2), (x, grads_y + 0.25), BACKWARD, dashed=True)
        axes.text(x, grads_y, f"$dW^{{[{layer}]}}, db^{{[{layer}]}}$", ha="center", va="center", color=BACKWARD)
    for x in dots:
        axes.text(x, forward_y, r"$\cdots$", ha="center", va="center", fontsize=16, color=FORWARD)
        axes.text(x, backward_y, r"$\cdots$", ha="center", va="center", fontsize=16, color=BACKWARD)

    half = box_width / 2 + 0.04
    forward_stops = [
        1.0,
        xs[0] - half,
        xs[0] + half,
        dots[0] - 0.25,
        dots[0] + 0.25,
        xs[1] - half,
        xs[1] + half,
        dots[1] - 0.25,
        dots[1] + 0.25,
        xs[2] - half,
        xs[2] + half,
        10.2,
    ]
    forward_labels = [None, "$A^{[1]}$", "$A^{[l-1]}$", "$A^{[l]}$", "$A^{[L-1]}$", None]
    # A label sits next to the layer box the arrow leaves or enters, clear of the dots.
    label_at = ["middle", "start", "end", "start", "end", "middle"]
    for index, label in enumerate(forward_labels):
        _arrow(
            axes,
            (forward_stops[2 * index], forward_y),
            (forward_stops[2 * index + 1], forward_y),
            FORWARD,
            label=label,
            label_size=small,
            label_at=label_at[index],
        )
    _lines(axes, 10.8, forward_y, [r"$A^{[L]} = \hat{Y}$"], color=FORWARD)

    # From the prediction and the labels to the start of the backward pass
    _arrow(axes, (10.8, forward_y - 0.3), (10.8, backward_y + 0.3), BACKWARD, dashed=True)
    _lines(axes, 10.65, cache_y, [r"from $A^{[L]}$", "and $Y$"], color=BACKWARD, size=small, ha="right")
    _lines(axes, 10.8, backward_y, ["$dA^{[L]}$"], color=BACKWARD)
    backward_labels = [None, "$dA^{[L-1]}$", "$dA^{[l]}$", "$dA^{[l-1]}$", "$dA^{[1]}$", None]
    backward_stops = list(reversed(forward_stops))
    backward_stops[0] = 10.4
    backward_stops[-1] = 1.0
    for index, label in enumerate(backward_labels):
        _arrow(
            axes,
            (backward_stops[2 * index], backward_y),
            (backward_stops[2 * index + 1], backward_y),
            BACKWARD,
            dashed=True,
            label=label,
            label_size=small,
            label_at=label_at[index],
        )
    _lines(axes, 0.5, backward_y, ["$dA^{[0]}$"], color=BACKWARD)
    return figure


FIGURES = {
    "network.svg": network,
    "layer_cache.svg": layer_cache,
    "forward_backward.svg": forward_backward,
}


# ---------------------------------------------------------------------------------------------
# Writing them
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _style():
    """Within it, matplotlib's settings are its defaults plus STYLE, whatever a matplotlibrc says;
    the caller's settings come back afterwards."""
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(STYLE)
        yield


def render(name, folder, png_folder=None):
    """Draw the figure ``name`` (a key of FIGURES) into ``folder`` as SVG, and as PNG into
    ``png_folder`` when given; returns the SVG's path.  An SVG that already holds the same bytes
    is left untouched."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with _style():
        figure = FIGURES[name]()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata=SVG_METADATA)
        if not path.is_file() or path.read_bytes() != buffer.getvalue():
            path.write_bytes(buffer.getvalue())
        if png_folder is not None:
            Path(png_folder).mkdir(parents=True, exist_ok=True)
            figure.savefig(Path(png_folder) / (Path(name).stem + ".png"), format="png", dpi=100)
    return path


def write_figures(folder=FIGURE_FOLDER, png_folder=None):
    """Draw every figure into ``folder`` (default: figures/ next to the source notebook); returns
    the paths written."""
    return [render(name, folder, png_folder) for name in FIGURES]


def main(argv=None):
    """Command line: write every figure (see the module's docstring)."""
    parser = argparse.ArgumentParser(
        prog="dnngrader figures", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=FIGURE_FOLDER, help="folder for the SVG files")
    parser.add_argument("--png", type=Path, help="also write a PNG of each figure into this folder")
    args = parser.parse_args(argv)
    for path in write_figures(args.out, args.png):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
