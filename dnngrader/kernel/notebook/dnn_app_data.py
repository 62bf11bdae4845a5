"""The second assignment's data: two HDF5 files of 64x64 RGB images labelled cat (1) / non-cat (0).

A data folder holds

    train_catvnoncat.h5   train_set_x (m, 64, 64, 3) uint8, train_set_y (m,) integers, list_classes (2,) bytes
    test_catvnoncat.h5    test_set_x  (m, 64, 64, 3) uint8, test_set_y  (m,) integers, list_classes (2,) bytes

either the original course files (209 and 50 images, never committed: the instructor puts them in
``data/`` at the course root) or the kit's generated stand-in with the same schema
(``dnn_app_standin.py``).  ``load_data`` checks that schema and raises ``DataError``,
whose message names the file, the dataset and what is wrong, for anything else.
"""

import re
from pathlib import Path

import h5py
import numpy as np

DATA_DIR = Path("data")
TRAIN_FILE = "train_catvnoncat.h5"
TEST_FILE = "test_catvnoncat.h5"
IMAGE_SHAPE = (64, 64, 3)  # height, width, RGB channels
MAKE_STANDIN = (
    "python dnn_app_standin.py --out DIR (or delete both data files and run the notebook's loading cell again)"
)


class DataError(ValueError):
    """A data file that is missing, unreadable or not laid out as the assignment expects.

    The message is meant for a student: it names the file, the dataset and what is wrong."""


def load_data(folder=DATA_DIR):
    """Read and check both files of a data folder, as the original assignment's loader does.

    folder -- a folder holding train_catvnoncat.h5 and test_catvnoncat.h5 (default: data/ in the
              current folder)

    Returns (train_x_orig, train_y, test_x_orig, test_y, classes):
        train_x_orig -- (m_train, 64, 64, 3) uint8, pixel values 0 .. 255
        train_y      -- (1, m_train), the file's integer dtype, 1 = cat, 0 = non-cat
        test_x_orig, test_y -- the same for the test set
        classes      -- (2,) bytes, the test file's list_classes ([b'non-cat', b'cat'])

    Raises DataError for a missing, truncated or non-HDF5 file, a missing dataset, a wrong shape
    or dtype, labels other than 0 and 1, or image and label counts that differ.
    """
    folder = Path(folder)
    train_x, train_y, _ = read_set(folder / TRAIN_FILE, "train")
    test_x, test_y, classes = read_set(folder / TEST_FILE, "test")
    return train_x, train_y.reshape(1, -1), test_x, test_y.reshape(1, -1), classes


def read_set(path, split):
    """The images, labels and class names of one file; ``split`` is "train" or "test", the prefix
    of its datasets' names (train_set_x, train_set_y).

    Returns (x, y, classes): x (m, 64, 64, 3) uint8, y (m,) integers in {0, 1}, classes (2,)
    bytes.  Raises DataError as load_data does.
    """
    path = Path(path)
    x_name, y_name = f"{split}_set_x", f"{split}_set_y"
    names = f"{x_name}, {y_name} and list_classes"
    if not path.is_file():
        raise DataError(
            f"{path}: file not found, so its datasets {names} cannot be read. "
            f"Put the course's {path.name} there, or make the stand-in data set: {MAKE_STANDIN}"
        )
    if not h5py.is_hdf5(path):
        raise DataError(
            f"{path}: not an HDF5 file, so its datasets {names} cannot be read. "
            f"Replace it with the course's {path.name}, or make the stand-in: {MAKE_STANDIN}"
        )
    try:
        with h5py.File(path, "r") as file:
            x = read_dataset(file, path, x_name)
            y = read_dataset(file, path, y_name)
            classes = read_dataset(file, path, "list_classes")
    except OSError as error:
        raise DataError(
            f"{path}: {describe_read_error(error)}, so its datasets {names} cannot be read. "
            "Copy or download the file again"
        ) from error
    check_images(x, path, x_name)
    check_labels(y, path, y_name, len(x), x_name)
    check_classes(classes, path)
    return x, y, classes


def read_dataset(file, path, name):
    """The whole array of dataset ``name`` of an open h5py file; DataError if there is none."""
    if name not in file:
        raise DataError(f"{path}: dataset {name} is missing (the file holds: {', '.join(file) or 'nothing'})")
    if not isinstance(file[name], h5py.Dataset):
        raise DataError(f"{path}: {name} is a group, not a dataset")
    return file[name][()]


def describe_read_error(error):
    """Plain words for the OSError h5py raises on a damaged file."""
    found = re.search(r"truncated file: eof = (\d+).*stored_eof = (\d+)", str(error))
    if found:
        have, want = (int(n) for n in found.groups())
        return f"the file is truncated: it has {have:,} bytes where its header says {want:,}"
    return f"the file is damaged (h5py says: {error})"


def check_images(x, path, name):
    """DataError unless x is a non-empty (m, 64, 64, 3) uint8 array."""
    if x.ndim != 4 or x.shape[1:] != IMAGE_SHAPE:
        raise DataError(
            f"{path}: dataset {name} has shape {x.shape}, but it should hold images of "
            f"shape (m, 64, 64, 3): m images, 64 x 64 pixels, 3 colour channels"
        )
    if x.dtype != np.uint8:
        raise DataError(
            f"{path}: dataset {name} has dtype {x.dtype}, but pixel values should be "
            "uint8 (whole numbers from 0 to 255)"
        )
    if len(x) == 0:
        raise DataError(f"{path}: dataset {name} holds no images")


def check_labels(y, path, name, m, x_name):
    """DataError unless y is an integer array of shape (m,) holding only 0 and 1."""
    if y.shape != (m,):
        raise DataError(
            f"{path}: dataset {name} has shape {y.shape}, but it should hold one label "
            f"per image of {x_name}: shape ({m},)"
        )
    if y.dtype.kind not in "iu":
        raise DataError(
            f"{path}: dataset {name} has dtype {y.dtype}, but labels should be integers (1 = cat, 0 = non-cat)"
        )
    wrong = sorted(set(np.unique(y).tolist()) - {0, 1})
    if wrong:
        raise DataError(f"{path}: dataset {name} holds labels {wrong[:5]}, but a label must be 0 (non-cat) or 1 (cat)")


def check_classes(classes, path):
    """DataError unless classes is an array of two byte strings."""
    if classes.shape != (2,) or classes.dtype.kind != "S":
        raise DataError(
            f"{path}: dataset list_classes has shape {classes.shape} and dtype "
            f"{classes.dtype}, but it should hold the two class names as bytes, "
            "shape (2,), such as [b'non-cat', b'cat']"
        )


def preprocess(x_orig):
    """Flatten and scale images for a fully connected network, as the original does.

    x_orig -- (m, 64, 64, 3) uint8

    Returns X, shape (12288, m), float64 in [0, 1]: column i is image i flattened in C order
    (x_orig.reshape(m, -1).T: row, then column, then channel) and divided by 255.
    """
    return x_orig.reshape(x_orig.shape[0], -1).T / 255.0
