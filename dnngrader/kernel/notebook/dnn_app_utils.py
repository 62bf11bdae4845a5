"""Data, pictures and measurements for the cat / non-cat assignment (nothing here is graded).

- ``find_data_folder`` and ``load_dataset``: where the two data files are, and reading them
  (``dnn_app_data.load_data`` checks their layout and names any problem);
- ``show_images``, ``show_mislabelled``, ``plot_costs``: figures with matplotlib (where nothing
  draws figures, the grader's kernel, each shows only what the figure is, and builds nothing);
- ``accuracy``: the share of right predictions;
- ``sample_image_path`` and ``load_image``: an image of your own, at the network's 64 x 64 size.

Where the data is looked for, first match wins:

1. the folder in the environment variable DNN_DATA, when it is set;
2. ``data/`` in the notebook's folder;
3. ``../data`` and ``../../data`` (a course folder's ``data/`` when the notebook sits in
   ``source/dnn_application/`` or ``release/dnn_application/``).

A folder counts when it holds train_catvnoncat.h5 or test_catvnoncat.h5.  When none does, the
generated stand-in data set (cats and non-cats drawn with NumPy by ``dnn_app_standin.py``, no
photographs, free to use) is written to ``data/`` in the notebook's folder (or to DNN_DATA's
folder, when that is set), and the notebook says so.
"""

import os
from pathlib import Path

import numpy as np

from . import dnn_app_data, dnn_app_standin

DATA_ENV = "DNN_DATA"
FILES = (dnn_app_data.TRAIN_FILE, dnn_app_data.TEST_FILE)
IMAGE_SIZE = 64


def candidate_folders(here=None):
    """The folders searched for the data, in order: [(folder, why it is searched)]."""
    here = Path.cwd() if here is None else Path(here)
    given = os.environ.get(DATA_ENV, "").strip()
    if given:
        return [(Path(given).expanduser(), f"the environment variable {DATA_ENV}")]
    return [
        (here / "data", "data/ next to the notebook"),
        (here.parent / "data", "../data"),
        (here.parent.parent / "data", "../../data (the course folder's data/)"),
    ]


def find_data_folder(here=None):
    """(folder, note): the first candidate folder holding a data file, or (None, why) if none."""
    folders = candidate_folders(here)
    for folder, why in folders:
        if any((folder / name).is_file() for name in FILES):
            return folder, f"data from {folder} ({why})"
    looked = "; ".join(str(folder) for folder, _ in folders)
    return None, f"no data files in {looked}"


def load_dataset(here=None, verbose=True):
    """Find the data (writing the stand-in when there is none), read and check it.

    Returns (train_x_orig, train_y, test_x_orig, test_y, classes, folder), as
    ``dnn_app_data.load_data`` returns them, and the folder they came from.  Prints where the data
    came from when ``verbose``.  Raises dnn_app_data.DataError, naming the file, the dataset and
    the problem, for a malformed file.
    """
    folder, note = find_data_folder(here)
    if folder is None:
        folder = candidate_folders(here)[0][0]
        dnn_app_standin.write(folder)
        note = (
            f"{note}: wrote the generated stand-in data set (cats and non-cats drawn with NumPy, "
            f"no photographs) to {folder}.  Put the course's {FILES[0]} and {FILES[1]} there "
            "to use the original images instead"
        )
    else:
        made = all(dnn_app_standin.is_standin(folder / name) for name in FILES)
        note += ": the generated stand-in" if made else ": not the generated stand-in (the course's files?)"
    if verbose:
        print(f"{note}.")
    return (*dnn_app_data.load_data(folder), folder)


def label_name(classes, label):
    """The class name of a label (0 or 1), as text."""
    return classes[int(label)].decode("utf-8")


def _drawn():
    """Whether a figure shown now would be drawn.  False only in an IPython kernel whose inline
    backend has no figure format to draw in: the grader's, which draws no figure (dnngrader's
    ResilientExecute.draw_figures), where building a grid of images would cost a large part of
    the notebook's time for nothing."""
    import sys

    backend = sys.modules.get("matplotlib_inline.backend_inline")
    if backend is None or "inline" not in str(sys.modules["matplotlib"].get_backend()):
        return True
    try:
        return bool(backend.InlineBackend.instance().figure_formats)
    except Exception:  # an inline backend without its configuration: let matplotlib decide
        return True


def _show_undrawn(width, height, axes):
    """Show what a figure of ``width`` x ``height`` inches with ``axes`` axes is, as IPython shows
    a figure that no format draws (matplotlib's own text for it, at 100 dots per inch)."""
    from IPython.display import display

    display({"text/plain": f"<Figure size {width * 100:g}x{height * 100:g} with {axes} Axes>"}, raw=True)


def show_images(x_orig, y, classes, indices, columns=6, title=None, size=1.7):
    """A grid of images with their labels.  x_orig (m, 64, 64, 3) uint8; y (1, m)."""
    indices = list(indices)
    rows = max(1, -(-len(indices) // columns))
    if not _drawn():
        return _show_undrawn(size * columns, size * rows + 0.4, rows * columns)
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(rows, columns, figsize=(size * columns, size * rows + 0.4), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, index in zip(axes.flat, indices):
        axis.imshow(x_orig[index], interpolation="nearest")
        axis.set_title(f"#{index}: {label_name(classes, y[0, index])}", fontsize=9)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    plt.show()


def mislabelled(p, y):
    """Indices of the examples whose prediction differs from their label (p, y: shape (1, m))."""
    return np.flatnonzero(np.asarray(p).ravel() != np.asarray(y).ravel())


def show_mislabelled(x_orig, y, p, classes, limit=12, columns=6, title=None, size=1.9):
    """A grid of the first ``limit`` mislabelled images, each titled with its prediction and label."""
    wrong = mislabelled(p, y)
    if len(wrong) == 0:
        print("No mislabelled images.")
        return
    shown = wrong[:limit]
    rows = -(-len(shown) // columns)
    if not _drawn():
        return _show_undrawn(size * columns, (size + 0.45) * rows + 0.5, rows * columns)
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(rows, columns, figsize=(size * columns, (size + 0.45) * rows + 0.5), squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, index in zip(axes.flat, shown):
        axis.imshow(x_orig[index], interpolation="nearest")
        axis.set_title(
            f"#{index} said {label_name(classes, p[0, index])}\nis {label_name(classes, y[0, index])}", fontsize=8
        )
    figure.suptitle(title or f"{len(wrong)} mislabelled, the first {len(shown)} shown")
    figure.tight_layout()
    plt.show()


def plot_costs(curves, every=100, title="Learning curves"):
    """Cost against iterations.  curves: {label: costs recorded every ``every`` iterations}."""
    if not _drawn():
        return _show_undrawn(7, 4, 1)
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4))
    for label, costs in curves.items():
        costs = [float(np.squeeze(cost)) for cost in costs]
        axis.plot(np.arange(len(costs)) * every, costs, marker="o" if len(costs) < 3 else None, label=label)
    axis.set_xlabel("iteration")
    axis.set_ylabel("cost")
    axis.set_title(title)
    axis.grid(alpha=0.3)
    axis.legend()
    figure.tight_layout()
    plt.show()


def accuracy(p, y):
    """The share of right predictions, p and y of shape (1, m), summed as sum((p == y) / m): a
    perfect fit of 209 images gives 0.9999999999999998, not 1.0 (rounding)."""
    m = y.shape[1]
    return float(np.sum((p == y) / m))


def sample_image_path():
    """A photograph that ships with matplotlib (mpl-data/sample_data/grace_hopper.jpg)."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"


def load_image(path, size=IMAGE_SIZE):
    """(image, x): an image file as (size, size, 3) uint8 RGB, resized with Pillow, and the
    network's input for it, shape (size * size * 3, 1), flattened and scaled as the data set."""
    from PIL import Image

    with Image.open(path) as opened:
        image = np.asarray(opened.convert("RGB").resize((size, size), Image.LANCZOS), dtype=np.uint8)
    return image, image.reshape(1, -1).T / 255.0
