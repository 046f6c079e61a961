"""An injectable clock, so deadlines and overdue rules are testable.

`OTG_CLOCK_FILE` names a file holding an ISO 8601 instant; while it exists the
services read the time from it (tests and demos move time by rewriting it). A file
`<instant> running since <real instant>` is a clock that runs on in real time from
`<instant>` (the demo's, once the campaign is played).
"""
import os
from datetime import datetime, timedelta, timezone

from nameko.extensions import DependencyProvider


# Deadlines, validity and "today" are dates in Beijing time, where the campaign runs
# (China has one zone and no daylight saving, so a fixed offset is exact).
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def utcnow():
    return datetime.now(timezone.utc)


def local_date(instant):
    """The Beijing calendar date of an aware instant."""
    return instant.astimezone(BEIJING).date()


class SystemClock:
    def now(self):
        return utcnow()

    def today(self):
        return local_date(self.now())


class FixedClock(SystemClock):
    def __init__(self, instant):
        self.instant = instant

    def now(self):
        return self.instant

    def set(self, instant):
        self.instant = instant


class FileClock(SystemClock):
    def __init__(self, path):
        self.path = path

    def now(self):
        try:
            with open(self.path) as handle:
                text = handle.read().strip()
        except FileNotFoundError:
            return utcnow()
        return read_clock(text)


RUNNING_SINCE = " running since "


def read_clock(text):
    """The instant a clock file's text says it is now."""
    instant, _, since = text.partition(RUNNING_SINCE)
    if since:
        return _aware(instant) + (utcnow() - _aware(since))
    return _aware(instant)


def running_clock(instant, since):
    """A clock file's text: `instant` at the real time `since`, running on from there."""
    return f"{instant.isoformat()}{RUNNING_SINCE}{since.isoformat()}"


def _aware(text):
    instant = datetime.fromisoformat(text.strip())
    return instant if instant.tzinfo else instant.replace(tzinfo=timezone.utc)


def default_clock():
    path = os.environ.get("OTG_CLOCK_FILE")
    return FileClock(path) if path else SystemClock()


def rfc3339(instant):
    return instant.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


class Clock(DependencyProvider):
    """Injects the clock into a service; tests replace `clock` with a FixedClock."""

    def setup(self):
        self.clock = default_clock()

    def get_dependency(self, worker_ctx):
        return self.clock
