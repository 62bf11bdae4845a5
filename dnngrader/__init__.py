"""The course kit's grading code, in layers; each depends only on the ones above it.

- ``paths``: where things live in the course directory;
- ``assignments/``: the assignments' content, a folder each (test plan, reference, hints), and
  the registry that finds them;
- ``judge/``: a student's function run in the kernel, its verdict given outside it;
- ``plugins/``: the nbgrader plug-ins (preprocessors, sandboxed execution, hooks, export);
- ``batch/``: a whole class graded on Dask (`make grade`, `make bench`);
- ``tools/``: the instructor's commands (`make release`, `make validate`, `make demo`, ...);
- ``application``: `dnngrader application-reference`, the second assignment's reference figures.
"""
