"""Settings operators use for replicas and RabbitMQ clusters."""
from urllib.parse import quote, urlparse

import pytest
import requests
from kombu import Connection

from services.registry.service import RegistryService
from support import eventually
from test_backbone_bus import drain, institution, integrator_queue

QUEUE = "registry.from.inspection"


def queue_info(amqp_uri, name):
    vhost = quote(urlparse(amqp_uri).path.lstrip("/"), safe="")
    response = requests.get(f"http://127.0.0.1:15672/api/queues/{vhost}/{name}", auth=("guest", "guest"))
    return response.json() if response.ok else None


@pytest.mark.parametrize("kind", ["quorum", "classic"])
def test_queues_take_the_type_asked_and_one_active_consumer(start_service, amqp_uri,
                                                            monkeypatch, kind):
    monkeypatch.setenv("OTG_QUEUE_TYPE", kind)
    start_service(RegistryService)
    queue = eventually(lambda: queue_info(amqp_uri, QUEUE))
    assert queue["type"] == kind and queue["arguments"]["x-single-active-consumer"] is True


def test_a_replica_without_relay_publishes_nothing(start_service, amqp_uri, token, monkeypatch,
                                                  tmp_path):
    database = f"sqlite:///{tmp_path / 'registry-replicas.db'}"
    monkeypatch.setenv("OTG_RELAY", "0")
    with Connection(amqp_uri) as conn:
        queue = integrator_queue(conn, "integrator.replicas")
        api = start_service(RegistryService, database_url=database)
        api.post("/institutions", token(), json=institution(1))
        assert drain(conn, queue, expected=1, timeout=2) == []  # a relay takes milliseconds
        health = api.get("/health").json()
        assert (health["events"], health["published"]) == (3, 0)

        monkeypatch.setenv("OTG_RELAY", "1")  # the one replica that relays publishes them
        start_service(RegistryService, database_url=database)
        assert len(drain(conn, queue, expected=3)) == 3
