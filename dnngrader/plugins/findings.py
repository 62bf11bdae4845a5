"""What the grader noticed about a submission besides its scores.

Two kinds of finding:

- ``tampering``: something that, left in place, could raise a grade (a changed test cell, points
  put on an answer cell, a file that shadows a module, code that patches the grader).  Grading
  neutralises it; the submission is also flagged for the instructor.
- ``note``: something worth knowing that could not raise a grade (an extra notebook, a kernel
  crash, cells put back in order, an answer cell turned into markdown by accident).

Findings are graded by what they could do to a grade, not by how unusual they look: a slip that
can only cost the student points is never reported as tampering.

Findings live in the autograded notebook's metadata (``metadata.dnngrader.plugins.findings``), where
the sanitizing and grading preprocessors add them; ``ReportFindings`` then shows them at the top
of the notebook (so in the feedback too) and flags the submission in the gradebook, and the grade
export reads them back from the autograded notebook.
"""

import json

from nbformat.v4 import new_markdown_cell
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

KEY = "dnngrader"
TAMPERING, NOTE = "tampering", "note"


def reset(nb):
    """Start the notebook's findings afresh (a submission may carry a forged list)."""
    nb.metadata[KEY] = {"findings": []}


def add(nb, kind, text):
    findings = nb.metadata.setdefault(KEY, {}).setdefault("findings", [])
    entry = {"kind": kind, "text": text}
    if entry not in findings:
        findings.append(entry)


def of(nb):
    """The findings recorded in a notebook (a NotebookNode or plain JSON dict)."""
    metadata = nb.get("metadata", {}) if isinstance(nb, dict) else {}
    kit = metadata.get(KEY, {})
    return list(kit.get("findings", [])) if isinstance(kit, dict) else []


def texts(findings, kind):
    return [entry["text"] for entry in findings if entry.get("kind") == kind]


def read(notebook_path):
    """The findings of an autograded notebook on disk; None when there is no such notebook."""
    try:
        with open(notebook_path, encoding="utf-8") as handle:
            return of(json.load(handle))
    except (OSError, ValueError):
        return None


def summary(findings):
    """One line for the grade export: tampering first, then notes."""
    if findings is None:
        return "not autograded: the notebook was missing, renamed or unreadable (see the autograde log)"
    parts = [f"tampering detected: {text}" for text in texts(findings, TAMPERING)]
    parts += texts(findings, NOTE)
    return "; ".join(part.rstrip(".") for part in parts)


def markdown(findings):
    """The cell shown at the top of the autograded notebook and the feedback."""
    lines = []
    tampering = texts(findings, TAMPERING)
    if tampering:
        lines.append(
            "**Tampering detected.** None of this can raise a grade: the grader undid it, "
            "ignored it, or scored the affected test 0. The submission is flagged for the "
            "instructor.\n"
        )
        lines += [f"- Tampering detected: {text}" for text in tampering]
        lines.append("")
    notes = texts(findings, NOTE)
    if notes:
        lines.append("**Notes from the grader:**\n")
        lines += [f"- {text}" for text in notes]
    return "\n".join(lines)


class ReportFindings(NbGraderPreprocessor):
    """Show the findings at the top of the notebook and flag a tampered submission.

    Runs last, after SaveAutoGrades.  The flag is only ever set, never cleared, so a flag an
    instructor set by hand in the formgrader survives regrading.
    """

    def preprocess(self, nb, resources):
        findings = of(nb)
        if not findings:
            return nb, resources
        cell = new_markdown_cell(markdown(findings))
        cell.metadata[KEY] = "findings"
        nb.cells.insert(0, cell)
        if texts(findings, TAMPERING):
            info = resources["nbgrader"]
            with Gradebook(info["db_url"]) as gradebook:
                submission = gradebook.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
                submission.flagged = True
                gradebook.db.commit()
        return nb, resources
