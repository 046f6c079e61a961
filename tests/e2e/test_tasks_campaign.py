"""Issue 6 end to end: the tasks service as its own process beside the services whose
events it reads, driven only over HTTP, on a real RabbitMQ; the campaign calendar
moved with OTG_CLOCK_FILE."""
import json
import time
from collections import Counter
from pathlib import Path

import pytest

from shared.creditcode import complete
from support import eventually

PLAN = Path(__file__).parents[2] / "deploy" / "plans" / "weihai-2024-winter.yaml"
CAMPAIGN = "weihai-2024-winter"
HUANCUI, WENDENG = "371002", "371003"
LICENCES = [{"kind": "school_permit", "number": "P-1", "valid_until": "2030-12-31"},
            {"kind": "business_licence", "number": "B-1", "valid_until": "2030-12-31"}]


@pytest.fixture
def clock(cluster, tmp_path):
    """Every service reads the same campaign calendar, also after a restart."""
    path = tmp_path / "clock"
    path.write_text("2024-01-20T09:00:00+08:00")
    cluster.env.update({"OTG_CLOCK_FILE": str(path), "OTG_CHECK_INTERVAL": "0.2"})
    return path.write_text


def start_campaign(tasks, token):
    started = tasks.post("/campaigns", token("coordinator", "education", "371000"),
                         data=PLAN.read_bytes(), headers={"Content-Type": "application/yaml"})
    assert started.status_code == 201, started.text


def task(tasks, district, number):
    return tasks.get(f"/progress?district={district}").json()["tasks"][number - 1]


def until(tasks, district, number, check, timeout=20):
    return eventually(lambda: (lambda t: t if check(t) else None)(task(tasks, district, number)),
                      timeout=timeout)


def events(api, name=None):
    feed = api.get("/events?limit=1000").json()
    return [e for e in feed if name is None or e["type"].split(".")[2] == name]


def register(registry, token, n, district):
    body = {"name": f"海星艺术培训学校{n}", "credit_code": complete(f"91{district}MA3C{n:05d}"),
            "district": district, "category": "arts", "address": f"海滨路{n}号", "licences": LICENCES}
    created = registry.post("/institutions", token("registrar", "culture_tourism", district), json=body)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def self_inspect(inspection, token, institution_id):
    items = [i["id"] for i in inspection.get("/checklists/fire_nine_rules").json()["items"]]
    body = {"institution_id": institution_id,
            "answers": [{"item": item, "result": "pass"} for item in items]}

    def submitted():  # once the registry's InstitutionRegistered has reached inspection
        sent = inspection.post("/self-inspections", token("registrar", "culture_tourism", HUANCUI),
                               json=body)
        assert sent.status_code == 201, sent.text
        return sent
    eventually(submitted, timeout=20)


def safety_inspection_with_a_hazard(inspection, token, institution_id):
    fire = token("inspector", "fire", HUANCUI)

    def scheduled():
        created = inspection.post("/inspections", fire, json={
            "institution_id": institution_id, "kind": "safety", "modes": ["unannounced", "night"],
            "departments": ["education", "fire"]})
        assert created.status_code == 201, created.text
        return created.json()["id"]
    inspection_id = eventually(scheduled, timeout=20)
    found = inspection.post(f"/inspections/{inspection_id}/findings", fire, json={
        "item": "fire.evacuation", "severity": "critical", "description": "安全出口被锁闭"})
    assert found.status_code == 201, found.text
    completed = inspection.post(f"/inspections/{inspection_id}/complete", fire, json={})
    assert completed.status_code in (200, 201), completed.text


def test_campaign_driven_through_the_services_moves_the_right_tasks_in_the_right_district(
        cluster, token, clock):
    cluster.start("tasks", "registry", "inspection", "disclosure")
    tasks, registry, inspection = (cluster.api(n) for n in ("tasks", "registry", "inspection"))
    start_campaign(tasks, token)
    first, second = (register(registry, token, n, HUANCUI) for n in (1, 2))
    register(registry, token, 3, WENDENG)
    until(tasks, HUANCUI, 3, lambda t: t["details"]["denominator"] == 2)
    until(tasks, WENDENG, 3, lambda t: t["details"]["denominator"] == 1)

    self_inspect(inspection, token, first)
    assert until(tasks, HUANCUI, 3, lambda t: t["value"] == 0.5)["status"] == "on_track"
    safety_inspection_with_a_hazard(inspection, token, second)
    assert until(tasks, HUANCUI, 6, lambda t: t["value"] == 0.5)["status"] == "on_track"
    exposed = until(tasks, HUANCUI, 8, lambda t: t["status"] == "done")
    assert exposed["details"] == {"found": 1, "exposed": 1}

    wendeng = tasks.get(f"/progress?district={WENDENG}").json()["tasks"]
    assert [wendeng[n - 1]["value"] for n in (3, 6, 8)] == [0.0, 0.0, 0.0]
    # the dashboard measures "done" live; TaskCompleted follows in the unit that settles it
    done = eventually(lambda: [(e["data"]["district"], e["data"]["task_no"])
                               for e in events(tasks, "TaskCompleted")])
    assert done == [(HUANCUI, 8)]


def overdue_pairs(tasks):
    return Counter((e["data"]["district"], e["data"]["task_no"]) for e in events(tasks, "TaskOverdue"))


def test_overdue_once_per_task_and_district_surviving_a_restart(cluster, token, clock):
    cluster.start("tasks")
    tasks = cluster.api("tasks")
    start_campaign(tasks, token)
    filed = tasks.post(f"/campaigns/{CAMPAIGN}/implementation-plans",
                       token("registrar", "education", HUANCUI), data={"district": HUANCUI},
                       files={"file": ("实施方案.pdf", b"%PDF-1.4 Huancui plan")})
    assert filed.status_code == 201, filed.text

    clock("2024-01-27T00:00:00+08:00")       # past 26 January: tasks 1-5 due everywhere
    eventually(lambda: sum(overdue_pairs(tasks).values()) == 8 * 5 - 1, timeout=20)
    before = overdue_pairs(tasks)
    assert set(before.values()) == {1} and (HUANCUI, 1) not in before
    assert task(tasks, WENDENG, 4)["status"] == "overdue"

    cluster.restart("tasks")
    time.sleep(1.0)                           # several checks of the restarted service
    assert overdue_pairs(tasks) == before
    clock("2024-02-07T00:00:00+08:00")       # it still checks: task 6 falls due now
    eventually(lambda: sum(overdue_pairs(tasks).values()) == 8 * 6 - 1, timeout=20)
    assert set(overdue_pairs(tasks).values()) == {1}


def test_survey_naming_an_unlisted_institution_opens_a_school_survey_lead(cluster, token, clock):
    cluster.start("tasks", "registry", "complaints")
    tasks, registry, complaints = (cluster.api(n) for n in ("tasks", "registry", "complaints"))
    start_campaign(tasks, token)
    register(registry, token, 1, HUANCUI)
    registrar = token("registrar", "education", HUANCUI)
    assert registry.post("/lists/white/batches", registrar, json={"district": HUANCUI}).ok
    assert tasks.post("/schools", registrar, json={
        "school_id": "hc-001", "name": "环翠区第一实验小学", "district": HUANCUI}).status_code == 201
    until(tasks, HUANCUI, 2, lambda t: t["details"]["white_published"])
    until(tasks, HUANCUI, 3, lambda t: t["details"]["denominator"] == 1)  # its registration too

    unlisted = complete("91371002MA3C09999")
    ledger = ("pupil_id,pupil_name,grade,class,institution_name,credit_code,course\n"
              "G371002000001,王小明,三年级,2班,海星艺术培训学校1,,钢琴\n"
              f"G371002000002,李小红,五年级,1班,启航学堂,{unlisted},奥数\n").encode()
    sent = tasks.post("/surveys", token("school", "education", HUANCUI), data={"school_id": "hc-001"},
                      files={"file": ("台账.csv", ledger)})
    assert sent.status_code == 201, sent.text
    assert sent.json()["returns"]["unlisted"] == 1

    handler = token("handler", "education", HUANCUI)
    leads = eventually(lambda: complaints.get("/complaints?channel=school_survey", handler)
                       .json()["items"], timeout=20)
    assert [(c["channel"], c["district"]) for c in leads] == [("school_survey", HUANCUI)]
    everything = json.dumps([events(api) for api in (tasks, registry, complaints)], ensure_ascii=False)
    for pupil in ("王小明", "李小红", "G371002000001", "G371002000002"):
        assert pupil not in everything
