"""``dnngrader application-reference --data DIR [--json]``: train the second assignment's two
reference models on the data files in DIR and report their figures (the command the course's
issue names; the code is dnngrader/assignments/dnn_application/__main__.py)."""

import sys

from dnngrader.assignments.dnn_application.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
