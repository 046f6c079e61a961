"""A follower's cursor moves with the bus as well as with the catch-up: restarted, it
reads from the source's feed only what was published while it was down, never the
history it handled before (docs/decisions/0013-follow-cursor-and-rebuild.md)."""
from collections import Counter

from prometheus_client.parser import text_string_to_metric_families

from services.registry.events import CATALOGUE
from services.registry.service import RegistryService
from shared import service as base
from shared.messaging import Follower, handle_event
from support import eventually
from test_backbone_bus import institution

SEEN = []


class Listener(base.OtgService):
    """Follows the registry's registrations; each is handled once (the inbox)."""
    name = "listener"
    store = base.Store(CATALOGUE)

    @handle_event("registry", "InstitutionRegistered")
    def on_registered(self, data):
        with self.store.unit():
            SEEN.append(data["institution_id"])


def metric(service, name, labels):
    """One sample of the service's /metrics, 0 when it has none yet."""
    for family in text_string_to_metric_families(service.get("/metrics").text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0


def caught_up(service):
    """The follower has read the registry's feed to its end (in this run)."""
    return service.container.shared_extensions[Follower].replays == 1


def read_from_feed(service):
    return metric(service, "otg_feed_events_read_total", {"source": "registry"})


def test_a_follower_restarted_reads_no_history_again(start_service, token):
    SEEN.clear()
    registry = start_service(RegistryService)
    registrar = token()
    listener = start_service(Listener, follow_feeds=True)
    eventually(lambda: caught_up(listener))  # of nothing yet: what follows comes by the bus
    handled = [registry.post("/institutions", registrar, json=institution(n)).json()["id"]
               for n in range(20)]
    eventually(lambda: len(SEEN) == len(handled))
    assert read_from_feed(listener) == 0
    listener.container.stop()

    listener = start_service(Listener, follow_feeds=True)  # nothing happened meanwhile
    eventually(lambda: caught_up(listener))
    assert read_from_feed(listener) == 0
    listener.container.stop()

    while_down = [registry.post("/institutions", registrar, json=institution(n)).json()["id"]
                  for n in range(20, 25)]
    listener = start_service(Listener, follow_feeds=True)
    eventually(lambda: caught_up(listener) and len(SEEN) == len(handled) + len(while_down))
    # the bus brings the five again: each is skipped as handled, none applied twice
    eventually(lambda: metric(listener, "otg_events_skipped_total",
                              {"consumer": "listener.on_registered"}) == len(while_down))

    assert read_from_feed(listener) == len(while_down)  # what it missed, and nothing before
    assert SEEN == handled + while_down
    assert max(Counter(SEEN).values()) == 1
