"""A scan of a student's code cell for code aimed at the grader rather than at the exercise.

The ten functions need NumPy and the provided helpers, nothing else.  Code that reaches for the
file system, the interpreter's internals, IPython's hooks or the grader's own modules is no part
of a solution, so it is reported for the instructor to look at.  A tripwire, not a defence: the
grade never depends on it, and a determined student can disguise such code.

A cell the student received (a given cell they edited, or an answer cell) is scanned against the
released cell it came from: what the release itself holds (the notebook's own ``os.path`` or
``os.environ``, say) is the course's code, not the student's, so only what the student wrote is
reported.
"""

import ast
import functools

from IPython.core.inputtransformer2 import TransformerManager

from dnngrader.kernel import notebook

GRADER_MODULES = {
    "dnngrader",
    *notebook.CHECKING,
    "nbgrader",
    "nbformat",
    "nbclient",
    "nbconvert",
    "IPython",
    "ipykernel",
    "jupyter_client",
}
SYSTEM_MODULES = {
    "os",
    "subprocess",
    "socket",
    "shutil",
    "pathlib",
    "glob",
    "gc",
    "inspect",
    "importlib",
    "ctypes",
    "signal",
    "resource",
    "builtins",
    "atexit",
    "threading",
    "multiprocessing",
    "urllib",
    "http",
    "requests",
    "pty",
    "site",
}
# sys is fine for printing to sys.stderr; these parts of it are not.
SYS_ATTRIBUTES = {
    "exit",
    "modules",
    "path",
    "excepthook",
    "displayhook",
    "settrace",
    "setprofile",
    "_getframe",
    "meta_path",
    "path_hooks",
    "addaudithook",
}
CALLS = {
    "exec",
    "eval",
    "compile",
    "__import__",
    "open",
    "exit",
    "quit",
    "globals",
    "vars",
    "setattr",
    "delattr",
    "get_ipython",
}
DUNDERS = {
    "__globals__",
    "__code__",
    "__closure__",
    "__builtins__",
    "__subclasses__",
    "__import__",
    "__loader__",
    "__spec__",
}
# Hooks through which IPython or Python report (or hide) errors.
ERROR_HOOKS = {"set_custom_exc", "showtraceback", "showsyntaxerror", "_showtraceback", "excepthook"}
# Names of the checks a test cell uses; a student cell has no business redefining them.
CHECKERS = {"check", "run_hidden_tests", "compare", "compare_returned", "visible_case"}
# Modules whose attributes a student cell has no business replacing.
PATCHABLE = {"numpy", *notebook.MODULES, "builtins", "sys", "os", "IPython", "dnngrader", "math", "signal"}
# Methods that make an object lie about what it is or how it compares.
LYING_METHODS = {
    "__eq__",
    "__ne__",
    "__array_ufunc__",
    "__array_function__",
    "__array_finalize__",
    "__array__",
    "__float__",
    "__bool__",
    "__instancecheck__",
}
GRADER_WORDS = (
    "dnngrader",
    "source/",
    ".ipynb",
    "gradebook",
    "autograded",
    "NBGRADER",
    "run_hidden_tests",
    "x-dnngrader",
)
HARMLESS_MAGICS = {"time", "timeit", "matplotlib", "load_ext", "autoreload", "precision"}


def suspicious(source, given=None):
    """[(line, what)] for each kind of suspicious code in a cell, at its first occurrence.

    given -- the source of the released cell this cell came from, or None for a cell the student
             added.  Suspicious code that is also in ``given`` came with the assignment and is
             left out, wherever the student moved it or whatever they changed around it: only
             code the student wrote or changed is reported.
    """
    found = _scan(source)
    if found is None:
        return []  # it does not run either
    released = _findings_of(given) if given is not None else frozenset()
    first = {}
    for what, line, key in found:
        if (what, key) not in released and line < first.get(what, line + 1):
            first[what] = line
    return sorted((line, what) for what, line in first.items())


def _scan(source):
    """[(what, line, key)] for every occurrence of suspicious code in ``source``, or None when it
    does not parse.  ``key`` is the AST of the code that made the finding, without positions: the
    same code gives the same key wherever it stands."""
    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None
    scanner = _Scanner()
    scanner.visit(tree)
    return scanner.found


@functools.lru_cache(maxsize=1024)
def _findings_of(given):
    """{(what, key)} of a released cell's source; kept, since every submission is scanned
    against the same released cells."""
    return frozenset((what, key) for what, _, key in _scan(given) or [])


class _Scanner(ast.NodeVisitor):
    def __init__(self):
        self.found = []  # (what, line, key) for every occurrence
        self.aliases = {"np": "numpy"}
        self.harmless = set()  # ids of get_ipython() calls that only run a harmless magic
        # ids of attributes inside a dotted name already reported whole (os.path in os.path.join):
        # the finding is the whole name, so that a released os.path.basename does not cover a
        # student's os.path.exists.
        self.inner = set()

    def report(self, node, what):
        self.found.append((what, getattr(node, "lineno", 0), ast.dump(node)))

    def dotted(self, node):
        """'numpy.testing.assert_allclose' for np.testing.assert_allclose, or None."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name):
            root = self.aliases.get(node.id, node.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "get_ipython":
            root = "get_ipython()"
        else:
            return None
        return ".".join([root] + parts[::-1])

    def check_module(self, node, module):
        top = module.split(".")[0]
        if top in GRADER_MODULES:
            self.report(node, f"imports {module}, part of the grading machinery")
        elif top in SYSTEM_MODULES:
            self.report(node, f"imports {module}, which the exercise does not need")

    def visit_Import(self, node):
        for alias in node.names:
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:  # `import os.path` binds the name os
                self.aliases[alias.name.split(".")[0]] = alias.name.split(".")[0]
            self.check_module(node, alias.name)
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        module = node.module or ""
        names = [alias.name for alias in node.names]
        if not (module in notebook.CHECKING and names == ["check"]):  # a check cell of its own
            self.check_module(node, module)
        for alias in node.names:
            self.aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
        if module == "sys" and SYS_ATTRIBUTES & set(names):
            self.report(node, f"imports sys.{sorted(SYS_ATTRIBUTES & set(names))[0]}")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        covered = id(node) in self.inner
        name = None if covered else self.dotted(node)
        if node.attr in DUNDERS or node.attr in ERROR_HOOKS:
            self.report(node, f"uses {node.attr}")
        elif name and name.startswith("sys.") and name.split(".")[1] in SYS_ATTRIBUTES:
            self.report(node, f"uses sys.{name.split('.')[1]}")
            covered = True
        elif name and name.startswith("os."):
            self.report(node, f"uses os.{name.split('.')[1]}")
            covered = True
        if covered and isinstance(node.value, ast.Attribute):
            self.inner.add(id(node.value))
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id == "__builtins__":
            self.report(node, "uses __builtins__")

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Name) and func.id in CALLS:
            if func.id != "get_ipython":
                self.report(node, f"calls {func.id}()")
            elif id(node) not in self.harmless:
                self.report(node, "uses get_ipython(), IPython's control of the kernel")
        name = self.dotted(func) if isinstance(func, ast.Attribute) else None
        if name and name.startswith("get_ipython()."):
            method = name.split(".")[1]
            magic = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
            if method in ("run_line_magic", "run_cell_magic") and magic in HARMLESS_MAGICS:
                self.harmless.add(id(func.value))
            elif method in ("system", "getoutput"):
                self.report(node, "runs a shell command")
                self.harmless.add(id(func.value))
            elif isinstance(func.value, ast.Call):
                # Reported with the whole call, arguments and all: a bare get_ipython() is the
                # same code everywhere, so a released use of it would cover any other.
                self.report(node, "uses get_ipython(), IPython's control of the kernel")
                self.harmless.add(id(func.value))
        self.generic_visit(node)

    def check_target(self, target):
        name = self.dotted(target) if isinstance(target, ast.Attribute) else None
        if name and name.split(".")[0] in PATCHABLE:
            self.report(target, f"changes {name}")
        elif isinstance(target, ast.Name) and target.id in CHECKERS:
            self.report(target, f"replaces the grader's {target.id}")
        elif isinstance(target, (ast.Tuple, ast.List)):
            for item in target.elts:
                self.check_target(item)

    def visit_Assign(self, node):
        for target in node.targets:
            self.check_target(target)
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self.check_target(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node):
        for target in node.targets:
            self.check_target(target)
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        if node.name in CHECKERS:
            self.report(node, f"replaces the grader's {node.name}")
        self.generic_visit(node)

    def visit_ClassDef(self, node):
        bases = {self.dotted(base) for base in node.bases}
        methods = {item.name for item in node.body if isinstance(item, ast.FunctionDef)}
        if "numpy.ndarray" in bases:
            self.report(node, f"defines {node.name}, a subclass of numpy.ndarray")
        elif methods & LYING_METHODS:
            self.report(node, f"defines {node.name}, which overrides {sorted(methods & LYING_METHODS)[0]}")
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and any(word in node.value for word in GRADER_WORDS):
            self.report(node, "refers to the grader's files or modules")
