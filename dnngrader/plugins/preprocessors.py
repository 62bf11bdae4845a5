"""nbgrader preprocessors of the kit, wired in by nbgrader_config.py."""

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from dnngrader import assignments
from dnngrader.plugins import findings
from dnngrader.kernel import payload
from dnngrader.judge.verdict import FAIL, Verdict, judge
from dnngrader.assignments import TESTS

# Results bigger than this cannot come from the kit's runtime (it caps arrays at
# payload.MAX_ELEMENTS); a bigger one is refused unread.
MAX_RESULTS_CHARS = 50_000_000

# Where JudgeTestCells records, in each test cell's metadata, what the verdict said:
# cell.metadata[findings.KEY][HINTS] = {"test": grade id, "function": ..., "hints": [text, ...]}.
# The class report (mistakes.py) counts the hints from there.
HINTS = "judged"
# The judge's hint lines: "Hint: " two spaces in; what it says about a case is six spaces in.
HINT_LINE = "  Hint: "


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _why_no_results(cell):
    """What the kernel reported in a test cell that sent no results."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            if output.get("ename") in ("CellTimeoutError", "KeyboardInterrupt"):
                return "the cell ran out of time (an endless loop or a very slow function?)."
            if output.get("ename") == "DeadKernelError":
                return "the kernel died while it ran (a crash, an exit or too much memory)."
            if output.get("ename") == "KernelLost":
                return "the cell was not run: the kernel kept dying earlier in the notebook."
            return f"the cell stopped with {output.get('ename')} before the checks could run."
    return None


class JudgeTestCells(NbGraderPreprocessor):
    """Give every test cell of the plan the judge's verdict as its only output.

    Runs right after Execute.  The kernel sent the raw results of each case; the verdict is
    computed here, outside the student's kernel, against the reference solution.  A passing
    cell gets the report on stdout; a failing one also gets an error, which nbgrader scores 0.
    The cell's metadata also records the verdict's function, outcome and hints
    (``metadata["dnngrader"]["judged"]``), for the class report of mistakes.py; no other cell
    keeps such a record.
    """

    def preprocess(self, nb, resources):
        self.notebook = nb  # findings are recorded in the notebook's metadata
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        grade_id = _grade_id(cell)
        # Only this preprocessor may leave a record of hints: one the submission carried, in any
        # cell, would count in the class report as if the judge had given it.
        _forget_judged(cell)
        if cell.cell_type != "code":
            return cell, resources
        sent = _take_results(cell)
        if grade_id not in TESTS or not cell.metadata.get("nbgrader", {}).get("grade"):
            if sent:  # only the kit's runtime in a test cell sends results; these are ignored
                findings.add(
                    self.notebook,
                    findings.TAMPERING,
                    f"cell {index + 1} sent results for the grader outside a test cell; they were ignored.",
                )
            return cell, resources
        results, note = self._results_for(grade_id, sent)
        verdict = self._verdict(grade_id, results, note or _why_no_results(cell))
        outputs = [new_output("stream", name="stdout", text=verdict.text)]
        if not verdict.passed:
            outputs.append(
                new_output(
                    "error",
                    ename="TestFailed",
                    evalue="see the checks above",
                    traceback=["TestFailed: no points for this cell; the checks above say what to fix."],
                )
            )
        cell.outputs = outputs
        _record_judged(cell, grade_id, verdict)
        return cell, resources

    def _results_for(self, grade_id, sent):
        """(the per-case results for this test cell, or None; why there are none, or None)."""
        if not sent:
            return None, None
        problem = None
        if len(sent) > 1:
            problem = f"{len(sent)} sets of results (one expected): something else in the notebook sent its own"
        elif not _well_formed(sent[0]):
            problem = "malformed results"
        elif sent[0]["test"] != grade_id:
            problem = f"results for {sent[0]['test']!r}"
        if problem:
            findings.add(
                self.notebook, findings.TAMPERING, f"the test cell {grade_id} received {problem}; it scores 0."
            )
            return None, "the results the grader received were not the kit's own (see the top of the notebook)."
        return sent[0]["results"], None

    def _verdict(self, grade_id, results, note):
        try:
            return judge(grade_id, results, assignments.reference_for(grade_id), note)
        except Exception as error:  # a fault of the grader must not stop this student's grading
            self.log.error("Judging %s failed: %r", grade_id, error)
            findings.add(
                self.notebook,
                findings.NOTE,
                f"the grader could not judge {grade_id} "
                f"({type(error).__name__}); it scored 0: ask the instructor to look at it.",
            )
            return Verdict(
                grade_id, False, [f"{FAIL} {TESTS[grade_id].function}: not graded, the grader failed on these results."]
            )


def verdict_hints(verdict):
    """The hints a ``judge.Verdict`` gives: the text after "Hint: " of each hint line, in order.

    Read from the verdict's lines, one string per line as the judge made them, never from its
    printed text: a line about a case may quote what the student's function raised or what the
    kernel sent, and such a message with a newline and "  Hint: ..." in it would print as a hint
    line of its own.  Within one of the verdict's lines it stays behind the six spaces of a
    case's line, so only the judge's own hint lines start with ``HINT_LINE``."""
    return [
        line[len(HINT_LINE) :]
        for line in verdict.lines
        if isinstance(line, str) and line.startswith(HINT_LINE) and "\n" not in line
    ]


def _record_judged(cell, grade_id, verdict):
    """Record in a test cell's metadata which function it graded and the hints it gave."""
    kit = cell.metadata.get(findings.KEY)
    kit = dict(kit) if isinstance(kit, dict) else {}
    kit[HINTS] = {
        "test": grade_id,
        "function": TESTS[grade_id].function,
        "passed": verdict.passed,
        "hints": verdict_hints(verdict),
    }
    cell.metadata[findings.KEY] = kit


def _forget_judged(cell):
    kit = cell.get("metadata", {}).get(findings.KEY)
    if isinstance(kit, dict) and HINTS in kit:
        del kit[HINTS]
        if not kit:
            del cell.metadata[findings.KEY]


def _take_results(cell):
    """Remove the results the kernel sent from a cell's outputs; the parsed payloads (a payload
    that is not valid JSON becomes {})."""
    sent, kept = [], []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if output.get("output_type") in ("display_data", "execute_result") and payload.MIME_TYPE in data:
            text = data[payload.MIME_TYPE]
            try:
                sent.append(payload.loads(text) if len(text) <= MAX_RESULTS_CHARS else {})
            except (TypeError, ValueError):
                sent.append({})
        else:
            kept.append(output)
    cell.outputs = kept
    return sent


def _well_formed(sent):
    """A payload as runtime.run_hidden_tests makes it, every value decodable."""
    if not (isinstance(sent, dict) and isinstance(sent.get("test"), str) and isinstance(sent.get("results"), list)):
        return False
    try:
        for result in sent["results"]:
            if not isinstance(result, dict):
                return False
            for key in ("value", "args_after"):
                if key in result:
                    payload.decode(result[key])
    except Exception:
        return False
    return True
