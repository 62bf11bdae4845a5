"""``python -m dnngrader ...``: the same as the ``dnngrader`` command (dnngrader/cli.py)."""

import sys

from dnngrader.cli import main

# Guarded: a process started with multiprocessing's "spawn" imports the parent's __main__ again.
if __name__ == "__main__":
    sys.exit(main())
