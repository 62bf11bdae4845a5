"""A progress bar with an ETA, on stderr.

On a terminal it redraws one line in place; anywhere else (a log, CI, a pipe) it prints a plain
line now and then, so the output stays readable.  The ETA comes from the pace of the most
recent submissions, which is what the rest of the run will look like.
"""

import sys
import time
from collections import deque

RECENT = 20  # finished submissions the pace is measured on
PLAIN_EVERY = 10.0  # seconds between two plain-text lines
BAR_WIDTH = 30


def format_duration(seconds):
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


class Progress:
    def __init__(self, total, stream=None, interactive=None, label="graded"):
        self.total, self.label = total, label
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self.done = self.failed = 0
        self.started = time.monotonic()
        self.finish_times = deque([self.started], maxlen=RECENT + 1)
        self._last_plain = None

    def eta(self):
        """Seconds left, from the recent pace; None before anything has finished."""
        if self.done == 0:
            return None
        span = self.finish_times[-1] - self.finish_times[0]
        per_item = span / (len(self.finish_times) - 1)
        return per_item * (self.total - self.done)

    def line(self, now):
        fraction = self.done / self.total if self.total else 1.0
        filled = int(BAR_WIDTH * fraction)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        eta = self.eta()
        parts = [
            f"[{bar}] {self.done}/{self.total} {self.label} ({100 * fraction:.0f}%)",
            f"elapsed {format_duration(now - self.started)}",
            "ETA " + ("--:--" if eta is None else format_duration(eta)),
        ]
        if self.failed:
            parts.append(f"{self.failed} failed")
        return ", ".join(parts)

    def start(self):
        self._draw(time.monotonic(), force=True)

    def advance(self, ok=True):
        now = time.monotonic()
        self.done += 1
        self.failed += 0 if ok else 1
        self.finish_times.append(now)
        self._draw(now, force=self.done == self.total)

    def note(self, message):
        """A line of its own, above the bar."""
        if self.interactive:
            self.stream.write("\r\x1b[2K" + message + "\n")
            self._draw(time.monotonic(), force=True)
        else:
            self.stream.write(message + "\n")
            self.stream.flush()

    def _draw(self, now, force=False):
        if self.interactive:
            self.stream.write("\r\x1b[2K" + self.line(now))
        elif force or self._last_plain is None or now - self._last_plain >= PLAIN_EVERY:
            self.stream.write(self.line(now) + "\n")
            self._last_plain = now
        self.stream.flush()

    def finish(self):
        if self.interactive:
            self.stream.write("\n")
            self.stream.flush()
