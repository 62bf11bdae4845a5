"""nbgrader preprocessors of the kit, wired in by nbgrader_config.py."""

from nbformat.v4 import new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from . import judge, payload, reference
from .cases import TESTS


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
            return f"the cell stopped with {output.get('ename')} before the checks could run."
    return None


class JudgeTestCells(NbGraderPreprocessor):
    """Give every test cell of the plan the judge's verdict as its only output.

    Runs right after Execute.  The kernel sent the raw results of each case; the verdict is
    computed here, outside the student's kernel, against the reference solution.  A passing
    cell gets the report on stdout; a failing one also gets an error, which nbgrader scores 0.
    """

    def preprocess_cell(self, cell, resources, index):
        grade_id = _grade_id(cell)
        if cell.cell_type != "code" or grade_id not in TESTS:
            return cell, resources
        results = None
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if output.get("output_type") == "display_data" and payload.MIME_TYPE in data:
                sent = payload.loads(data[payload.MIME_TYPE])
                if sent.get("test") == grade_id:
                    results = sent.get("results")
        verdict = judge.judge(grade_id, results, reference.load(), _why_no_results(cell))
        outputs = [new_output("stream", name="stdout", text=verdict.text)]
        if not verdict.passed:
            outputs.append(new_output("error", ename="TestFailed", evalue="see the checks above",
                                      traceback=["TestFailed: no points for this cell; the checks above say what to fix."]))
        cell.outputs = outputs
        return cell, resources
