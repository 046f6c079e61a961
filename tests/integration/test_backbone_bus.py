"""The backbone on a real broker: outside integrators, CloudEvents binding, dead letters."""
import json
import socket

import pytest
from cloudevents.core.bindings.rabbitmq import RabbitMQMessage, from_binary
from cloudevents.core.formats.json import JSONFormat
from kombu import Connection, Exchange, Queue

from services.registry.service import RegistryService
from shared import deadletter
from shared.creditcode import complete
from support import eventually, publish_event

HAZARD_QUEUE = "registry.from.inspection"


def institution(n, district="371002"):
    return {"name": f"培训学校{n:04d}", "credit_code": complete(f"91371002MA3C{n:05d}"),
            "district": district, "category": "academic", "address": f"海滨路{n}号",
            "licences": [{"kind": "school_permit", "number": f"P{n}", "valid_until": "2030-12-31"},
                         {"kind": "business_licence", "number": f"B{n}", "valid_until": "2030-12-31"}]}


def integrator_queue(conn, name="integrator.all"):
    """What an integrator does with any AMQP client: its own durable queue bound with '#'."""
    queue = Queue(name, Exchange("registry.events", type="topic", durable=True),
                  routing_key="#", durable=True)
    queue(conn.default_channel).declare()
    return queue


def drain(conn, queue, expected, timeout=20):
    received = []

    def on_message(body, message):
        received.append(message)
        message.ack()
    with conn.Consumer(queue, callbacks=[on_message], accept=["json"]):
        deadline_hits = 0
        while len({m.headers["ce-id"] for m in received}) < expected and deadline_hits < timeout:
            try:
                conn.drain_events(timeout=1)
            except socket.timeout:
                deadline_hits += 1
    return received


def test_plain_amqp_integrator_receives_every_event(start_service, amqp_uri, token):
    with Connection(amqp_uri) as conn:
        queue = integrator_queue(conn)
        api = start_service(RegistryService)
        for n in range(5):
            assert api.post("/institutions", token(), json=institution(n)).status_code == 201
        received = drain(conn, queue, expected=15)  # each: registered + two licences
    names = [m.delivery_info["routing_key"] for m in received]
    assert names.count("InstitutionRegistered") == 5
    assert names.count("LicenceRecorded") == 10
    positions = [int(m.headers["ce-position"]) for m in received]
    assert positions == sorted(positions) == list(range(1, 16))


def test_messages_read_with_the_official_cloudevents_sdk(start_service, amqp_uri, token):
    with Connection(amqp_uri) as conn:
        queue = integrator_queue(conn, "integrator.sdk")
        api = start_service(RegistryService)
        created = api.post("/institutions", token(), json=institution(1)).json()
        [first, *_] = drain(conn, queue, expected=3)
    body = first.body if isinstance(first.body, bytes) else first.body.encode()
    event = from_binary(RabbitMQMessage(headers=dict(first.headers),
                                        content_type=first.content_type, body=body), JSONFormat())
    assert event.get_type() == "otg.registry.InstitutionRegistered.v1"
    assert event.get_source() == "otg/registry"
    assert event.get_subject() == created["id"]
    assert event.get_data()["credit_code"] == created["credit_code"]
    attributes = event.get_attributes()
    assert attributes["actor"] == "education/371002/registrar"
    assert attributes["sequence"] == "1" and attributes["correlationid"]


def test_poison_message_is_dead_lettered_and_the_next_one_is_handled(start_service, amqp_uri, token):
    api = start_service(RegistryService)
    registrar = token()
    institution_id = api.post("/institutions", registrar, json=institution(7)).json()["id"]
    # an institution the registry never heard of fails every attempt
    publish_event(amqp_uri, "inspection", "HazardFound",
                  {"institution_id": "no-such-institution", "district": "371002",
                   "severity": "critical", "item": "x", "inspection_id": "i", "finding_id": "f"})
    with Connection(amqp_uri) as conn:  # and a body that is not JSON at all
        conn.Producer().publish(b"{not json", exchange=Exchange("inspection.events", type="topic", durable=True),
                                routing_key="HazardFound", content_type="application/json",
                                headers={"ce-id": "broken-1"})
    publish_event(amqp_uri, "inspection", "HazardFound",
                  {"institution_id": institution_id, "district": "371002", "severity": "major",
                   "item": "fire.extinguisher", "inspection_id": "i", "finding_id": "f2"})
    eventually(lambda: api.get(f"/institutions/{institution_id}", registrar).json()["status"] == "suspended")
    parked = eventually(lambda: len(deadletter.read(
        amqp_uri, "registry.handle_inspection_hazard_found")) == 2 and deadletter.read(
        amqp_uri, "registry.handle_inspection_hazard_found"), timeout=20)
    reasons = sorted(m.headers["x-otg-reason"] for m in parked)
    assert "NotFound" in reasons[0] and "after 3 attempts" in reasons[0]
    assert reasons[1].startswith("undecodable message")
    assert all(m.headers["x-otg-queue"] == HAZARD_QUEUE for m in parked)


def test_two_concurrent_commands_on_one_institution_lose_no_update(start_service, token):
    import eventlet
    api = start_service(RegistryService)
    registrar = token()
    institution_id = api.post("/institutions", registrar, json=institution(3)).json()["id"]
    kinds = ["fire_safety", "npo_registration", "business_licence", "school_permit"]

    def record(kind):
        return api.post(f"/institutions/{institution_id}/licences", registrar,
                        json={"kind": kind, "number": f"{kind}-2", "valid_until": "2031-01-01"})
    pool = eventlet.GreenPool()
    results = list(pool.imap(record, kinds))
    assert all(r.status_code in (200, 409) for r in results)
    view = api.get(f"/institutions/{institution_id}", registrar).json()
    numbers = {lic["kind"]: lic["number"] for lic in view["licences"]}
    applied = [k for k, r in zip(kinds, results) if r.status_code == 200]
    assert applied and all(numbers[k] == f"{k}-2" for k in applied)
    stream = [e for e in api.get("/events?limit=1000").json() if e["subject"] == institution_id]
    assert [int(e["sequence"]) for e in stream] == list(range(1, len(stream) + 1))


def test_metrics_count_appended_published_failures_and_dead_letters(start_service, amqp_uri, token):
    api = start_service(RegistryService)
    api.post("/institutions", token(), json=institution(9))
    publish_event(amqp_uri, "inspection", "HazardFound", {"institution_id": "unknown", "district": "371002",
                                                          "severity": "critical", "item": "x"})

    def scraped():
        text = api.get("/metrics").text
        return text if 'otg_dead_lettered_total{consumer="registry.handle_inspection_hazard_found"} 1.0' in text else None
    text = eventually(scraped, timeout=20)
    assert "otg_events_appended_total 3.0" in text
    assert 'otg_handler_failures_total{consumer="registry.handle_inspection_hazard_found"} 3.0' in text
    eventually(lambda: "otg_relay_lag_events 0.0" in api.get("/metrics").text)
    assert api.get("/metrics").headers["Content-Type"].startswith("text/plain")
