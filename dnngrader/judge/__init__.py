"""The judge: a student's function runs in the kernel, its verdict is given outside it.

- ``runtime``: the kernel side of a hidden test cell: call the student's function on each case,
  under time limits, with the reference versions of its callees lent;
- ``delivery``: what the grader hands the kernel before a test cell (the cases' inputs, the
  callees' sources), so the kernel never reads a solution;
- ``payload``: what the function returned, carried out of the kernel as plain JSON;
- ``verdict``: compare what came back with the reference, case by case, and explain the difference;
- ``routes``: other correct answers (inputs the contract rules out) the verdict accepts.

A grading kernel imports runtime, delivery and payload only (plugins/sandbox.py mounts nothing
else of the kit into the sandbox).
"""
