"""The commands an instructor (and a student) runs, behind the Makefile's targets.

- ``build``: regenerate every generated file and release (`make release`), or check them;
- ``validate``: run a notebook as a student's runs and report its visible checks (`make validate`);
- ``student_config``: the student's side of the course, JupyterLab and its exchange (`make lab`);
- ``classroom``: the students' repository template, made from the release;
- ``demo``, ``samples``, ``course``: the main job on sample submissions in a scratch course;
- ``catalogue``, ``grading_report``: every catalogued answer graded by real nbgrader, and how
  well the judge did (`make grading-report`).
"""
