"""A reaction that applies to some events of its type only (`when`) passes the others
over without a unit of work — its stream decides it before the inbox read and the
worker — and its lookup (`before`) is made for those it applies to."""
import types

import pytest

from services.registry.events import CATALOGUE
from shared.clock import default_clock
from shared.messaging import OtgEventHandler
from shared.store import Context, EventStore
from shared.subscriptions import Event, _handler, before, run, when

LOOKED_UP, APPLIED = [], []


def look_up(event):
    LOOKED_UP.append(event.data["finding_id"])
    return f"text of {event.data['finding_id']}"


@when(lambda event: event.data["severity"] == "critical")
@before(look_up)
def critical_found(uow, event):
    APPLIED.append((event.data["finding_id"], event.looked_up))


@pytest.fixture
def store(tmp_path):
    LOOKED_UP.clear()
    APPLIED.clear()
    store = EventStore(f"sqlite:///{tmp_path}/follower.db", CATALOGUE, count_writes=True)
    store.create()
    return store


def handle(store, finding_id, severity):
    event = Event("inspection", "FindingRecorded", {"finding_id": finding_id, "severity": severity},
                  {"id": f"event-{finding_id}"})
    run(store, critical_found, event, Context(consumer="follower.handle_inspection_finding_recorded",
                                               event_id=event.id))


def test_an_event_the_reaction_does_not_apply_to_leaves_no_trace(store):
    handle(store, "f-1", "minor")
    assert APPLIED == [] and LOOKED_UP == []
    assert store.cursor("otg.writes") == 0  # nothing committed
    assert not store.handled("follower.handle_inspection_finding_recorded", "event-f-1")


def test_an_event_the_reaction_applies_to_is_looked_up_and_handled_once(store):
    handle(store, "f-2", "critical")
    assert APPLIED == [("f-2", "text of f-2")]
    assert store.handled("follower.handle_inspection_finding_recorded", "event-f-2")


def test_the_lookup_started_ahead_is_made_only_for_events_the_reaction_applies_to():
    LOOKED_UP.clear()
    look_up_ahead = _handler("inspection", "FindingRecorded", critical_found).look_up
    assert look_up_ahead({"finding_id": "f-3", "severity": "minor"}, {"id": "e-3"}) is None
    assert look_up_ahead({"finding_id": "f-4", "severity": "critical"}, {"id": "e-4"}) == "text of f-4"
    assert LOOKED_UP == ["f-4"]


class Stream:
    """What a follower's stream asks of a handler before its inbox read and worker."""
    passes_over = OtgEventHandler.passes_over

    def __init__(self, react):
        self.applies = getattr(_handler("inspection", "FindingRecorded", react), "applies", None)


def test_the_stream_passes_over_what_the_reaction_rejects_before_its_inbox_and_worker():
    stream = Stream(critical_found)
    assert stream.passes_over({"finding_id": "f-5", "severity": "minor"}, {"id": "e-5"})
    assert not stream.passes_over({"finding_id": "f-6", "severity": "critical"}, {"id": "e-6"})
    assert not Stream(lambda uow, event: None).passes_over({}, {"id": "e-7"})  # no `when`


def test_a_test_that_fails_leaves_the_event_to_the_worker_and_its_retries():
    assert not Stream(critical_found).passes_over({"finding_id": "f-8"}, {"id": "e-8"})


def test_a_reaction_through_its_service_keeps_its_when_on_the_worker_path_too():
    seen = []

    @when(lambda event: event.data["severity"] == "critical")
    def through(service, event):
        seen.append(event.data["finding_id"])
    through.through_service = True
    service = types.SimpleNamespace(inbound={}, clock=default_clock())
    handle_it = _handler("inspection", "FindingRecorded", through)
    handle_it(service, {"finding_id": "f-9", "severity": "minor"})
    handle_it(service, {"finding_id": "f-10", "severity": "critical"})
    assert seen == ["f-10"]
