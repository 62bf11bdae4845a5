"""The kernel side of the kit: everything that runs in a student's or a grading kernel.

- ``notebook/``: the modules a notebook imports from its own folder (the visible checks, the
  seeded and practice cases, the activations, the second assignment's data and helpers, the
  hidden tests' hook), copied there by `make release`;
- ``runtime``: the hidden tests' kernel side, called by the hook: runs the student's function on
  the cases the grader handed over (``delivery``) and sends the raw results out (``payload``);
- ``lending``: the reference functions made strict, as a student's function is lent them;
- ``template``: the process that forks fresh grading kernels (dnngrader/batch/forked_kernels.py).

A grading sandbox mounts this folder and the package's __init__.py, nothing else of the kit
(dnngrader/plugins/sandbox.py).  Nothing here imports the rest of the kit (.importlinter),
except the runtime's judging in the kernel where no grader is (the instructor's notebook).
"""
