"""Hints that explain (issue 19): the judge names a mistake only when it explains every failing
output of the function over all its failing cases; otherwise it names none, or every mistake
that does, together.  The generic hint ("the visible case passes but hidden ones fail") is given
only when no hint explains the failure.  The rule is one function, ``dnn_checks.hint_lines``,
which the first notebook's check and the grader's verdict both call.

Each mistake the issue reports is a mutation of the reference solution (or a catalogue entry),
judged in-process by the real judge on the test cell's cases, as the grader judges them
(tests/in_process_judge.py for the first assignment, test_application_catalogue.verdict_on for
the second).  The hints are read as reports/mistakes.csv reads them (``verdict_hints``), and
compared whole: the exact hint, or none.
"""

import contextlib
import io

import pytest

from dnngrader.kernel.notebook import dnn_checks
from dnngrader.assignments import reference
from dnngrader.assignments.dnn_application import hints as application_hints
from dnngrader.assignments.dnn_step_by_step import hints as first_hints
from dnngrader.batch import mistakes
from dnngrader.plugins.preprocessors import verdict_hints
from dnngrader.tools import catalogue
from dnngrader.tools.samples import without_solution_markers
from dnngrader.assignments.dnn_step_by_step.cases import TESTS
from in_process_judge import define, verdict
from test_application_catalogue import verdict_on

GENERIC = (
    "the visible case passes but hidden ones fail. Look for sizes, layer counts or indices "
    "written for the visible case, and for steps it does not exercise."
)
LOOP_STOPS_EARLY = "does your loop stop one layer early?"
FIRST_SOLUTIONS = {name: without_solution_markers(source) for name, source in reference.solution_sources().items()}
SECOND_SOLUTIONS = catalogue.application_solutions()
FIRST_CATALOGUE = {entry.name: entry for entry in catalogue.load()}


@pytest.fixture(scope="module")
def ref():
    return reference.load()


def mutated(solutions, function, old, new):
    """The solution of ``function`` with ``old`` (which must occur in it) replaced by ``new``."""
    assert old in solutions[function], (function, old)
    return solutions[function].replace(old, new)


def first_hints_on(code, test_id, ref):
    """(the hints the judge gives a first-assignment answer, the verdict's text)."""
    judged = verdict(code, test_id, ref)
    assert not judged.passed, judged.text
    return verdict_hints(judged), judged.text


def second_hints_on(code, function):
    """(the hints the judge gives a second-assignment answer, the verdict's text)."""
    judged = verdict_on(code, function)
    assert not judged.passed, judged.text
    return verdict_hints(judged), judged.text


# --- costs recorded when i % 100 != 0 ---------------------------------------------------------


@pytest.mark.parametrize("function", ["two_layer_model", "L_layer_model"])
def test_costs_recorded_when_i_is_not_a_multiple_of_100_are_told_so_and_not_one_step_late(function):
    # On the 2-iteration cases the one cost recorded (iteration 1's) is also what "one step
    # late" records; on the others the list has the wrong length, which only this mistake gives.
    code = mutated(SECOND_SOLUTIONS, function, "if i % 100 == 0:", "if i % 100 != 0:")
    hints, text = second_hints_on(code, function)
    assert hints == [application_hints.ALL_BUT_EVERY_100], text
    assert application_hints.ONE_STEP_LATE not in text


# --- a misnamed weight key --------------------------------------------------------------------


@pytest.mark.parametrize("key", ['"w" + str(l)', '"W_" + str(l)', 'f"w{l}"'])
def test_a_misnamed_weight_key_is_told_its_spelling_not_a_short_loop(key):
    code = mutated(
        SECOND_SOLUTIONS, "initialize_parameters_deep_scaled", 'parameters["W" + str(l)]', f"parameters[{key}]"
    )
    hints, text = second_hints_on(code, "initialize_parameters_deep_scaled")
    assert hints == [application_hints.MISSPELLED_KEYS], text
    assert LOOP_STOPS_EARLY not in text


@pytest.mark.parametrize(
    "function,old,new",
    [
        ("initialize_parameters_deep", 'parameters["W" + str(l)]', 'parameters["w" + str(l)]'),
        ("initialize_parameters_deep", 'parameters["W" + str(l)]', 'parameters["W_" + str(l)]'),
        ("initialize_parameters", '"W1": W1', '"w1": W1'),
    ],
)
def test_a_misnamed_weight_key_in_the_first_assignment_is_told_its_spelling(ref, function, old, new):
    hints, text = first_hints_on(mutated(FIRST_SOLUTIONS, function, old, new), f"test_{function}", ref)
    assert hints == [first_hints.MISSPELLED_KEYS], text
    assert LOOP_STOPS_EARLY not in text and "does your loop skip layer 1?" not in text


def test_a_misnamed_key_is_named_even_when_the_values_under_it_are_wrong_too(ref):
    # The judge compares no value under a key it does not expect: the keys are all it reports,
    # and all the hint speaks of.
    code = mutated(
        FIRST_SOLUTIONS,
        "initialize_parameters_deep",
        'parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01',
        'parameters["w" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.1',
    )
    hints, text = first_hints_on(code, "test_initialize_parameters_deep", ref)
    assert hints == [first_hints.MISSPELLED_KEYS], text


def test_layers_numbered_from_zero_in_the_second_assignment_are_told_so():
    code = mutated(
        SECOND_SOLUTIONS,
        "initialize_parameters_deep_scaled",
        "    for l in range(1, len(layer_dims)):\n        fan_in = layer_dims[l - 1]\n"
        '        parameters["W" + str(l)] = np.random.randn(layer_dims[l], fan_in) / np.sqrt(fan_in)\n'
        '        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))\n',
        "    for l in range(len(layer_dims) - 1):\n        fan_in = layer_dims[l]\n"
        '        parameters["W" + str(l)] = np.random.randn(layer_dims[l + 1], fan_in) / np.sqrt(fan_in)\n'
        '        parameters["b" + str(l)] = np.zeros((layer_dims[l + 1], 1))\n',
    )
    hints, text = second_hints_on(code, "initialize_parameters_deep_scaled")
    assert hints == [application_hints.KEYS_FROM_ZERO], text


@pytest.mark.parametrize(
    "entry_name,test_id,hint",
    [
        # The right arrays under keys one layer off: the keys' advice, now checked against every
        # value the judge compares under them (they hold the neighbouring layer's arrays).
        (
            "L_model_backward__dA_keys_older_convention",
            "test_L_model_backward",
            "the dA keys are one too high. The dA_prev that layer l returns is the gradient with respect to that "
            "layer's input, so it goes under 'dA' + str(l - 1): the dA keys run from dA0 to dA{L-1}.",
        ),
        (
            "initialize_parameters_deep__keys_from_zero",
            "test_initialize_parameters_deep",
            "the W keys are one too low: they start at W1 (layers are numbered from 1; there is no W0 or b0).",
        ),
    ],
)
def test_right_values_under_renumbered_keys_keep_their_hint(ref, entry_name, test_id, hint):
    hints, text = first_hints_on(FIRST_CATALOGUE[entry_name].code, test_id, ref)
    assert hints == [hint], text


# --- one wrong initialiser, one hint ----------------------------------------------------------


def test_one_wrong_initialiser_gets_one_hint_not_three_contradicting_ones(ref):
    """Draws divided by sqrt(layer_dims[l]): on single units that looks unscaled (or He), on a
    layer of two a common factor, elsewhere nothing known.  Only the advice on the draws holds
    for every weight of every case."""
    code = mutated(FIRST_SOLUTIONS, "initialize_parameters_deep", "* 0.01", "/ np.sqrt(layer_dims[l])")
    hints, text = first_hints_on(code, "test_initialize_parameters_deep", ref)
    assert hints == [
        "the weights differ from the expected random draws: keep np.random.seed(3) as the first "
        "line, then draw W1, W2, ... in layer order with np.random.randn(rows, columns) * 0.01, "
        "and no other random numbers."
    ], text


# --- the generic hint only where no hint explains ---------------------------------------------


@pytest.mark.parametrize(
    "function,old,new,hint",
    [
        ("predict", "> 0.5", ">= 0.5", application_hints.AT_ONE_HALF),
        (
            "two_layer_model",
            "update_parameters(parameters, grads, learning_rate)",
            "update_parameters(parameters, grads, 0.0075)",
            application_hints.LEARNING_RATE,
        ),
        (
            "L_layer_model",
            "update_parameters(parameters, grads, learning_rate)",
            "update_parameters(parameters, grads, 0.0075)",
            application_hints.LEARNING_RATE,
        ),
    ],
)
def test_a_hint_that_explains_a_hidden_failure_comes_without_the_generic_one(function, old, new, hint):
    hints, text = second_hints_on(mutated(SECOND_SOLUTIONS, function, old, new), function)
    assert "\u2713 the visible case" in text  # the failure is on hidden cases only
    assert hints == [hint], text
    assert not any(mistakes.is_generic(given) for given in hints)  # nothing generic to count


def test_a_bias_for_one_unit_only_gets_its_hint_without_the_generic_one(ref):
    hints, text = first_hints_on(FIRST_CATALOGUE["linear_forward__first_bias_only"].code, "test_linear_forward", ref)
    assert hints == [
        "only the first entry of b was added: add the whole column b (np.dot(W, A) + b adds it to every example)."
    ], text


@pytest.mark.parametrize(
    "entry_name,test_id",
    [
        ("L_model_backward__two_layers_hard_coded", "test_L_model_backward"),
        ("initialize_parameters_deep__two_layers_hard_coded", "test_initialize_parameters_deep"),
        ("update_parameters__two_layers_hard_coded", "test_update_parameters"),
        ("L_model_forward__three_layers_hard_coded", "test_L_model_forward"),
    ],
)
def test_a_hard_coded_layer_count_gets_the_generic_hint_alone(ref, entry_name, test_id):
    """No mistake explains these: the one-layer case raises, and no loop "stops one layer early"
    or "misses the last layer" gives the deeper cases' outputs.  Only the generic hint, which
    names the real cause, is left."""
    hints, text = first_hints_on(FIRST_CATALOGUE[entry_name].code, test_id, ref)
    assert hints == [GENERIC], text
    assert LOOP_STOPS_EARLY not in text
    # The notebook's check, on its practice cases, says the same (of practice cases).
    text = notebook_check(FIRST_CATALOGUE[entry_name].code, TESTS[test_id].function, ref)
    assert notebook_hints(text) == [GENERIC.replace("hidden ones", "practice cases")], text


def notebook_check(code, name, ref, part=None):
    """What the notebook's check (dnn_checks.check) says of ``code``: its failure's lines."""
    function = define(code, ref)[name]
    with contextlib.redirect_stdout(io.StringIO()):
        with pytest.raises(dnn_checks.CheckFailed) as failure:
            dnn_checks.check(name, function, part)
    return "\n".join(failure.value._render_traceback_())


def notebook_hints(text):
    """The hints of the notebook's check, as ``verdict_hints`` reads the grader's."""
    return [line[len("Hint: ") :] for line in text.splitlines() if line.startswith("Hint: ")]


def test_the_notebook_gives_its_generic_hint_only_where_no_other_hint_is_given(ref):
    generic = "Hint: the visible case passes but practice cases fail."
    explained = notebook_check(FIRST_CATALOGUE["linear_forward__first_bias_only"].code, "linear_forward", ref)
    assert "Hint: only the first entry of b was added" in explained and generic not in explained
    unexplained = notebook_check(
        FIRST_CATALOGUE["initialize_parameters__visible_sizes_hard_coded"].code, "initialize_parameters", ref
    )
    assert generic in unexplained and unexplained.count("Hint:") == 1


# --- mistakes modelled whole -----------------------------------------------------------------


@pytest.mark.parametrize("part", ["sigmoid", "relu"])
@pytest.mark.parametrize(
    "entry_name,hint",
    [
        # Z computed inline without + b: A and the Z in the cache both lack b, and the mistake, as
        # modelled, returns both so.
        ("linear_activation_forward__inline_Z_without_bias", "Z is missing + b."),
        # cache = (activation_cache, linear_cache): the mistake returns the parts swapped, so the
        # linear cache where Z belongs is explained as well as Z where the linear cache belongs.
        (
            "linear_activation_forward__cache_parts_swapped",
            "cache is (linear_cache, activation_cache), in this order: (A_prev, W, b) first, then Z.",
        ),
    ],
)
def test_a_mistake_that_shows_in_several_outputs_is_named_in_the_grader_and_the_notebook(ref, entry_name, hint, part):
    code = FIRST_CATALOGUE[entry_name].code
    hints, text = first_hints_on(code, f"test_linear_activation_forward_{part}", ref)
    assert hints == [hint], text
    text = notebook_check(code, "linear_activation_forward", ref, part)
    assert notebook_hints(text) == [hint], text


# --- the notebook works out the mistakes in the keys as the grader does -----------------------


@pytest.mark.parametrize(
    "function,entry_or_change",
    [
        ("initialize_parameters_deep", ('parameters["W" + str(l)]', 'parameters["w" + str(l)]')),
        ("initialize_parameters", ('"W1": W1', '"W_1": W1')),
        ("initialize_parameters_deep", "initialize_parameters_deep__keys_from_zero"),
        ("L_model_backward", "L_model_backward__dA_keys_older_convention"),
    ],
    ids=["lower_case_w", "W_1", "keys_from_zero", "dA_keys_older_convention"],
)
def test_the_notebook_names_the_mistakes_in_the_keys_that_the_grader_names(ref, function, entry_or_change):
    """Keys spelled or numbered otherwise depend on the student's keys, so the practice file
    cannot hold them: the notebook's check works them out itself (dnn_checks.mistakes_in_keys),
    as the grader's hints do."""
    if isinstance(entry_or_change, tuple):
        code = mutated(FIRST_SOLUTIONS, function, *entry_or_change)
    else:
        code = FIRST_CATALOGUE[entry_or_change].code
    graders, _ = first_hints_on(code, f"test_{function}", ref)
    assert len(graders) == 1 and not mistakes.is_generic(graders[0])
    if isinstance(entry_or_change, tuple):
        assert graders == [first_hints.MISSPELLED_KEYS]
    text = notebook_check(code, function, ref)
    assert notebook_hints(text) == graders, text
    assert LOOP_STOPS_EARLY not in text


# --- one rule, in one function ----------------------------------------------------------------


def test_the_grader_and_the_notebook_both_take_their_hints_from_hint_lines(ref, monkeypatch):
    """Whatever dnn_checks.hint_lines says is what both say: there is no second copy of the rule,
    and the generic hint comes through it too (its ``unexplained``)."""
    calls = []

    def recorded(failing_cases, unexplained=None):
        calls.append(unexplained)
        return ["Hint: from hint_lines"]

    monkeypatch.setattr(dnn_checks, "hint_lines", recorded)
    code = FIRST_CATALOGUE["initialize_parameters__visible_sizes_hard_coded"].code
    hints, _ = first_hints_on(code, "test_initialize_parameters", ref)
    assert hints == ["from hint_lines"]
    assert notebook_hints(notebook_check(code, "initialize_parameters", ref)) == ["from hint_lines"]
    assert calls == [dnn_checks.generic_hint("hidden ones"), dnn_checks.generic_hint("practice cases")]


# --- the rule itself --------------------------------------------------------------------------


def problem(label, explained_by=(), advice=(), fallback=()):
    return dnn_checks.Problem(f"{label} is wrong.", label, explained_by, advice, fallback)


def test_a_hint_must_explain_every_failing_output_of_every_failing_case():
    hint_lines = dnn_checks.hint_lines
    # "late" explains costs[0] where it is compared, not the costs lists of the wrong length.
    assert (
        hint_lines([[problem("costs[0]", ["late", "skip"])], [problem("costs")], [problem("costs", fallback=["skip"])]])
        == []
    )
    assert hint_lines([[problem("costs[0]", ["late", "skip"])], [problem("costs", fallback=["skip"])]]) == [
        "Hint: skip"
    ]
    # Outputs are not judged one by one: a hint for W1 says nothing of a wrong b1.
    assert hint_lines([[problem("W1", ["a"]), problem("b1", ["b"])]]) == []
    # A case that returned nothing (it raised) is explained by no mistake.
    assert hint_lines([[problem("W1", ["a"])], [dnn_checks.Problem("it raised IndexError.")]]) == []
    # What is not about the returned values neither needs nor rules out an explanation.
    assert hint_lines([[problem("dW", ["a"]), "numerical gradient check: dW disagrees."]]) == ["Hint: a"]


def test_the_most_specific_tier_that_explains_everything_wins_and_ties_are_named_together():
    hint_lines = dnn_checks.hint_lines
    assert hint_lines([[problem("W1", ["a"], ["x"])], [problem("W1", ["a", "b"], ["x"])]]) == ["Hint: a"]
    assert hint_lines([[problem("W1", ["a"], ["x"])], [problem("W1", ["b"], ["x"])]]) == ["Hint: x"]
    assert hint_lines([[problem("W1", ["a", "b"])], [problem("W2", ["b", "a"])]]) == [
        "Hint: more than one mistake gives exactly this output; look for one of these: (1) a (2) b"
    ]
    assert hint_lines([]) == [] and hint_lines([["dA was modified in place."]]) == []


def test_the_generic_hint_is_said_only_when_no_hint_explains():
    generic = dnn_checks.generic_hint("hidden ones")
    assert generic.startswith("Hint: the visible case passes but hidden ones fail.")
    assert dnn_checks.hint_lines([[problem("W1", ["a"])]], unexplained=generic) == ["Hint: a"]
    assert dnn_checks.hint_lines([[problem("W1", ["a"]), problem("b1", ["b"])]], unexplained=generic) == [generic]
    # A case that raised, and nothing else: no hint explains it.
    assert dnn_checks.hint_lines([[dnn_checks.Problem("it raised IndexError.")]], unexplained=generic) == [generic]


def test_the_models_mistaken_runs_are_worked_out_once_per_case_and_grading_process(monkeypatch):
    """A model's mistaken runs depend on the case alone (the defaults case trains its network
    3000 iterations a dozen times), so a grading process works them out once per case: a second
    failing submission on the same case gets the same hints without training again, and a case
    of other inputs is worked out afresh."""
    from dnngrader.assignments.dnn_application import cases as application_cases

    trained = []
    original = application_hints._train
    monkeypatch.setattr(
        application_hints, "_train", lambda *args, **kwargs: trained.append(1) or original(*args, **kwargs)
    )
    monkeypatch.setattr(application_hints, "_kept_outputs", {})
    ref = application_cases.reference()
    test = application_cases.TESTS["test_L_layer_model"]
    first, other = (test.cases[index].make_args(ref) for index in (1, 2))
    got = ({"W1": 0}, [0.0])  # a wrong output, as a student's
    hints_first = application_hints.for_case("L_layer_model", first, got, ref)
    runs = len(trained)
    assert runs > 0
    assert application_hints.for_case("L_layer_model", first, got, ref) == hints_first
    assert len(trained) == runs  # nothing trained again
    application_hints.for_case("L_layer_model", other, got, ref)
    assert len(trained) > runs  # other inputs: worked out afresh
