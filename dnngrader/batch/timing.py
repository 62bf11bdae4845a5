"""Where the grading time goes: wall-clock seconds per phase, each second counted once.

Phases nest (database calls happen inside nbgrader's steps), so a clock keeps a stack: while
an inner phase runs, the outer one is paused.  Whatever is not inside a named phase counts as
"other".
"""

import contextlib
import time
from collections import Counter

# In the order reports show them.
PHASES = ("kernel start", "execution", "kernel stop", "judge", "database", "feedback", "other")


class PhaseClock:
    def __init__(self):
        self.seconds = Counter()
        self._stack = ["other"]
        self._since = time.perf_counter()

    def _switch(self):
        now = time.perf_counter()
        self.seconds[self._stack[-1]] += now - self._since
        self._since = now

    def enter(self, phase):
        self._switch()
        self._stack.append(phase)

    def exit(self):
        self._switch()
        if len(self._stack) > 1:
            self._stack.pop()

    @contextlib.contextmanager
    def phase(self, name):
        self.enter(name)
        try:
            yield
        finally:
            self.exit()

    def timed(self, name, function):
        """``function`` wrapped so that its calls count as ``name``."""

        def run(*args, **kwargs):
            with self.phase(name):
                return function(*args, **kwargs)

        return run

    def read(self):
        """seconds per phase so far (the running phase included)."""
        self._switch()
        return dict(self.seconds)


def breakdown(seconds, count):
    """Lines saying, per phase, the seconds per submission and the share of the time."""
    whole = sum(seconds.values()) or 1.0
    lines = []
    for phase in PHASES:
        value = seconds.get(phase, 0.0)
        lines.append(f"  {phase:<13} {value / max(count, 1):7.3f} s per submission  {100 * value / whole:5.1f} %")
    return lines
