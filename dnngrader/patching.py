"""The kit's changes to other libraries' internals, each applied only to the versions it was
written and tested for.

Where nbgrader, nbconvert or jupyter_client offer no public way to do what the kit needs, the
kit replaces or overrides one of their internals (a module global, a private method).  Each such
change is declared here as a ``Patch``: what it changes, and for each library it relies on, the
range of versions it was written and tested for (a PEP 440 specifier; the pinned versions are in
constraints.txt).  The code that makes the change asks ``patch.applies()`` first:

- inside every range, the change is made;
- outside one, the library is left as it is (stock behaviour: grading stays correct, only
  slower or less forgiving) and one warning, a ``PatchRefused``, names the library, the version
  installed and the range, once per process for each library and range;
- with the environment variable ``DNNGRADER_NO_PATCHES=1`` (read here, in ``all_refused``), every
  patch is refused, whatever the versions: the tests grade a class that way and compare the
  gradebook with stock nbgrader's.

docs/authors/patches.md lists the patches, why each exists and its range.
"""

import functools
import importlib.metadata
import os
import warnings

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

NO_PATCHES_VARIABLE = "DNNGRADER_NO_PATCHES"

# The versions each library's patches were written and tested for: the minor release series of
# the version constraints.txt pins (patch releases keep internals; a minor one may not).  Widen
# a range only after the suite passes with the new version.
TESTED = {
    "nbgrader": ">=0.9.6,<0.10",
    "nbconvert": ">=7.17,<7.18",
    "jupyter_client": ">=8.10,<8.11",
    "SQLAlchemy": ">=2.0.58,<2.1",
}

DECLARED = []  # every Patch made in this process, in the order their modules were imported
_warned = set()  # (library, version, range), or the variable's name: the warnings given


class PatchRefused(UserWarning):
    """A patch of a library's internals was not applied: the library is left as it is."""


def all_refused():
    """Whether every patch is refused: ``DNNGRADER_NO_PATCHES`` is set to 1, yes or true."""
    return os.environ.get(NO_PATCHES_VARIABLE, "").strip().lower() in ("1", "yes", "true")


@functools.cache
def installed_version(library):
    """The version of the distribution ``library`` installed here (a str), or None without one.
    Read once per process: ``Patch.applies`` is asked for every kernel and every exporter, and
    each reading scans the environment's installed distributions (about 25 readings and 0.05 s
    per graded submission before it was kept)."""
    try:
        return importlib.metadata.version(library)
    except importlib.metadata.PackageNotFoundError:
        return None


@functools.cache
def _inside(version, tested):
    try:
        return version is not None and Version(version) in SpecifierSet(tested)
    except InvalidVersion:
        return False


def _warn_once(key, message):
    if key not in _warned:
        _warned.add(key)
        warnings.warn(message, PatchRefused, stacklevel=4)


class Patch:
    """One change to other libraries' internals: ``what`` says, in a few words, what it
    replaces; ``libraries`` are the distributions it relies on (names as pip knows them), each
    applied within its range in ``TESTED`` unless ``tested`` ({library: PEP 440 range}) says
    otherwise."""

    def __init__(self, what, *libraries, tested=None):
        self.what = what
        self.tested = {library: TESTED[library] for library in libraries}
        self.tested.update(tested or {})
        DECLARED.append(self)

    def __repr__(self):
        return f"Patch({self.what!r}, {self.tested!r})"

    def out_of_range(self):
        """(library, installed version or None, range) of the first library outside its range;
        None when every one is inside."""
        for library, tested in self.tested.items():
            version = installed_version(library)
            if not _inside(version, tested):
                return library, version, tested
        return None

    def applies(self):
        """Whether the change may be made in this process.  When it may not, warns once (per
        library and range, or once for ``DNNGRADER_NO_PATCHES``) and the caller leaves the
        library as it is."""
        if all_refused():
            _warn_once(
                NO_PATCHES_VARIABLE,
                f"{NO_PATCHES_VARIABLE} is set: the kit leaves nbgrader, nbconvert, "
                "jupyter_client and SQLAlchemy as they are (stock behaviour, no patch of their internals).",
            )
            return False
        outside = self.out_of_range()
        if outside is None:
            return True
        library, version, tested = outside
        _warn_once(
            outside,
            f"{library} {version or '(not installed)'} is outside the versions {tested} that the "
            f"kit's changes to its internals were written and tested for: the kit leaves {library}'s "
            f"internals as they are (stock behaviour; first refused: {self.what}). Grading stays correct; "
            "docs/authors/patches.md says what each change was for.",
        )
        return False
