"""The install files agree with each other and name what the kit needs."""

import re

from dnngrader.paths import COURSE_ROOT


def pins(lines):
    found = {}
    for line in lines:
        match = re.match(r"^\s*-?\s*([A-Za-z0-9_.\-]+)==([^\s#]+)", line)
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def test_environment_yml_and_requirements_name_the_same_packages_and_versions():
    requirements = pins((COURSE_ROOT / "requirements.txt").read_text().splitlines())
    environment = pins((COURSE_ROOT / "environment.yml").read_text().splitlines())
    assert requirements == environment
    assert {"numpy", "jupyterlab", "nbgrader", "matplotlib", "h5py", "pytest"} <= set(requirements)


def test_constraints_pin_the_requirements_at_the_same_versions():
    requirements = pins((COURSE_ROOT / "requirements.txt").read_text().splitlines())
    constraints = pins((COURSE_ROOT / "constraints.txt").read_text().splitlines())
    for name, version in requirements.items():
        assert constraints.get(name) == version, name


def test_ci_runs_the_readme_test_command():
    assert "make test" in (COURSE_ROOT / ".ci" / "run").read_text()
    readme = (COURSE_ROOT / "README.md").read_text()
    assert readme.index("make demo") < readme.index("make test") < 2000
