"""The second assignment's data and reference models: the HDF5 schema and its error messages, the
preprocessing, the generated stand-in, the models' semantics and the reference command's output.

Nothing here trains for 2500 iterations: small synthetic sets, a few iterations, and a reduced run
on a downsampled stand-in keep the file under half a minute."""

import json
import subprocess
import sys

import h5py
import numpy as np
import pytest

from dnngrader.assignments.dnn_application import models
from dnngrader.kernel.notebook import dnn_app_data as data, dnn_app_standin as standin
from dnngrader.assignments.dnn_application.__main__ import main as reference_main
from dnngrader.paths import COURSE_ROOT

CLASSES = np.array([b"non-cat", b"cat"], dtype="S7")


def write_file(path, split, m, classes=CLASSES, seed=0, **replace):
    """A small well-formed data file of m random images; ``replace`` maps a dataset name to the
    array to store instead (None leaves the dataset out)."""
    rng = np.random.default_rng(seed)
    datasets = {
        f"{split}_set_x": rng.integers(0, 256, (m, 64, 64, 3), dtype=np.uint8),
        f"{split}_set_y": np.arange(m, dtype=np.int64) % 2,
        "list_classes": classes,
    }
    datasets.update(replace)
    with h5py.File(path, "w") as file:
        for name, array in datasets.items():
            if array is not None:
                file.create_dataset(name, data=array)
    return path


@pytest.fixture
def folder(tmp_path):
    """A data folder with 6 training and 4 test images; the test file's class names differ from
    the training file's, to show which ones load_data returns."""
    write_file(tmp_path / data.TRAIN_FILE, "train", 6, classes=np.array([b"no", b"yes"]))
    write_file(tmp_path / data.TEST_FILE, "test", 4, seed=1)
    return tmp_path


def error_of(folder):
    with pytest.raises(data.DataError) as caught:
        data.load_data(folder)
    return str(caught.value)


# ---------------------------------------------------------------------------------------------
# The schema: every malformed kind gets a message naming the file, the dataset and the problem
# ---------------------------------------------------------------------------------------------

MALFORMED = {  # name: (dataset replaced in the training file, its replacement, words the message holds)
    "missing dataset": ("train_set_y", None, ["train_set_y", "is missing"]),
    "images of a wrong shape": (
        "train_set_x",
        np.zeros((6, 64, 64), np.uint8),
        ["train_set_x", "shape (6, 64, 64)", "(m, 64, 64, 3)"],
    ),
    "images of a wrong size": ("train_set_x", np.zeros((6, 32, 32, 3), np.uint8), ["train_set_x", "(6, 32, 32, 3)"]),
    "images of a wrong dtype": (
        "train_set_x",
        np.zeros((6, 64, 64, 3), np.float32),
        ["train_set_x", "dtype float32", "uint8"],
    ),
    "labels of a wrong dtype": ("train_set_y", np.zeros(6, np.float64), ["train_set_y", "dtype float64", "integers"]),
    "labels outside {0, 1}": (
        "train_set_y",
        np.array([0, 1, 2, 1, -1, 0]),
        ["train_set_y", "labels [-1, 2]", "0 (non-cat) or 1 (cat)"],
    ),
    "labels of a wrong shape": ("train_set_y", np.zeros((1, 6), np.int64), ["train_set_y", "shape (1, 6)", "(6,)"]),
    "fewer labels than images": ("train_set_y", np.zeros(5, np.int64), ["train_set_y", "shape (5,)", "(6,)"]),
    "class names that are not bytes": ("list_classes", np.array([0, 1]), ["list_classes", "bytes"]),
    "three class names": ("list_classes", np.array([b"a", b"b", b"c"]), ["list_classes", "shape (3,)"]),
}


@pytest.mark.parametrize("kind", MALFORMED)
def test_a_malformed_dataset_is_named_with_its_file_and_problem(folder, kind):
    name, replacement, words = MALFORMED[kind]
    write_file(folder / data.TRAIN_FILE, "train", 6, **{name: replacement})
    message = error_of(folder)
    assert str(folder / data.TRAIN_FILE) in message
    for word in words:
        assert word in message, (kind, message)


def test_a_group_where_a_dataset_belongs_is_named(folder):
    with h5py.File(folder / data.TEST_FILE, "a") as file:
        del file["test_set_x"]
        file.create_group("test_set_x")
    message = error_of(folder)
    assert str(folder / data.TEST_FILE) in message and "test_set_x is a group, not a dataset" in message


def test_a_truncated_file_is_named_with_its_datasets(folder):
    path = folder / data.TEST_FILE
    path.write_bytes(path.read_bytes()[:5000])
    message = error_of(folder)
    assert str(path) in message and "truncated" in message and "5,000 bytes" in message
    assert "test_set_x, test_set_y and list_classes cannot be read" in message


def test_a_file_that_is_not_hdf5_is_named_with_its_datasets(folder):
    path = folder / data.TRAIN_FILE
    path.write_text("not HDF5 at all")
    message = error_of(folder)
    assert str(path) in message and "not an HDF5 file" in message and "train_set_x" in message


def test_a_missing_file_is_named_with_its_datasets_and_how_to_make_the_stand_in(folder):
    (folder / data.TEST_FILE).unlink()
    message = error_of(folder)
    assert str(folder / data.TEST_FILE) in message and "file not found" in message
    assert "test_set_x" in message and "dnn_app_standin.py --out" in message  # as a student makes it


def test_data_error_is_a_value_error():
    assert issubclass(data.DataError, ValueError)


# ---------------------------------------------------------------------------------------------
# Loading and preprocessing
# ---------------------------------------------------------------------------------------------


def test_load_data_reshapes_the_labels_and_takes_the_classes_from_the_test_file(folder):
    train_x, train_y, test_x, test_y, classes = data.load_data(folder)
    assert train_x.shape == (6, 64, 64, 3) and train_x.dtype == np.uint8
    assert test_x.shape == (4, 64, 64, 3) and test_x.dtype == np.uint8
    assert train_y.shape == (1, 6) and test_y.shape == (1, 4)
    assert train_y.tolist() == [[0, 1, 0, 1, 0, 1]]
    assert classes.tolist() == [b"non-cat", b"cat"]


def test_preprocess_flattens_in_c_order_and_scales_to_the_unit_interval(folder):
    train_x, *_ = data.load_data(folder)
    X = data.preprocess(train_x)
    assert X.shape == (12288, 6) and X.dtype == np.float64
    assert 0 <= X.min() and X.max() <= 1 and X.max() > 0.99
    np.testing.assert_array_equal(X[:, 2], train_x[2].ravel() / 255)
    assert X[1 * 64 * 3 + 2 * 3 + 1, 0] == train_x[0, 1, 2, 1] / 255  # row 1, column 2, green


# ---------------------------------------------------------------------------------------------
# The stand-in
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def standin_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("standin")
    standin.write(folder)
    return folder


def test_the_stand_in_has_the_original_schema_and_counts(standin_folder):
    train_x, train_y, test_x, test_y, classes = data.load_data(standin_folder)
    assert train_x.shape == (209, 64, 64, 3) and test_x.shape == (50, 64, 64, 3)
    assert train_y.dtype == test_y.dtype == np.int64
    assert (train_y.sum(), test_y.sum()) == (72, 33)
    assert classes.dtype == np.dtype("S7") and classes.tolist() == [b"non-cat", b"cat"]
    for name in (data.TRAIN_FILE, data.TEST_FILE):
        with h5py.File(standin_folder / name, "r") as file:
            split = name.split("_")[0]
            assert sorted(file) == sorted([f"{split}_set_x", f"{split}_set_y", "list_classes"])
            assert all(file[dataset].compression is None for dataset in file)
    assert 20 < train_x.mean() < 235 and train_x.std() > 30  # images, not a flat colour


def test_the_stand_in_is_deterministic(standin_folder, tmp_path):
    again = standin.write(tmp_path)
    for path in again:
        assert path.read_bytes() == (standin_folder / path.name).read_bytes()
    x, y = standin.make_set("test")
    x2, y2 = standin.make_set("test")
    assert x.tobytes() == x2.tobytes() and y.tobytes() == y2.tobytes()
    other_x, other_y = standin.make_set("test", seed=2)
    assert other_x.tobytes() != x.tobytes() and other_y.tobytes() != y.tobytes()


def test_the_stand_in_command_leaves_other_files_alone(folder, capsys):
    before = (folder / data.TRAIN_FILE).read_bytes()
    assert standin.main(["--out", str(folder)]) == 0
    assert (folder / data.TRAIN_FILE).read_bytes() == before
    assert not standin.is_standin(folder / data.TEST_FILE)
    assert "left alone" in capsys.readouterr().err


def test_both_models_learn_a_reduced_stand_in_better_than_chance(standin_folder):
    """A quick stand-in for the full run (README has its table): images averaged down to 16 x 16,
    a larger learning rate (0.05), 2000 iterations: two seconds.  Both score 0.8 on the test set;
    chance is its majority share, 33 / 50."""
    train_x, train_y, test_x, test_y, _ = data.load_data(standin_folder)

    def small(x):
        return data.preprocess(x.reshape(len(x), 16, 4, 16, 4, 3).mean(axis=(2, 4)).astype(np.uint8))

    for model, dims in ((models.two_layer_model, (768, 7, 1)), (models.L_layer_model, (768, 20, 7, 5, 1))):
        parameters, costs = model(small(train_x), train_y, dims, learning_rate=0.05, num_iterations=2000)
        assert costs[-1] < costs[0]
        assert models.accuracy(models.predict(small(test_x), test_y, parameters), test_y) > 33 / 50


# ---------------------------------------------------------------------------------------------
# The models
# ---------------------------------------------------------------------------------------------


def test_the_data_free_check_of_l_layer_model():
    """application.md: seed 1, X = randn(10, 10), these labels, dims (10, 5, 6, 1), 2 iterations."""
    np.random.seed(1)
    X = np.random.randn(10, 10)
    Y = np.array([[1, 1, 1, 1, 0, 0, 0, 1, 1, 0]])
    _, costs = models.L_layer_model(X, Y, (10, 5, 6, 1), num_iterations=2)
    assert len(costs) == 1
    np.testing.assert_allclose(costs, [0.70723944], rtol=0, atol=5e-9)


def test_initialize_parameters_deep_uses_seed_1_and_scales_by_the_fan_in():
    parameters = models.initialize_parameters_deep([5, 4, 1])
    np.random.seed(1)
    np.testing.assert_array_equal(parameters["W1"], np.random.randn(4, 5) / np.sqrt(5))
    np.testing.assert_array_equal(parameters["W2"], np.random.randn(1, 4) / np.sqrt(4))
    assert parameters["b1"].shape == (4, 1) and not parameters["b1"].any() and not parameters["b2"].any()


@pytest.fixture
def tiny():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5, 12))
    return X, (X[:1] + X[1:2] > 0).astype(int)


@pytest.mark.parametrize("model,dims", [(models.two_layer_model, (5, 3, 1)), (models.L_layer_model, (5, 4, 3, 1))])
def test_costs_are_recorded_every_100_iterations_and_the_last_one_only_in_history(tiny, model, dims, capsys):
    X, Y = tiny
    history = {}
    _, costs = model(X, Y, dims, learning_rate=0.1, num_iterations=250, history=history)
    assert len(costs) == 3 and sorted(history) == [0, 100, 200, 249]
    assert [history[i] for i in (0, 100, 200)] == [float(c) for c in costs]
    assert costs[2] < costs[1] < costs[0]
    assert capsys.readouterr().out == ""  # print_cost=False prints nothing
    model(X, Y, dims, learning_rate=0.1, num_iterations=201, print_cost=True)
    assert [line.split(":")[0] for line in capsys.readouterr().out.splitlines()] == [
        f"Cost after iteration {i}" for i in (0, 100, 200)
    ]


def test_the_two_layer_model_is_the_l_layer_forward_and_backward_from_its_own_initialisation(tiny):
    X, Y = tiny
    parameters, costs = models.two_layer_model(X, Y, (5, 3, 1), learning_rate=0.1, num_iterations=101)
    ref = models.helpers()
    expected = ref.initialize_parameters(5, 3, 1)
    for i in range(101):
        AL, caches = ref.L_model_forward(X, expected)
        if i % 100 == 0:
            assert ref.compute_cost(AL, Y) == costs[i // 100]
        expected = ref.update_parameters(expected, ref.L_model_backward(AL, Y, caches), 0.1)
    for name in expected:
        np.testing.assert_array_equal(parameters[name], expected[name])


def test_predict_thresholds_strictly_above_one_half():
    parameters = {"W1": np.array([[1.0]]), "b1": np.array([[0.0]])}
    X = np.array([[-1.0, 0.0, 1e-9, 3.0]])
    p = models.predict(X, np.zeros((1, 4)), parameters)
    assert p.dtype == np.float64 and p.tolist() == [[0.0, 0.0, 1.0, 1.0]]


def test_accuracy_is_summed_as_the_original_does():
    y = (np.arange(209) % 3 == 0).astype(np.int64).reshape(1, -1)
    assert models.accuracy(y.astype(float), y) == 0.9999999999999998  # sum((p == y) / m), not 1.0
    p = np.ones((1, 50))
    y = np.zeros((1, 50))
    y[0, :36] = 1
    assert models.accuracy(p, y) == 0.72


# ---------------------------------------------------------------------------------------------
# The reference command, and the files git must never hold
# ---------------------------------------------------------------------------------------------


def test_the_reference_command_prints_the_json_of_both_models(folder):
    done = subprocess.run(
        [sys.executable, "-m", "dnngrader.application", "--data", str(folder), "--json", "--iterations", "201"],
        cwd=COURSE_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert list(results) == ["two_layer", "L_layer"]
    for figures in results.values():
        assert list(figures) == ["costs", "train_accuracy", "test_accuracy"]
        assert list(figures["costs"]) == ["0", "100", "200"]
        assert all(isinstance(value, float) for value in figures["costs"].values())
        assert 0 <= figures["train_accuracy"] <= 1 and 0 <= figures["test_accuracy"] <= 1
    assert (
        "for quick checks"
        in subprocess.run(
            [sys.executable, "-m", "dnngrader.application", "--help"],
            cwd=COURSE_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    )


def test_the_reference_command_prints_a_table(folder, capsys):
    assert reference_main(["--data", str(folder), "--iterations", "3"]) == 0
    out = capsys.readouterr().out
    # A short run records the cost at 0 only: each iteration is a column once.
    assert "| model | cost at 0 | at 2 | train accuracy | test accuracy |" in out
    assert "| two-layer, n_h = 7 |" in out and "| L-layer, dims (12288, 20, 7, 5, 1) |" in out


@pytest.mark.parametrize("damage", ["missing", "malformed"])
def test_the_reference_command_exits_2_and_says_how_to_make_the_stand_in(folder, damage, capsys):
    if damage == "missing":
        (folder / data.TRAIN_FILE).unlink()
    else:
        write_file(folder / data.TRAIN_FILE, "train", 6, train_set_y=np.full(6, 7))
    assert reference_main(["--data", str(folder), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(folder / data.TRAIN_FILE) in captured.err and "make data" in captured.err


def test_no_hdf5_file_is_committed_and_the_data_files_are_ignored():
    listed = subprocess.run(["git", "ls-files"], cwd=COURSE_ROOT, capture_output=True, text=True, check=True)
    assert not [name for name in listed.stdout.splitlines() if name.endswith((".h5", ".hdf5"))]
    for path in (
        "train_catvnoncat.h5",
        "data/test_catvnoncat.h5",
        "source/dnn_application/train_catvnoncat.h5",
        "data/standin_train.h5",
    ):
        ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=COURSE_ROOT)
        assert ignored.returncode == 0, f"{path} is not ignored"


def test_grading_says_which_data_set_it_grades_on(tmp_path):
    """make grade prints, per assignment, the sentence prepare_data returns: an instructor sees
    whether the stand-in or the original files are graded on, and that an empty data/ got the
    stand-in."""
    from dnngrader import assignments

    course = tmp_path / "course"
    first = assignments.prepare_data(course, ["dnn_application"])
    assert list(first) == ["dnn_application"]
    assert first["dnn_application"].startswith("the kit's generated stand-in data set, written now into ")
    again = assignments.prepare_data(course, ["dnn_application"])["dnn_application"]
    assert again.startswith("the kit's generated stand-in data set in ") and standin.TRAIN_FILE in again
    for name in (standin.TRAIN_FILE, standin.TEST_FILE):  # the instructor's original files instead
        (course / "data" / name).unlink()
        with h5py.File(course / "data" / name, "w") as original:
            original["list_classes"] = np.array([b"non-cat", b"cat"])
    assert assignments.prepare_data(course, ["dnn_application"]) == {
        "dnn_application": f"the data set in {course / 'data'}/"
    }
    assert assignments.prepare_data(course, ["dnn_step_by_step"]) == {}
