"""The campaign clock: the services read the time from the demo's OTG_CLOCK_FILE
(shared/clock.py), so the demo plays January 2024 and lets a deadline pass."""
import os
from datetime import datetime

from shared.clock import BEIJING



def day(date, hour, minute=0):
    """An instant of January 2024, Beijing time."""
    return datetime(2024, 1, date, hour, minute, tzinfo=BEIJING)


class DemoClock:
    def __init__(self, path):
        self.path = path

    def set(self, instant):
        """Every service sees the new time at once (written whole, then renamed)."""
        partial = self.path.with_name(self.path.name + ".part")
        partial.write_text(instant.isoformat())
        os.replace(partial, self.path)

    def now(self):
        try:
            return datetime.fromisoformat(self.path.read_text().strip())
        except (OSError, ValueError):
            return None
