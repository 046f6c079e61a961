"""A reaction that applies to some events of its type only (`when`) passes the others
over without a unit of work, and its lookup (`before`) is made for those it applies to."""
import pytest

from services.registry.events import CATALOGUE
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
