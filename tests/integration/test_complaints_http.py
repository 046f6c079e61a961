"""The complaints HTTP API: public reporting and tracking, handlers working a case."""
import pytest

from services.complaints.service import ComplaintsService
from support import eventually, publish_event, tiny_png as png_bytes

REPORT = {"district": "371002", "category": "prepaid_fee",
          "description": "交了一年学费，机构突然停课，不给退费。",
          "institution_name": "海星艺术培训学校", "address": "环翠区海滨路1号"}


@pytest.fixture
def complaints(start_service, monkeypatch, tmp_path):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    return start_service(ComplaintsService)


@pytest.fixture
def handler(token):
    return token("handler", "education", "371002")


def report(api, **extra):
    created = api.post("/complaints", json={**REPORT, **extra})
    assert created.status_code == 201, created.text
    return created.json()


def test_anonymous_report_gets_a_tracking_code_and_shows_progress(complaints):
    receipt = report(complaints)
    tracked = complaints.get(f"/track/{receipt['tracking_code']}")
    assert tracked.status_code == 200
    view = tracked.json()
    assert view["status"] == "assigned" and view["category_label"] == "预付费/退费问题"
    assert view["answer"] is None and view["can_reopen"] is False
    # typed any way a person might: lower case, without dashes
    assert complaints.get(f"/track/{receipt['tracking_code'].replace('-', '').lower()}").ok


def test_bad_report_is_refused_with_field_errors_and_nothing_written(complaints, handler):
    refused = complaints.post("/complaints", json={"district": "999999", "category": "gossip",
                                                   "contact": {"phone": "call me"}})
    assert refused.status_code == 400
    fields = refused.json()["fields"]
    assert {"district", "category", "description", "contact"} <= set(fields)
    for path in ("/complaints", "/open311/v2/requests.json", "/report"):
        for body in ("1", '"text"', "[]", "null"):  # JSON, but not an object
            answer = complaints.post(path, data=body, headers={"Content-Type": "application/json"})
            assert answer.status_code == 400, (path, body, answer.text)
    assert complaints.get("/complaints?page=99999999999999999999", handler).status_code == 400
    far = complaints.get("/open311/v2/requests.json", params={"start_date": "0001-01-01T00:00:00+14:00"})
    assert far.status_code == 400 and far.json()[0]["code"] == 400
    assert complaints.get("/health").json()["events"] == 0


def test_a_contact_that_is_not_an_object_is_refused_with_a_field_error(complaints, handler):
    for contact in ("13905318642", 1, ["13905318642"], True):
        for path, token, extra in (("/complaints", None, {}),
                                   ("/complaints/intake", handler, {"channel": "hotline"})):
            refused = complaints.post(path, token, json={**REPORT, **extra, "contact": contact})
            assert refused.status_code == 400, (path, contact, refused.text)
            assert "contact" in refused.json()["fields"] and "13905318642" not in refused.text
    assert complaints.get("/health").json()["events"] == 0


def test_multipart_report_keeps_photos_for_handlers_only(complaints, handler, token):
    created = complaints.post("/complaints", data={**REPORT, "contact_phone": "13800138000"},
                              files=[("photos", ("site.png", png_bytes(), "image/png"))])
    assert created.status_code == 201, created.text
    case = complaints.get(f"/complaints/{created.json()['complaint_id']}", handler).json()
    assert complaints.get(case["contact_url"], handler).json()["contact"] == {"phone": "13800138000"}
    [photo] = case["photos"]
    download = complaints.get(photo["url"], handler)
    assert download.content == png_bytes() and download.headers["Content-Type"] == "image/png"
    assert complaints.get(photo["url"]).status_code == 401
    assert complaints.get(photo["url"], token("inspector", "education", "371002")).status_code == 403


def test_report_with_a_disguised_file_is_refused_whole(complaints):
    refused = complaints.post("/complaints", data=REPORT,
                              files=[("photos", ("ok.png", png_bytes(), "image/png")),
                                     ("photos", ("evil.jpg", b"MZ\x90\x00binary", "image/jpeg"))])
    assert refused.status_code == 400 and "photos" in refused.json()["fields"]
    assert complaints.get("/health").json()["events"] == 0


def test_handler_works_a_case_to_an_answer_the_reporter_reads(complaints, handler, amqp_uri):
    receipt = report(complaints, contact={"name": "李女士", "email": "li@example.com"})
    complaint_id = receipt["complaint_id"]
    assert complaints.post(f"/complaints/{complaint_id}/acknowledge", handler).json()["status"] == "acknowledged"
    requested = complaints.post(f"/complaints/{complaint_id}/verification-request", handler)
    assert requested.json()["status"] == "verifying"
    publish_event(amqp_uri, "inspection", "InspectionCompleted", {
        "inspection_id": "insp-1", "institution_id": None, "district": "371002",
        "kind": "enforcement", "modes": ["unannounced"], "outcome": "violation_found",
        "findings_count": 1, "max_severity": "major", "source": complaint_id,
        "source_type": "complaint"})
    eventually(lambda: complaints.get(f"/complaints/{complaint_id}", handler).json()["status"] == "verified")
    answered = complaints.post(f"/complaints/{complaint_id}/answer", handler,
                               json={"text": "经查属实，已责令机构退费并立案处理。"})
    assert answered.status_code == 200, answered.text
    view = complaints.get(f"/track/{receipt['tracking_code']}").json()
    assert view["status"] == "answered" and view["answer"]["substantiated"] is True
    assert view["answer"]["text"] == "经查属实，已责令机构退费并立案处理。"
    assert [s["step"] for s in view["steps"]] == ["received", "acknowledged", "verification_requested",
                                                  "verified", "answered"]
    events = [e for e in complaints.get("/events").json() if e["type"].endswith("ComplaintVerified.v1")]
    assert events[0]["data"]["inspection_id"] == "insp-1"


def test_reporter_reopens_once(complaints, handler):
    receipt = report(complaints)
    complaint_id, code = receipt["complaint_id"], receipt["tracking_code"]
    complaints.post(f"/complaints/{complaint_id}/verification", handler,
                    json={"substantiated": False, "note": "电话核实，机构已退费"})
    complaints.post(f"/complaints/{complaint_id}/answer", handler, json={"text": "机构已办理退费。"})
    assert complaints.get(f"/track/{code}").json()["can_reopen"] is True
    reopened = complaints.post(f"/track/{code}/reopen", json={"reason": "只退了一半"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "reopened"
    case = complaints.get(f"/complaints/{complaint_id}", handler).json()
    assert case["notes"][-1]["text"] == "只退了一半" and case["reopen_count"] == 1
    complaints.post(f"/complaints/{complaint_id}/verification", handler,
                    json={"substantiated": True, "note": "复查属实"})
    complaints.post(f"/complaints/{complaint_id}/answer", handler, json={"text": "已责令全额退费。"})
    assert complaints.post(f"/track/{code}/reopen", json={"reason": "again"}).status_code == 409


def test_second_report_about_the_same_matter_is_merged(complaints, handler):
    first = report(complaints)
    second = report(complaints, institution_name="海星艺术培训学校 ", description="同一家机构不退费")
    case = complaints.get(f"/complaints/{first['complaint_id']}", handler).json()
    assert case["duplicates"] == [second["complaint_id"]]
    assert complaints.get(f"/complaints/{second['complaint_id']}", handler).json()["status"] == "merged"
    complaints.post(f"/complaints/{first['complaint_id']}/verification", handler,
                    json={"substantiated": True, "note": "属实"})
    complaints.post(f"/complaints/{first['complaint_id']}/answer", handler, json={"text": "已处理退费。"})
    view = complaints.get(f"/track/{second['tracking_code']}").json()
    assert view["status"] == "answered" and view["answer"]["text"] == "已处理退费。"
    assert [s["step"] for s in view["steps"]] == ["received", "merged", "acknowledged", "verified",
                                                  "answered"]
    assert complaints.get(f"/complaints/{second['complaint_id']}", handler).json()["status"] == "answered"


def test_handlers_stay_in_their_district_and_department(complaints, token):
    receipt = report(complaints)
    path = f"/complaints/{receipt['complaint_id']}"
    assert complaints.get(path, token("handler", "education", "371003")).status_code == 403
    assert complaints.get("/complaints?district=371002", token("handler", "education", "371003")).status_code == 403
    assert complaints.post(f"{path}/acknowledge", token("handler", "fire", "371002")).status_code == 403
    assert complaints.get(path, token("coordinator", "education", "371000")).ok


def test_hotline_call_is_filed_by_staff_with_the_category_guessed(complaints, handler):
    filed = complaints.post("/complaints/intake", handler, json={
        "channel": "hotline", "district": "371002", "description": "教室里没有灭火器，安全出口堵住了",
        "contact": {"phone": "0631-5201234"}})
    assert filed.status_code == 201, filed.text
    case = complaints.get(f"/complaints/{filed.json()['complaint_id']}", handler).json()
    assert case["channel"] == "hotline" and case["category"] == "safety_hazard"
    assert case["lead_department"] == "education" and case["handling_departments"] == ["fire", "public_security"]


def test_social_supervisor_reports_with_their_code(complaints, handler):
    registered = complaints.post("/supervisors", handler, json={
        "district": "371002", "name": "王监督员", "phone": "13700001111"})
    assert registered.status_code == 201
    code = registered.json()["code"]
    receipt = report(complaints, supervisor_code=code, category="advertising",
                     institution_name="某某教育")
    case = complaints.get(f"/complaints/{receipt['complaint_id']}", handler).json()
    assert case["channel"] == "supervisor" and case["supervisor_id"] == registered.json()["supervisor_id"]
    assert complaints.get("/supervisors", handler).json()["items"][0]["contact"]["phone"] == "13700001111"
    refused = complaints.post("/complaints", json={**REPORT, "supervisor_code": "WRONG-CODE"})
    assert refused.status_code == 400 and "supervisor_code" in refused.json()["fields"]
    # a supervisor is not a complaint, whatever the id looks like
    supervisor_id = registered.json()["supervisor_id"]
    assert complaints.post(f"/complaints/{supervisor_id}/acknowledge", handler).status_code == 404


def test_municipal_office_sees_statistics_per_district_channel_and_category(complaints, token, handler):
    report(complaints)
    report(complaints, district="371003", category="advertising", institution_name="")
    complaints.post("/complaints/intake", handler, json={
        "channel": "hotline", "district": "371002", "category": "other", "description": "咨询培训政策问题"})
    stats = complaints.get("/complaints/stats", token("coordinator", "education", "371000")).json()
    assert stats["totals"]["received"] == 3
    rows = {(r["district"], r["channel"], r["category"]): r["received"] for r in stats["rows"]}
    assert rows == {("371002", "web", "prepaid_fee"): 1, ("371003", "web", "advertising"): 1,
                    ("371002", "hotline", "other"): 1}
    mine = complaints.get("/complaints/stats", handler).json()
    assert mine["totals"]["received"] == 2


def test_handler_asks_the_fire_department_to_join_a_night_check(complaints, handler):
    complaint_id = report(complaints)["complaint_id"]
    path = f"/complaints/{complaint_id}/verification-request"
    alone = complaints.post(path, handler, json={"modes": ["joint"]})
    assert alone.status_code == 400 and "departments" in alone.json()["fields"]
    assert complaints.post(path, handler, json={"modes": ["noon"]}).status_code == 400
    requested = complaints.post(path, handler, json={"departments": ["fire"], "modes": ["night"]})
    assert requested.status_code == 200, requested.text
    [event] = [e["data"] for e in complaints.get("/events").json()
               if e["type"].endswith("VerificationRequested.v1")]
    assert event["check_departments"] == [event["lead_department"], "fire"]
    assert event["modes"] == ["night"]
