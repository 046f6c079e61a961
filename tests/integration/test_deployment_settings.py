"""Settings operators use for replicas and RabbitMQ clusters."""
import time
from urllib.parse import quote, urlparse

import requests

from services.registry.service import RegistryService
from support import eventually
from test_backbone_bus import institution

QUEUE = "evt-inspection-HazardFound--registry.handle_inspection_hazard_found"


def queue_info(amqp_uri, name):
    vhost = quote(urlparse(amqp_uri).path.lstrip("/"), safe="")
    response = requests.get(f"http://127.0.0.1:15672/api/queues/{vhost}/{name}", auth=("guest", "guest"))
    return response.json() if response.ok else None


def test_quorum_queues_when_asked(start_service, amqp_uri, monkeypatch):
    monkeypatch.setenv("OTG_QUORUM_QUEUES", "1")
    start_service(RegistryService)
    assert eventually(lambda: queue_info(amqp_uri, QUEUE))["type"] == "quorum"


def test_a_replica_without_relay_publishes_nothing(start_service, token, monkeypatch):
    monkeypatch.setenv("OTG_RELAY", "0")
    api = start_service(RegistryService)
    api.post("/institutions", token(), json=institution(1))
    time.sleep(1)  # long enough for a relay to have published
    health = api.get("/health").json()
    assert (health["events"], health["published"]) == (3, 0)
