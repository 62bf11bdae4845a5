"""The documentation site (mkdocs.yml, docs/, README.md as its front page) builds in strict mode,
as `make docs` builds it: a warning, a broken link or anchor, a page missing from the nav or a
nav entry without a page fails the build.  The strictness itself is checked too: a copy of the
documentation with one such fault must fail.  Each build takes a second or two.
"""

import re
import shutil
import subprocess
import sys

import pytest

from dnngrader.paths import COURSE_ROOT

README_LINES = 150  # the README is a front page, not a manual (issue 20)


def build(root, site):
    """`mkdocs build --strict` of the documentation in ``root`` into ``site``."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(root / "mkdocs.yml"),
            "--site-dir",
            str(site),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_of_documentation(into):
    into.mkdir()
    shutil.copy(COURSE_ROOT / "mkdocs.yml", into / "mkdocs.yml")
    shutil.copy(COURSE_ROOT / "README.md", into / "README.md")
    shutil.copytree(COURSE_ROOT / "docs", into / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    return into


def test_the_site_builds_strictly_with_the_readme_as_its_front_page(tmp_path):
    done = build(COURSE_ROOT, tmp_path / "site")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    front = (tmp_path / "site" / "index.html").read_text()
    title = (COURSE_ROOT / "README.md").read_text().splitlines()[0].lstrip("# ").split(":")[0]
    assert title in front
    # The README's links into docs/ work on the site: they lead to the audiences' pages.
    for audience in ("students", "instructors", "administrators", "authors", "reference"):
        assert f'href="{audience}/"' in front, audience
        assert (tmp_path / "site" / audience / "index.html").is_file(), audience
    assert 'src="screenshots/student-check-passed.png"' in front
    assert (tmp_path / "site" / "screenshots" / "student-check-passed.png").is_file()


def test_every_page_is_in_the_nav():
    nav = (COURSE_ROOT / "mkdocs.yml").read_text().split("\nnav:\n", 1)[1]
    listed = set(re.findall(r"([\w/-]+\.md)\s*$", nav, re.M))
    pages = {str(path.relative_to(COURSE_ROOT / "docs")) for path in (COURSE_ROOT / "docs").rglob("*.md")}
    assert pages | {"index.md"} == listed  # index.md is the README (docs/hooks/readme_as_home.py)


def test_the_readme_is_a_front_page():
    readme = (COURSE_ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= README_LINES
    assert "make demo" in readme and "make test" in readme and "make docs" in readme
    for audience in ("students", "instructors", "administrators", "authors", "reference"):
        assert f"(docs/{audience}/index.md)" in readme, audience
    assert "(docs/measurements.md)" in readme


@pytest.mark.parametrize(
    "fault", ["broken link", "broken anchor", "page missing from the nav", "broken link in the README"]
)
def test_a_fault_fails_the_build(tmp_path, fault):
    root = copy_of_documentation(tmp_path / "docs-copy")
    page = root / "docs" / "students" / "checking.md"
    if fault == "broken link":
        page.write_text(page.read_text() + "\nSee [nowhere](no-such-page.md).\n")
    elif fault == "broken anchor":
        page.write_text(page.read_text() + "\nSee [a section](submitting.md#no-such-section).\n")
    elif fault == "page missing from the nav":
        (root / "docs" / "students" / "orphan.md").write_text("# A page nobody links to\n")
    else:
        readme = root / "README.md"
        readme.write_text(readme.read_text() + "\nSee [nowhere](docs/no-such-page.md).\n")
    done = build(root, tmp_path / "site")
    assert done.returncode != 0, f"{fault}: the build passed\n{done.stderr}"
    said = done.stdout + done.stderr
    assert "WARNING" in said and "strict mode" in said, said
