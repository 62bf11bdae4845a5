"""The kit's nbgrader plug-ins, wired in by nbgrader_config.py: what `nbgrader autograde`, the
formgrader and `nbgrader export` run for every submission, whichever way it is graded.

- ``hooks``: a look at each submission folder before it is graded (timestamps, stray files);
- ``sanitize``, ``codescan``: clean a notebook before it runs and flag code aimed at the grader;
- ``overwrite``: the released cells put back as released;
- ``execute``: nbgrader's Execute preprocessor made to survive crashes, loops and memory blow-ups,
  handing each test cell its inputs (judge/delivery.py);
- ``sandbox``: the bubblewrap sandbox every grading kernel runs in;
- ``preprocessors``: the judge's verdicts written into the test cells' grades and outputs;
- ``findings``: what the grader noticed besides scores (flags, notes), kept in cell metadata;
- ``timestamps``, ``lms``: submission times read, never guessed; LMS zip collection;
- ``export``: the grade sheet, one row per student (``nbgrader export``).
"""
