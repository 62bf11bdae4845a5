"""A worker's result, written into the course: the grading command is the only writer.

Workers grade in scratch courses of their own and send back data (worker.grade_task); this
writes it where ``nbgrader autograde`` would have put it, so the course ends as sequential
grading in place leaves it:
- the student's rows of the gradebook, in one transaction: what nbgrader's Autograde sets
  (the submission time; each notebook's flag and late penalty; each grade's automatic score and
  whether it needs manual grading; each comment's automatic comment), never what an instructor
  sets (manual scores and comments, extra credit, extensions, the student's name).  A flag is
  only ever added, as ReportFindings does;
- then the autograded folder (nbgrader removes it when grading fails), then the feedback folder.
So a run killed between the two finds the submission not done (submissions.GradingState) and
grades it again.  Each student is written at most once per run: a second result for the same
student (Dask may run a task again after a worker was lost) is ignored.
"""

from nbgrader.api import Comment, Grade, MissingEntry, Student, SubmittedAssignment, SubmittedNotebook

from dnngrader.batch import plan


class ResultWriter:
    """Writes results into the course of ``coursedir`` and its open ``gradebook``."""

    def __init__(self, coursedir, gradebook):
        self.coursedir, self.gradebook = coursedir, gradebook
        self.assignment = coursedir.assignment_id
        self.written = set()

    def _new_submission(self, student):
        """The rows nbgrader's add_submission makes, added to the session but not committed:
        (submission, {notebook name: (notebook row, {grade name: row}, {comment name: row})})."""
        session = self.gradebook.db
        if session.get(Student, student) is None:
            session.add(Student(id=student))
        assignment = self.gradebook.find_assignment(self.assignment)
        submission = SubmittedAssignment(assignment_id=assignment.id, student_id=student)
        rows = {}
        for notebook in assignment.notebooks:
            submitted = SubmittedNotebook(notebook_id=notebook.id, assignment=submission)
            grades, comments = {}, {}
            for cell in notebook.grade_cells:
                grades[cell.name] = Grade(cell_id=cell.id, notebook=submitted)
            for cell in notebook.solution_cells:
                comments[cell.name] = Comment(cell_id=cell.id, notebook=submitted)
            for cell in notebook.task_cells:
                comments[cell.name] = Comment(cell_id=cell.id, notebook=submitted)
                grades[cell.name] = Grade(cell_id=cell.id, notebook=submitted)
            rows[notebook.name] = (submitted, grades, comments)
        session.add(submission)
        return submission, rows

    def _rows(self, student):
        try:
            submission = self.gradebook.find_submission(self.assignment, student)
        except MissingEntry:
            return self._new_submission(student)
        rows = {}
        for notebook in submission.notebooks:
            names = plan.cell_names(notebook)
            rows[notebook.notebook.name] = (
                notebook,
                {names[grade.cell_id]: grade for grade in notebook.grades},
                {names[comment.cell_id]: comment for comment in notebook.comments},
            )
        return submission, rows

    def write_rows(self, student, state):
        """The student's gradebook rows as ``state`` (plan.student_state) has them, in one
        transaction (see the module docstring for which fields)."""
        session = self.gradebook.db
        try:
            submission, rows = self._rows(student)
            submission.timestamp = plan.moment(state["timestamp"])
            for name, (notebook, grades, comments) in rows.items():
                saved = state["notebooks"].get(name)
                if saved is None:
                    continue
                notebook.flagged = bool(notebook.flagged) or saved["flagged"]
                notebook.late_submission_penalty = saved["late_submission_penalty"]
                for grade_name, grade in grades.items():
                    values = saved["grades"].get(grade_name)
                    if values is not None:
                        grade.auto_score = values["auto_score"]
                        grade.needs_manual_grade = values["needs_manual_grade"]
                for comment_name, comment in comments.items():
                    values = saved["comments"].get(comment_name)
                    if values is not None:
                        comment.auto_comment = values["auto_comment"]
            session.commit()
        except BaseException:
            session.rollback()
            raise

    def _folder(self, step, student):
        return self.coursedir.format_path(step, student, self.assignment)

    def write(self, result):
        """Write ``result`` into the course; returns it (marked failed if it could not be
        written), or None when a result for this student was already written in this run."""
        student = result["student"]
        if student in self.written:
            return None
        self.written.add(student)
        try:
            if result.get("state") is not None:
                self.write_rows(student, result["state"])
            for step, key in (
                (self.coursedir.autograded_directory, "autograded"),
                (self.coursedir.feedback_directory, "feedback"),
            ):
                files = result.get(key)
                if files:
                    plan.write_folder(files, self._folder(step, student))
                elif files is not None:  # the step ran and failed: nbgrader leaves no folder
                    plan.remove_folder(self._folder(step, student))
        except Exception as error:
            what = (str(error).strip().splitlines() or [""])[0][:300]
            result = {
                **result,
                "ok": False,
                "reason": f"its results could not be written into the course: {type(error).__name__}: {what}",
                "log": result.get("log", "") + f"\n[ERROR] writing the results failed: {error!r}\n",
            }
        return result
