"""A stand-in for the second assignment's data: procedurally drawn cats and non-cats, in HDF5 files
with exactly the original's schema.

    python dnn_app_standin.py --out DIR [--seed N]      (in the kit: dnngrader data, DIR = data/)

writes DIR/train_catvnoncat.h5 (209 images, 72 cats) and DIR/test_catvnoncat.h5 (50 images, 33
cats): datasets train_set_x / test_set_x (m, 64, 64, 3) uint8, train_set_y / test_set_y (m,)
int64 (1 = cat), list_classes [b'non-cat', b'cat'] (|S7), as ``dnn_app_data.load_data`` expects.

Provenance and licence: every pixel is computed here, with NumPy, from the seed; no photograph or
third-party image is used.  The files are output of the kit and fall under the kit's own licence.
Same seed and same NumPy -> byte-identical arrays (each image draws from its own generator,
``default_rng((seed, split, index))``, so one image never depends on another).

What is drawn (64 x 64 pixels, shapes with anti-aliased edges, see ``Canvas``):

- a cat is a face seen from the front: a fur-coloured head with two pointed ears (pink inside),
  almond eyes with slit pupils, a pink nose, whiskers, sometimes tabby stripes and a body, at a
  random place, size, tilt and colour;
- a non-cat is one of: a look-alike animal face (round or floppy ears, round pupils, no
  whiskers), an owl (pointed ear tufts, round eyes), a house, a landscape with mountains and a
  sun, a car, flowers, or a heap of random shapes;
- every image gets a random background (a gradient, blotches, sometimes a floor), a few clutter
  shapes and pixel noise.  Look-alikes, clutter and noise keep the task from being trivially
  easy: a fully connected network sees pixels, not shapes, and learns it about as well as it
  learns the original photographs (README: "The second assignment's data").
"""

import argparse
import sys
from pathlib import Path

import h5py
import numpy as np

from .dnn_app_data import TEST_FILE, TRAIN_FILE

SIZE = 64
SPLITS = {"train": (209, 72), "test": (50, 33)}  # images, cats: as in the original files
CLASSES = np.array([b"non-cat", b"cat"], dtype="S7")
SEED = 1
STANDIN_ATTRIBUTE = "standin"  # a root attribute only the stand-in's files carry
# The difficulty, tuned so that the reference models score as they do on the original photographs
# (on 300 extra test images: 0.73 two-layer, 0.78 L-layer); smaller SHIFT or BACKGROUND_SPREAD
# make the task easier.  Changing any of these changes the data set and the README's table.
NOISE = 0.06  # standard deviation of the pixel noise, on the 0 .. 1 scale
SHIFT = 5  # pixels a figure's centre may lie off the image's centre, in x and in y
FACE_SIZE = (14, 20)  # range of a face's radius, pixels
TILT = 0.15  # standard deviation of a figure's tilt, radians
BLOTCHES = 4  # at most this many faint blotches on a background
BACKGROUND_SPREAD = 0.2  # how far background colours stray from mid-grey (standard deviation)
CLUTTER = 3  # at most this many small shapes behind the figure (and half as many in front)

FUR = [
    (0.85, 0.55, 0.25),
    (0.55, 0.55, 0.55),
    (0.15, 0.15, 0.15),
    (0.92, 0.9, 0.86),
    (0.5, 0.33, 0.2),
    (0.93, 0.8, 0.6),
    (0.35, 0.3, 0.28),
]
EYES = [(0.45, 0.75, 0.25), (0.9, 0.75, 0.15), (0.35, 0.6, 0.9), (0.75, 0.55, 0.2)]
PINK = (0.95, 0.6, 0.65)


class Canvas:
    """An RGB image, floats in [0, 1], shape (64, 64, 3), and soft-edged shapes to paint on it.

    Shapes are coverage masks (64, 64) in [0, 1] from a signed distance d in pixels
    (negative inside): coverage = clip(0.5 - d, 0, 1), a one-pixel anti-aliased edge.  A frame
    (centre, angle) rotates and moves every shape drawn while it is set.
    """

    def __init__(self, colour=(0, 0, 0)):
        self.pixels = np.ones((SIZE, SIZE, 3)) * colour
        self.y, self.x = np.mgrid[0:SIZE, 0:SIZE] + 0.5
        self.frame(0, 0, 0)

    def frame(self, cx, cy, angle):
        """Draw the next shapes in a frame centred on (cx, cy), turned by ``angle`` radians."""
        c, s = np.cos(angle), np.sin(angle)
        dx, dy = self.x - cx, self.y - cy
        self.u, self.v = c * dx + s * dy, -s * dx + c * dy

    def paint(self, coverage, colour, opacity=1.0):
        alpha = (opacity * coverage)[..., None]
        self.pixels = (1 - alpha) * self.pixels + alpha * np.asarray(colour)

    def ellipse(self, cx, cy, rx, ry):
        """Coverage of an ellipse with semi-axes rx, ry (approximate distance, exact for circles)."""
        q = np.hypot((self.u - cx) / rx, (self.v - cy) / ry)
        return np.clip(0.5 - (q - 1) * min(rx, ry), 0, 1)

    def polygon(self, *points):
        """Coverage of a convex polygon, corners in either order round it."""
        turn = np.sign(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1])))
        d = np.full(self.u.shape, -np.inf)
        for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]):
            nx, ny = turn * (y1 - y0), turn * (x0 - x1)  # the edge's outward normal
            d = np.maximum(d, ((self.u - x0) * nx + (self.v - y0) * ny) / np.hypot(nx, ny))
        return np.clip(0.5 - d, 0, 1)

    def rectangle(self, x0, y0, x1, y1):
        return self.polygon((x0, y0), (x0, y1), (x1, y1), (x1, y0))

    def line(self, x0, y0, x1, y1, width):
        """Coverage of a segment with round ends."""
        dx, dy = x1 - x0, y1 - y0
        t = np.clip(((self.u - x0) * dx + (self.v - y0) * dy) / (dx * dx + dy * dy), 0, 1)
        d = np.hypot(self.u - x0 - t * dx, self.v - y0 - t * dy) - width / 2
        return np.clip(0.5 - d, 0, 1)


def jitter(rng, colour, amount=0.08):
    """``colour`` (RGB in [0, 1]) with normal noise of standard deviation ``amount`` per channel."""
    return np.clip(np.asarray(colour) + rng.normal(0, amount, 3), 0, 1)


def random_colour(rng):
    """Any colour, neither black nor white."""
    return rng.uniform(0.05, 0.95, 3)


def muted_colour(rng):
    """A colour scattered round mid-grey (BACKGROUND_SPREAD: standard deviation per channel)."""
    return np.clip(rng.normal(0.5, BACKGROUND_SPREAD, 3), 0, 1)


def background(rng):
    """A canvas with a random gradient, a few faint blotches and sometimes a floor."""
    top, bottom = muted_colour(rng), muted_colour(rng)
    canvas = Canvas()
    t = (canvas.y / SIZE)[..., None]
    canvas.pixels = (1 - t) * top + t * bottom
    for _ in range(rng.integers(0, BLOTCHES + 1)):
        blotch = canvas.ellipse(*rng.uniform(0, SIZE, 2), *rng.uniform(5, 25, 2))
        canvas.paint(blotch, muted_colour(rng), rng.uniform(0.2, 0.6))
    if rng.random() < 0.3:
        canvas.paint(canvas.rectangle(-1, rng.uniform(40, 60), SIZE + 1, SIZE + 1), random_colour(rng))
    return canvas


def clutter(canvas, rng, count, largest=8):
    """``count`` random shapes (discs, bars, triangles) of radius 2 to ``largest`` pixels, anywhere."""
    canvas.frame(0, 0, 0)
    for _ in range(count):
        x, y, r = *rng.uniform(0, SIZE, 2), rng.uniform(2, largest)
        kind = rng.integers(3)
        if kind == 0:
            shape = canvas.ellipse(x, y, r, r * rng.uniform(0.5, 1))
        elif kind == 1:
            a = rng.uniform(0, np.pi)
            shape = canvas.line(x, y, x + 2 * r * np.cos(a), y + 2 * r * np.sin(a), rng.uniform(1, 3))
        else:
            shape = canvas.polygon((x, y - r), (x - r, y + r), (x + r, y + r))
        canvas.paint(shape, random_colour(rng))


def place(canvas, rng, low, high):
    """Set a random frame for a figure of radius in [low, high), near the middle, a little tilted;
    returns the radius."""
    canvas.frame(*(SIZE / 2 + rng.uniform(-SHIFT, SHIFT, 2)), rng.normal(0, TILT))
    return rng.uniform(low, high)


def face(canvas, rng, r, fur, ears):
    """A head of radius about r at the frame's centre, with ``ears`` ("pointed", "round",
    "floppy")."""
    rx, ry = r * rng.uniform(1.0, 1.15), r * rng.uniform(0.85, 1.0)
    if rng.random() < 0.5:  # a body below the head
        canvas.paint(canvas.ellipse(0, 1.5 * r, 1.3 * r, r), jitter(rng, fur, 0.05))
    if ears == "pointed":
        for side in (-1, 1):
            spread, height = rng.uniform(0.45, 0.7), rng.uniform(0.55, 0.95)
            base_in, base_out = side * 0.15 * rx, side * 0.95 * rx
            tip = (side * spread * rx * 1.2, -ry - height * r)
            corners = [(base_out, -0.35 * ry), tip, (base_in, -0.9 * ry)]
            centre = np.mean(corners, axis=0)
            inner = [centre + 0.55 * (np.array(corner) - centre) for corner in corners]
            canvas.paint(canvas.polygon(*corners), fur)
            canvas.paint(canvas.polygon(*inner), PINK, 0.8)
    elif ears == "round":
        for side in (-1, 1):
            canvas.paint(canvas.ellipse(side * 0.75 * rx, -0.8 * ry, 0.4 * r, 0.4 * r), jitter(rng, fur, 0.1))
    elif ears == "floppy":
        for side in (-1, 1):
            canvas.paint(canvas.ellipse(side * 0.95 * rx, 0.1 * ry, 0.3 * r, 0.75 * r), jitter(rng, fur, 0.15))
    canvas.paint(canvas.ellipse(0, 0, rx, ry), fur)


def cat(canvas, rng):
    """A cat's face: pointed ears, almond eyes with slit pupils, a pink nose and whiskers."""
    r = place(canvas, rng, *FACE_SIZE)
    fur = jitter(rng, FUR[rng.integers(len(FUR))])
    face(canvas, rng, r, fur, "pointed")
    if rng.random() < 0.4:  # tabby stripes on the forehead
        for dx in (-0.25, 0, 0.25):
            canvas.paint(canvas.line(dx * r, -0.85 * r, dx * r * 0.8, -0.45 * r, 0.12 * r), fur * 0.55)
    eye = jitter(rng, EYES[rng.integers(len(EYES))], 0.05)
    for side in (-1, 1):
        canvas.paint(canvas.ellipse(side * 0.4 * r, -0.1 * r, 0.2 * r, 0.13 * r), eye)
        canvas.paint(canvas.ellipse(side * 0.4 * r, -0.1 * r, 0.05 * r, 0.13 * r), (0.05, 0.05, 0.05))
    canvas.paint(canvas.polygon((-0.1 * r, 0.18 * r), (0, 0.3 * r), (0.1 * r, 0.18 * r)), PINK)
    whisker = (0.95, 0.95, 0.95) if fur.mean() < 0.6 else (0.2, 0.2, 0.2)
    for side in (-1, 1):
        for dy in (-0.12, 0.05, 0.22):
            canvas.paint(canvas.line(side * 0.2 * r, 0.3 * r, side * 1.3 * r, (0.3 + dy * 2) * r, 0.6), whisker, 0.8)


def animal(canvas, rng):
    """A look-alike: a furry face with round or floppy ears, round eyes and a big dark nose."""
    r = place(canvas, rng, *FACE_SIZE)
    fur = jitter(rng, FUR[rng.integers(len(FUR))])
    face(canvas, rng, r, fur, ["round", "floppy"][rng.integers(2)])
    for side in (-1, 1):
        canvas.paint(canvas.ellipse(side * 0.38 * r, -0.15 * r, 0.14 * r, 0.14 * r), (0.95, 0.95, 0.95))
        canvas.paint(canvas.ellipse(side * 0.38 * r, -0.15 * r, 0.08 * r, 0.08 * r), (0.05, 0.05, 0.05))
    canvas.paint(canvas.ellipse(0, 0.3 * r, 0.22 * r, 0.15 * r), (0.1, 0.08, 0.08))
    if rng.random() < 0.5:  # a muzzle
        canvas.paint(canvas.ellipse(0, 0.45 * r, 0.35 * r, 0.25 * r), jitter(rng, fur * 1.2, 0.05), 0.6)


def owl(canvas, rng):
    """A look-alike: a round body with pointed ear tufts, big round eyes and a beak."""
    r = place(canvas, rng, *FACE_SIZE)
    feathers = jitter(rng, FUR[rng.integers(len(FUR))])
    canvas.paint(canvas.ellipse(0, 0.3 * r, 0.9 * r, 1.2 * r), feathers)
    for side in (-1, 1):
        tuft = [(side * 0.3 * r, -0.7 * r), (side * 0.75 * r, -1.3 * r), (side * 0.8 * r, -0.5 * r)]
        canvas.paint(canvas.polygon(*tuft), feathers)
        canvas.paint(canvas.ellipse(side * 0.38 * r, -0.2 * r, 0.3 * r, 0.3 * r), (0.95, 0.9, 0.7))
        canvas.paint(canvas.ellipse(side * 0.38 * r, -0.2 * r, 0.13 * r, 0.13 * r), (0.05, 0.05, 0.05))
    canvas.paint(canvas.polygon((-0.1 * r, 0.05 * r), (0, 0.3 * r), (0.1 * r, 0.05 * r)), (0.9, 0.6, 0.1))


def house(canvas, rng):
    """A house: walls, a pointed roof, a door and a window."""
    r = place(canvas, rng, 12, 24)
    canvas.paint(canvas.rectangle(-0.8 * r, -0.2 * r, 0.8 * r, 0.9 * r), random_colour(rng))
    canvas.paint(canvas.polygon((-r, -0.2 * r), (r, -0.2 * r), (0, -r * rng.uniform(0.8, 1.2))), random_colour(rng))
    canvas.paint(canvas.rectangle(-0.15 * r, 0.35 * r, 0.15 * r, 0.9 * r), random_colour(rng))
    canvas.paint(canvas.rectangle(0.35 * r, 0.05 * r, 0.65 * r, 0.35 * r), (0.8, 0.9, 1.0))


def landscape(canvas, rng):
    """Mountains (pointed, like ears) under a sun, on a ground strip."""
    canvas.frame(0, 0, 0)
    if rng.random() < 0.7:
        canvas.paint(canvas.ellipse(*rng.uniform(8, 56, 2), *[rng.uniform(4, 9)] * 2), (1.0, 0.85, 0.3))
    ground = rng.uniform(38, 55)
    for _ in range(rng.integers(1, 4)):
        x, w, h = rng.uniform(0, SIZE), rng.uniform(10, 30), rng.uniform(12, 35)
        mountain = canvas.polygon((x, ground - h), (x - w, ground), (x + w, ground))
        canvas.paint(mountain, jitter(rng, (0.45, 0.45, 0.5), 0.15))
    canvas.paint(canvas.rectangle(-1, ground, SIZE + 1, SIZE + 1), jitter(rng, (0.3, 0.55, 0.25), 0.12))


def car(canvas, rng):
    """A car: a body, a cabin with windows, two wheels."""
    r = place(canvas, rng, 12, 22)
    body = random_colour(rng)
    canvas.paint(canvas.rectangle(-r, -0.1 * r, r, 0.4 * r), body)
    canvas.paint(canvas.rectangle(-0.55 * r, -0.5 * r, 0.45 * r, -0.05 * r), body)
    canvas.paint(canvas.rectangle(-0.45 * r, -0.42 * r, 0.35 * r, -0.12 * r), (0.75, 0.85, 0.95))
    for side in (-1, 1):
        canvas.paint(canvas.ellipse(side * 0.55 * r, 0.42 * r, 0.22 * r, 0.22 * r), (0.08, 0.08, 0.08))


def flowers(canvas, rng):
    """A few flowers: petals round a centre, on a stem."""
    canvas.frame(0, 0, 0)
    for _ in range(rng.integers(1, 4)):
        x, y, r = rng.uniform(8, 56), rng.uniform(8, 45), rng.uniform(4, 10)
        canvas.paint(canvas.line(x, y, x + rng.normal(0, 3), SIZE, 1.5), (0.2, 0.55, 0.2))
        petal = random_colour(rng)
        petals = rng.integers(5, 9)
        for k in range(petals):
            a = 2 * np.pi * k / petals + rng.normal(0, 0.1)
            canvas.paint(canvas.ellipse(x + 0.7 * r * np.cos(a), y + 0.7 * r * np.sin(a), 0.4 * r, 0.4 * r), petal)
        canvas.paint(canvas.ellipse(x, y, 0.35 * r, 0.35 * r), (0.95, 0.8, 0.2))


def shapes(canvas, rng):
    """A heap of larger random shapes: discs, bars and triangles."""
    clutter(canvas, rng, rng.integers(3, 7), largest=16)


NON_CATS = [(animal, 0.3), (owl, 0.15), (house, 0.12), (landscape, 0.12), (car, 0.11), (flowers, 0.1), (shapes, 0.1)]


def image(label, rng):
    """One image, (64, 64, 3) uint8: a cat when label is 1, else a random non-cat."""
    canvas = background(rng)
    clutter(canvas, rng, rng.integers(0, CLUTTER + 1))
    if label:
        cat(canvas, rng)
    else:
        draws, weights = zip(*NON_CATS)
        draws[rng.choice(len(draws), p=np.array(weights) / sum(weights))](canvas, rng)
    clutter(canvas, rng, rng.integers(0, CLUTTER // 2 + 1))
    pixels = canvas.pixels + rng.normal(0, NOISE, canvas.pixels.shape)
    return np.round(np.clip(pixels, 0, 1) * 255).astype(np.uint8)


def make_set(split, seed=SEED):
    """(x, y) of one split ("train" or "test"): x (m, 64, 64, 3) uint8, y (m,) int64, with the
    original's counts (SPLITS), cats at random places in the order."""
    m, cats = SPLITS[split]
    index = list(SPLITS).index(split)
    y = np.zeros(m, dtype=np.int64)
    y[:cats] = 1
    y = np.random.default_rng((seed, index)).permutation(y)
    x = np.stack([image(label, np.random.default_rng((seed, index, i))) for i, label in enumerate(y)])
    return x, y


def write(folder, seed=SEED):
    """Write both stand-in files into ``folder`` (created if missing); returns their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for split, name in (("train", TRAIN_FILE), ("test", TEST_FILE)):
        x, y = make_set(split, seed)
        with h5py.File(folder / name, "w") as file:
            file.attrs[STANDIN_ATTRIBUTE] = (
                f"generated by dnn_app_standin.py --seed {seed} (the course kit); licence: the course kit's"
            )
            file.create_dataset(f"{split}_set_x", data=x, track_times=False)
            file.create_dataset(f"{split}_set_y", data=y, track_times=False)
            file.create_dataset("list_classes", data=CLASSES, track_times=False)
        paths.append(folder / name)
    return paths


def is_standin(path):
    """True if ``path`` is an HDF5 file this module wrote (it carries the stand-in attribute)."""
    try:
        with h5py.File(path, "r") as file:
            return STANDIN_ATTRIBUTE in file.attrs
    except OSError:
        return False


def ensure(folder, seed=SEED):
    """Write the stand-in into ``folder`` unless both data files are there already (the course's
    original files, or a stand-in written before); returns the paths written (none, or both).
    The registry's ``prepare_data`` for this assignment (dnngrader/assignments/__init__.py)."""
    folder = Path(folder)
    if all((folder / name).exists() for name in (TRAIN_FILE, TEST_FILE)):
        return []
    if any((folder / name).exists() and not is_standin(folder / name) for name in (TRAIN_FILE, TEST_FILE)):
        return []  # one original file without the other: the instructor's to sort out, never overwritten
    return write(folder, seed)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python dnn_app_standin.py",
        description="Write the stand-in cat / non-cat data set (drawn with NumPy, the kit's licence) "
        f"as {TRAIN_FILE} and {TEST_FILE} in a folder.  Files there that this command did "
        "not write (the course's original files) are left alone.",
    )
    parser.add_argument(
        "--out", required=True, type=Path, help="the folder to write to (make data: the course's data/)"
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"the seed (default {SEED})")
    args = parser.parse_args(argv)
    others = [
        args.out / name
        for name in (TRAIN_FILE, TEST_FILE)
        if (args.out / name).exists() and not is_standin(args.out / name)
    ]
    if others:
        print(
            f"{', '.join(map(str, others))}: not made by this command (the original files?): "
            "left alone, nothing written",
            file=sys.stderr,
        )
        return 0
    for path in write(args.out, args.seed):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
