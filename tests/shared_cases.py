"""The submissions replayed from public reports, in shared/cases/<batch>/ beside the repository
(in CI, a copy of shared/ next to the clone): 2026-12/ and 2026-12-06/, each with a README."""

import pytest

from dnngrader.paths import COURSE_ROOT

SHARED_CASES = COURSE_ROOT.parent / "shared" / "cases"
CASES = SHARED_CASES / "2026-12"
DECEMBER_6 = SHARED_CASES / "2026-12-06"


def case(name, batch=CASES):
    """The path of a file or folder of the cases of ``batch`` (default: 2026-12/); the test fails,
    saying where, when it is absent."""
    path = batch / name
    if not path.exists():
        pytest.fail(f"{path} is missing: these tests read the cases from shared/cases/{batch.name}/ "
                    f"next to the repository ({SHARED_CASES.parent.parent}); in CI, copy shared/ beside "
                    "the clone.", pytrace=False)
    return path
