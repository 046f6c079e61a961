"""The inspection service over HTTP and the bus (in-process, real RabbitMQ)."""
import hashlib
import json
import uuid

import pytest
from nameko.testing.services import entrypoint_hook

from services.inspection.service import InspectionService
from shared.creditcode import complete
from support import eventually, publish_event, skipped

DISTRICT = "371002"
# an enforcement check is completed by two officers present with their certificates
OFFICERS = [{"officer_id": "off-1", "certificate": "37100219001"},
            {"officer_id": "off-2", "certificate": "37100219002"}]


@pytest.fixture
def inspection(start_service, amqp_uri, tmp_path, monkeypatch):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("OTG_CLOCK_FILE", str(tmp_path / "clock"))
    (tmp_path / "clock").write_text("2024-01-20T09:00:00+08:00")
    return start_service(InspectionService)


def register(api, amqp_uri, token, count=1, district=DISTRICT):
    """Institutions announced by the registry; returns their ids once inspection knows them."""
    ids = []
    for n in range(count):
        ids.append(str(uuid.uuid4()))
        publish_event(amqp_uri, "registry", "InstitutionRegistered", {
            "institution_id": ids[-1], "name": f"海星艺术培训学校{n}", "district": district,
            "credit_code": complete(f"91371002MA3C{n:05d}"), "category": "arts",
            "supervising_department": "culture_tourism", "address": f"海滨路{n}号"})
    eventually(lambda: api.get(f"/coverage?district={district}", token()).json()["institutions"] >= count)
    return ids


def inspector(token, department="fire", district=DISTRICT):
    return token("inspector", department, district)


def schedule(api, token, institution_id, kind="safety", departments=("education", "fire")):
    created = api.post("/inspections", inspector(token), json={
        "institution_id": institution_id, "kind": kind, "modes": ["unannounced", "joint"],
        "departments": list(departments)})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def feed(api, name):
    return [e for e in api.get("/events?limit=1000").json() if e["type"].split(".")[2] == name]


def test_critical_fire_finding_is_announced_as_a_hazard_before_the_inspection_ends(
        inspection, amqp_uri, token):
    [school] = register(inspection, amqp_uri, token)
    inspection_id = schedule(inspection, token, school)
    recorded = inspection.post(f"/inspections/{inspection_id}/findings", inspector(token), json={
        "item": "fire.evacuation", "severity": "critical", "description": "安全出口上锁"})
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["hazard"] is True
    [hazard] = feed(inspection, "HazardFound")
    assert hazard["data"]["institution_id"] == school and hazard["data"]["department"] == "fire"
    shown = inspection.get(f"/inspections/{inspection_id}", inspector(token)).json()
    assert shown["status"] == "scheduled"
    # the answer is the finding as its inspection lists it, the inspector's note with it
    assert shown["findings"] == [{k: v for k, v in recorded.json().items() if k != "id"}]
    assert recorded.json()["description"] == "安全出口上锁"


def test_bad_finding_is_refused_with_field_errors_and_nothing_is_written(inspection, amqp_uri, token):
    [school] = register(inspection, amqp_uri, token)
    inspection_id = schedule(inspection, token, school)
    before = inspection.get("/health").json()["events"]
    bad = inspection.post(f"/inspections/{inspection_id}/findings", inspector(token), json={
        "item": "fire.evacuation", "severity": "fatal", "description": ""})
    assert bad.status_code == 400 and {"severity", "description"} <= set(bad.json()["fields"])
    unknown = inspection.post(f"/inspections/{inspection_id}/findings", inspector(token), json={
        "item": "fire.nonsense", "severity": "minor", "description": "x", "evidence": ["a" * 64]})
    assert unknown.status_code == 400
    assert inspection.get("/health").json()["events"] == before


def test_inspector_of_an_unassigned_department_or_another_district_is_refused(
        inspection, amqp_uri, token):
    [school] = register(inspection, amqp_uri, token)
    inspection_id = schedule(inspection, token, school)
    body = {"item": "fire.evacuation", "severity": "minor", "description": "灭火器过期"}
    path = f"/inspections/{inspection_id}/findings"
    assert inspection.post(path, inspector(token, "sports"), json=body).status_code == 403
    not_yours = inspection.post(path, inspector(token, "sports"), json={**body, "item": "no.such"})
    assert not_yours.status_code == 403 and "education, fire" in not_yours.json()["error"]
    assert inspection.post(path, inspector(token, "fire", "371003"), json=body).status_code == 403
    assert inspection.post(path, token("registrar", "fire"), json=body).status_code == 403
    assert inspection.post(path, json=body).status_code == 401


def test_evidence_is_kept_by_the_service_and_only_its_hash_travels(inspection, amqp_uri, token, tmp_path):
    [school] = register(inspection, amqp_uri, token)
    inspection_id = schedule(inspection, token, school)
    photo = b"\xff\xd8\xff\xe0" + b"blocked exit" * 100
    uploaded = inspection.post("/evidence", inspector(token), files={"file": ("exit.jpg", photo)})
    assert uploaded.status_code == 201, uploaded.text
    sha = hashlib.sha256(photo).hexdigest()
    assert uploaded.json()["sha256"] == sha
    inspection.post(f"/inspections/{inspection_id}/findings", inspector(token), json={
        "item": "fire.evacuation", "severity": "major", "description": "通道堵塞", "evidence": [sha]})
    [recorded] = feed(inspection, "FindingRecorded")
    assert recorded["data"]["evidence"] == [sha]
    assert (tmp_path / "data" / "inspection" / "evidence" / sha[:2] / sha).read_bytes() == photo
    download = inspection.get(f"/evidence/{sha}", token())
    assert download.content == photo and download.headers["Content-Type"] == "image/jpeg"


def patrol_log(inspection, amqp_uri, token, log, **form):
    """A scheduled check's patrol log, sent for opening hours 08:00-17:00: (answer, check id)."""
    [school] = register(inspection, amqp_uri, token)
    inspection_id = schedule(inspection, token, school)
    answer = inspection.post(f"/inspections/{inspection_id}/patrol-log", inspector(token),
                             data={"opening_hours": "08:00-17:00", **form},
                             files={"file": ("patrol.csv", log.encode())})
    return answer, inspection_id


def test_patrol_log_gaps_over_two_hours_become_findings(inspection, amqp_uri, token):
    log = "日期,时间\n2024-01-20,08:00\n2024-01-20,10:00\n2024-01-20,13:30\n2024-01-20,15:30\n"
    imported, inspection_id = patrol_log(inspection, amqp_uri, token, log)
    assert imported.status_code == 201, imported.text
    assert imported.json()["gaps"] == 1
    [gap] = imported.json()["inspection"]["findings"]
    assert gap["item"] == "special.fire_patrol_2h" and "10:00 to 13:30" in gap["description"]
    assert feed(inspection, "PatrolLogImported")[0]["data"]["gaps"] == 1


def test_verification_request_schedules_one_check_whose_completion_names_the_complaint(
        inspection, amqp_uri, token):
    request = {"complaint_id": "c-42", "district": DISTRICT, "category": "prepaid_fee",
               "institution_id": None, "institution_name": "金话筒口才", "address": "文化路8号",
               "lead_department": "market_regulation"}
    event_id = publish_event(amqp_uri, "complaints", "VerificationRequested", request)
    publish_event(amqp_uri, "complaints", "VerificationRequested", request, event_id=event_id)
    checker = token("inspector", "market_regulation")  # a check not yet done: its department's
    eventually(lambda: inspection.get("/inspections?source=c-42", checker).json()["items"])
    eventually(lambda: skipped(  # the redelivery seen too, before counting
        inspection, "inspection.handle_complaints_verification_requested") == 1)
    [check] = inspection.get("/inspections?source=c-42", checker).json()["items"]
    assert (check["departments"], check["focus"], check["site_name"]) == (
        ["market_regulation"], ["prepaid_fee"], "金话筒口才")
    done = inspection.post(f"/inspections/{check['id']}/complete",
                           inspector(token, "market_regulation"), json={"officers": OFFICERS})
    assert done.status_code == 200, done.text
    [completed] = feed(inspection, "InspectionCompleted")
    assert completed["data"]["source"] == "c-42" and completed["data"]["source_type"] == "complaint"
    assert completed["data"]["outcome"] == "no_violation"
    assert len(feed(inspection, "InspectionScheduled")) == 1


def test_self_inspection_orders_rectification_of_failed_items_and_counts_for_coverage(
        inspection, amqp_uri, token):
    schools = register(inspection, amqp_uri, token, count=2)
    nine = [i["id"] for i in inspection.get("/checklists/fire_nine_rules").json()["items"]]
    answers = [{"item": i, "result": "fail" if i == "fire.equipment" else "pass"} for i in nine]
    submitted = inspection.post("/self-inspections", token("registrar", "culture_tourism"), json={
        "institution_id": schools[0], "answers": answers})
    assert submitted.status_code == 201, submitted.text
    order = inspection.get(f"/rectifications/{submitted.json()['rectification_order_id']}", token()).json()
    assert order["items"] == ["fire.equipment"] and order["deadline"] == "2024-02-03"
    [completed] = feed(inspection, "InspectionCompleted")
    assert completed["data"]["kind"] == "self"
    coverage = inspection.get(f"/coverage?district={DISTRICT}&kind=self", token()).json()
    assert (coverage["institutions"], coverage["covered"]) == (2, 1)
    assert [u["institution_id"] for u in coverage["uncovered"]] == [schools[1]]


def test_random_sample_is_recorded_with_its_seed_and_schedules_random_checks(
        inspection, amqp_uri, token):
    register(inspection, amqp_uri, token, count=6)
    drawn = inspection.post("/samples", inspector(token, "education"),
                            json={"district": DISTRICT, "size": 2, "seed": "winter-2024"})
    assert drawn.status_code == 201, drawn.text
    sample = drawn.json()
    assert sample["reproduced"] and sample["population_size"] == 6 and sample["seed"] == "winter-2024"
    checks = [inspection.get(f"/inspections/{i}", token()).json() for i in sample["inspection_ids"]]
    assert sorted(c["institution_id"] for c in checks) == sorted(sample["institution_ids"])
    assert all(c["modes"] == ["random_sample", "unannounced"] for c in checks)
    again = inspection.post("/samples", inspector(token, "education"), json={
        "district": DISTRICT, "size": 2, "seed": "winter-2024", "schedule": False}).json()
    assert again["institution_ids"] == sample["institution_ids"] and again["inspection_ids"] == []


def test_carry_over_rectifications_are_imported_and_flagged_once_when_overdue(
        inspection, amqp_uri, token, tmp_path):
    register(inspection, amqp_uri, token, count=2)
    table = ("credit_code,items,deadline\n"
             f"{complete('91371002MA3C00000')},fire.equipment;special.emergency_torches,2024-01-26\n"
             f"{complete('91371002MA3C00001')},fire.evacuation,2024-01-26\n")
    imported = inspection.post("/rectifications/carry-over", token("registrar", "education"),
                               files={"file": ("carry-over.csv", table.encode())})
    assert imported.status_code == 201, imported.text
    assert imported.json()["imported"] == 2
    (tmp_path / "clock").write_text("2024-01-27T09:00:00+08:00")
    for _ in range(2):
        with entrypoint_hook(inspection.container, "flag_overdue_rectifications") as check:
            check()
    assert len(feed(inspection, "RectificationOverdue")) == 2
    listed = inspection.get("/rectifications?carry_over=true", token()).json()
    assert listed["total"] == 2 and listed["overdue"] == 2


def test_checklists_are_public_versioned_data_with_item_ids(inspection):
    listed = inspection.get("/checklists")
    assert listed.status_code == 200
    by_id = {c["id"]: c for c in listed.json()}
    assert set(by_id) == {"fire_nine_rules", "special_safety", "enforcement"}
    assert all(c["version"] and all(i["id"] for i in c["items"]) for c in by_id.values())
    paths = inspection.get("/openapi.json").json()["paths"]
    assert {"/inspections/{inspection_id}/findings", "/samples", "/self-inspections",
            "/rectifications/{order_id}/verify", "/inspections/{inspection_id}/patrol-log",
            "/evidence/{sha256}"} <= set(paths)
    assert not [path for path in paths if "<" in path]  # werkzeug's syntax, not OpenAPI's


def test_inspection_is_recorded_from_the_command_line(inspection, amqp_uri, token, tmp_path):
    from click.testing import CliRunner

    from services.inspection.cli import commands
    [school] = register(inspection, amqp_uri, token)
    runner, fire = CliRunner(), ["--token", inspector(token)]
    scheduled = runner.invoke(commands, ["schedule", *fire, "--institution", school, "--kind",
                                         "safety", "--department", "fire"])
    assert scheduled.exit_code == 0, scheduled.output
    inspection_id = json.loads(scheduled.output)["id"]
    photo = tmp_path / "exit.jpg"
    photo.write_bytes(b"\xff\xd8\xff photo")
    recorded = runner.invoke(commands, ["finding", inspection_id, *fire, "--item", "fire.evacuation",
                                        "--severity", "critical", "--description", "出口锁闭",
                                        "--evidence", str(photo)])
    assert recorded.exit_code == 0, recorded.output
    assert json.loads(recorded.output)["hazard"] is True
    refused = runner.invoke(commands, ["finding", inspection_id, *fire, "--item", "fire.bogus",
                                       "--severity", "minor", "--description", "x"])
    assert refused.exit_code == 2 and "item" in refused.output
    done = runner.invoke(commands, ["complete", inspection_id, *fire])
    assert json.loads(done.output)["rectification_order_id"]


def test_finding_description_stays_in_the_service_and_never_travels_in_an_event(
        inspection, amqp_uri, token):
    [school] = register(inspection, amqp_uri, token)
    inspection_id = schedule(inspection, token, school)
    note = "负责人张三（13812345678）拒绝打开安全出口"
    recorded = inspection.post(f"/inspections/{inspection_id}/findings", inspector(token), json={
        "item": "fire.evacuation", "severity": "major", "description": note})
    assert recorded.json()["description"] == note
    shown = inspection.get(f"/inspections/{inspection_id}", inspector(token)).json()["findings"]
    assert shown[0]["description"] == note
    assert "张三" not in inspection.get("/events?limit=1000").text
    [finding] = feed(inspection, "FindingRecorded")
    assert finding["type"] == "otg.inspection.FindingRecorded.v2"


def test_major_finding_says_publicly_what_was_found_with_contacts_masked(inspection, amqp_uri, token):
    [school] = register(inspection, amqp_uri, token)
    inspection_id = schedule(inspection, token, school)
    path = f"/inspections/{inspection_id}/findings"
    major = inspection.post(path, inspector(token), json={
        "item": "fire.evacuation", "severity": "major",
        "description": "二楼安全出口被铁链锁闭，值班电话13812345678"}).json()["id"]
    minor = inspection.post(path, inspector(token), json={
        "item": "fire.evacuation", "severity": "minor", "description": "灭火器压力不足"}).json()["id"]
    public = inspection.get(f"/public/findings/{major}").json()
    assert public["description"].startswith("二楼安全出口被铁链锁闭") and "13812345678" not in public["description"]
    assert inspection.get(f"/public/findings/{minor}").status_code == 404


def test_finding_description_is_shown_only_to_officials_who_inspect_in_the_district(
        inspection, amqp_uri, token):
    [school] = register(inspection, amqp_uri, token)
    inspection_id = schedule(inspection, token, school)
    note = "负责人张三拒绝打开安全出口"
    inspection.post(f"/inspections/{inspection_id}/findings", inspector(token), json={
        "item": "fire.evacuation", "severity": "major", "description": note})
    path = f"/inspections/{inspection_id}"
    for reader in (inspector(token, "education"), token("coordinator", "education", "371000"),
                   token("admin", "education", "371003")):
        assert inspection.get(path, reader).json()["findings"][0]["description"] == note
    shown = inspection.get(path, token("registrar", "education"))
    assert shown.status_code == 200
    [finding] = shown.json()["findings"]
    assert "description" not in finding and finding["item"] == "fire.evacuation"
    assert "张三" not in shown.text
    for outsider in (token("publisher", "education", "371000"), inspector(token, "fire", "371003")):
        refused = inspection.get(path, outsider)  # reads are bound to district and role
        assert refused.status_code == 403 and "张三" not in refused.text


def test_patrol_log_with_time_zone_offsets_is_read_in_beijing_time(inspection, amqp_uri, token):
    log = "time\n2024-01-20T08:00\n2024-01-20T10:00+08:00\n2024-01-20T05:30Z\n2024-01-20T15:30\n"
    imported, _ = patrol_log(inspection, amqp_uri, token, log)
    assert imported.status_code == 201, imported.text
    [gap] = imported.json()["inspection"]["findings"]  # 05:30Z is 13:30 in Beijing
    assert "10:00 to 13:30" in gap["description"]


def test_patrol_log_period_longer_than_a_year_is_refused_and_nothing_is_written(
        inspection, amqp_uri, token):
    [school] = register(inspection, amqp_uri, token)
    inspection_id = schedule(inspection, token, school)
    before = inspection.get("/health").json()["events"]
    refused = inspection.post(f"/inspections/{inspection_id}/patrol-log", inspector(token),
                              data={"opening_hours": "08:00-17:00", "period_from": "2024-01-01",
                                    "period_to": "2204-01-31"},
                              files={"file": ("patrol.csv", b"date,time\n2024-01-20,08:00\n")})
    assert refused.status_code == 400 and "period_to" in refused.json()["fields"]
    assert inspection.get("/health").json()["events"] == before
    assert inspection.get(f"/inspections/{inspection_id}", inspector(token)).json()["findings"] == []


def test_carry_over_imported_twice_orders_each_rectification_once(inspection, amqp_uri, token):
    register(inspection, amqp_uri, token, count=2)
    table = ("credit_code,items,deadline\n"
             f"{complete('91371002MA3C00000')},fire.equipment;special.emergency_torches,2024-01-26\n"
             f"{complete('91371002MA3C00001')},fire.evacuation,2024-01-26\n").encode()
    registrar = token("registrar", "education")
    first = inspection.post("/rectifications/carry-over", registrar,
                            files={"file": ("carry-over.csv", table)})
    assert first.status_code == 201, first.text
    assert (first.json()["imported"], first.json()["already_imported"]) == (2, 0)
    again = inspection.post("/rectifications/carry-over", registrar,
                            files={"file": ("again.csv", table)})
    assert again.status_code == 201, again.text
    assert (again.json()["imported"], again.json()["already_imported"]) == (0, 2)
    assert sorted(again.json()["already_imported_ids"]) == sorted(first.json()["order_ids"])
    assert inspection.get("/rectifications?carry_over=true", token()).json()["total"] == 2
    assert len(feed(inspection, "RectificationOrdered")) == 2


def test_page_beyond_the_maximum_is_a_field_error_not_a_crash(inspection, token):
    for page in ("100000000000000000000", "1000001"):
        refused = inspection.get(f"/inspections?page={page}", token())
        assert refused.status_code == 400 and "page" in refused.json()["fields"]
    assert inspection.get("/inspections?page=1000000", token()).json()["items"] == []


def test_coverage_since_a_date_counts_from_beijing_midnight(inspection, amqp_uri, token, tmp_path):
    [school] = register(inspection, amqp_uri, token)
    (tmp_path / "clock").write_text("2024-01-20T07:00:00+08:00")  # still the 19th in UTC
    nine = [i["id"] for i in inspection.get("/checklists/fire_nine_rules").json()["items"]]
    submitted = inspection.post("/self-inspections", token("registrar", "culture_tourism"), json={
        "institution_id": school, "answers": [{"item": i, "result": "pass"} for i in nine]})
    assert submitted.status_code == 201, submitted.text
    since = f"/coverage?district={DISTRICT}&kind=self&since="
    assert inspection.get(since + "2024-01-20", token()).json()["covered"] == 1
    assert inspection.get(since + "2024-01-21", token()).json()["covered"] == 0


def test_carry_over_is_imported_from_the_command_line_ending_with_a_summary(
        inspection, amqp_uri, token, tmp_path):
    from click.testing import CliRunner

    from services.inspection.cli import commands
    register(inspection, amqp_uri, token, count=2)
    table = tmp_path / "carry-over.csv"
    table.write_text("credit_code,items,deadline\n"
                     f"{complete('91371002MA3C00000')},fire.equipment,2024-01-26\n"
                     f"{complete('91371002MA3C00001')},fire.evacuation,2024-01-26\n")
    registrar = ["--token", token("registrar", "education")]
    first = CliRunner().invoke(commands, ["import-carry-over", str(table), *registrar])
    assert first.exit_code == 0, first.output
    assert first.output.strip().splitlines()[-1].endswith("— 2 imported, 0 already imported")
    again = CliRunner().invoke(commands, ["import-carry-over", str(table), *registrar])
    assert again.output.strip().splitlines()[-1].endswith("— 0 imported, 2 already imported")
    table.write_text("credit_code,items,deadline\n,fire.equipment,someday\n")
    refused = CliRunner().invoke(commands, ["import-carry-over", str(table), *registrar])
    assert refused.exit_code == 2 and "row 2" in refused.output
    assert len(feed(inspection, "RectificationOrdered")) == 2
