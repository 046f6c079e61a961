"""The tasks HTTP API: schools, meetings, filed plans, the dashboard."""
from pathlib import Path

import pytest

from services.tasks.service import TasksService
from shared.projections import rebuild
from support import eventually

PLAN = Path(__file__).parents[2] / "deploy" / "plans" / "weihai-2024-winter.yaml"
SCHOOLS = Path(__file__).parents[2] / "deploy" / "tasks" / "schools.sample.csv"


@pytest.fixture
def api(start_service, token, tmp_path, monkeypatch):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OTG_CLOCK_FILE", str(tmp_path / "clock"))
    (tmp_path / "clock").write_text("2024-01-21T10:00:00+08:00")
    api = start_service(TasksService)
    coordinator = token("coordinator", "education", "371000")
    assert api.post("/campaigns", coordinator, data=PLAN.read_bytes()).status_code == 201
    imported = api.post("/schools/import", coordinator,
                        files={"file": ("schools.csv", SCHOOLS.read_bytes())})
    assert imported.json() == {"added": 9, "unchanged": 0}
    return api


def test_meetings_reported_by_both_schools_complete_task_5(api, token):
    school = token("school", "education", "371002")
    for school_id in ("hc-shiyan-xiaoxue", "hc-diyi-zhongxue"):
        sent = api.post("/meetings", school, json={"school_id": school_id, "parent_meetings": 1,
                                                   "class_meetings": 3})
        assert sent.status_code == 201, sent.text
    task5 = api.get("/progress?district=371002").json()["tasks"][4]
    assert (task5["value"], task5["status"], task5["details"]["meetings"]) == (1.0, "done", 8)


def test_a_school_corrects_its_meetings_report_and_the_progress_shows_the_latest(api, token):
    school = token("school", "education", "371002")
    for parent_meetings in (1, 2):  # the second report was refused as a conflict (409)
        sent = api.post("/meetings", school, json={"school_id": "hc-shiyan-xiaoxue",
                                                   "parent_meetings": parent_meetings,
                                                   "class_meetings": 3})
        assert sent.status_code == 201, sent.text
    task5 = api.get("/progress?district=371002").json()["tasks"][4]
    assert task5["details"]["meetings"] == 5


def test_school_list_with_a_bad_row_is_refused_whole(api, token):
    bad = "school_id,name,district\nwd-2,文登区第二小学,371003\nwd-3,文登区第三小学,999999\n"
    refused = api.post("/schools/import", token("registrar", "education", "371003"),
                       files={"file": ("schools.csv", bad.encode())})
    assert refused.status_code == 400
    assert refused.json()["error"].startswith("row 3, district:")
    assert len(api.get("/schools?district=371003").json()) == 1


def test_plan_document_of_an_unknown_type_is_refused(api, token):
    refused = api.post("/campaigns/weihai-2024-winter/implementation-plans",
                       token("registrar", "education", "371002"), data={"district": "371002"},
                       files={"file": ("plan.exe", b"MZ")})
    assert refused.status_code == 400 and "file" in refused.json()["fields"]
    elsewhere = api.post("/campaigns/weihai-2024-winter/implementation-plans",
                         token("registrar", "education", "371002"), data={"district": "371003"},
                         files={"file": ("plan.pdf", b"%PDF")})
    assert elsewhere.status_code == 403


def test_dashboard_page_and_its_json(api):
    page = api.get("/dashboard")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert page.text.count("<svg") == 8 and "任务进度看板" in page.text
    data = api.get("/dashboard.json").json()
    assert [t["task_no"] for t in data["tasks"]] == list(range(1, 9))
    assert len(data["tasks"][0]["districts"]) == 8 and data["as_of"] == "2024-01-21"
    assert api.get("/progress?district=371000").status_code == 400
    assert api.get("/progress?district=371002&campaign=nope").status_code == 404


def test_plan_files_named_in_the_environment_start_their_campaign_once(start_service, monkeypatch,
                                                                       tmp_path):
    monkeypatch.setenv("OTG_TASKS_PLANS", f"{PLAN},{tmp_path / 'missing.yaml'}")
    database = f"sqlite:///{tmp_path / 'tasks.db'}"
    api = start_service(TasksService, database_url=database)
    eventually(lambda: [c["campaign_id"] for c in api.get("/campaigns").json()] == [
        "weihai-2024-winter"])
    api.container.stop()
    # restarted with one more plan: once that one is started, the loader has run
    spring = tmp_path / "spring.yaml"
    spring.write_text(PLAN.read_text(encoding="utf-8").replace(
        "campaign_id: weihai-2024-winter", "campaign_id: weihai-2024-spring"), encoding="utf-8")
    monkeypatch.setenv("OTG_TASKS_PLANS", f"{PLAN},{spring}")
    api = start_service(TasksService, database_url=database)
    eventually(lambda: len(api.get("/campaigns").json()) == 2)
    started = [e["data"]["campaign_id"] for e in api.get("/events").json()
               if e["type"] == "otg.tasks.CampaignStarted.v1"]
    assert sorted(started) == ["weihai-2024-spring", "weihai-2024-winter"]


@pytest.mark.parametrize("change, field", [
    (("timezone: Asia/Shanghai", "timezone: Asia"), "line 10: timezone"),
    (("min_exposed: 1", "min_exposed: 0"), "line 75: tasks[7].measure.min_exposed")])
def test_a_plan_with_a_bad_zone_or_a_measure_done_at_start_is_refused(api, token, change, field):
    plan = PLAN.read_text(encoding="utf-8").replace(*change).replace(
        "campaign_id: weihai-2024-winter", "campaign_id: w2")
    refused = api.post("/campaigns", token("coordinator", "education", "371000"),
                       data=plan.encode())
    assert refused.status_code == 400, refused.text
    assert list(refused.json()["fields"]) == [field]
    assert api.get("/campaigns/w2").status_code == 404


def test_the_progress_read_models_rebuilt_from_the_log_are_those_kept_live(api, token):
    school = token("school", "education", "371002")
    for school_id, meetings in (("hc-shiyan-xiaoxue", 1), ("hc-diyi-zhongxue", 1),
                                ("hc-shiyan-xiaoxue", 2)):  # a school's report corrected
        sent = api.post("/meetings", school, json={"school_id": school_id,
                                                   "parent_meetings": meetings,
                                                   "class_meetings": 3})
        assert sent.status_code == 201, sent.text
    live = [api.get(f"/progress?district={d}").json() for d in ("371002", "371003")]
    for projection in api.store.projections:  # as `otg projections rebuild tasks`
        rebuild(api.store, projection)
    assert [api.get(f"/progress?district={d}").json() for d in ("371002", "371003")] == live
