"""The second assignment's notebook, dnn_application: the source runs top to bottom, its solutions
are the reference models' (dnngrader/assignments/dnn_application/models.py), the release is nbgrader's student
version without any solution (neither this assignment's nor the first one's), and the helper
loader finds the student's first notebook or says clearly why it cannot.

Nothing trains on the images for long: the notebook runs with DNN_TRAINING_ITERATIONS=5 on the
generated stand-in, written into a temporary folder."""

import ast
import importlib
import json
import keyword
import shutil
import sys

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from dnngrader.tools import build
from dnngrader.assignments import reference
from dnngrader.assignments.dnn_application import models
from dnngrader.paths import COURSE_ROOT
from dnngrader.paths import SOURCE_NOTEBOOK as STEP_BY_STEP_SOURCE
from dnngrader.paths import RELEASE_NOTEBOOK as STEP_BY_STEP_RELEASE
from shared_setup import copy_of_blank_course

SOURCE = build.APPLICATION_NOTEBOOK
RELEASE_FOLDER = build.APPLICATION_RELEASE
RELEASE = RELEASE_FOLDER / SOURCE.name
POINTS = {"initialize_parameters_deep_scaled": 15, "two_layer_model": 30, "L_layer_model": 35, "predict": 20}
FIGURE_CELLS = ("show_examples", "plot_learning_curves", "show_mislabelled_images", "try_own_image")


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


@pytest.fixture(scope="module")
def source():
    return nbformat.read(str(SOURCE), as_version=4)


@pytest.fixture(scope="module")
def release():
    return nbformat.read(str(RELEASE), as_version=4)


@pytest.fixture
def student_modules(monkeypatch):
    """The assignment's student-facing modules, imported from source/dnn_application/ (fresh)."""
    monkeypatch.syspath_prepend(str(build.APPLICATION_SOURCE))
    names = ("dnn_app_helpers", "dnn_app_utils", "dnn_app_data", "dnn_app_standin", "dnn_app_checks")
    for name in names:
        monkeypatch.delitem(sys.modules, name, raising=False)
    modules = {name: importlib.import_module(name) for name in names}
    yield modules
    for name in names:
        sys.modules.pop(name, None)


# ---------------------------------------------------------------------------------------------
# The source notebook, run for real
# ---------------------------------------------------------------------------------------------


def test_source_notebook_runs_top_to_bottom_on_the_stand_in(tmp_path, monkeypatch):
    data = tmp_path / "data"
    monkeypatch.setenv("DNN_DATA", str(data))
    monkeypatch.setenv("DNN_TRAINING_ITERATIONS", "5")
    monkeypatch.delenv("DNN_STEP_BY_STEP_NOTEBOOK", raising=False)
    notebook = nbformat.read(str(SOURCE), as_version=4)
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(SOURCE.parent)}}
    ).execute()  # raises on any error
    cells = {cell.id: cell for cell in notebook.cells}
    assert sorted(p.name for p in data.iterdir()) == ["test_catvnoncat.h5", "train_catvnoncat.h5"]
    assert not (SOURCE.parent / "data").exists(), "the run wrote data into source/"
    assert "wrote the generated stand-in" in cells["load_data"].outputs[0]["text"]
    for name in POINTS:
        text = "".join(o.get("text", "") for o in cells[f"test_{name}"].outputs)
        assert f"All visible checks of {name} passed" in text, text
    for cell_id in FIGURE_CELLS:
        kinds = [o.get("data", {}).keys() for o in cells[cell_id].outputs if o.output_type == "display_data"]
        assert any("image/png" in k for k in kinds), cell_id
    assert "Each model trains for 5 iterations" in cells["training_settings"].outputs[0]["text"]
    assert "text/markdown" in cells["accuracy_table"].outputs[0]["data"]


def test_iterations_come_from_one_variable_read_from_the_environment(source):
    cells = {cell.id: cell.source for cell in source.cells}
    assert 'NUM_ITERATIONS = int(os.environ.get("DNN_TRAINING_ITERATIONS", "2500"))' in cells["training_settings"]
    for cell_id in ("train_two_layer_model", "train_L_layer_model"):
        assert "num_iterations=NUM_ITERATIONS" in cells[cell_id]


# ---------------------------------------------------------------------------------------------
# Graded cells: names, points, answers holding only their function
# ---------------------------------------------------------------------------------------------


def test_graded_cells_are_named_after_their_functions_and_points_total_100(source):
    answers = {nbgrader_meta(c)["grade_id"]: c for c in source.cells if nbgrader_meta(c).get("solution")}
    assert list(answers) == list(POINTS)
    for name, cell in answers.items():
        tree = ast.parse(cell.source)
        assert [type(node).__name__ for node in tree.body] == ["FunctionDef"] and tree.body[0].name == name
        assert "### BEGIN SOLUTION" in cell.source and nbgrader_meta(cell)["grade"] is False
    tests = {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c) for c in source.cells if nbgrader_meta(c).get("grade")}
    assert tests.keys() == {f"test_{name}" for name in POINTS}
    assert all(meta["locked"] and not meta["solution"] for meta in tests.values())
    assert {name: tests[f"test_{name}"]["points"] for name in POINTS} == POINTS
    assert sum(meta["points"] for meta in tests.values()) == 100
    # Each test cell comes right after its answer cell.
    ids = [nbgrader_meta(c).get("grade_id") for c in source.cells]
    assert all(ids[ids.index(name) + 1] == f"test_{name}" for name in POINTS)


def test_the_signatures_are_the_assignments(source):
    answers = {nbgrader_meta(c)["grade_id"]: c.source for c in source.cells if nbgrader_meta(c).get("solution")}
    for name in ("two_layer_model", "L_layer_model"):
        assert answers[name].startswith(
            f"def {name}(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):"
        )
    assert answers["predict"].startswith("def predict(X, y, parameters):")


# ---------------------------------------------------------------------------------------------
# The solutions are the reference models
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def solutions():
    """The source notebook's answer cells, executed with the first assignment's reference
    functions, as the notebook's kernel has them."""
    helpers = reference.load()
    namespace = {"np": np}
    for name in (
        "initialize_parameters",
        "linear_activation_forward",
        "L_model_forward",
        "compute_cost",
        "linear_activation_backward",
        "L_model_backward",
        "update_parameters",
    ):
        namespace[name] = getattr(helpers, name)
    for grade_id, text in reference.answer_cells(json.loads(SOURCE.read_text())).items():
        exec(compile(text, f"<{grade_id}>", "exec"), namespace)
    return namespace


def synthetic(seed=5, n=6, m=12):
    rng = np.random.RandomState(seed)
    return rng.randn(n, m), (rng.rand(1, m) > 0.5).astype(int)


def assert_same_parameters(got, want):
    assert got.keys() == want.keys()
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-10, atol=1e-14, err_msg=key)


@pytest.mark.parametrize(
    "model, dims", [("two_layer_model", (6, 3, 1)), ("L_layer_model", (6, 4, 3, 1)), ("L_layer_model", (6, 5, 1))]
)
def test_models_agree_with_the_reference(solutions, model, dims, capsys):
    X, Y = synthetic()
    for arguments in ({"num_iterations": 1}, {"learning_rate": 0.05, "num_iterations": 250, "print_cost": True}):
        parameters, costs = solutions[model](X, Y, list(dims), **arguments)
        printed = capsys.readouterr().out
        history = {}
        want_parameters, want_costs = getattr(models, model)(X, Y, list(dims), **arguments, history=history)
        reference_printed = capsys.readouterr().out
        assert len(costs) == len(want_costs) == (arguments["num_iterations"] + 99) // 100
        np.testing.assert_allclose(np.array(costs, dtype=float), np.array(want_costs, dtype=float), rtol=1e-10)
        assert_same_parameters(parameters, want_parameters)
        assert printed == reference_printed  # the same iterations printed (0, 100, 200, 249), the same costs


def test_initialiser_agrees_with_the_reference(solutions):
    for dims in ([7, 3, 2, 1], [12288, 20, 7, 5, 1], [4, 1]):
        assert_same_parameters(
            solutions["initialize_parameters_deep_scaled"](dims), models.initialize_parameters_deep(dims)
        )


def test_predict_agrees_with_the_reference(solutions):
    X, Y = synthetic(seed=7, m=40)
    parameters, _ = models.L_layer_model(X, Y, [6, 4, 1], learning_rate=0.1, num_iterations=50)
    p = solutions["predict"](X, Y, parameters)
    np.testing.assert_array_equal(p, models.predict(X, Y, parameters))
    assert p.shape == (1, 40) and set(np.unique(p)) <= {0, 1}
    undecided = {"W1": np.zeros((1, 6)), "b1": np.zeros((1, 1))}  # every probability exactly 0.5
    np.testing.assert_array_equal(solutions["predict"](X, Y, undecided), np.zeros((1, 40)))


def test_accuracy_of_the_students_utils_is_the_references(student_modules):
    y = (np.arange(209) % 3 == 0).astype(int).reshape(1, -1)
    for p in (y.astype(float), 1 - y, np.zeros_like(y)):
        assert student_modules["dnn_app_utils"].accuracy(p, y) == models.accuracy(p, y)
    assert student_modules["dnn_app_utils"].accuracy(y, y) == 0.9999999999999998


# ---------------------------------------------------------------------------------------------
# The visible checks' expected values
# ---------------------------------------------------------------------------------------------


def test_expected_values_of_the_visible_checks_are_up_to_date():
    path = build.APPLICATION_SOURCE / build.APPLICATION_EXPECTED
    content = build.render_expected(build.application_expected()).encode()
    assert build.up_to_date(path, content), "run `make release` to regenerate application_checks.json"
    expected = json.loads(path.read_text())
    # application.md's data-free figure: dims (10, 5, 6, 1), 2 iterations record [0.70723944].
    first = expected["cases"]["L_layer_model"][0]["returned"]["tuple"][1]
    assert len(first) == 1 and round(first[0], 8) == 0.70723944


def test_a_changed_expected_value_counts_as_stale():
    content = build.render_expected(build.application_expected())
    changed = json.loads(content)
    changed["cases"]["two_layer_model"][0]["returned"]["tuple"][1][0] += 1e-6
    assert not build.same_numbers(changed, json.loads(content))
    assert build.same_numbers(json.loads(content), json.loads(content))


def test_visible_checks_fail_with_messages_that_say_what_is_wrong(student_modules, solutions, capsys):
    checks = student_modules["dnn_app_checks"]
    checks.check("L_layer_model", solutions["L_layer_model"])  # passes

    def every_iteration(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        parameters, _ = solutions["L_layer_model"](X, Y, layers_dims, learning_rate, num_iterations)
        return parameters, [0.5] * num_iterations

    with pytest.raises(checks.CheckFailed) as failed:
        checks.check("L_layer_model", every_iteration)
    # The first assignment's comparison and wording (dnn_checks), as the grader says it.
    assert "costs should hold 1 item, got 2." in str(failed.value)

    def no_tuple(*args, **kwargs):
        return solutions["two_layer_model"](*args, **kwargs)[0]

    with pytest.raises(checks.CheckFailed, match=r"should return a tuple of 2 values \(parameters, costs\)"):
        checks.check("two_layer_model", no_tuple)

    def small_weights(layer_dims):
        parameters = solutions["initialize_parameters_deep_scaled"](layer_dims)
        return {key: value * 0.01 if key.startswith("W") else value for key, value in parameters.items()}

    with pytest.raises(
        checks.CheckFailed, match=r"parameters\['W1'\] has the right shape \(4, 5\) but 20 of 20 values are wrong"
    ):
        checks.check("initialize_parameters_deep_scaled", small_weights)

    def at_least_half(X, y, parameters):
        probabilities, _ = reference.load().L_model_forward(X, parameters)
        return (probabilities >= 0.5).astype(float)

    with pytest.raises(checks.CheckFailed, match="strictly greater than 0.5"):
        checks.check("predict", at_least_half)

    with pytest.raises(checks.CheckFailed, match=r"p has shape \(10,\), expected \(1, 10\)"):
        checks.check("predict", lambda X, y, parameters: solutions["predict"](X, y, parameters).ravel())
    capsys.readouterr()


# ---------------------------------------------------------------------------------------------
# The release: nbgrader's student version, no solution of either assignment, no data
# ---------------------------------------------------------------------------------------------


def test_release_has_stubs_in_place_of_solutions(release):
    answers = {nbgrader_meta(c)["grade_id"]: c.source for c in release.cells if nbgrader_meta(c).get("solution")}
    assert list(answers) == list(POINTS)
    for name, text in answers.items():
        assert "raise NotImplementedError()" in text and "BEGIN SOLUTION" not in text, name
    tests = {
        nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in release.cells if nbgrader_meta(c).get("grade")
    }
    assert tests == {f"test_{name}": points for name, points in POINTS.items()}
    assert "np.random.seed(1)" in answers["L_layer_model"] and "np.random.seed(1)" in answers["two_layer_model"]
    assert build.release_notebook_problems() == []


def test_release_holds_no_line_of_this_assignments_solutions(source, release):
    inside, outside = solution_lines(source)
    code = {line.strip() for cell in release.cells for line in cell.source.splitlines()}
    assert [line for line in inside if line in code and line not in outside] == []


def solution_lines(notebook):
    """(stripped lines inside BEGIN / END SOLUTION blocks, stripped lines elsewhere) of a notebook."""
    inside, outside, within = [], set(), False
    for cell in notebook.cells:
        for line in cell.source.splitlines():
            if line.strip() == "### BEGIN SOLUTION":
                within = True
            elif line.strip() == "### END SOLUTION":
                within = False
            elif within and line.strip():
                inside.append(line.strip())
            else:
                outside.add(line.strip())
    return inside, outside


def test_release_folder_holds_none_of_the_first_assignments_solutions():
    """No line written between BEGIN / END SOLUTION in the step-by-step source notebook occurs in
    any file of release/dnn_application/ (but lines that notebook also has outside its solutions)."""
    inside, outside = solution_lines(nbformat.read(str(STEP_BY_STEP_SOURCE), as_version=4))
    # A bare keyword line (`else:`) is no solution: any Python file may have one.
    solution = {line for line in set(inside) - outside if not keyword.iskeyword(line.rstrip(":"))}
    assert len(solution) > 30  # the ten functions' bodies
    files = sorted(p for p in RELEASE_FOLDER.rglob("*") if p.is_file())
    assert {p.name for p in files} >= {"dnn_application.ipynb", "dnn_app_helpers.py", "dnn_utils.py"}
    # The first assignment's own released helpers come along (its checks judge the second's):
    # students have them already, byte for byte, so they give nothing away.
    first_release = STEP_BY_STEP_SOURCE.parents[2] / "release" / STEP_BY_STEP_SOURCE.parent.name
    files = [
        p
        for p in files
        if not ((first_release / p.name).is_file() and (first_release / p.name).read_bytes() == p.read_bytes())
    ]
    for path in files:
        if path.suffix == ".ipynb":
            lines = {
                line.strip()
                for cell in nbformat.read(str(path), as_version=4).cells
                for line in cell.source.splitlines()
            }
        else:
            lines = {line.strip() for line in path.read_text(encoding="utf-8").splitlines()}
        assert sorted(lines & solution) == [], path.name
    assert not [p for p in files if p.suffix == ".h5"], "data files must not be released"


def test_release_is_what_generate_assignment_makes_from_source(tmp_path, tmp_path_factory):
    # The run's blank course of this assignment: ScratchCourse.create() ran
    # `nbgrader generate_assignment` with build.application_generate_args() there, from source/.
    course = copy_of_blank_course(tmp_path_factory, tmp_path / "course", assignments=(build.APPLICATION,))
    fresh = course.root / "release" / build.APPLICATION

    def files(folder):
        return sorted(
            p.relative_to(folder)
            for p in folder.rglob("*")
            if p.is_file()
            and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(folder).parts)
        )

    assert files(fresh) == files(RELEASE_FOLDER)
    for path in files(RELEASE_FOLDER):
        if path.suffix != ".ipynb":
            assert (fresh / path).read_bytes() == (RELEASE_FOLDER / path).read_bytes(), str(path)

    def comparable(path):
        return [(c.cell_type, c.source, nbgrader_meta(c)) for c in nbformat.read(str(path), as_version=4).cells]

    assert comparable(fresh / RELEASE.name) == comparable(RELEASE)
    assert build.release_notebook_problems(release_path=fresh / RELEASE.name) == []


def test_check_flags_a_release_notebook_with_a_solution(tmp_path, source):
    leaked = tmp_path / RELEASE.name
    nbformat.write(source, str(leaked))
    assert any("holds a solution" in p for p in build.release_notebook_problems(release_path=leaked))


def test_generated_copies_are_up_to_date():
    assert build.stale_application() == [], "run `make release`"
    assert (build.APPLICATION_SOURCE / "dnn_utils.py").read_bytes() == (COURSE_ROOT / "dnn_utils.py").read_bytes()


# ---------------------------------------------------------------------------------------------
# The helper loader: the student's own first notebook
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def course_folders(tmp_path, monkeypatch):
    """A student's working folder: dnn_application/ (the current folder) and, returned for the
    test to fill, the path of ../dnn_step_by_step/dnn_step_by_step.ipynb."""
    monkeypatch.delenv("DNN_STEP_BY_STEP_NOTEBOOK", raising=False)
    (tmp_path / "dnn_application").mkdir()
    (tmp_path / "dnn_step_by_step").mkdir()
    monkeypatch.chdir(tmp_path / "dnn_application")
    return tmp_path / "dnn_step_by_step" / "dnn_step_by_step.ipynb"


def notebook_with(path, replace=None):
    """Write the step-by-step source notebook (the instructor's answers, standing for a finished
    student's) to path, with the answer cells named in ``replace`` given the source shown there
    (None: the release's stub, i.e. unanswered)."""
    notebook = nbformat.read(str(STEP_BY_STEP_SOURCE), as_version=4)
    stubs = {
        nbgrader_meta(c).get("grade_id"): c.source for c in nbformat.read(str(STEP_BY_STEP_RELEASE), as_version=4).cells
    }
    for cell in notebook.cells:
        name = nbgrader_meta(cell).get("grade_id")
        if replace and name in replace:
            cell.source = stubs[name] if replace[name] is None else replace[name]
    nbformat.write(notebook, str(path))
    return path


def test_helpers_load_the_students_functions_from_the_sibling_folder(course_folders, student_modules):
    notebook_with(course_folders)
    helpers = student_modules["dnn_app_helpers"]
    loaded = helpers.load_step_by_step()
    assert loaded.path == course_folders.resolve()
    want = reference.load()
    X, Y = synthetic(seed=3)
    parameters = want.initialize_parameters_deep([6, 4, 1])
    AL, caches = loaded.L_model_forward(X, parameters)
    np.testing.assert_array_equal(AL, want.L_model_forward(X, parameters)[0])
    grads = loaded.L_model_backward(AL, Y, caches)
    np.testing.assert_array_equal(grads["dW1"], want.L_model_backward(AL, Y, caches)["dW1"])
    assert set(helpers.NEEDED) <= set(vars(loaded))
    assert not hasattr(loaded, "initialize_parameters_deep")  # only what this assignment needs runs


def test_helpers_run_only_the_answer_cells(course_folders, student_modules):
    notebook = nbformat.read(str(STEP_BY_STEP_SOURCE), as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('an experiment of the student')"))
    nbformat.write(notebook, str(course_folders))
    student_modules["dnn_app_helpers"].load_step_by_step()  # the failing experiment does not run


def test_helpers_say_where_they_looked_when_the_notebook_is_missing(course_folders, student_modules):
    helpers = student_modules["dnn_app_helpers"]
    with pytest.raises(helpers.HelperError) as failed:
        helpers.load_step_by_step()
    message = str(failed.value)
    assert str(course_folders) in message and "DNN_STEP_BY_STEP_NOTEBOOK" in message
    assert failed.value._render_traceback_() == [f"HelperError: {message}"]


def test_helpers_name_an_unfinished_function(course_folders, student_modules):
    notebook_with(course_folders, {"linear_forward": None})
    helpers = student_modules["dnn_app_helpers"]
    with pytest.raises(helpers.HelperError, match="finish linear_forward in dnn_step_by_step first"):
        helpers.load_step_by_step()
    notebook_with(course_folders, {"linear_forward": None, "compute_cost": None})
    with pytest.raises(helpers.HelperError, match="linear_forward, compute_cost still raise NotImplementedError"):
        helpers.load_step_by_step()


def test_helpers_report_a_missing_or_broken_answer_cell(course_folders, student_modules):
    helpers = student_modules["dnn_app_helpers"]
    notebook = nbformat.read(str(STEP_BY_STEP_SOURCE), as_version=4)
    notebook.cells = [c for c in notebook.cells if nbgrader_meta(c).get("grade_id") != "compute_cost"]
    nbformat.write(notebook, str(course_folders))
    with pytest.raises(helpers.HelperError, match="no answer cell for compute_cost"):
        helpers.load_step_by_step()
    notebook_with(
        course_folders, {"update_parameters": "def update_parameters(parameters, grads, learning_rate:\n    pass"}
    )
    with pytest.raises(helpers.HelperError, match="answer cell of update_parameters .* does not run: SyntaxError"):
        helpers.load_step_by_step()
    course_folders.write_text("{not json")
    with pytest.raises(helpers.HelperError, match="could not be read as a notebook"):
        helpers.load_step_by_step()


def test_helpers_follow_the_environment_variable(course_folders, student_modules, tmp_path, monkeypatch):
    helpers = student_modules["dnn_app_helpers"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    notebook_with(elsewhere / "dnn_step_by_step.ipynb")
    notebook_with(course_folders, {"linear_forward": None})  # the sibling is not read when the variable is set
    monkeypatch.setenv("DNN_STEP_BY_STEP_NOTEBOOK", str(elsewhere / "dnn_step_by_step.ipynb"))
    assert helpers.load_step_by_step().path == (elsewhere / "dnn_step_by_step.ipynb").resolve()
    monkeypatch.setenv("DNN_STEP_BY_STEP_NOTEBOOK", str(elsewhere))  # a folder holding it will do
    assert helpers.load_step_by_step().path == (elsewhere / "dnn_step_by_step.ipynb").resolve()
    monkeypatch.setenv("DNN_STEP_BY_STEP_NOTEBOOK", str(tmp_path / "nowhere.ipynb"))
    with pytest.raises(helpers.HelperError, match="DNN_STEP_BY_STEP_NOTEBOOK is set to .*nowhere.ipynb"):
        helpers.load_step_by_step()


# ---------------------------------------------------------------------------------------------
# Finding the data
# ---------------------------------------------------------------------------------------------


def test_data_is_found_in_order_and_the_variable_wins(tmp_path, monkeypatch, student_modules):
    utils = student_modules["dnn_app_utils"]
    monkeypatch.delenv("DNN_DATA", raising=False)
    here = tmp_path / "course" / "release" / "dnn_application"
    here.mkdir(parents=True)
    assert utils.find_data_folder(here)[0] is None
    for folder in (tmp_path / "course" / "data", tmp_path / "course" / "release" / "data", here / "data"):
        folder.mkdir()
        (folder / "train_catvnoncat.h5").write_bytes(b"")
        assert utils.find_data_folder(here)[0] == folder
    monkeypatch.setenv("DNN_DATA", str(tmp_path / "mine"))
    assert utils.find_data_folder(here)[0] is None  # an explicit folder is the only one searched
    assert utils.candidate_folders(here) == [(tmp_path / "mine", "the environment variable DNN_DATA")]


def test_a_malformed_data_file_stops_loading_with_a_clear_message(tmp_path, monkeypatch, student_modules):
    utils, data = student_modules["dnn_app_utils"], student_modules["dnn_app_data"]
    monkeypatch.setenv("DNN_DATA", str(tmp_path))
    (tmp_path / "train_catvnoncat.h5").write_bytes(b"not an HDF5 file")
    with pytest.raises(data.DataError) as failed:
        utils.load_dataset(verbose=False)
    assert "train_catvnoncat.h5: not an HDF5 file" in str(failed.value)
    assert "python dnn_app_standin.py --out DIR" in str(failed.value)
    assert not (tmp_path / "test_catvnoncat.h5").exists()  # nothing written over a folder that has data


def test_every_graded_test_fails_on_the_blank_release_and_the_rest_runs(tmp_path, monkeypatch):
    """A student's working folder: the finished first assignment next to a fresh release of this
    one.  The stand-in goes into data/ next to the notebook; each test cell fails on its stub."""
    monkeypatch.delenv("DNN_DATA", raising=False)
    monkeypatch.delenv("DNN_STEP_BY_STEP_NOTEBOOK", raising=False)
    monkeypatch.setenv("DNN_TRAINING_ITERATIONS", "2")
    shutil.copytree(RELEASE_FOLDER, tmp_path / build.APPLICATION)
    (tmp_path / "dnn_step_by_step").mkdir()
    notebook_with(tmp_path / "dnn_step_by_step" / "dnn_step_by_step.ipynb")
    here = tmp_path / build.APPLICATION
    notebook = nbformat.read(str(here / RELEASE.name), as_version=4)
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", allow_errors=True, resources={"metadata": {"path": str(here)}}
    ).execute()
    errors = {
        cell.id: output["ename"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    }
    assert {f"test_{name}" for name in POINTS} <= errors.keys()
    assert all(errors[f"test_{name}"] == "NotImplementedError" for name in POINTS)
    assert not {"imports", "step_by_step_functions", "load_data", "show_examples", "flatten"} & errors.keys()
    assert sorted(p.name for p in (here / "data").iterdir()) == ["test_catvnoncat.h5", "train_catvnoncat.h5"]


def test_the_grader_hands_over_exactly_the_functions_the_notebook_loads(student_modules, monkeypatch):
    """Under autograde the loading cell takes the functions the grader handed over (the plan's
    FIRST_ASSIGNMENT_FUNCTIONS) and no notebook is read; they are the ones NEEDED."""
    from dnngrader.assignments.dnn_application import cases
    from dnngrader.judge import delivery

    helpers = student_modules["dnn_app_helpers"]
    assert set(cases.FIRST_ASSIGNMENT_FUNCTIONS) == set(helpers.NEEDED)
    code = delivery.provided_code("dnn_application", "step_by_step_functions")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    exec(code, {})  # as the grader runs it in the kernel, silently
    loaded = helpers.load_step_by_step(folder="/nonexistent")
    assert loaded.path is None and "handed over by the grader" in loaded.origin
    assert not hasattr(sys, helpers.PROVIDED_ATTRIBUTE)  # taken once
    want = reference.load()
    X, parameters = np.random.RandomState(0).randn(3, 4), want.initialize_parameters_deep([3, 2, 1])
    np.testing.assert_array_equal(loaded.L_model_forward(X, parameters)[0], want.L_model_forward(X, parameters)[0])
    with pytest.raises(helpers.HelperError):  # nothing handed over: it looks for the notebook again
        helpers.load_step_by_step(folder="/nonexistent")
