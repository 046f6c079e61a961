"""The campaign calendar runs on the injectable clock: overdue once, completed
once, naming a lagging district, surviving a restart."""
from collections import Counter
from pathlib import Path

import pytest

from services.tasks.service import TasksService
from support import eventually

PLAN = Path(__file__).parents[2] / "deploy" / "plans" / "weihai-2024-winter.yaml"


@pytest.fixture
def clock(tmp_path, monkeypatch):
    path = tmp_path / "clock"
    monkeypatch.setenv("OTG_CLOCK_FILE", str(path))
    monkeypatch.setenv("OTG_CHECK_INTERVAL", "0.1")
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path / "data"))
    path.write_text("2024-01-20T09:00:00+08:00")
    return path.write_text


def events_named(api, name):
    return [e["data"] for e in api.get("/events?limit=1000").json()
            if e["type"] == f"otg.tasks.{name}.v1"]


def overdue_pairs(api):
    return Counter((e["district"], e["task_no"]) for e in events_named(api, "TaskOverdue"))


def test_overdue_once_per_task_and_district_across_a_restart(start_service, token, clock,
                                                            database_url):
    database = database_url   # SQLite and PostgreSQL
    api = start_service(TasksService, database_url=database)
    coordinator = token("coordinator", "education", "371000")
    assert api.post("/campaigns", coordinator, data=PLAN.read_bytes()).status_code == 201
    filed = api.post("/campaigns/weihai-2024-winter/implementation-plans",
                     token("registrar", "education", "371002"), data={"district": "371002"},
                     files={"file": ("环翠区实施方案.pdf", b"%PDF-1.4 plan")})
    assert filed.status_code == 201, filed.text
    assert [e["task_no"] for e in events_named(api, "TaskCompleted")] == [1]

    clock("2024-01-27T00:00:00+08:00")
    eventually(lambda: sum(overdue_pairs(api).values()) == 8 * 5 - 1)
    pairs = overdue_pairs(api)
    assert set(pairs.values()) == {1} and ("371002", 1) not in pairs
    task3 = api.get("/progress?district=371003").json()["tasks"][2]
    assert task3["status"] == "overdue" and task3["overdue_since"] == "2024-01-27"  # Beijing date

    api.container.stop()
    api = start_service(TasksService, database_url=database)
    eventually(lambda: api.get("/health").ok)
    clock("2024-02-07T00:00:00+08:00")          # the restarted service keeps checking …
    eventually(lambda: sum(overdue_pairs(api).values()) == 8 * 6 - 1)
    assert set(overdue_pairs(api).values()) == {1}   # … and repeats nothing


def test_coordinator_names_a_lagging_district_once(start_service, token, clock):
    api = start_service(TasksService)
    coordinator = token("coordinator", "education", "371000")
    api.post("/campaigns", coordinator, data=PLAN.read_bytes())
    clock("2024-01-25T10:00:00+08:00")
    named = api.post("/campaigns/weihai-2024-winter/districts/371083/naming", coordinator, json={})
    assert named.status_code == 201, named.text
    assert named.json()["reasons"] == ["任务1「制定一个工作实施方案」逾期未完成（截止2024-01-22）",
                                       "任务2「公布一批机构黑白名单」逾期未完成（截止2024-01-24）"]
    again = api.post("/campaigns/weihai-2024-winter/districts/371083/naming", coordinator,
                     json={"reasons": ["再次通报"]})
    assert again.status_code == 409
    [event] = events_named(api, "DistrictNamed")
    assert (event["district"], event["named_on"]) == ("371083", "2024-01-25")
    board = api.get("/scoreboard").json()
    rushan = next(r for r in board["districts"] if r["district"] == "371083")
    assert rushan["named"]["named_on"] == "2024-01-25"
    district_official = token("registrar", "education", "371083")
    assert api.post("/campaigns/weihai-2024-winter/districts/371082/naming", district_official,
                    json={"reasons": ["x"]}).status_code == 403


def test_district_falling_behind_again_on_a_later_task_is_named_again(start_service, token, clock):
    api = start_service(TasksService)
    coordinator = token("coordinator", "education", "371000")
    api.post("/campaigns", coordinator, data=PLAN.read_bytes())
    clock("2024-01-25T10:00:00+08:00")
    naming = "/campaigns/weihai-2024-winter/districts/371083/naming"
    eventually(lambda: api.post(naming, coordinator, json={}).status_code == 201)
    assert api.post(naming, coordinator, json={}).status_code == 409

    clock("2024-01-27T10:00:00+08:00")  # tasks 3-5 are overdue now too
    eventually(lambda: len(overdue_pairs(api)) >= 8 * 5)
    again = api.post(naming, coordinator, json={})
    assert again.status_code == 201, again.text
    assert [r[:3] for r in again.json()["reasons"]][-3:] == ["任务3", "任务4", "任务5"]
    first, second = events_named(api, "DistrictNamed")
    assert (first["task_nos"], second["task_nos"]) == ([1, 2], [3, 4, 5])
    rushan = next(r for r in api.get("/scoreboard").json()["districts"] if r["district"] == "371083")
    assert rushan["named"]["times"] == 2 and "已通报 2 次" in api.get("/dashboard").text


def test_malformed_plan_is_refused_naming_line_and_field_and_nothing_starts(start_service, token, clock):
    api = start_service(TasksService)
    text = PLAN.read_text(encoding="utf-8").replace("deadline: 2024-02-06", "deadline: 6 Feb")
    refused = api.post("/campaigns", token("coordinator", "education", "371000"),
                       files={"file": ("plan.yaml", text.encode())})
    assert refused.status_code == 400
    assert "tasks[5].deadline" in refused.json()["error"] and "line " in refused.json()["error"]
    assert api.get("/campaigns").json() == []
    assert api.get("/events").json() == []
