"""The submissions replayed from public reports, in shared/cases/2026-12/ beside the repository
(in CI, a copy of shared/ next to the clone)."""

import pytest

from dnngrader.paths import COURSE_ROOT

CASES = COURSE_ROOT.parent / "shared" / "cases" / "2026-12"


def case(name):
    """The path of a file or folder of the cases; the test fails, saying where, when it is absent."""
    path = CASES / name
    if not path.exists():
        pytest.fail(f"{path} is missing: these tests read the December 2026 cases from shared/cases/2026-12/ "
                    f"next to the repository ({CASES.parents[2]}); in CI, copy shared/ beside the clone.",
                    pytrace=False)
    return path
