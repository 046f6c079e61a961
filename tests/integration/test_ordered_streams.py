"""A follower reads each source through one queue, in the source's order: the catch-up
from the source's feed first, then the bus; the per-handler queues of before retire."""
import eventlet
import requests
from amqp.exceptions import ChannelError
from kombu import Connection, Exchange, Queue

from services.registry.events import CATALOGUE
from services.registry.service import RegistryService
from shared import deadletter
from shared import service as base
from shared.messaging import handle_event
from support import eventually, publish_event
from test_backbone_bus import institution

SEEN = []
LEGACY = "evt-registry-InstitutionRegistered--orderly.on_registered"


class Orderly:
    """Follows two event types of the registry; the first is slow to handle, so a
    follower that handled in parallel would let the second overtake it."""
    name = "orderly"
    store = base.Store(CATALOGUE)

    @handle_event("registry", "InstitutionRegistered")
    def on_registered(self, data):
        eventlet.sleep(0.02)
        with self.store.unit():  # the inbox: each event once
            SEEN.append(data["institution_id"])

    @handle_event("registry", "InstitutionClosed")
    def on_closed(self, data):
        with self.store.unit():
            SEEN.append(data["institution_id"])


def bindings(amqp_uri, queue):
    vhost = Connection(amqp_uri).virtual_host.replace("/", "%2F")
    response = requests.get(f"http://127.0.0.1:15672/api/queues/{vhost}/{queue}/bindings",
                            auth=("guest", "guest"), timeout=10)
    response.raise_for_status()
    return sorted(b["routing_key"] for b in response.json() if b["source"] == "registry.events")


def exists(amqp_uri, queue):
    with Connection(amqp_uri) as conn:
        try:
            conn.channel().queue_declare(queue, passive=True)
            return True
        except ChannelError:
            return False


def test_a_follower_has_one_queue_per_source_bound_to_every_type_it_follows(start_service, amqp_uri):
    start_service(Orderly)
    assert eventually(lambda: bindings(amqp_uri, "orderly.from.registry")) == [
        "InstitutionClosed", "InstitutionRegistered"]


def test_events_of_one_source_are_handled_in_the_order_published(start_service, amqp_uri):
    SEEN.clear()
    start_service(Orderly)
    eventually(lambda: bindings(amqp_uri, "orderly.from.registry"))
    published = [f"i-{n}" for n in range(12)]
    for n, institution_id in enumerate(published):
        name = "InstitutionRegistered" if n % 2 == 0 else "InstitutionClosed"
        publish_event(amqp_uri, "registry", name, {"institution_id": institution_id})
    eventually(lambda: len(SEEN) == len(published))
    assert SEEN == published


def test_the_catch_up_and_the_bus_arrive_in_one_order_each_event_once(start_service, amqp_uri, token):
    SEEN.clear()
    with Connection(amqp_uri) as conn:  # a queue of the release before, with a message in it
        legacy = Queue(LEGACY, Exchange("registry.events", type="topic", durable=True),
                       routing_key="InstitutionRegistered", durable=True)
        legacy(conn.default_channel).declare()
    registry = start_service(RegistryService)
    registrar = token()
    before = [registry.post("/institutions", registrar, json=institution(n)).json()["id"]
              for n in range(3)]
    start_service(Orderly, follow_feeds=True)
    after = [registry.post("/institutions", registrar, json=institution(n)).json()["id"]
             for n in range(3, 5)]
    eventually(lambda: len(SEEN) >= 5)
    assert SEEN == before + after
    assert eventually(lambda: not exists(amqp_uri, LEGACY))  # retired once the feed was read


def test_a_message_parked_from_a_retired_queue_is_replayed_into_the_stream(start_service, amqp_uri):
    SEEN.clear()
    start_service(Orderly)
    eventually(lambda: bindings(amqp_uri, "orderly.from.registry"))
    publish_event(amqp_uri, "registry", "InstitutionRegistered", {"institution_id": "i-1"})
    eventually(lambda: SEEN == ["i-1"])
    deadletter.park(amqp_uri, "orderly.on_registered", {"institution_id": "i-2"},
                    {"ce-id": "parked-2", "ce-type": "otg.registry.InstitutionRegistered.v1",
                     "ce-source": "otg/registry", "ce-specversion": "1.0"}, "KeyError", LEGACY)
    assert deadletter.replay(amqp_uri, "orderly.on_registered") == (1, [])
    eventually(lambda: SEEN == ["i-1", "i-2"])


def test_events_delivered_again_behind_a_slow_one_are_skipped_not_handled_twice(
        start_service, amqp_uri):
    """Messages waiting behind a slow one are settled together (one inbox read for them
    all): those handled before are skipped, the new one among them is handled."""
    SEEN.clear()
    start_service(Orderly)
    eventually(lambda: bindings(amqp_uri, "orderly.from.registry"))
    first = [publish_event(amqp_uri, "registry", "InstitutionClosed", {"institution_id": f"i-{n}"})
             for n in range(3)]
    eventually(lambda: len(SEEN) == 3)
    publish_event(amqp_uri, "registry", "InstitutionRegistered", {"institution_id": "slow"})
    for n, event_id in enumerate(first):  # the broker delivers them again
        publish_event(amqp_uri, "registry", "InstitutionClosed", {"institution_id": f"i-{n}"},
                      event_id=event_id)
    publish_event(amqp_uri, "registry", "InstitutionClosed", {"institution_id": "new"})
    eventually(lambda: SEEN[-1:] == ["new"])
    assert SEEN == ["i-0", "i-1", "i-2", "slow", "new"]
