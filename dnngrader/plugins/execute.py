"""nbgrader's Execute preprocessor, made to survive what a submission does to its kernel.

Stock nbgrader gives up on a student's whole notebook when the kernel dies (``os._exit``, a
segfault, memory exhausted) or stops answering (a loop that ignores interrupts).  Here:

- the kernel's address space is limited (``memory_limit_mb``), so a memory blow-up raises
  MemoryError or kills that kernel only, never the grading machine;
- each cell runs for at most ``timeout`` seconds (60), each call of a hidden test for
  ``seconds_per_call`` (10) and the calls of one test cell together for ``seconds_per_test``
  (30): the kernel gets those two with each test cell's hand-over;
- ``exit()`` and ``quit()`` raise SystemExit, like ``sys.exit()``, instead of stopping the kernel
  at some later moment;
- when the kernel dies in a cell, or hangs past the cell timeout and ignores the interrupt, the
  cell gets an error output, a fresh kernel starts, the code cells before it run again (their
  outputs discarded; test cells and cells that misbehaved are skipped) and grading goes on with
  the next cell.  Only that cell's points are lost;
- after ``max_restarts`` restarts, or if re-running the earlier cells fails too, the remaining
  cells are not run and their tests score 0, with a message saying so;
- with each test cell, the cell's inputs and reference callees are handed to the kernel (in
  the metadata of the cell's own execute_request), and before a cell an assignment names, the
  functions it provides there (see delivery.py);
- grading time does not depend on what the student's ungraded cells do.  Code cells after the
  last graded cell (training on the images, figures, experiments, the student's own image) are
  not run at all: nothing graded can depend on them.  Their output says so, so a feedback never
  shows the grader's rerun as the student's result.  Ungraded cells before the last graded cell
  (cells of the release nbgrader does not track, and cells the student added) share one time
  budget, ``ungraded_seconds``: a cell that reaches it is interrupted, later ones are not run,
  and a note says which;
- figures are not drawn (``draw_figures``, off by default): the kernel's matplotlib-inline has no
  figure format, so a figure a cell shows is built but never rendered, and the feedback shows a
  note in its place.  No figure is graded, and the second notebook's grid of 18 images took about
  half a second of every kernel's CPU to render.
"""

import contextlib
import copy
import os
import re
import time

from nbclient.util import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Bool, Float, Integer, default

from dnngrader import settings
from dnngrader.judge import delivery
from dnngrader.plugins import findings
from dnngrader.assignments import TESTS

# One BLAS thread per kernel: small matrices gain nothing from more, parallel grading runs one
# kernel per core, and a many-core machine's thread buffers would eat the memory limit.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
DIED = "the kernel died while this cell ran (a crash, an exit or too much memory)"
HUNG = "the cell ran out of time and the kernel did not respond to the interrupt"
GONE = "the kernel had died before this cell started"
PREPARE_KERNEL = """
def _dnngrader_prepare(limit):
    import resource
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    def refuse_exit():
        raise SystemExit("exit() and quit() do not stop the kernel while it is graded")
    get_ipython().ask_exit = refuse_exit
_dnngrader_prepare({limit})
del _dnngrader_prepare
"""
# matplotlib-inline's figure formats (a traitlets setting of the kernel, as an ipython_config.py
# would set it): none, so a figure shown is displayed by its text alone, "<Figure size ... with
# N Axes>", and never rendered.  `%matplotlib inline` keeps the setting (the formats are read from
# this same InlineBackend instance).
NO_FIGURE_FORMATS = """
def _dnngrader_no_drawing():
    try:
        from matplotlib_inline.backend_inline import InlineBackend
    except ImportError:  # no matplotlib in this kernel: nothing to draw
        return
    config = InlineBackend.instance(parent=get_ipython())
    config.shell = get_ipython()
    config.figure_formats = set()
_dnngrader_no_drawing()
del _dnngrader_no_drawing
"""
# A figure's text, as IPython shows a figure that no format draws.
FIGURE_TEXT = re.compile(r"<Figure size [0-9.]+x[0-9.]+ with [0-9]+ Axes>")
NOT_DRAWN = (
    "Figure not drawn by the grader: figures are not graded, and drawing them is a large part "
    "of the time grading takes. Run the cell in your own notebook to see it."
)


def _test_id(cell):
    meta = cell.metadata.get("nbgrader", {})
    return meta.get("grade_id") if meta.get("grade") and meta.get("grade_id") in TESTS else None


def _graded(cell):
    """Whether nbgrader grades the cell or takes an answer from it (test and answer cells)."""
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade") or meta.get("solution"))


def _tracked(cell):
    """Whether the cell is one nbgrader tracks (graded, an answer, or a locked given cell such as
    the imports): these run under the cell timeout alone, never under the ungraded budget."""
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade") or meta.get("solution") or meta.get("locked"))


SKIPPED_AFTER = (
    "Not run by the grader: this cell is not graded and comes after the last graded cell "
    "({last}), so grading skipped it to keep the time a submission takes independent of "
    "what such cells do. Nothing shown here is a result of your notebook: run the cell "
    "in your own notebook to see its output."
)
SKIPPED_AFTER_AGAIN = (
    "Not run by the grader either (it comes after {last} too; the first such cell says why). "
    "Nothing shown here is a result of your notebook."
)
SKIPPED_BUDGET = (
    "Not run by the grader: the ungraded cells before this one used up the {budget:g} s "
    "that grading gives ungraded cells, so this one was skipped."
)


def _grader_note(text):
    """An output that says, in the grader's words, why a cell has no output of its own."""
    output = new_output("display_data", data={"text/plain": text, "text/markdown": f"*{text}*"})
    output.metadata = {"dnngrader": "not run"}
    return output


def _figure_note(output):
    """``output``, or the grader's note in its place when it is a figure that was not drawn (a
    display of the figure's text alone)."""
    data = output.get("data", {}) if output.get("output_type") in ("display_data", "execute_result") else {}
    if set(data) == {"text/plain"} and FIGURE_TEXT.fullmatch(str(data["text/plain"]).strip()):
        note = new_output("display_data", data={"text/plain": NOT_DRAWN, "text/markdown": f"*{NOT_DRAWN}*"})
        note.metadata = {"dnngrader": "not drawn"}
        return note
    return output


def _label(cell, index):
    meta = cell.metadata.get("nbgrader", {})
    if _test_id(cell):
        return f"the test cell {meta['grade_id']}"
    if meta.get("solution"):
        return f"the answer cell of {meta['grade_id']}"
    return f"cell {index + 1}"


def _error(ename, evalue):
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


@contextlib.contextmanager
def _requests_carrying(kc, metadata):
    """While in effect, the messages ``kc`` sends carry ``metadata`` (a dict) besides their own.

    jupyter_client's ``KernelClient.execute`` takes no metadata; its Session's ``metadata``
    setting is the metadata every message it makes starts from.  Only the execute_request of
    the cell is sent meanwhile (nbclient then waits for its reply)."""
    session = kc.session
    before = session.metadata
    session.metadata = {**before, **metadata}
    try:
        yield
    finally:
        session.metadata = before


def _timed_out(cell):
    return any(
        output.get("output_type") == "error" and output.get("ename") == "CellTimeoutError"
        for output in cell.get("outputs", [])
    )


class ResilientExecute(Execute):
    """Execute, with a memory limit, recovery from dead or hung kernels, and hand-overs."""

    # The kit's default cell timeout (nbgrader's Execute.timeout, 30 s there); c.Execute.timeout
    # set in a configuration applies here too.
    _timeout_default = settings.trait_default("DNN_CELL_TIMEOUT", 60)

    memory_limit_mb = Integer(4096, help="Address space the kernel may use, in MiB (0: no limit).").tag(config=True)
    _memory_limit_mb_default = settings.trait_default("DNN_KERNEL_MEMORY_MB")

    max_restarts = Integer(3, help="Kernel restarts allowed per notebook before the remaining cells are given up.").tag(
        config=True
    )
    _max_restarts_default = settings.trait_default("DNN_KERNEL_RESTARTS")

    training_iterations = Integer(
        5,
        help="DNN_TRAINING_ITERATIONS of the kernel: how long the second assignment's training "
        "cells train, where they run at all (the notebook's own default, 2500, takes "
        "minutes, and those cells are not graded; 0: as the grader's environment says).",
    ).tag(config=True)
    _training_iterations_default = settings.trait_default("DNN_TRAINING_ITERATIONS")

    seconds_per_call = Float(
        delivery.DEFAULT_LIMITS["seconds_per_call"],
        help="Seconds one call of a student's function may take in a hidden test; after a call that "
        "runs out of time, the test cell's remaining cases are skipped.  Handed to the kernel "
        "with each test cell.",
    ).tag(config=True)
    _seconds_per_call_default = settings.trait_default("DNN_SECONDS_PER_CALL")

    seconds_per_test = Float(
        delivery.DEFAULT_LIMITS["seconds_per_test"],
        help="Seconds all the calls of one test cell's hidden cases may take together (keep it below "
        "the cell timeout); the cases left then are skipped.  Handed to the kernel with each test "
        "cell.",
    ).tag(config=True)
    _seconds_per_test_default = settings.trait_default("DNN_SECONDS_PER_TEST")

    skip_after_last_graded = Bool(
        True,
        help="Leave the code cells after the last graded or answer cell unrun (their output "
        "says so): nothing graded depends on them, and they may train for minutes.",
    ).tag(config=True)

    draw_figures = Bool(
        False,
        help="Draw the figures the notebook's cells show (matplotlib's inline backend), as "
        "a student's own run does.  Off: each figure is built but not drawn, and the "
        "feedback shows a note in its place; figures are never graded, and drawing "
        "them is a large part of a grading kernel's time.",
    ).tag(config=True)

    ungraded_seconds = Float(
        20.0,
        help="Seconds that all ungraded code cells before the last graded cell may take "
        "together (cells nbgrader does not track: the release's unlocked cells and the "
        "student's own).  A cell that reaches the budget is interrupted and the later "
        "ones are skipped, each with a note.  0: no budget, only the cell timeout.",
    ).tag(config=True)

    @default("extra_arguments")
    def _no_history_file(self):
        # IPython keeps every executed cell in an SQLite file of the kernel's HOME, written by a
        # thread of its own; a grading kernel runs once and nobody reads that file.  In, Out and
        # %history still work from memory.  It was about 5 % of a grading kernel's CPU.
        return ["--HistoryManager.enabled=False"]

    @default("timeout_func")
    def _budgeted_timeout(self):
        return self._cell_timeout

    def preprocess(self, nb, resources=None, km=None):
        """Run the notebook as nbconvert's ExecutePreprocessor does (a kernel started through
        ``start_new_kernel``, prepared in ``on_notebook_start``, then ``preprocess_cell`` for each
        cell), with the state of this run's recovery and budget set up first and the note on
        skipped cells added last."""
        settings.read_all(self)  # a deprecated DNN_* variable warns now, not when first needed
        self._troubled = set()  # cells that killed, hung or timed out the kernel: not run again
        self._restarts = 0
        self._previous = None  # the code cell run last
        self._lost = None  # why the remaining cells cannot run
        graded = [index for index, cell in enumerate(nb.cells) if _graded(cell)]
        self._last_graded = graded[-1] if graded and self.skip_after_last_graded else None
        self._budget_left = self.ungraded_seconds if self.ungraded_seconds > 0 else None
        self._cut = []  # the ungraded cells not run because the budget was spent
        self._said_after = False  # whether a cell after the last graded one has said why it was skipped
        self._unprepared = None  # why the kernel could not be prepared (on_notebook_start)
        nb, resources = super().preprocess(nb, resources, km)
        self._note_skipped()
        return nb, resources

    async def async_start_new_kernel(self, **kwargs):
        """nbclient's, with the grading kernel's environment (``_kernel_env``) unless one is given."""
        kwargs.setdefault("env", self._kernel_env())
        return await super().async_start_new_kernel(**kwargs)

    start_new_kernel = run_sync(async_start_new_kernel)  # nbclient binds the name to its own version

    async def on_notebook_start(self, notebook):
        """nbclient's hook, awaited once each new kernel's client is ready (the first kernel and
        each restart): prepare the kernel (``_prepare_kernel``).  A failure is raised later, by
        ``_raise_if_unprepared``, where the kernel is shut down after it: nbclient calls this hook
        before ``setup_kernel`` guards the kernel."""
        try:
            await self._prepare_kernel()
        except Exception as error:
            self._unprepared = error

    def _raise_if_unprepared(self):
        error, self._unprepared = self._unprepared, None
        if error is not None:
            raise error

    def preprocess_cell(self, cell, resources, index):
        """Run one cell: skipped, given up or recovered from as the module docstring says."""
        self._raise_if_unprepared()
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, self.resources
        if not self._lost and self._previous is not None and not self._kernel_alive():
            self._after_death_between_cells(cell, index)
        if self._lost:
            cell.outputs = [_error("KernelLost", f"not run: {self._lost}.")]
            return cell, self.resources
        if self._not_run(cell, index):
            return cell, self.resources
        try:
            self._execute(cell, index)
        except DeadKernelError:
            self._recover(cell, index, "DeadKernelError", DIED)
        except CellTimeoutError:
            self._recover(cell, index, "CellTimeoutError", HUNG)
        else:
            if _timed_out(cell):
                self._troubled.add(index)
        self._previous = index
        return cell, self.resources

    # -- what runs, and for how long ------------------------------------------------------------

    def _not_run(self, cell, index):
        """Skip cell ``index`` when it comes after the last graded cell, or when the ungraded
        budget is spent; True when it was skipped (its output says why)."""
        if self._last_graded is not None and index > self._last_graded and not _graded(cell):
            last = _label(self.nb.cells[self._last_graded], self._last_graded)
            # The whole reason once, at the first cell skipped; a short note at each one after it.
            first, self._said_after = not self._said_after, True
            cell.outputs = [_grader_note((SKIPPED_AFTER if first else SKIPPED_AFTER_AGAIN).format(last=last))]
            return True
        if not _tracked(cell) and self._budget_left is not None and self._budget_left <= 0:
            cell.outputs = [_grader_note(SKIPPED_BUDGET.format(budget=self.ungraded_seconds))]
            self._cut.append(index)
            self._troubled.add(index)
            return True
        return False

    def _cell_timeout(self, cell):
        """nbclient's per-cell timeout: the cell timeout, or for an ungraded cell what is left of
        the ungraded budget when that is shorter (at least one second)."""
        if _tracked(cell) or self._budget_left is None:
            return self.timeout
        left = max(1, int(self._budget_left + 0.999))
        return left if not self.timeout or self.timeout <= 0 else min(self.timeout, left)

    def _note_skipped(self):
        """One note for the cells that ungraded code could not have run for lack of time; the
        cells after the last graded cell say so in their own output, on every submission."""
        cut = self._cut
        if cut:
            findings.add(
                self.nb,
                findings.NOTE,
                f"ungraded cells used up the {self.ungraded_seconds:g} s "
                f"grading gives them, so {len(cut)} ungraded cell{'s' if len(cut) != 1 else ''} "
                f"({', '.join(str(index + 1) for index in cut)}) were not run; graded cells were.",
            )

    def _execute(self, cell, index):
        if not _tracked(cell) and self._budget_left is not None:
            started = time.monotonic()
            try:
                self._run_cell(cell, index)
            finally:
                self._budget_left -= time.monotonic() - started
            if _timed_out(cell):
                findings.add(
                    self.nb,
                    findings.NOTE,
                    f"{_label(cell, index)} is not graded and was "
                    f"interrupted when ungraded cells had used up the {self.ungraded_seconds:g} s "
                    "grading gives them.",
                )
            return
        self._run_cell(cell, index)

    def _run_cell(self, cell, index):
        test_id = _test_id(cell)
        if test_id:
            limits = {"seconds_per_call": self.seconds_per_call, "seconds_per_test": self.seconds_per_test}
            with _requests_carrying(self.kc, delivery.request_metadata(test_id, limits)):
                self.execute_cell(cell, index, store_history=True)
        else:
            self._hand_over_provided(cell)
            self.execute_cell(cell, index, store_history=True)
        if not self.draw_figures:
            cell.outputs = [_figure_note(output) for output in cell.outputs]

    def _hand_over_provided(self, cell):
        """Before a cell the assignment names, hand the kernel the functions it provides there."""
        assignment = (self.resources or {}).get("nbgrader", {}).get("assignment")
        code = delivery.provided_code(assignment, cell.metadata.get("nbgrader", {}).get("grade_id"))
        if code:
            self._run_silently(code)

    # -- the kernel ------------------------------------------------------------------------

    def _kernel_env(self):
        env = dict(os.environ)
        for name in THREAD_VARIABLES:
            env.setdefault(name, "1")
        # Set for the grading kernel only, never in os.environ: a Jupyter server that reads this
        # configuration must not shorten the training of the instructor's own kernels.
        if self.training_iterations > 0:
            env["DNN_TRAINING_ITERATIONS"] = str(self.training_iterations)
        return env

    async def _prepare_kernel(self):
        """Limit the new kernel's memory (the hard limit too, so student code cannot raise it)
        and make exit() and quit() raise SystemExit: ipykernel would otherwise stop the kernel
        at some later moment, in the middle of whichever cell runs then."""
        code = PREPARE_KERNEL.format(limit=self.memory_limit_mb * 1024 * 1024)
        # One request for both: each costs a round trip and the kernel's handling of it.
        await self._async_run_silently(code if self.draw_figures else code + NO_FIGURE_FORMATS)

    def _kernel_alive(self):
        return run_sync(self.km.is_alive)()

    async def _async_run_silently(self, code):
        """Run the grader's own code in the kernel: no output, no history, no execution count."""
        request = await ensure_async(self.kc.execute(code, silent=True, store_history=False, allow_stdin=False))
        reply = await self.async_wait_for_reply(request)
        if reply is None:
            raise CellTimeoutError("the kernel did not answer the grader's own request")

    _run_silently = run_sync(_async_run_silently)

    def _stop_dead_or_hung_kernel(self):
        """Stop the kernel and close its channels with jupyter_client's public calls (what
        nbclient's private ``_cleanup_kernel`` does at the end of a notebook); a kernel already
        gone is no error.  (The workers' CPU figures count the kernels nbclient stops, not
        this one.)"""
        try:
            if self._kernel_alive():
                run_sync(self.km.shutdown_kernel)(now=True)
        except RuntimeError as error:  # jupyter_client's words for a kernel that is gone
            if "No kernel is running" not in str(error):
                raise
        finally:
            run_sync(self.km.cleanup_resources)()
            if self.kc is not None:
                self.kc.stop_channels()
            self.kc = self.km = None

    def _restart_kernel(self):
        self._stop_dead_or_hung_kernel()
        self.km = self.create_kernel_manager()
        self.start_new_kernel()
        self.start_new_kernel_client()  # on_notebook_start prepares the kernel
        self._raise_if_unprepared()

    # -- recovery ----------------------------------------------------------------------------

    def _recover(self, cell, index, ename, why):
        """The kernel died or hung in cell ``index``: restart it and go on after that cell."""
        label = _label(cell, index)
        self.log.warning("%s: %s", label, why)
        self._troubled.add(index)
        findings.add(self.nb, findings.NOTE, f"{label}: {why}.")
        if self._restart(cell, index, ename, why):
            cell.outputs.append(_error(ename, f"{why}; grading went on in a fresh kernel."))

    def _after_death_between_cells(self, cell, index):
        """The kernel died after the previous code cell had finished (a thread it started, say):
        that cell is to blame.  Restart before running cell ``index``."""
        previous = self._previous
        self._troubled.add(previous)
        findings.add(
            self.nb, findings.NOTE, f"the kernel died after {_label(self.nb.cells[previous], previous)} had run."
        )
        self._restart(cell, index, "DeadKernelError", GONE)

    def _restart(self, cell, index, ename, why):
        """A fresh kernel in which the cells before ``index`` have run again; False, with the
        rest of the notebook given up, when that cannot be had."""
        if self._restarts >= self.max_restarts:
            self._lose(cell, index, ename, why, f"the kernel had to be restarted {self._restarts} times already")
            return False
        self._restarts += 1
        try:
            self._restart_kernel()
            self._replay(index)
        except Exception as error:  # the fresh kernel died or hung too
            self.log.warning("Re-running the cells before cell %d failed: %r", index + 1, error)
            self._lose(cell, index, ename, why, "the kernel failed again while the earlier cells were run again")
            return False
        return True

    def _replay(self, upto):
        """Run the code cells before ``upto`` again in the fresh kernel, keeping their outputs."""
        executed = self.code_cells_executed
        for index in range(upto):
            original = self.nb.cells[index]
            if (
                original.cell_type != "code"
                or not original.source.strip()
                or _test_id(original)
                or index in self._troubled
            ):
                continue
            replayed = copy.deepcopy(original)
            try:
                self._hand_over_provided(replayed)
                self.execute_cell(replayed, index, store_history=False)
            finally:
                self.nb.cells[index] = original  # execute_cell puts the copy in the notebook
            if _timed_out(replayed):
                raise CellTimeoutError(f"cell {index + 1} ran out of time when run again")
        self.code_cells_executed = executed

    def _lose(self, cell, index, ename, why, reason):
        """Give up on the cells after ``index``: they are not run and their tests score 0."""
        label = _label(cell, index)
        self._lost = f"the kernel could not go on after {label} ({reason})"
        cell.outputs.append(_error(ename, f"{why}; {reason}, so the rest of the notebook was not run."))
        findings.add(
            self.nb, findings.NOTE, f"{reason}: the cells after {label} were not run, and their tests score 0."
        )
