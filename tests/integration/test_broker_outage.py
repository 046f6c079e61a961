"""The broker goes away in the middle of a stream of events and comes back:
every event still arrives (the relay keeps its cursor until the broker confirms)."""
import time

from kombu import Connection

from services.registry.service import RegistryService
from support import eventually
from test_backbone_bus import drain, institution, integrator_queue


def broker_answers(amqp_uri):
    try:
        with Connection(amqp_uri, connect_timeout=1) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:
        return False


def test_every_event_arrives_across_a_broker_restart(private_broker, start_service, token):
    amqp_uri = private_broker.amqp_uri
    with Connection(amqp_uri) as conn:
        queue = integrator_queue(conn, "integrator.outage")
    api = start_service(RegistryService, AMQP_URI=amqp_uri)
    registrar = token()
    ids = []
    for n in range(30):
        if n == 10:
            private_broker.stop_app()
        if n == 20:
            private_broker.start_app()
            eventually(lambda: broker_answers(amqp_uri), timeout=60)
        response = api.post("/institutions", registrar, json=institution(100 + n))
        assert response.status_code == 201, response.text  # the API works while the broker is away
        ids.append(response.json()["id"])
        time.sleep(0.05)
    with Connection(amqp_uri) as conn:
        received = drain(conn, queue, expected=90, timeout=60)
    api.container.stop()  # before the private broker goes away
    unique = {m.headers["ce-id"]: m for m in received}
    assert len(unique) == 90  # 30 registrations with two licences each, none lost
    registered = {m.headers["ce-subject"] for m in unique.values()
                  if m.delivery_info["routing_key"] == "InstitutionRegistered"}
    assert registered == set(ids)
