"""Ids joined into stream ids: two campaigns, or two schools' returns, never share one."""
import pytest

from services.tasks.service import TasksService

HEADER = "pupil_id,pupil_name,grade,class,institution_name,credit_code,course\n"


def plan(campaign_id):
    return (f"campaign_id: {campaign_id}\ntitle: 试点\nstarts_on: 2024-01-15\n"
            "districts: ['371002']\n"
            "tasks:\n  - {task_no: 1, title: 方案, deadline: 2024-01-22, measure: plan_filed}\n"
            ).encode()


@pytest.fixture
def api(start_service, tmp_path, monkeypatch):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OTG_CLOCK_FILE", str(tmp_path / "clock"))
    monkeypatch.setenv("OTG_PUPIL_KEY", "integration-pupil-key-of-at-least-32-bytes")
    (tmp_path / "clock").write_text("2024-01-21T10:00:00+08:00")
    return start_service(TasksService)


def test_a_campaign_named_like_a_district_part_of_another_starts(api, token):
    coordinator = token("coordinator", "education", "371000")
    assert api.post("/campaigns", coordinator, data=plan("w")).status_code == 201
    filed = api.post("/campaigns/w/implementation-plans", token("registrar", "education", "371002"),
                     data={"district": "371002"}, files={"file": ("plan.pdf", b"%PDF")})
    assert filed.status_code == 201, filed.text
    started = api.post("/campaigns", coordinator, data=plan("w-371002"))
    assert started.status_code == 201, started.text
    assert api.get("/campaigns/w-371002").json()["campaign_id"] == "w-371002"
    task1 = api.get("/progress?district=371002&campaign=w-371002").json()["tasks"][0]
    assert (task1["value"], task1["status"]) == (0.0, "on_track")
    subjects = {e["subject"] for e in api.get("/events?limit=1000").json()}
    assert {"campaign-w", "campaign-w/371002", "campaign-w-371002"} <= subjects


def test_returns_of_two_schools_in_two_campaigns_stay_apart(api, token):
    coordinator = token("coordinator", "education", "371000")
    for campaign_id in ("w", "w-hc"):
        assert api.post("/campaigns", coordinator, data=plan(campaign_id)).status_code == 201
    for school_id in ("x", "hc-x"):
        school = {"school_id": school_id, "name": "环翠区实验小学", "district": "371002"}
        assert api.post("/schools", coordinator, json=school).status_code == 201
    ledger = (HEADER + "G1,王小明,三年级,2班,,,\n").encode()
    school = token("school", "education", "371002")
    for school_id, campaign_id in (("hc-x", "w"), ("x", "w-hc")):
        sent = api.post("/surveys", school, data={"school_id": school_id, "campaign_id": campaign_id},
                        files={"file": ("ledger.csv", ledger)})
        assert sent.status_code == 201, sent.text
        assert sent.json()["returns"]["survey_revision"] == 1   # each school's first upload
    returned = [e for e in api.get("/events?limit=1000").json()
                if e["type"] == "otg.tasks.SurveyReturned.v1"]
    assert sorted(e["subject"] for e in returned) == ["returns-w-hc/x", "returns-w/hc-x"]
