"""Progress is measured from other services' events, published on the bus as the
contracts define them."""
from pathlib import Path

import pytest

from services.tasks.service import TasksService
from shared.messaging import Follower
from support import caught_up, eventually, handled, publish_event, skipped

PLAN = Path(__file__).parents[2] / "deploy" / "plans" / "weihai-2024-winter.yaml"
HUANCUI, WENDENG = "371002", "371003"


@pytest.fixture
def clock(tmp_path, monkeypatch):
    path = tmp_path / "clock"
    monkeypatch.setenv("OTG_CLOCK_FILE", str(path))
    monkeypatch.setenv("OTG_CHECK_INTERVAL", "0.2")

    def set_to(instant):
        path.write_text(instant)
    set_to("2024-01-20T09:00:00+08:00")
    return set_to


@pytest.fixture
def tasks(start_service, clock, token):
    api = start_service(TasksService)
    started = api.post("/campaigns", token("coordinator", "education", "371000"),
                       data=PLAN.read_bytes(), headers={"Content-Type": "application/yaml"})
    assert started.status_code == 201, started.text
    return api


def task(api, district, number):
    progress = api.get(f"/progress?district={district}")
    assert progress.status_code == 200, progress.text
    return next(t for t in progress.json()["tasks"] if t["task_no"] == number)


def registered(amqp_uri, institution_id, district=HUANCUI):
    return publish_event(amqp_uri, "registry", "InstitutionRegistered", {
        "institution_id": institution_id, "name": f"机构{institution_id}",
        "credit_code": "91371002MA3C0000" + institution_id[-2:], "district": district,
        "category": "arts", "supervising_department": "culture_tourism"})


def completed(amqp_uri, inspection_id, institution_id, kind, district=HUANCUI, **extra):
    data = {"inspection_id": inspection_id, "institution_id": institution_id, "district": district,
            "kind": kind, "modes": [], "departments": ["education"], "focus": [],
            "source": None, "source_type": None, "outcome": "no_violation",
            "findings_count": 0, "max_severity": None, **extra}
    return publish_event(amqp_uri, "inspection", "InspectionCompleted", data)


def test_self_inspections_move_task_3_of_their_district_only(tasks, amqp_uri):
    for n in ("i-01", "i-02"):
        registered(amqp_uri, n)
    eventually(lambda: task(tasks, HUANCUI, 3)["details"]["denominator"] == 2)
    completed(amqp_uri, "s-1", "i-01", "self")
    entry = eventually(lambda: (lambda t: t if t["value"] == 0.5 else None)(task(tasks, HUANCUI, 3)))
    assert entry["status"] == "on_track"
    completed(amqp_uri, "s-2", "i-02", "self")
    entry = eventually(lambda: (lambda t: t if t["status"] == "done" else None)(task(tasks, HUANCUI, 3)))
    assert entry["value"] == 1.0 and entry["completed_on"] == "2024-01-20"
    assert task(tasks, WENDENG, 3)["value"] is None
    assert task(tasks, HUANCUI, 6)["value"] == 0.0  # self-inspections are not safety inspections


def test_open_carry_over_rectification_keeps_task_3_open(tasks, amqp_uri):
    handled(tasks, registered(amqp_uri, "i-01"), publish_event(
        amqp_uri, "inspection", "RectificationOrdered", {
            "order_id": "o-1", "institution_id": "i-01", "district": HUANCUI,
            "items": ["fire.exit"], "deadline": "2024-01-25", "carry_over": True}))
    completed(amqp_uri, "s-1", "i-01", "self")
    entry = eventually(lambda: (lambda t: t if t["value"] == 1.0 else None)(task(tasks, HUANCUI, 3)))
    assert entry["status"] == "on_track" and entry["details"]["carry_over_open"] == 1
    publish_event(amqp_uri, "inspection", "RectificationVerified", {
        "order_id": "o-1", "institution_id": "i-01", "district": HUANCUI, "carry_over": True})
    eventually(lambda: task(tasks, HUANCUI, 3)["status"] == "done")


def test_carry_over_work_imported_after_task_3_was_done_reopens_it(tasks, amqp_uri):
    registered(amqp_uri, "i-01")
    completed(amqp_uri, "s-1", "i-01", "self")
    eventually(lambda: task(tasks, HUANCUI, 3)["status"] == "done")
    publish_event(amqp_uri, "inspection", "RectificationOrdered", {
        "order_id": "o-2", "institution_id": "i-01", "district": HUANCUI,
        "items": ["fire.exit"], "deadline": "2024-01-25", "carry_over": True})

    entry = eventually(lambda: (lambda t: t if t["status"] != "done" else None)(task(tasks, HUANCUI, 3)))
    assert entry["reopened_on"] == "2024-01-20" and entry["completed_on"] is None
    names = [e["type"].split(".")[2] for e in tasks.get("/events?limit=1000").json()
             if e["data"].get("task_no") == 3 and e["data"].get("district") == HUANCUI]
    assert names == ["TaskCompleted", "TaskReopened"]
    assert "重新打开" in tasks.get("/dashboard").text
    publish_event(amqp_uri, "inspection", "RectificationVerified", {
        "order_id": "o-2", "institution_id": "i-01", "district": HUANCUI, "carry_over": True})
    eventually(lambda: task(tasks, HUANCUI, 3)["status"] == "done")


def test_no_task_completes_while_other_services_histories_are_replayed(tasks, amqp_uri):
    """At a catch-up, one source's history can be in before another's: the shares
    measured then are not final, so completion waits for the check after it."""
    follower = tasks.container.shared_extensions[Follower]
    follower.replaying.add("registry")  # as at a start with the registry's feed half read
    handled(tasks, registered(amqp_uri, "i-01"), completed(amqp_uri, "s-1", "i-01", "self"))
    assert task(tasks, HUANCUI, 3)["value"] == 1.0  # measured, but not yet settled
    assert completions(tasks) == []
    follower.replaying.clear()
    follower.replays += 1
    eventually(lambda: completions(tasks) == [(HUANCUI, 3)])


def completions(api):
    return [(e["data"]["district"], e["data"]["task_no"]) for e in api.get("/events?limit=1000").json()
            if e["type"] == "otg.tasks.TaskCompleted.v1"]


def test_redelivered_inspection_counts_once(tasks, amqp_uri):
    registered(amqp_uri, "i-01")
    registered(amqp_uri, "i-02")
    eventually(lambda: task(tasks, HUANCUI, 6)["details"]["denominator"] == 2)
    data = {"inspection_id": "k-1", "institution_id": "i-01", "district": HUANCUI,
            "kind": "safety", "modes": [], "focus": []}
    event_id = publish_event(amqp_uri, "inspection", "InspectionCompleted", data)
    for _ in range(2):
        publish_event(amqp_uri, "inspection", "InspectionCompleted", data, event_id=event_id)
    handled(tasks, event_id)
    eventually(lambda: skipped(tasks, "tasks.handle_inspection_inspection_completed") == 2)
    assert task(tasks, HUANCUI, 6)["value"] == 0.5
    completed_events = [e for e in tasks.get("/events?limit=1000").json()
                        if e["type"] == "otg.tasks.TaskCompleted.v1"]
    assert completed_events == []


def test_lists_published_and_filed_in_the_registry_complete_task_2(start_service, clock, token, amqp_uri):
    from services.registry.service import RegistryService
    from shared.creditcode import complete
    tasks = start_service(TasksService)
    registry = start_service(RegistryService)
    tasks.post("/campaigns", token("coordinator", "education", "371000"), data=PLAN.read_bytes())
    registrar = token("registrar", "education", HUANCUI)
    body = {"name": "海星艺术培训学校", "credit_code": complete("91371002MA3C00001"),
            "district": HUANCUI, "category": "arts", "address": "环翠区海滨路1号"}
    assert registry.post("/institutions", registrar, json=body).status_code == 201
    for name in ("white", "black"):
        assert registry.post(f"/lists/{name}/batches", registrar, json={"district": HUANCUI}).ok
    caught_up(tasks, registry)
    assert task(tasks, HUANCUI, 2)["value"] == 0.5
    assert task(tasks, HUANCUI, 3)["details"]["denominator"] == 1
    for name in ("white", "black"):
        assert registry.post(f"/lists/{name}/batches/1/file", registrar, json={"district": HUANCUI}).ok
    entry = eventually(lambda: (lambda t: t if t["status"] == "done" else None)(task(tasks, HUANCUI, 2)))
    assert entry["details"] == {"white_published": True, "white_filed": True,
                                "black_published": True, "black_filed": True}
    completed = [e["data"] for e in tasks.get("/events?limit=1000").json()
                 if e["type"] == "otg.tasks.TaskCompleted.v1"]
    assert [(c["district"], c["task_no"], c["late"]) for c in completed] == [(HUANCUI, 2, False)]


def test_cases_exposed_against_cases_found_move_task_8(tasks, amqp_uri):
    publish_event(amqp_uri, "inspection", "HazardFound", {
        "inspection_id": "k-1", "finding_id": "f-1", "institution_id": "i-01", "district": HUANCUI,
        "severity": "critical", "item": "evacuation.blocked_exit", "category": "fire_safety",
        "suspend_immediately": True, "department": "fire"})
    publish_event(amqp_uri, "inspection", "UnlicensedOperationFound", {
        "inspection_id": "k-2", "institution_id": None, "name": "无证托管班", "address": "环翠区某路",
        "district": HUANCUI})
    eventually(lambda: task(tasks, HUANCUI, 8)["details"] == {"found": 2, "exposed": 0})
    publish_event(amqp_uri, "disclosure", "CaseExposed", {
        "case_id": "case-1", "institution_id": "i-01", "district": HUANCUI, "source_event_id": "e-1",
        "exposed_at": "2024-01-20T02:00:00Z", "kind": "hazard_suspension",
        "found_at": "2024-01-20T01:00:00Z"})
    entry = eventually(lambda: (lambda t: t if t["value"] == 0.5 else None)(task(tasks, HUANCUI, 8)))
    assert entry["status"] == "on_track"


def test_every_substantiated_violation_is_a_case_found_for_task_8(tasks, amqp_uri):
    finding = {"inspection_id": "k-3", "finding_id": "f-3", "institution_id": "i-02",
               "district": HUANCUI, "item": "fee.over_three_months", "checklist": "enforcement@1",
               "category": "prepaid_fee", "severity": "major", "department": "market_regulation"}
    publish_event(amqp_uri, "inspection", "FindingRecorded", finding)
    publish_event(amqp_uri, "inspection", "FindingRecorded", {
        **finding, "finding_id": "f-4", "severity": "minor", "category": "advertising"})
    verified = {"complaint_id": "c-1", "district": HUANCUI, "category": "art_exam",
                "institution_id": "i-03", "substantiated": True, "inspection_id": None}
    publish_event(amqp_uri, "complaints", "ComplaintVerified", verified)
    publish_event(amqp_uri, "complaints", "ComplaintVerified", {
        **verified, "complaint_id": "c-2", "substantiated": False})
    publish_event(amqp_uri, "disclosure", "CaseExposed", {
        "case_id": "case-9", "institution_id": None, "district": HUANCUI,
        "source_event_id": "by_hand:case-9", "exposed_at": "2024-01-20T02:00:00Z",
        "kind": "violation", "decision": {"by_hand": True}})
    eventually(lambda: task(tasks, HUANCUI, 8)["details"] == {"found": 3, "exposed": 1})


def test_enforcement_checks_by_mode_and_topic_move_task_7(tasks, amqp_uri):
    completed(amqp_uri, "e-1", None, "enforcement", modes=["unannounced", "night", "joint"],
              focus=["prepaid_fee", "advertising"])
    entry = eventually(lambda: (lambda t: t if t["value"] else None)(task(tasks, HUANCUI, 7)))
    assert entry["details"] == {"unannounced": 1, "day": 0, "night": 1, "joint": 1,
                                "random_sample": 0, "prepaid_fee": 1, "advertising": 1, "art_exam": 0}
    assert round(entry["value"], 2) == round(5 / 8, 2)
