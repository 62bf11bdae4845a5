"""Class-scale grading on Dask: `make grade`.

- ``grade``: the command: find the submissions, grade each on the cluster, write the gradebook,
  feedback and reports;
- ``cluster``: a local Dask cluster or the instructor's, one task per submission, retries when a
  worker dies;
- ``plan``: what a worker needs, as data (no shared file system);
- ``worker``: nbgrader's own Autograde and GenerateFeedback run on a worker, in a scratch course;
- ``forked_kernels``: fresh (sandboxed) kernels forked from a warm template (kernel/template.py);
- ``speedups``, ``gradebook_access``: work done once per worker; SQLite writers taking turns;
- ``results``, ``submissions``: results written into the course once; what is left to grade;
- ``analytics``, ``mistakes``: the class at a glance and its classic mistakes;
- ``progress``, ``timing``, ``snapshot``, ``bench``: progress bar, where time goes, gradebooks
  compared, stock nbgrader against the kit.
"""
