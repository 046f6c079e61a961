"""A stream starts the lookups (`@before`) of the events waiting in it as they are
delivered, while the events before them are applied: the events are still applied one
at a time in the source's order, each with its own lookup, and a lookup that fails is
tried again and then dead-lettered like any other failure."""
import eventlet

from services.registry.events import CATALOGUE
from shared import deadletter, subscriptions
from shared import service as base
from shared.subscriptions import before
from support import eventually, publish_event
from test_ordered_streams import bindings

CONSUMER = "ahead.handle_registry_institution_registered"
APPLIED, LOOKED_UP, FAILING = [], [], {}  # FAILING: institution id -> lookups left to fail
WAITS_FOR = {}                            # institution id -> the lookup it waits to begin


class LookupFailed(Exception):
    pass


def look_up(event):
    institution_id = event.data["institution_id"]
    LOOKED_UP.append(institution_id)
    if FAILING.get(institution_id, 0) > 0:
        FAILING[institution_id] -= 1
        raise LookupFailed(institution_id)
    other = WAITS_FOR.get(institution_id)
    for _ in range(100):  # 10 s: a stream that looked up one event at a time never gets there
        if other is None or other in LOOKED_UP:
            return f"about {institution_id}"
        eventlet.sleep(0.1)
    raise LookupFailed(f"{institution_id} waited in vain for the lookup of {other}")


@before(look_up)
def registered(uow, event):
    APPLIED.append((event.data["institution_id"], event.looked_up))


class Ahead(subscriptions.mount({("registry", "InstitutionRegistered"): registered}),
            base.OtgService):
    name = "ahead"
    store = base.Store(CATALOGUE)


def follow(start_service, amqp_uri, failing=None, waits_for=None):
    for state in (APPLIED, LOOKED_UP, FAILING, WAITS_FOR):
        state.clear()
    FAILING.update(failing or {})
    WAITS_FOR.update(waits_for or {})
    start_service(Ahead)
    eventually(lambda: bindings(amqp_uri, "ahead.from.registry"))


def publish(amqp_uri, institution_ids):
    for institution_id in institution_ids:
        publish_event(amqp_uri, "registry", "InstitutionRegistered",
                      {"institution_id": institution_id})


def test_lookups_run_ahead_of_the_event_being_applied_and_events_apply_in_order(
        start_service, amqp_uri):
    published = [f"i-{n}" for n in range(6)]
    follow(start_service, amqp_uri, waits_for={"i-0": "i-5"})  # the first lookup is slow
    publish(amqp_uri, published)
    eventually(lambda: len(APPLIED) == len(published), timeout=30)
    assert APPLIED == [(institution_id, f"about {institution_id}") for institution_id in published]
    assert not deadletter.read(amqp_uri, CONSUMER)


def test_a_failing_lookup_is_tried_again_then_its_event_is_dead_lettered_in_its_place(
        start_service, amqp_uri):
    follow(start_service, amqp_uri, failing={"i-1": 1, "i-2": 99})
    publish(amqp_uri, ["i-0", "i-1", "i-2", "i-3"])
    eventually(lambda: len(APPLIED) == 3, timeout=30)
    assert [institution_id for institution_id, _ in APPLIED] == ["i-0", "i-1", "i-3"]
    assert LOOKED_UP.count("i-1") == 2  # ahead (failed), then again on its second attempt
    assert LOOKED_UP.count("i-2") == 3  # every attempt looks up anew
    parked = eventually(lambda: deadletter.read(amqp_uri, CONSUMER))
    assert len(parked) == 1 and "LookupFailed: i-2 (after 3 attempts)" in parked[0].headers["x-otg-reason"]
