"""A service's subscription table: everything it reacts to, on one screen.

    SUBSCRIPTIONS = {
        ("registry", "InstitutionRegistered"): institution_registered,
        ("inspection", "HazardFound"): hazard_found,
    }

Each row maps (source service, event name) to a plain function of (unit of work, event),
run in one unit of work, so its inbox entry commits with its effects. The nameko class
mounts the table (`class X(subscriptions.mount(SUBSCRIPTIONS), base.OtgService)`): one
event handler per row, named `handle_<source>_<event_name>` — the consumer named by
its inbox entries, its dead-letter queue and its metrics. The functions need no nameko,
so a test calls them with a unit of work of an EventStore on SQLite.
"""
import re
from dataclasses import dataclass, field
from datetime import datetime

from shared.messaging import handle_event


@dataclass(frozen=True)
class Event:
    """One event of another service, as a reaction sees it."""
    source: str
    name: str
    data: dict
    attrs: dict = field(default_factory=dict)  # CloudEvents attributes: id, time, sequence…
    now: datetime = None          # the service's clock when the event is handled
    replaying: bool = False       # sources' histories are being read (a catch-up)
    looked_up: object = None      # what the reaction's `before` found (see `before`)

    @property
    def id(self):
        return self.attrs.get("id")

    @property
    def time(self):
        return self.attrs.get("time")


def before(prepare):
    """The reaction needs `prepare(event)` (e.g. an HTTP lookup) done before its unit of
    work takes the write lock; the result is `event.looked_up`. A read that may run
    ahead: the stream starts it as soon as the event is delivered, while the events
    before it are still being applied, so it sees only `event.data` and `event.attrs`."""
    def mark(react):
        react.prepare = prepare
        return react
    return mark


def when(applies):
    """The reaction does something only when `applies(event)`, a test of the event alone
    (e.g. a finding's severity and category): any other event of its type is passed over
    without a unit of work (no commit, no inbox entry; a redelivery is passed over alike)."""
    def mark(react):
        react.applies = applies
        return react
    return mark


def through_service(react):
    """The reaction goes through an entry of the service that HTTP requests share
    (complaints' intake: its vault, its triage rules): it is called with (service, event)
    and opens its own unit of work."""
    react.through_service = True
    return react


def handler_name(source, name):
    return f"handle_{source}_{re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()}"


def run(store, react, event, context=None, looked_up=None):
    """Run one reaction in one unit of work of `store` (what the mounted handler does).
    `looked_up`, when its stream started the `before` ahead (shared.messaging), is that
    lookup under way: waited for here, and re-raising if it failed."""
    applies = getattr(react, "applies", None)
    if applies is not None and not applies(event):
        return
    prepare = getattr(react, "prepare", None)
    if prepare is not None:
        found = looked_up.wait() if looked_up is not None else prepare(event)
        event = Event(**{**event.__dict__, "looked_up": found})
    with store.unit() if context is None else store.unit(context) as uow:
        react(uow, event)


def mount(table):
    """A class with one nameko event handler per row of `table`."""
    methods = {handler_name(source, name): handle_event(source, name)(_handler(source, name, react))
               for (source, name), react in table.items()}
    methods["subscriptions"] = dict(table)
    return type("Subscriptions", (), methods)


def _handler(source, name, react):
    def handle(self, data, looked_up=None):
        catch_up = getattr(self, "catch_up", None)
        event = Event(source, name, data, dict(self.inbound or {}), self.clock.now(),
                      bool(catch_up and catch_up.replaying))
        if getattr(react, "through_service", False):
            if applies is None or applies(event):  # `run` asks it for the others
                react(self, event)
        else:
            run(self.store, react, event, looked_up=looked_up)
    handle.__doc__ = react.__doc__
    handle.effects_outside_unit = getattr(react, "through_service", False)
    if not handle.effects_outside_unit:  # its stream runs it itself, with no nameko worker
        def direct(store, context, data, attrs, now, replaying, looked_up=None):
            run(store, react, Event(source, name, data, attrs, now, replaying), context,
                looked_up)
        handle.direct = direct
    prepare, applies = getattr(react, "prepare", None), getattr(react, "applies", None)
    if applies is not None:  # the stream passes over what it rejects: no inbox read, no run
        handle.applies = lambda data, attrs: applies(Event(source, name, data, attrs))
    if prepare is not None:  # the stream may start it ahead, while earlier events are applied
        def look_up(data, attrs):
            event = Event(source, name, data, attrs)
            return prepare(event) if applies is None or applies(event) else None
        handle.look_up = look_up
    return handle
