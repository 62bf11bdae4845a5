"""The kit's import contracts (issue 21): written down in .importlinter and checked with
import-linter, so a change that makes a lower layer reach up fails the suite.

- The judge, the assignments and the nbgrader plug-ins import neither class-scale grading
  (batch/), the tools nor the command (cli.py).
- The payload codec, which grading kernels use, imports nothing of the kit.
- The course's student-facing modules (released beside every notebook, where the grader's
  package is not) import nothing of the grader: checked here by reading their imports, as
  import-linter analyses packages only.
"""

import ast
import subprocess
import sys
from pathlib import Path

from dnngrader.paths import COURSE_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
STUDENT_MODULES = [COURSE_ROOT / name for name in ("dnn_checks.py", "test_cases.py", "dnn_utils.py")] + sorted(
    (COURSE_ROOT / "source" / "dnn_application").glob("dnn_app_*.py"))


def lint_imports(config):
    return subprocess.run([str(LINT_IMPORTS), "--config", str(config), "--no-cache"], cwd=COURSE_ROOT,
                          capture_output=True, text=True, timeout=300)


def test_the_import_contracts_are_kept():
    done = lint_imports(COURSE_ROOT / ".importlinter")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_a_broken_contract_fails(tmp_path):
    """The check can fail: a contract the code breaks (the judge imports the assignments'
    plans) is reported broken, with a non-zero exit."""
    config = tmp_path / "broken.ini"
    config.write_text("[importlinter]\nroot_package = dnngrader\n\n"
                      "[importlinter:contract:broken]\nname = the judge alone\ntype = forbidden\n"
                      "source_modules =\n    dnngrader.judge.verdict\n"
                      "forbidden_modules =\n    dnngrader.assignments\n")
    done = lint_imports(config)
    assert done.returncode != 0 and "BROKEN" in done.stdout, done.stdout[-3000:]


def _imported(path):
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_student_facing_modules_import_nothing_of_the_grader():
    assert len(STUDENT_MODULES) > 3
    reaching = {path.name: sorted(name for name in _imported(path) if name.split(".")[0] == "dnngrader")
                for path in STUDENT_MODULES}
    assert not any(reaching.values()), reaching
