"""Issue 13, "The bus trusts only who may speak": per-service RabbitMQ users made by
shared.busaccess in the test's throwaway vhost (and deleted afterwards), checked
against the real broker."""
import json
import uuid
from pathlib import Path

import amqp
import pytest
from amqp.exceptions import AccessRefused, NotFound
from click.testing import CliRunner
from kombu import Connection

from otg import installation
from otg.cli import main
from services.registry.service import RegistryService
from shared import busaccess, config, deadletter
from shared.creditcode import complete
from support import eventually, publish_event

ROOT = Path(__file__).resolve().parents[2]
HAZARD_QUEUE = "registry.from.inspection"
GRANTED = ["registry.InstitutionSuspended"]


def institution(n):
    return {"name": f"培训学校{n:04d}", "credit_code": complete(f"91371002MA3C{n:05d}"),
            "district": "371002", "category": "academic", "address": f"海滨路{n}号",
            "licences": [{"kind": "school_permit", "number": f"P{n}", "valid_until": "2030-12-31"},
                         {"kind": "business_licence", "number": f"B{n}", "valid_until": "2030-12-31"}]}


def hazard(institution_id):
    return {"institution_id": institution_id, "district": "371002", "severity": "critical",
            "item": "fire.evacuation", "inspection_id": str(uuid.uuid4()), "finding_id": "f1"}


@pytest.fixture
def bus(amqp_uri, tmp_path, monkeypatch):
    """{party: AMQP URI}: the five services' users and one integrator granted
    `registry.InstitutionSuspended`, provisioned by the code operators use."""
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path / "secrets"))
    uris = busaccess.provision(amqp_uri, installation.followed(config.SERVICES))
    vhost = busaccess.vhost_of(amqp_uri)
    integrator, password = f"acme-{uuid.uuid4().hex[:10]}", uuid.uuid4().hex
    busaccess.Management(amqp_uri).load(busaccess.definitions(
        vhost, {}, [(integrator, password,
                     busaccess.parse_grants(GRANTED, dict(installation.catalogues())))]))
    uris["integrator"] = busaccess.uri_for(amqp_uri, integrator, password)
    uris["integrator_name"] = integrator
    yield uris
    busaccess.unprovision(amqp_uri, config.SERVICES)
    busaccess.Management(amqp_uri).delete_user(integrator)


def publish(uri, exchange, routing_key, body=b"{}"):
    """Publish with a publisher confirm: returns once the broker took it, raises if refused."""
    with Connection(uri, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        channel.basic_publish(amqp.Message(body, application_headers={"ce-id": str(uuid.uuid4())}),
                              exchange=exchange, routing_key=routing_key)


def refused(uri, action):
    with Connection(uri) as conn:
        with pytest.raises(AccessRefused):
            action(conn.channel())
            conn.channel().basic_qos(0, 1, False)  # a round trip: an async refusal arrives


def test_a_hazard_forged_by_another_service_or_an_integrator_is_refused_by_the_broker(bus):
    forged = json.dumps(hazard("any-real-institution")).encode()
    for party in ("registry", "tasks", "disclosure", "complaints", "integrator"):
        with pytest.raises(AccessRefused):
            publish(bus[party], "inspection.events", "HazardFound", forged)
        with pytest.raises(AccessRefused):  # nor straight into the registry's queue
            publish(bus[party], "", HAZARD_QUEUE, forged)
    publish(bus["inspection"], "inspection.events", "HazardFound", forged)  # its owner may


def test_services_publish_their_own_events_and_consume_what_they_follow(bus, start_service, token):
    registry = start_service(RegistryService, AMQP_URI=bus["registry"])
    watch = f"{bus['integrator_name']}.suspensions"
    with Connection(bus["integrator"]) as conn:
        channel = conn.channel()
        channel.queue_declare(watch, durable=True)
        channel.queue_bind(watch, "registry.events", "InstitutionSuspended")
        registrar = token()
        created = registry.post("/institutions", registrar, json=institution(11)).json()
        publish_event(bus["inspection"], "inspection", "HazardFound", hazard(created["id"]))
        eventually(lambda: registry.get(f"/institutions/{created['id']}", registrar)
                   .json()["status"] == "suspended")
        suspended = eventually(lambda: channel.basic_get(watch, no_ack=True))
    assert suspended.headers["ce-type"] == "otg.registry.InstitutionSuspended.v1"
    assert suspended.headers["ce-subject"] == created["id"]


def test_a_service_parks_what_it_cannot_handle_in_its_own_dead_letter_queue(bus, start_service, amqp_uri):
    start_service(RegistryService, AMQP_URI=bus["registry"])
    publish_event(bus["inspection"], "inspection", "HazardFound", hazard("no-such-institution"))
    [parked] = eventually(lambda: deadletter.read(amqp_uri, "registry.handle_inspection_hazard_found"),
                          timeout=20)
    assert parked.headers["x-otg-queue"] == HAZARD_QUEUE and "NotFound" in parked.headers["x-otg-reason"]


def test_a_service_may_neither_take_nor_feed_another_services_queues(bus):
    disclosure_queue = "disclosure.from.inspection"
    refused(bus["registry"], lambda ch: ch.queue_declare(disclosure_queue, durable=True))
    with Connection(bus["disclosure"]) as conn:
        conn.channel().queue_declare(disclosure_queue, durable=True)  # its owner may
    refused(bus["registry"], lambda ch: ch.basic_consume(disclosure_queue))
    refused(bus["registry"], lambda ch: ch.queue_purge(disclosure_queue))
    refused(bus["registry"], lambda ch: ch.exchange_delete("inspection.events"))
    refused(bus["registry"], lambda ch: ch.exchange_bind("registry.events", "inspection.events", "#"))
    # nor park a message where the operator's replay would carry it to another service
    refused(bus["registry"], lambda ch: ch.basic_publish(
        amqp.Message(b"{}"), exchange="disclosure.dead-letter",
        routing_key="disclosure.handle_inspection_hazard_found"))


def test_an_integrator_binds_only_to_the_event_types_it_was_granted(bus):
    name = bus["integrator_name"]
    with Connection(bus["integrator"]) as conn:
        channel = conn.channel()
        channel.queue_declare(f"{name}.feed", durable=True)
        channel.queue_bind(f"{name}.feed", "registry.events", "InstitutionSuspended")
    for exchange, key in (("registry.events", "#"), ("registry.events", "InstitutionRegistered"),
                          ("inspection.events", "HazardFound")):
        refused(bus["integrator"], lambda ch: ch.queue_bind(f"{name}.feed", exchange, key))
    refused(bus["integrator"], lambda ch: ch.queue_declare("otg.not-mine", durable=True))
    refused(bus["integrator"], lambda ch: ch.basic_consume(HAZARD_QUEUE))


def test_replay_never_carries_a_parked_message_to_another_consumers_queue(amqp_uri):
    foreign = "disclosure.from.inspection"
    with Connection(amqp_uri) as conn:
        conn.channel().queue_declare(foreign, durable=True)
    deadletter.park(amqp_uri, "registry.handle_inspection_hazard_found", hazard("x"),
                    {"ce-id": "forged-1"}, "planted", foreign)
    with pytest.raises(ValueError, match=foreign):
        deadletter.replay(amqp_uri, "registry.handle_inspection_hazard_found")
    assert len(deadletter.read(amqp_uri, "registry.handle_inspection_hazard_found")) == 1
    with Connection(amqp_uri) as conn:
        assert conn.channel().queue_declare(foreign, passive=True).message_count == 0


def test_the_definitions_file_compose_loads_lets_each_service_in_as_itself_only(
        amqp_uri, tmp_path, monkeypatch):
    vhost = busaccess.vhost_of(amqp_uri)
    passwords = {service: uuid.uuid4().hex * 2 for service in config.SERVICES}
    for service, password in passwords.items():
        monkeypatch.setenv(f"OTG_BROKER_PASSWORD_{service.upper()}", password)
    admin = f"otg-admin-{vhost}"
    monkeypatch.setenv("RABBITMQ_DEFAULT_USER", admin)
    monkeypatch.setenv("RABBITMQ_DEFAULT_PASS", "change-me")
    out = tmp_path / "definitions.json"
    write = ["broker", "definitions", "--out", str(out), "--vhost", vhost]
    refused_placeholder = CliRunner().invoke(main, write)
    assert refused_placeholder.exit_code == 2 and "placeholder" in refused_placeholder.output
    assert not out.exists()
    monkeypatch.setenv("RABBITMQ_DEFAULT_PASS", uuid.uuid4().hex * 2)
    written = CliRunner().invoke(main, write)
    assert written.exit_code == 0, written.output
    assert not any(password in out.read_text() for password in passwords.values())
    try:
        busaccess.Management(amqp_uri).load(json.loads(out.read_text()))
        tasks = busaccess.uri_for(amqp_uri, busaccess.service_user("tasks", vhost), passwords["tasks"])
        publish(tasks, "tasks.events", "TaskOverdue")
        with pytest.raises(AccessRefused):
            publish(tasks, "inspection.events", "HazardFound")
    finally:
        busaccess.unprovision(amqp_uri, config.SERVICES)
        busaccess.Management(amqp_uri).delete_user(admin)


def test_an_operator_grants_an_integrator_only_event_types_that_exist(amqp_uri, monkeypatch):
    monkeypatch.setenv("AMQP_URI", amqp_uri)
    name = f"acme-{uuid.uuid4().hex[:10]}"
    unknown = CliRunner().invoke(main, ["broker", "integrator", name, "--types", "registry.NoSuchEvent"])
    assert unknown.exit_code == 2 and "registry has no event 'NoSuchEvent'" in unknown.output
    granted = CliRunner().invoke(main, ["broker", "integrator", name, "--types",
                                        "inspection.HazardFound,registry.InstitutionSuspended"])
    assert granted.exit_code == 0, granted.output
    try:
        with Connection(granted.output.strip()) as conn:
            channel = conn.channel()
            channel.queue_declare(f"{name}.hazards", durable=True)
            channel.queue_bind(f"{name}.hazards", "inspection.events", "HazardFound")
        refused(granted.output.strip(), lambda ch: ch.queue_bind(f"{name}.hazards", "inspection.events", "#"))
        regranted = CliRunner().invoke(main, ["broker", "integrator", name,
                                              "--types", "registry.InstitutionSuspended"])
        assert regranted.exit_code == 0 and "removed 1 binding(s)" in regranted.output
        publish(amqp_uri, "inspection.events", "HazardFound")  # no longer reaches the integrator
        with Connection(amqp_uri) as conn:
            assert conn.channel().queue_declare(f"{name}.hazards", passive=True).message_count == 0
    finally:
        removed = CliRunner().invoke(main, ["broker", "remove", name])
    assert removed.exit_code == 0 and "1 queue(s)" in removed.output
    with Connection(amqp_uri) as conn:
        with pytest.raises(NotFound):
            conn.channel().queue_declare(f"{name}.hazards", passive=True)


def test_a_broker_booted_with_the_written_definitions_refuses_forged_events(tmp_path, monkeypatch):
    """What compose does: broker-setup writes the file, RabbitMQ loads it at boot
    (deploy/rabbitmq/otg.conf); here on a RabbitMQ node of the test's own."""
    from support import PrivateBroker
    passwords = {service: uuid.uuid4().hex * 2 for service in config.SERVICES}
    for service, password in passwords.items():
        monkeypatch.setenv(f"OTG_BROKER_PASSWORD_{service.upper()}", password)
    monkeypatch.setenv("RABBITMQ_DEFAULT_USER", "otg")
    monkeypatch.setenv("RABBITMQ_DEFAULT_PASS", admin_password := uuid.uuid4().hex * 2)
    workdir = tmp_path / "rabbitmq"
    broker = PrivateBroker(workdir)
    written = CliRunner().invoke(main, ["broker", "definitions", "--out", str(workdir / "definitions.json")])
    assert written.exit_code == 0, written.output
    conf = (ROOT / "deploy/rabbitmq/otg.conf").read_text().replace(
        "/etc/rabbitmq/otg/definitions.json", str(workdir / "definitions.json"))
    with open(workdir / "rabbitmq.conf", "a") as handle:
        handle.write(conf)
    broker.start()
    try:
        as_user = {service: busaccess.uri_for(broker.amqp_uri, f"otg-{service}", password)
                   for service, password in passwords.items()}
        publish(as_user["inspection"], "inspection.events", "HazardFound")
        with pytest.raises(AccessRefused):
            publish(as_user["registry"], "inspection.events", "HazardFound")
        with Connection(as_user["registry"]) as conn:  # provisioned, so followers may bind to it
            conn.channel().exchange_declare("inspection.events", "topic", passive=True)
        publish(busaccess.uri_for(broker.amqp_uri, "otg", admin_password), "registry.events", "Any")
    finally:
        broker.shutdown()
