"""A named officer's command: its events name the officer's id — in the store, the
feed and on the bus — and events of a token without an officer stay as they were."""
from kombu import Connection

from services.registry.service import RegistryService
from shared import auth
from test_backbone_bus import drain, institution, integrator_queue

OFFICER = "3f1c9a52-0d4e-4b8a-9c41-6e2f0a7d5b10"


def test_command_of_a_named_officer_names_the_officer_in_feed_and_on_the_bus(start_service, amqp_uri):
    officer_token = auth.issue("registrar", "education", "371002", officer=OFFICER)
    with Connection(amqp_uri) as conn:
        queue = integrator_queue(conn, "integrator.officers")
        api = start_service(RegistryService)
        created = api.post("/institutions", officer_token, json=institution(1))
        assert created.status_code == 201, created.text
        received = drain(conn, queue, expected=3)  # registered + two licences
    assert {m.headers["ce-officer"] for m in received} == {OFFICER}
    feed = api.get("/events?after=0", officer_token).json()
    assert [e["officer"] for e in feed] == [OFFICER] * 3
    assert {e["actor"] for e in feed} == {"education/371002/registrar"}
    stored = api.store.read_after(0)
    assert {s.meta["officer"] for s in stored} == {OFFICER}


def test_events_of_a_token_without_officer_carry_no_officer(start_service, token):
    api = start_service(RegistryService)
    assert api.post("/institutions", token(), json=institution(2)).status_code == 201
    feed = api.get("/events?after=0", token()).json()
    assert len(feed) == 3
    assert not any("officer" in event for event in feed)
