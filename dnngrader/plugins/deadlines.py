"""Due dates, late policies and extensions, kept where nbgrader keeps them.

The course sets, in its nbgrader_config.py, each assignment's due date and late policy on
``Deadlines``::

    c.Deadlines.due_dates = {"dnn_step_by_step": "2026-12-01T23:59:00+01:00"}
    c.Deadlines.late_policies = {"dnn_step_by_step": {"kind": "per_hour", "points": 1, "cap": 5}}

and nbgrader does the rest with its own parts:

- ``StoreDueDate`` (an autograde preprocessor, before nbgrader's ``AssignLatePenalties``) writes
  the configured due date to the gradebook's ``Assignment.duedate``; ``store_due_dates`` does the
  same for a whole course (``dnngrader deadlines store``).
- ``LatePolicy`` is nbgrader's ``LateSubmissionPlugin`` (``c.AssignLatePenalties.plugin_class``):
  nbgrader measures how late a submission is from its ``timestamp.txt`` and the student's due
  date (``SubmittedAssignment.duedate``: the assignment's plus the student's extension), and the
  plugin turns that into a penalty by the assignment's policy.
- Extensions are the gradebook's ``SubmittedAssignment.extension``, granted with
  ``Gradebook.grant_extension`` by ``dnngrader deadlines extend``.
- ``StateLateness`` (a feedback preprocessor) puts at the top of the feedback the submission time,
  the due date (with any extension) and the penalty applied.

A late policy is a dict: ``{"kind": "none"}``; ``{"kind": "per_hour", "points": P, "cap": C}`` or
``"per_day"`` (P points off per hour or day started, at most C points, no cap when C is left out);
``{"kind": "zero"}`` (a late submission scores 0).  Each may have ``"grace_minutes"``: a submission
no later than that after its due date is not late for the policy, and the hours or days are
counted from the end of the grace period.  The penalty applies to each notebook's score
(nbgrader's own rule) and never exceeds it.
"""

import math
from datetime import datetime, timezone

from nbformat.v4 import new_markdown_cell
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Dict, TraitError, Unicode, validate
from traitlets.config import Configurable

from dnngrader.kernel.notebook.due_date import describe_policy  # the student's notebook words it the same
from dnngrader.plugins.timestamps import TimestampError, time_zone

KINDS = ("none", "per_hour", "per_day", "zero")
UNIT_SECONDS = {"per_hour": 3600, "per_day": 86400}
# Marks the feedback cell StateLateness adds, so that running it again replaces it.
CELL_MARK = "dnngrader_lateness"


def parse_due(text):
    """The moment ``text`` (ISO 8601 with its UTC offset, e.g. ``2026-12-01T23:59:00+01:00``)
    names, as an aware UTC datetime.  Raises ValueError when it is not such a time: a due date
    without an offset would be read in whatever zone the grading machine is in."""
    moment = datetime.fromisoformat(str(text).strip())
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"the due date {text!r} has no UTC offset (write e.g. 2026-12-01T23:59:00+01:00)")
    return moment.astimezone(timezone.utc)


def check_policy(policy):
    """Check a late policy (the module's docstring says what one holds); returns it.  Raises
    ValueError naming what is wrong."""
    if not isinstance(policy, dict):
        raise ValueError(f"a late policy is a dict such as {{'kind': 'per_hour', 'points': 1}}, not {policy!r}")
    kind = policy.get("kind")
    if kind not in KINDS:
        raise ValueError(f"the late policy's kind is {kind!r}: use one of {', '.join(KINDS)}")
    allowed = {"kind", "grace_minutes"} | ({"points", "cap"} if kind in UNIT_SECONDS else set())
    unknown = set(policy) - allowed
    if unknown:
        raise ValueError(
            f"the {kind} late policy takes no {', '.join(sorted(unknown))} (it takes {', '.join(sorted(allowed))})"
        )
    if kind in UNIT_SECONDS and "points" not in policy:
        raise ValueError(f"the {kind} late policy needs 'points' (taken off per {kind[4:]} started)")
    for name in ("points", "cap", "grace_minutes"):
        value = policy.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            raise ValueError(f"the late policy's {name} is {value!r}: give a number, 0 or more")
    return policy


def penalty_for(policy, score, seconds_late):
    """The points ``policy`` takes off a notebook that scored ``score`` and came ``seconds_late``
    seconds after the student's due date; 0 when none (on time, within the grace period, no
    policy)."""
    if not policy or seconds_late <= 0:
        return 0.0
    late = seconds_late - 60 * float(policy.get("grace_minutes") or 0)
    if late <= 0 or policy["kind"] == "none":
        return 0.0
    if policy["kind"] == "zero":
        return float(score or 0)
    units = math.ceil(late / UNIT_SECONDS[policy["kind"]])
    penalty = units * float(policy["points"])
    if policy.get("cap") is not None:
        penalty = min(penalty, float(policy["cap"]))
    return min(penalty, float(score or 0))


class Deadlines(Configurable):
    """Each assignment's due date and late policy, set in the course's nbgrader_config.py."""

    due_dates = Dict(
        value_trait=Unicode(),
        default_value={},
        help="Each assignment's due date, {assignment: ISO 8601 time WITH its UTC offset}, e.g. "
        "{'dnn_step_by_step': '2026-12-01T23:59:00+01:00'}. Grading stores it as the gradebook's "
        "Assignment.duedate (nbgrader measures lateness from it and the student's extension, "
        "`dnngrader deadlines extend`). An assignment not named keeps the gradebook's due date.",
    ).tag(config=True)

    late_policies = Dict(
        value_trait=Dict(),
        default_value={},
        help="Each assignment's late policy, {assignment: policy}: {'kind': 'none'}; {'kind': 'per_hour' "
        "or 'per_day', 'points': P, 'cap': C} (P points off each notebook per hour or day started, "
        "at most C); {'kind': 'zero'} (a late notebook scores 0). Any of them may add "
        "'grace_minutes': G (up to G minutes late is not late; hours and days count from then). "
        "An assignment not named keeps nbgrader's c.LateSubmissionPlugin.penalty_method ('none' by "
        "default: no penalty). Used through "
        "c.AssignLatePenalties.plugin_class = 'dnngrader.plugins.deadlines.LatePolicy'.",
    ).tag(config=True)

    timezone = Unicode(
        "UTC",
        help="The IANA time zone the feedback states the submission time and due date in (e.g. "
        "'Europe/Berlin'); `dnngrader validate` shows a student's due date in her own zone.",
    ).tag(config=True)

    @validate("due_dates")
    def _check_due_dates(self, proposal):
        for assignment, text in proposal["value"].items():
            try:
                parse_due(text)
            except ValueError as error:
                raise TraitError(f"Deadlines.due_dates[{assignment!r}]: {error}") from None
        return proposal["value"]

    @validate("late_policies")
    def _check_policies(self, proposal):
        for assignment, policy in proposal["value"].items():
            try:
                check_policy(policy)
            except ValueError as error:
                raise TraitError(f"Deadlines.late_policies[{assignment!r}]: {error}") from None
        return proposal["value"]

    @validate("timezone")
    def _check_timezone(self, proposal):
        try:
            time_zone(proposal["value"])
        except TimestampError as error:
            raise TraitError(f"Deadlines.timezone: {error}") from None
        return proposal["value"]

    def due(self, assignment):
        """The configured due date of ``assignment`` (aware, UTC), or None."""
        text = self.due_dates.get(assignment)
        return parse_due(text) if text else None

    def policy(self, assignment):
        """The late policy of ``assignment``: the one of ``late_policies``, or else nbgrader's own
        (``c.LateSubmissionPlugin.penalty_method``: 'none' or 'zero') as a policy."""
        if assignment in self.late_policies:
            return self.late_policies[assignment]
        return {"kind": LateSubmissionPlugin(config=self.config).penalty_method}

    def local(self, moment):
        """``moment`` (naive UTC, as nbgrader keeps times, or aware) in ``timezone``, as text."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(time_zone(self.timezone)).strftime("%Y-%m-%d %H:%M %Z (UTC%z)")


def naive_utc(moment):
    """An aware datetime as nbgrader's gradebook keeps times: naive, in UTC."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def store_due_dates(config, db_url, course_id):
    """Write every due date of ``config``'s Deadlines to the gradebook at ``db_url`` (the
    assignments it knows); returns {assignment: due date stored} (naive UTC)."""
    deadlines = Deadlines(config=config)
    stored = {}
    with Gradebook(db_url, course_id) as gradebook:
        for assignment in deadlines.due_dates:
            try:
                found = gradebook.find_assignment(assignment)
            except MissingEntry:
                continue
            due = naive_utc(deadlines.due(assignment))
            if found.duedate != due:
                found.duedate = due
            stored[assignment] = due
        gradebook.db.commit()
    return stored


class StoreDueDate(NbGraderPreprocessor):
    """Autograde preprocessor: the gradebook's due date of the assignment becomes the one of
    ``Deadlines.due_dates`` (when that names it), before nbgrader's AssignLatePenalties runs."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        due = Deadlines(config=self.config).due(info["assignment"])
        if due is not None:
            with Gradebook(info["db_url"], CourseDirectory(config=self.config).course_id) as gradebook:
                assignment = gradebook.find_assignment(info["assignment"])
                if assignment.duedate != naive_utc(due):
                    assignment.duedate = naive_utc(due)
                    gradebook.db.commit()
        return nb, resources


class LatePolicy(LateSubmissionPlugin):
    """nbgrader's late-submission plugin, applying the assignment's ``Deadlines.late_policies``.

    nbgrader's AssignLatePenalties creates it (its parent) for each notebook and asks for the
    penalty of a notebook ``total_seconds_late`` after the student's due date."""

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        """The points taken off ``score``, or None for no penalty."""
        assignment = getattr(self.parent, "assignment_id", None)
        policy = Deadlines(config=self.config).policy(assignment)
        penalty = penalty_for(policy, score, total_seconds_late)
        self.log.info(
            "%s, %s: %.0f s late, policy: %s; penalty %s",
            student_id,
            assignment,
            total_seconds_late,
            describe_policy(policy),
            penalty,
        )
        return penalty or None


def lateness_lines(deadlines, submission, notebook):
    """What the feedback says about the submission's time: Markdown lines.  ``submission`` is
    the gradebook's SubmittedAssignment, ``notebook`` its SubmittedNotebook."""
    lines = []
    if submission.timestamp is not None:
        lines.append(f"- Submitted: {deadlines.local(submission.timestamp)}")
    else:
        lines.append("- Submitted: no submission time was recorded; graded as on time")
    due = submission.duedate
    if due is None:
        lines.append("- Due: no due date")
    else:
        text = f"- Due: {deadlines.local(due)}"
        if submission.extension:
            hours = submission.extension.total_seconds() / 3600
            text += (
                f" (with your extension of {hours:g} hours; the class's: "
                f"{deadlines.local(submission.assignment.duedate)})"
            )
        lines.append(text)
        late = submission.total_seconds_late
        if late > 0:
            lines.append(f"- Late by {_duration(late)}")
        else:
            lines.append("- On time")
    lines.append(f"- Late policy: {describe_policy(deadlines.policy(submission.assignment.name))}")
    penalty = notebook.late_submission_penalty or 0
    lines.append(
        f"- Late penalty applied: {penalty:g} points"
        + (f" (score {notebook.score - penalty:g} of {notebook.max_score:g} after it)" if penalty else "")
    )
    return lines


def _duration(seconds):
    minutes = math.ceil(seconds / 60)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{minutes} min"] * bool(minutes)
    return " ".join(parts) or "0 min"


class StateLateness(NbGraderPreprocessor):
    """Feedback preprocessor: a cell at the top of the feedback stating the submission time, the
    due date (with the student's extension) and the late penalty applied.  Added when the
    assignment has a due date (configured or in the gradebook) or a late policy."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        deadlines = Deadlines(config=self.config)
        nb.cells = [cell for cell in nb.cells if not cell.get("metadata", {}).get(CELL_MARK)]
        with Gradebook(info["db_url"], CourseDirectory(config=self.config).course_id) as gradebook:
            try:
                submission = gradebook.find_submission(info["assignment"], info["student"])
                notebook = gradebook.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            except MissingEntry:
                return nb, resources
            if submission.assignment.duedate is None and info["assignment"] not in deadlines.late_policies:
                return nb, resources
            lines = lateness_lines(deadlines, submission, notebook)
        cell = new_markdown_cell("**Submission time and due date**\n\n" + "\n".join(lines))
        cell.metadata[CELL_MARK] = True
        nb.cells.insert(0, cell)
        return nb, resources
