"""What a feed token grants, and the example integrator account of compose and the demo."""
from pathlib import Path

import yaml

from shared import vocabulary
from shared.auth import Actor
from otg.demo import EXAMPLE_INTEGRATOR_TYPES

ROOT = Path(__file__).resolve().parents[2]


def test_integrator_reads_what_was_granted_and_nothing_else():
    news = Actor("integrator", "", "371000", ("registry.InstitutionSuspended", "disclosure.*"))
    assert news.may_read_event("registry", "InstitutionSuspended")
    assert news.may_read_event("disclosure", "CaseExposed")
    assert not news.may_read_event("registry", "InstitutionRegistered")


def test_no_grant_opens_an_unannounced_check_to_an_integrator():
    everything = Actor("integrator", "", "371000", ("inspection.*", "complaints.*"))
    for confidential in vocabulary.CONFIDENTIAL_EVENTS:
        assert not everything.may_read_event(*confidential.split("."))
    assert Actor("service", "", "371000", ("inspection.*",)).may_read_event("inspection", "InspectionScheduled")


def test_officials_read_no_feed():
    coordinator = Actor("coordinator", "education", "371000", ("registry.*",))
    assert not coordinator.may_read_event("registry", "InstitutionRegistered")


def test_compose_and_the_demo_grant_the_example_integrator_the_same_public_types():
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["example-integrator"]["command"]
    compose_default = command[command.index("--types") + 1].split(":-", 1)[1].rstrip("}").split(",")
    env = dict(line.split("=", 1) for line in (ROOT / "deploy/example.env").read_text().splitlines()
               if line and not line.startswith("#"))
    assert compose_default == env["OTG_EXAMPLE_INTEGRATOR_TYPES"].split(",") == list(EXAMPLE_INTEGRATOR_TYPES)
    assert not set(EXAMPLE_INTEGRATOR_TYPES) & set(vocabulary.CONFIDENTIAL_EVENTS)
