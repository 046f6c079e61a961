"""The campaign clock: the services read the time from the demo's OTG_CLOCK_FILE
(shared/clock.py), so the demo plays January 2024 and lets a deadline pass; once the
campaign is played, it runs on in real time, so later acts get their own times."""
import os
from datetime import datetime

from shared.clock import BEIJING, RUNNING_SINCE, read_clock, running_clock, utcnow


def day(date, hour, minute=0):
    """An instant of January 2024, Beijing time."""
    return datetime(2024, 1, date, hour, minute, tzinfo=BEIJING)


class DemoClock:
    def __init__(self, path):
        self.path = path

    def set(self, instant):
        """Every service sees the new time at once (written whole, then renamed)."""
        self._write(instant.isoformat())

    def run_on(self):
        """From now on the clock moves with real time (also while the demo is stopped)."""
        if not self.running() and self.now():
            self._write(running_clock(self.now(), utcnow()))

    def running(self):
        try:
            return RUNNING_SINCE in self.path.read_text()
        except OSError:
            return False

    def now(self):
        try:
            return read_clock(self.path.read_text()).astimezone(BEIJING)
        except (OSError, ValueError):
            return None

    def _write(self, text):
        partial = self.path.with_name(self.path.name + ".part")
        partial.write_text(text)
        os.replace(partial, self.path)
