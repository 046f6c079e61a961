"""Upgrading a broker whose queues an earlier release declared without a type or a
single active consumer: RabbitMQ refuses to redeclare them with other arguments
(406), so `otg broker upgrade-queues` replaces them, keeping messages and bindings."""
import amqp
from click.testing import CliRunner
from kombu import Connection

from services.registry.service import RegistryService
from shared.busaccess import Management, vhost_of
from otg.cli import main

QUEUE = "evt-inspection-HazardFound--registry.handle_inspection_hazard_found"
PARKED = "dlq.registry.handle_inspection_hazard_found"


def declare_as_before(amqp_uri):
    """The queues as the earlier release left them: classic, no arguments, holding messages."""
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        for exchange, kind in (("inspection.events", "topic"), ("registry.dead-letter", "direct")):
            channel.exchange_declare(exchange, kind, durable=True, auto_delete=False)
        channel.queue_declare(QUEUE, durable=True, auto_delete=False)
        channel.queue_bind(QUEUE, "inspection.events", "HazardFound")
        channel.queue_declare(PARKED, durable=True, auto_delete=False)
        channel.queue_bind(PARKED, "registry.dead-letter", "registry.handle_inspection_hazard_found")
        for n in range(2):
            channel.basic_publish(amqp.Message(f'{{"n": {n}}}', delivery_mode=2), "", QUEUE)
        channel.basic_publish(amqp.Message('{"parked": 1}', delivery_mode=2), "", PARKED)


def queues(amqp_uri):
    management = Management(amqp_uri)
    return {q["name"]: q for q in management.queues(vhost_of(amqp_uri))}, management


def test_upgrade_redeclares_old_queues_keeping_their_messages_and_bindings(
        amqp_uri, monkeypatch, start_service):
    monkeypatch.setenv("AMQP_URI", amqp_uri)
    monkeypatch.setenv("OTG_QUEUE_TYPE", "quorum")
    declare_as_before(amqp_uri)

    result = CliRunner().invoke(main, ["broker", "upgrade-queues"])
    assert result.exit_code == 0, result.output
    assert f"redeclared {QUEUE} (2 message(s) kept)" in result.output

    listed, management = queues(amqp_uri)
    assert listed[QUEUE]["arguments"] == {"x-queue-type": "quorum", "x-single-active-consumer": True}
    assert listed[PARKED]["arguments"] == {"x-queue-type": "quorum"}
    assert not [name for name in listed if name.startswith("upgrade.")]
    bindings = management.bindings_to(vhost_of(amqp_uri), QUEUE)
    assert [(b["source"], b["routing_key"]) for b in bindings] == [("inspection.events", "HazardFound")]
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        assert channel.queue_declare(QUEUE, passive=True).message_count == 2
        assert channel.basic_get(PARKED, no_ack=True).body == '{"parked": 1}'

    start_service(RegistryService)  # declares its queues again: no 406 any more
    again = CliRunner().invoke(main, ["broker", "upgrade-queues"])
    assert again.exit_code == 0 and "redeclared" not in again.output


def test_upgrade_refuses_a_queue_a_running_service_consumes(amqp_uri, monkeypatch):
    monkeypatch.setenv("AMQP_URI", amqp_uri)
    monkeypatch.setenv("OTG_QUEUE_TYPE", "quorum")
    declare_as_before(amqp_uri)
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        channel.basic_consume(QUEUE, callback=lambda message: None)
        result = CliRunner().invoke(main, ["broker", "upgrade-queues"])
        assert result.exit_code == 2 and QUEUE in result.output
        assert channel.queue_declare(QUEUE, passive=True).consumer_count == 1
        assert queues(amqp_uri)[0][QUEUE]["arguments"] == {}  # left as it was



def test_the_development_runner_upgrades_old_queues_before_services_start(amqp_uri, monkeypatch, capsys):
    from shared import broker
    monkeypatch.setenv("OTG_QUEUE_TYPE", "quorum")
    declare_as_before(amqp_uri)
    broker.ensure_running(amqp_uri)
    assert f"redeclared {QUEUE}" in capsys.readouterr().err
    assert queues(amqp_uri)[0][QUEUE]["arguments"]["x-single-active-consumer"] is True
