"""The submissions replayed from public reports, in shared/cases/ beside the repository (in CI, a
copy of shared/ next to the clone): the December 2026 cases in shared/cases/2026-12/, and those
of the second assignment reported on 6 December 2026 in shared/cases/2026-12-06/."""

import pytest

from dnngrader.paths import COURSE_ROOT

CASES = COURSE_ROOT.parent / "shared" / "cases" / "2026-12"
APPLICATION_CASES = COURSE_ROOT.parent / "shared" / "cases" / "2026-12-06"


def _in(folder, name, which):
    path = folder / name
    if not path.exists():
        pytest.fail(
            f"{path} is missing: these tests read {which} from shared/cases/{folder.name}/ "
            f"next to the repository ({folder.parents[2]}); in CI, copy shared/ beside the clone.",
            pytrace=False,
        )
    return path


def case(name):
    """The path of a file or folder of the cases; the test fails, saying where, when it is absent."""
    return _in(CASES, name, "the December 2026 cases")


def application_case(name):
    """The path of a file of the second assignment's cases of 6 December 2026; the test fails,
    saying where, when it is absent."""
    return _in(APPLICATION_CASES, name, "the second assignment's cases of 6 December 2026")
