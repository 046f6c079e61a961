"""The school survey ledger against the real registry's white list: unlisted
institutions become leads (counts only), malformed files store nothing."""
import json
from pathlib import Path

import pytest

from services.registry.service import RegistryService
from services.tasks import surveys
from services.tasks.service import TasksService
from shared.creditcode import complete
from support import caught_up

PLAN = Path(__file__).parents[2] / "deploy" / "plans" / "weihai-2024-winter.yaml"
HEADER = "pupil_id,pupil_name,grade,class,institution_name,credit_code,course\n"
LISTED = complete("91371002MA3C00001")
UNLISTED = complete("91371002MA3C00009")
LICENCES = [{"kind": "school_permit", "number": "P-1", "valid_until": "2030-12-31"},
            {"kind": "business_licence", "number": "B-1", "valid_until": "2030-12-31"}]


@pytest.fixture
def services(start_service, token, tmp_path, monkeypatch):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OTG_PUPIL_KEY", "integration-pupil-key-of-at-least-32-bytes")
    tasks = start_service(TasksService)        # first, so its queues exist before registry publishes
    registry = start_service(RegistryService)
    coordinator = token("coordinator", "education", "371000")
    assert tasks.post("/campaigns", coordinator, data=PLAN.read_bytes(),
                      headers={"Content-Type": "application/yaml"}).status_code == 201
    registrar = token("registrar", "education", "371002")
    body = {"name": "海星艺术培训学校", "credit_code": LISTED, "district": "371002",
            "category": "arts", "address": "环翠区海滨路1号", "licences": LICENCES}
    assert registry.post("/institutions", registrar, json=body).status_code == 201
    assert registry.post("/lists/white/batches", registrar,
                         json={"district": "371002"}).status_code == 201
    school = {"school_id": "hc-001", "name": "环翠区第一实验小学", "district": "371002"}
    assert tasks.post("/schools", registrar, json=school).status_code == 201
    caught_up(tasks, registry)  # the institution and its white-list batch
    assert tasks.get("/progress?district=371002").json()["tasks"][1]["value"] == 0.25
    return tasks


def upload(api, token, content, filename="ledger.csv", school_id="hc-001"):
    return api.post("/surveys", token, data={"school_id": school_id},
                    files={"file": (filename, content)})


def ledger(*rows):
    return (HEADER + "".join(r + "\n" for r in rows)).encode("utf-8")


def tasks_events(api):
    return api.get("/events?limit=1000").json()


def test_unlisted_institution_is_reported_with_counts_only(services, token):
    school = token("school", "education", "371002")
    sent = upload(services, school, ledger(
        "G37100200001,王小明,三年级,2班,海星艺术培训学校,,钢琴",
        f"G37100200002,李小红,五年级,1班,启航学堂,{UNLISTED},奥数",
        "G37100200003,赵小刚,五年级,3班,启航学堂,,英语"))
    assert sent.status_code == 201, sent.text
    returns = sent.json()["returns"]
    assert (returns["enrolments"], returns["pupils"], returns["unlisted"]) == (3, 3, 2)
    events = tasks_events(services)
    [report] = [e["data"] for e in events if e["type"] == "otg.tasks.UnlistedInstitutionReported.v1"]
    assert (report["institution_name"], report["credit_code"], report["pupil_count"]) == (
        "启航学堂", UNLISTED, 2)
    assert report["district"] == "371002" and report["school_id"] == "hc-001"
    wire = json.dumps(events, ensure_ascii=False)
    hashed = surveys.pupil_hash("integration-pupil-key-of-at-least-32-bytes", "G37100200001")
    for secret in ("王小明", "李小红", "赵小刚", "G37100200001", "G37100200002", hashed):
        assert secret not in wire
    assert services.get("/progress?district=371002").json()["tasks"][3]["value"] == 1.0


def test_updated_ledger_does_not_report_the_same_institution_again(services, token):
    school = token("school", "education", "371002")
    upload(services, school, ledger("P1,甲,三年级,1班,启航学堂,,奥数"))
    again = upload(services, school, ledger("P1,甲,三年级,1班,启航学堂,,奥数",
                                            "P2,乙,三年级,1班,启航学堂,,英语"))
    assert again.json()["returns"]["survey_revision"] == 2
    reports = [e for e in tasks_events(services)
               if e["type"] == "otg.tasks.UnlistedInstitutionReported.v1"]
    assert len(reports) == 1


def test_malformed_ledger_is_refused_naming_row_and_field_and_nothing_is_stored(services, token):
    school = token("school", "education", "371002")
    before = len(tasks_events(services))
    refused = upload(services, school, ledger("P1,甲,三年级,1班,海星艺术培训学校,,钢琴",
                                              f"P2,乙,三年级,1班,启航学堂,{UNLISTED[:-1]}X,奥数"))
    assert refused.status_code == 400
    assert refused.json()["error"].startswith("row 3, credit_code:")
    assert "row 3" in refused.json()["fields"]
    assert len(tasks_events(services)) == before
    assert services.get("/surveys/hc-001", school).json()["returns"] is None


def test_school_of_another_district_may_not_upload(services, token):
    other = token("school", "education", "371003")
    assert upload(services, other, ledger("P1,甲,三年级,1班,启航学堂,,奥数")).status_code == 403
    assert upload(services, token("registrar", "education", "371002"),
                  ledger("P1,甲,三年级,1班,启航学堂,,奥数")).status_code == 403


def test_schools_are_imported_from_the_command_line_in_batches_ending_with_a_summary(
        start_service, token, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from services.tasks import cli
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(cli, "SCHOOL_BATCH", 2)
    tasks = start_service(TasksService)
    table = tmp_path / "schools.csv"
    table.write_text("school_id,name,district\n" + "".join(
        f"hc-{n:03},环翠区第{n}小学,371002\n" for n in range(1, 6)))
    coordinator = ["--token", token("coordinator", "education", "371000")]
    first = CliRunner().invoke(cli.commands, ["import-schools", str(table), *coordinator])
    assert first.exit_code == 0, first.output
    assert first.output.strip().splitlines()[-1].endswith("— 5 added, 0 unchanged")
    assert len(tasks.get("/schools?district=371002", coordinator[1]).json()) == 5
    table.write_text(table.read_text() + "hc-006,,371002\n")
    refused = CliRunner().invoke(cli.commands, ["import-schools", str(table), *coordinator])
    assert refused.exit_code == 2 and "row 7" in refused.output
    assert len(tasks.get("/schools?district=371002", coordinator[1]).json()) == 5


def test_a_ledger_for_an_unknown_school_is_a_field_error_naming_the_id_as_given(services, token):
    school = token("school", "education", "371002")
    sent = upload(services, school, ledger("G37100200001,王小明,三年级,2班,海星艺术培训学校,,钢琴"),
                  school_id="hc-shiyan-xiaoxue")
    assert sent.status_code == 400
    [message] = sent.json()["fields"]["school_id"]
    assert "no school hc-shiyan-xiaoxue" in message and "school-" not in message
