"""Events feeds need a token: services catch up with their own, integrators read only
the types an operator granted, and no one outside learns of an unannounced check."""
import json
import os
import re
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jwt
import pytest
import requests
from click.testing import CliRunner

from services.inspection.service import InspectionService
from services.registry.service import RegistryService
from shared import auth
from otg.cli import main
from shared.errors import BadRequest
from support import eventually
from test_backbone_bus import institution
from test_inspection_http import register, schedule

ROOT = Path(__file__).resolve().parents[2]


def integrator(*types):
    return auth.issue("integrator", "", auth.CITY, types=types, subject="weihai-news")


@pytest.fixture
def registry(start_service, token):
    api = start_service(RegistryService)
    created = api.post("/institutions", token(), json=institution(1))
    assert created.status_code == 201, created.text
    return api


def names(answer):
    assert answer.status_code == 200, answer.text
    return {event["type"].split(".")[2] for event in answer.json()}


def test_feed_without_a_token_is_refused(registry):
    answer = requests.get(f"{registry.base}/events", timeout=10)
    assert answer.status_code == 401
    assert "InstitutionRegistered" not in answer.text


@pytest.mark.parametrize("role", ["registrar", "admin"])
def test_officials_tokens_do_not_read_the_feed(registry, token, role):
    assert registry.get("/events", token(role, "education", "371000")).status_code == 403


def test_integrator_reads_only_the_event_types_granted(registry):
    only_registrations = integrator("registry.InstitutionRegistered")
    assert names(registry.get("/events", only_registrations)) == {"InstitutionRegistered"}
    refused = registry.get("/events?types=InstitutionRegistered,LicenceRecorded", only_registrations)
    assert refused.status_code == 403 and "LicenceRecorded" in refused.json()["error"]
    assert registry.get("/events", integrator("inspection.HazardFound")).json() == []


@pytest.fixture
def scheduled(start_service, amqp_uri, token, tmp_path, monkeypatch):
    monkeypatch.setenv("OTG_CLOCK_FILE", str(tmp_path / "clock"))
    (tmp_path / "clock").write_text("2024-01-20T09:00:00+08:00")
    api = start_service(InspectionService)
    [school] = register(api, amqp_uri, token)
    schedule(api, token, school)
    return api


def test_no_integrator_learns_of_an_unannounced_check(scheduled):
    everything = integrator("inspection.*")
    assert "InspectionScheduled" not in names(scheduled.get("/events", everything))
    asked = scheduled.get("/events?types=InspectionScheduled", everything)
    assert asked.status_code == 403
    with pytest.raises(BadRequest) as refused:
        integrator("inspection.InspectionScheduled")
    assert "types" in refused.value.fields


def test_a_forged_grant_of_an_unannounced_check_is_refused(scheduled):
    now = datetime.now(timezone.utc)
    forged = jwt.encode({"role": "integrator", "department": "", "district": "371000", "iss": "otg",
                         "iat": now, "exp": now + timedelta(days=1),
                         "types": ["inspection.InspectionScheduled"]},
                        auth.config.secret("jwt_secret"), algorithm=auth.ALGORITHM)
    answer = scheduled.get("/events?types=InspectionScheduled", forged)
    assert answer.status_code == 401 and "InspectionScheduled" in answer.json()["error"]


def test_a_service_catches_up_with_its_own_token(start_service, registry, token):
    """Inspection starts after the registry's events were published: it learns of the
    institution only from the registry's feed, which now needs a token."""
    follower = start_service(InspectionService, follow_feeds=True)
    district = institution(1)["district"]
    eventually(lambda: follower.get(f"/coverage?district={district}",
                                    token("inspector", "fire", district)).json()["institutions"] == 1,
               timeout=20)


@pytest.mark.parametrize("claims", [
    {"district": "999999"}, {"role": "superuser"}, {"department": "army"},
    {"exp": datetime.now(timezone.utc) + timedelta(days=3650)},
    {"iat": datetime.now(timezone.utc) + timedelta(days=2)},
])
def test_a_correctly_signed_token_with_claims_outside_the_vocabulary_is_refused(registry, claims):
    now = datetime.now(timezone.utc)
    forged = jwt.encode({"role": "registrar", "department": "education", "district": "371002",
                         "iss": "otg", "iat": now, "exp": now + timedelta(days=1), **claims},
                        auth.config.secret("jwt_secret"), algorithm=auth.ALGORITHM)
    answer = registry.get("/institutions?district=371002", forged)
    assert answer.status_code == 401, answer.text
    assert "invalid token" in answer.json()["error"]


def test_operator_issues_an_integrator_token_for_the_types_granted(registry):
    issued = CliRunner().invoke(main, ["token", "issue", "--role", "integrator", "--holder", "weihai-news",
                                       "--types", "registry.InstitutionRegistered"])
    assert issued.exit_code == 0, issued.output
    assert names(registry.get("/events", issued.output.strip())) == {"InstitutionRegistered"}


@pytest.mark.parametrize("arguments, field", [
    (["--role", "integrator", "--types", "inspection.InspectionScheduled"], "--types"),
    (["--role", "integrator", "--types", "complaints.VerificationRequested"], "--types"),
    (["--role", "integrator", "--types", "registry.InstitutionRegisterd"], "--types"),
    (["--role", "integrator"], "--types"),
    (["--role", "registrar", "--department", "education", "--district", "999999"], "--district"),
    (["--role", "registrar", "--department", "education"], "--district"),
    (["--role", "registrar", "--department", "education", "--district", "371002", "--days", "5000"], "--days"),
])
def test_operator_cannot_issue_a_token_outside_the_rules(arguments, field):
    refused = CliRunner().invoke(main, ["token", "issue", *arguments])
    assert refused.exit_code == 2
    assert f"error: {field}" in refused.output


def test_the_demos_example_integrator_cannot_read_unannounced_checks(scheduled, tmp_path):
    from otg.demo import example_integrator
    from otg.demo.stage import Stage
    demo_token = example_integrator(Stage(tmp_path / "demo")).read_text().strip()
    assert scheduled.get("/events", demo_token).json() == []
    assert scheduled.get("/events?types=InspectionScheduled", demo_token).status_code == 403


def test_documented_feed_commands_answer_the_granted_events(registry, tmp_path):
    doc = (ROOT / "docs" / "integrating.md").read_text()
    script = re.search(r"## Catching up: the feed.*?```sh\n(.*?)```", doc, re.S).group(1)
    script = script.replace("http://127.0.0.1:8001", registry.base)
    ran = subprocess.run(["bash", "-ec", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PATH": f"{ROOT / '.venv/bin'}:{os.environ['PATH']}"})
    assert ran.returncode == 0, ran.stderr
    first_page, _ = json.JSONDecoder().raw_decode(ran.stdout)
    assert {e["type"] for e in first_page} == {"otg.registry.InstitutionRegistered.v1"}
