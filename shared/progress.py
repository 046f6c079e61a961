"""Progress of long command-line work: a tqdm bar with counts and rate on a terminal,
plain lines at every tenth of the work elsewhere (CI, logs), and one summary line
at the end.

    with Progress("importing mail", total=len(messages), unit="messages") as progress:
        for message in messages:
            progress.advance(outcome=import_one(message))
"""
import math
import sys
import time

from tqdm import tqdm

STEPS = 10            # plain lines per run when the total is known
UNKNOWN_STEP = 1000   # a plain line every this many when it is not


class Progress:
    def __init__(self, label, total=None, unit="items", outcomes=(), file=None):
        self.label, self.total, self.unit = label, total, unit
        self.file = file or sys.stderr
        self.tallies = dict.fromkeys(outcomes, 0)  # shown in this order in the summary
        self.done = 0
        self.bar = None

    def __enter__(self):
        self.started = time.monotonic()
        self.step = max(1, math.ceil(self.total / STEPS)) if self.total else UNKNOWN_STEP
        self.next_line = self.step
        if _is_terminal(self.file):
            self.bar = tqdm(total=self.total, desc=self.label, unit=f" {self.unit}",
                            file=self.file, leave=False, dynamic_ncols=True)
        return self

    def advance(self, count=1, outcome=None):
        self.done += count
        if outcome is not None:
            self.tallies[outcome] = self.tallies.get(outcome, 0) + count
        if self.bar is not None:
            self.bar.update(count)
        elif self.done >= self.next_line:
            print(self.line(), file=self.file, flush=True)
            self.next_line = self.done + self.step

    def note(self, text):
        """A line of its own (on standard output), above the bar on a terminal."""
        if self.bar is not None:
            tqdm.write(text, file=sys.stdout)
        else:
            print(text, flush=True)

    def __exit__(self, kind, error, traceback):
        if self.bar is not None:
            self.bar.close()
        if kind is None:
            print(self.summary(), flush=True)

    def line(self):
        done = f"{self.done}/{self.total}" if self.total is not None else str(self.done)
        share = f" ({100 * self.done // self.total}%)" if self.total else ""
        return f"{self.label}: {done} {self.unit}{share}, {self._rate():.1f}/s"

    def summary(self):
        seconds = time.monotonic() - self.started
        text = f"{self.label}: {self.done} {self.unit} in {seconds:.1f} s ({self._rate():.1f}/s)"
        tallies = ", ".join(f"{count} {outcome}" for outcome, count in self.tallies.items())
        return f"{text} — {tallies}" if tallies else text

    def _rate(self):
        return self.done / max(time.monotonic() - self.started, 1e-3)


def _is_terminal(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False
