"""Operator commands: rebuild read models, inspect and replay dead letters, tail events."""
import threading

from click.testing import CliRunner
from sqlalchemy import delete

from services.registry import projections
from services.registry.service import RegistryService
from shared import deadletter, tail
from otg.cli import main
from support import bound, eventually, publish_event
from test_backbone_bus import institution

CONSUMER = "registry.handle_inspection_hazard_found"


def test_projections_rebuild_restores_a_lost_read_model(start_service, token, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'registry-ops.db'}"
    monkeypatch.setenv("REGISTRY_DATABASE_URL", url)
    api = start_service(RegistryService, database_url=url)
    ids = [api.post("/institutions", token(), json=institution(n)).json()["id"] for n in range(3)]
    with api.store.writing() as conn:
        conn.execute(delete(projections.institutions))
    assert api.get(f"/institutions/{ids[0]}", token()).status_code == 404
    result = CliRunner().invoke(main, ["projections", "rebuild", "registry"])
    assert result.exit_code == 0, result.output
    assert "from 9 events" in result.output
    assert "registry: registry: 9 events in " in result.output  # a summary per read model
    assert all(api.get(f"/institutions/{i}", token()).json()["list_status"] == "white" for i in ids)


def test_dead_letters_are_listed_and_replayed(start_service, amqp_uri, monkeypatch):
    monkeypatch.setenv("AMQP_URI", amqp_uri)
    api = start_service(RegistryService)
    publish_event(amqp_uri, "inspection", "HazardFound",
                  {"institution_id": "never-registered", "district": "371002", "severity": "major"})
    eventually(lambda: len(deadletter.read(amqp_uri, CONSUMER)) == 1, timeout=20)
    assert failures(api) == 3
    listed = CliRunner().invoke(main, ["dlq", "list", CONSUMER])
    assert "otg.inspection.HazardFound.v1" in listed.output and "NotFound" in listed.output
    replayed = CliRunner().invoke(main, ["dlq", "replay", CONSUMER])
    summary = replayed.output.strip().splitlines()[-1]
    assert summary.startswith(f"replaying to {CONSUMER}: 1 messages in ")
    assert summary.endswith("— 1 replayed, 0 kept")
    # handled again, three more attempts (and, still failing, parked again): not lost
    eventually(lambda: failures(api) == 6 and len(deadletter.read(amqp_uri, CONSUMER)) == 1,
               timeout=20)


def failures(api):
    """The consumer's handler failures, from the service's Prometheus metrics."""
    line = next(line for line in api.get("/metrics").text.splitlines()
                if line.startswith("otg_handler_failures_total") and CONSUMER in line)
    return float(line.rsplit(" ", 1)[1])


def test_a_dead_letter_whose_queue_is_gone_stays_parked(amqp_uri, monkeypatch):
    monkeypatch.setenv("AMQP_URI", amqp_uri)
    deadletter.park(amqp_uri, "registry.renamed_handler", {"institution_id": "x"},
                    {"ce-id": "e-1"}, "KeyError", "evt-inspection-no-longer-consumed")
    replayed = CliRunner().invoke(main, ["dlq", "replay", "registry.renamed_handler"])
    assert replayed.exit_code == 1 and "no such queue" in replayed.output
    assert len(deadletter.read(amqp_uri, "registry.renamed_handler")) == 1


def test_events_tail_prints_live_events(start_service, amqp_uri, token):
    api = start_service(RegistryService)
    lines, ready = [], threading.Event()

    def on_event(attrs, data):
        lines.append(tail.line(attrs, data))
    follower = threading.Thread(target=tail.follow, args=(amqp_uri, ["registry"], "InstitutionRegistered"),
                                kwargs={"on_event": on_event, "stop": lambda: bool(lines)})
    follower.start()
    eventually(lambda: bound(amqp_uri, "registry.events"))
    created = api.post("/institutions", token(), json=institution(1)).json()
    follower.join(timeout=20)
    assert lines and "otg.registry.InstitutionRegistered.v1" in lines[0] and created["id"] in lines[0]
