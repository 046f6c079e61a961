"""Enforcement checks name the officers present: two with certificate numbers (执法证号)
to complete one; events carry the officers' ids, the certificates stay in the service."""
import json

from services.inspection.events import InspectionCompleted
from test_inspection_http import feed, inspection, inspector, register  # noqa: F401

LI = {"officer_id": "off-li", "certificate": "37100219001"}
WANG = {"officer_id": "off-wang", "certificate": "鲁威执37100219002"}


def enforcement_check(api, token, school, **extra):
    created = api.post("/inspections", inspector(token), json={
        "institution_id": school, "kind": "enforcement", "modes": ["unannounced"],
        "departments": ["fire"], **extra})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def test_enforcement_check_without_two_certified_officers_is_refused_and_stays_open(
        inspection, amqp_uri, token):
    [school] = register(inspection, amqp_uri, token)
    check = enforcement_check(inspection, token, school)
    before = inspection.get("/health").json()["events"]
    refusals = [{}, {"officers": [LI]}, {"officers": [LI, {**WANG, "certificate": None}]},
                {"officers": [LI, {**WANG, "certificate": LI["certificate"]}]},
                {"officers": [LI, LI]}]
    for body in refusals:
        refused = inspection.post(f"/inspections/{check}/complete", inspector(token), json=body)
        assert refused.status_code == 400, body
        assert "officers" in refused.json()["fields"]
    named = inspection.post(f"/inspections/{check}/complete", inspector(token),
                            json={"officers": [{"officer_id": "张三", "certificate": "37100219001"}]})
    assert named.status_code == 400 and "officer_id" in named.json()["fields"]["officers"]["0"]
    assert inspection.get("/health").json()["events"] == before
    assert inspection.get(f"/inspections/{check}", inspector(token)).json()["status"] == "scheduled"

    done = inspection.post(f"/inspections/{check}/complete", inspector(token),
                           json={"officers": [LI, WANG]})
    assert done.status_code == 200, done.text
    [completed] = feed(inspection, "InspectionCompleted")
    assert completed["data"]["officer_ids"] == ["off-li", "off-wang"]
    assert completed["type"] == "otg.inspection.InspectionCompleted.v2"
    everything = json.dumps(inspection.get("/events?limit=1000").json(), ensure_ascii=False)
    assert LI["certificate"] not in everything and WANG["certificate"] not in everything


def test_officers_scheduled_complete_the_check_and_their_certificates_stay_in_the_district(
        inspection, amqp_uri, token):
    [school] = register(inspection, amqp_uri, token)
    check = enforcement_check(inspection, token, school, officers=[LI, WANG])
    [scheduled] = feed(inspection, "InspectionScheduled")
    assert scheduled["data"]["officer_ids"] == ["off-li", "off-wang"]
    done = inspection.post(f"/inspections/{check}/complete", inspector(token), json={})
    assert done.status_code == 200, done.text
    assert done.json()["officers"] == [LI, WANG]
    elsewhere = inspection.get(f"/inspections/{check}", token("inspector", "fire", "371003"))
    assert elsewhere.status_code == 403  # reads are bound to the district (docs/inspection.md)
    assert LI["certificate"] not in elsewhere.text and WANG["certificate"] not in elsewhere.text


def test_officers_present_replace_those_scheduled(inspection, amqp_uri, token):
    [school] = register(inspection, amqp_uri, token)
    zhao = {"officer_id": "off-zhao", "certificate": "37100219003"}
    check = enforcement_check(inspection, token, school, officers=[LI, WANG])
    done = inspection.post(f"/inspections/{check}/complete", inspector(token),
                           json={"officers": [WANG, zhao]})
    assert done.json()["officer_ids"] == ["off-wang", "off-zhao"]
    assert done.json()["officers"] == [WANG, zhao]


def test_a_completion_stored_before_officers_were_named_reads_with_none():
    old = InspectionCompleted.from_stored(1, {"inspection_id": "i-1", "kind": "enforcement"})
    assert old.officer_ids == []


def test_enforcement_check_is_completed_from_the_command_line_with_two_officers(
        inspection, amqp_uri, token):
    from click.testing import CliRunner

    from services.inspection.cli import commands
    [school] = register(inspection, amqp_uri, token)
    runner, fire = CliRunner(), ["--token", inspector(token)]
    check = enforcement_check(inspection, token, school)
    refused = runner.invoke(commands, ["complete", check, *fire, "--officer", "off-li=37100219001"])
    assert refused.exit_code == 2 and "officers" in refused.output
    done = runner.invoke(commands, ["complete", check, *fire, "--officer", "off-li=37100219001",
                                    "--officer", "off-wang=鲁威执37100219002"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["officer_ids"] == ["off-li", "off-wang"]
