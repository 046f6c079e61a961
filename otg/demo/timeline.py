"""The demo's timeline: an integrator's view of the bus. Like `otg events tail`
(shared.tail) it binds its own exclusive, auto-deleted queue to every `<service>.events`
exchange with `#`, as ARCHITECTURE.md tells integrators to, and prints one readable line
per event as the events flow; many events of a kind (institutions registered,
self-inspections) become one summary line."""
import sys
import threading
import time
import unicodedata
from collections import defaultdict
from datetime import datetime

from shared import envelope, tail

from . import labels
from .client import DemoError
from .clock import BEIJING

QUIET = 1.0  # seconds without events after which summaries are printed


class Timeline:
    def __init__(self, amqp_uri, services, out=None):
        self.amqp_uri, self.services = amqp_uri, services
        self.out = out or sys.stdout
        self.teller = labels.Teller()
        self.seen = []                      # (service, name, data, attributes), in arrival order
        self.pending = defaultdict(list)    # (service, name) -> routine events not told yet
        self.changed = threading.Condition()
        self.last_event = time.monotonic()
        self.ready, self.stopped = threading.Event(), threading.Event()
        self.failure = None
        self._printing = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="otg-demo-timeline", daemon=True)

    # -- the consumer thread ----------------------------------------------------------
    def start(self, timeout=15):
        """Return once the queue is bound: every event published from now on is seen."""
        self.thread.start()
        if not self.ready.wait(timeout) or self.failure:
            raise DemoError(f"the timeline cannot follow the bus: {self.failure or 'no answer'}")
        return self

    def stop(self):
        self.stopped.set()
        self.thread.join(timeout=5)
        self.flush()

    def _run(self):
        try:
            tail.follow(self.amqp_uri, self.services, on_event=self._on_event, stop=self._tick)
        except Exception as error:  # the demo goes on without its timeline
            self.failure = error
            self.ready.set()
            if not self.stopped.is_set():
                self.say(f"(the timeline lost the broker: {error})")

    def _tick(self):
        """tail.follow asks this once its queue is bound, then after each event or idle second."""
        self.ready.set()
        if time.monotonic() - self.last_event > QUIET:
            self.flush()
        return self.stopped.is_set()

    def _on_event(self, attributes, data):
        service = attributes.get("source", "otg/?").removeprefix("otg/")
        name = envelope.event_name(attributes)
        self.teller.learn(name, data)
        with self.changed:
            self.seen.append((service, name, data, attributes))
            self.last_event = time.monotonic()
            self.changed.notify_all()
        if self.teller.routine(name, data):
            with self.changed:
                self.pending[(service, name)].append((self.teller.group(name, data), attributes))
        else:
            self.flush()
            self.say(line(attributes.get("time"), service, name, self.teller.detail(name, data)))

    # -- for the campaign -------------------------------------------------------------------
    def wait_for(self, service, name, match=lambda data: True, timeout=30):
        """The data of the first `service` event `name` whose data `match`es (waiting for it)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = next((d for s, n, d, _ in self.seen
                              if s == service and n == name and match(d)), None)
                if found is not None:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise DemoError(f"no {service} {name} came within {timeout:.0f}s")
                self.changed.wait(min(left, 0.5))

    def settle(self, quiet=QUIET, limit=20):
        """Wait until the bus has been quiet for `quiet` seconds (at most `limit`), then
        print what is pending: the chapter's events are told before the next one starts."""
        deadline = time.monotonic() + limit
        while time.monotonic() - self.last_event < quiet and time.monotonic() < deadline:
            time.sleep(0.1)
        self.flush()

    def chapter(self, when, title):
        self.settle()
        self.say(f"\n══ {when:%Y-%m-%d %H:%M} · {title} ══")

    def note(self, text):
        self.say(f"   ▸ {text}")

    # -- printing -------------------------------------------------------------------------------
    def flush(self):
        with self.changed:
            pending, self.pending = self.pending, defaultdict(list)
        for (service, name), told in pending.items():
            groups = [group for group, _ in told]
            self.say(line(told[0][1].get("time"), service, name,
                          f"×{len(told)} · {labels.summary(groups)}"))

    def say(self, text):
        with self._printing:
            print(text, file=self.out, flush=True)


def line(at, service, name, detail):
    """`01-22 15:31  检查 inspection  发现安全隐患 HazardFound  环翠区 · …`"""
    when = _local(at)
    who = pad(f"{labels.SERVICES.get(service, '')} {service}", 16)
    what = pad(f"{labels.LABELS.get(name, '')} {name}", 42)
    return f"{when}  {who}{what}{detail}"


def pad(text, width):
    """Pad to `width` terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - columns)


def _local(at):
    try:
        instant = datetime.fromisoformat((at or "").replace("Z", "+00:00"))
    except ValueError:
        return "           "
    return instant.astimezone(BEIJING).strftime("%m-%d %H:%M")
