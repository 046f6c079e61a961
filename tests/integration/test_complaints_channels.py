"""Channels other than the JSON API: Open311 clients, the QR-code HTML form, school
survey leads from tasks, and triage against the registry's institutions."""
import re

import pytest

from services.complaints.service import ComplaintsService
from shared.creditcode import complete
from support import eventually, publish_event, skipped, tiny_png

CREDIT = complete("91371002MA3C00001")


@pytest.fixture
def complaints(start_service, monkeypatch, tmp_path):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    return start_service(ComplaintsService)


@pytest.fixture
def handler(token):
    return token("handler", "education", "371002")


def registered(amqp_uri, api, name="海星艺术培训学校", category="arts", institution_id="inst-1"):
    publish_event(amqp_uri, "registry", "InstitutionRegistered", {
        "institution_id": institution_id, "name": name, "credit_code": CREDIT, "district": "371002",
        "category": category, "supervising_department": "culture_tourism", "address": "海滨路1号"})
    eventually(lambda: name in api.get("/report?district=371002").text)


def test_open311_client_lists_services_posts_a_request_and_reads_it_back(complaints):
    services = complaints.get("/open311/v2/services.json").json()
    assert {s["service_code"] for s in services} >= {"prepaid_fee", "safety_hazard", "art_exam"}
    posted = complaints.post("/open311/v2/requests.json", data={
        "jurisdiction_id": "371002", "service_code": "advertising", "api_key": "ignored",
        "description": "小区门口发补课传单", "address_string": "环翠区文化路", "lat": "37.5", "long": "122.1",
        "email": "parent@example.com", "first_name": "Min", "phone": "13811112222"})
    assert posted.status_code == 201, posted.text
    [created] = posted.json()
    request_id = created["service_request_id"]
    assert created["tracking_code"] in created["service_notice"]
    [read] = complaints.get(f"/open311/v2/requests/{request_id}.json").json()
    assert read["status"] == "open" and read["service_code"] == "advertising"
    assert read["agency_responsible"] == "market_regulation" and read["jurisdiction_id"] == "371002"
    listed = complaints.get("/open311/v2/requests.json?jurisdiction_id=371002&status=open").json()
    assert [r["service_request_id"] for r in listed] == [request_id]
    # public reads show progress only
    assert "parent@example.com" not in str(listed) and "补课传单" not in str(listed)


def test_open311_errors_use_the_open311_format(complaints):
    refused = complaints.post("/open311/v2/requests.json", data={"service_code": "potholes"})
    assert refused.status_code == 400
    [error] = refused.json()
    assert error["code"] == 400 and "jurisdiction_id" in error["description"]
    missing = complaints.get("/open311/v2/requests/nope.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_qr_code_form_reports_with_a_photo_and_shows_the_tracking_code(complaints):
    form = complaints.get("/report?district=371002")
    assert form.status_code == 200 and "环翠区" in form.text
    assert 'name="photos"' in form.text and "<script src" not in form.text and "http" not in form.text.split("<style>")[0]
    policy = form.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy  # only its own one
    submitted = complaints.post("/report", data={
        "district": "371002", "category": "safety_hazard", "description": "消防通道堆满杂物",
        "institution_name": "", "contact_phone": ""}, files=[("photos", ("a.png", tiny_png(), "image/png"))])
    assert submitted.status_code == 201
    code = re.search(r'class="code">([A-Z0-9-]+)<', submitted.text).group(1)
    page = complaints.get(f"/report/track?code={code}")
    assert page.status_code == 200 and "已分派" in page.text


def test_form_with_errors_comes_back_without_echoing_contact_details(complaints):
    returned = complaints.post("/report", data={
        "district": "371002", "category": "", "description": "太短", "contact_phone": "13999990000",
        "institution_name": "<b>星星</b>"})
    assert returned.status_code == 400 and "请填写具体情况" in returned.text and "请选择问题类型" in returned.text
    assert "13999990000" not in returned.text
    assert "&lt;b&gt;星星&lt;/b&gt;" in returned.text  # escaped, kept for the retry


def test_school_survey_lead_becomes_a_school_survey_complaint_once(complaints, amqp_uri, handler):
    lead = {"report_id": "rep-1", "campaign_id": "winter-2024", "school_id": "school-7",
            "district": "371002", "institution_name": "未名学堂", "credit_code": None,
            "address": "某小区3号楼", "pupil_count": 3}
    event_id = publish_event(amqp_uri, "tasks", "UnlistedInstitutionReported", lead)
    publish_event(amqp_uri, "tasks", "UnlistedInstitutionReported", lead, event_id=event_id)
    publish_event(amqp_uri, "tasks", "UnlistedInstitutionReported", lead)  # the same report, new id
    found = eventually(lambda: complaints.get("/complaints?channel=school_survey", handler).json()["items"])
    eventually(lambda: skipped(complaints, "complaints.handle_tasks_unlisted_institution_reported") == 1)
    assert complaints.get("/complaints?channel=school_survey", handler).json()["total"] == 1
    [case] = found
    assert case["category"] == "unlicensed" and case["institution_match"] == "unlisted"
    assert case["report_id"] == "rep-1" and case["lead_department"] == "education"


def test_report_naming_a_registered_institution_is_matched_and_routed(complaints, amqp_uri, token):
    registered(amqp_uri, complaints)
    handler = token("handler", "culture_tourism", "371002")  # the arts institution's department
    by_name = complaints.post("/complaints", json={
        "district": "371002", "category": "safety_hazard", "description": "灭火器过期",
        "institution_name": "海星艺术培训"}).json()
    case = complaints.get(f"/complaints/{by_name['complaint_id']}", handler).json()
    assert case["institution_id"] == "inst-1" and case["institution_match"] == "name"
    assert case["lead_department"] == "culture_tourism"
    assert case["address"] == "海滨路1号"
    by_code = complaints.post("/complaints", json={
        "district": "371002", "category": "prepaid_fee", "description": "交了学费不给退", "credit_code": CREDIT})
    assert by_code.status_code == 201, by_code.text
    by_code = by_code.json()
    assert complaints.get(f"/complaints/{by_code['complaint_id']}", handler).json()["institution_match"] == "credit_code"


def test_unknown_institution_id_is_refused(complaints):
    refused = complaints.post("/complaints", json={
        "district": "371002", "category": "other", "description": "机构违规招生", "institution_id": "nope"})
    assert refused.status_code == 400 and "institution_id" in refused.json()["fields"]


def test_retriage_matches_an_institution_registered_later(complaints, amqp_uri, handler, token):
    receipt = complaints.post("/complaints", json={
        "district": "371002", "category": "art_exam", "description": "艺考集训没有资质",
        "institution_name": "飞天画室"}).json()
    path = f"/complaints/{receipt['complaint_id']}"
    assert complaints.get(path, handler).json()["institution_match"] == "unlisted"
    registered(amqp_uri, complaints, name="飞天画室", institution_id="inst-2")
    culture = token("handler", "culture_tourism", "371002")
    retriaged = complaints.post(f"{path}/triage", culture, json={"category": "unlicensed"})
    assert retriaged.status_code == 200, retriaged.text
    case = retriaged.json()
    assert case["institution_id"] == "inst-2" and case["category"] == "unlicensed"
    assert case["lead_department"] == "culture_tourism"


def test_institutions_registered_before_complaints_started_are_matched(
        start_service, monkeypatch, tmp_path, token):
    from services.registry.service import RegistryService
    registry = start_service(RegistryService)
    created = registry.post("/institutions", token("registrar", "culture_tourism", "371002"), json={
        "name": "海星艺术培训学校", "credit_code": CREDIT, "district": "371002", "category": "arts",
        "address": "海滨路1号"})
    assert created.status_code == 201, created.text
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    complaints = start_service(ComplaintsService, follow_feeds=True)  # catches up from the feed
    eventually(lambda: "海星艺术培训学校" in complaints.get("/report?district=371002").text)
    receipt = complaints.post("/complaints", json={
        "district": "371002", "category": "art_exam", "description": "艺考集训超时上课",
        "institution_name": "海星艺术"}).json()
    case = complaints.get(f"/complaints/{receipt['complaint_id']}", token("handler", "culture_tourism", "371002"))
    assert case.json()["institution_id"] == created.json()["id"]


def test_a_case_is_matched_merged_and_counted_on_postgresql(start_service, postgres_url, monkeypatch,
                                                           tmp_path, amqp_uri, token):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    complaints = start_service(ComplaintsService, database_url=postgres_url)
    registered(amqp_uri, complaints)
    handler = token("handler", "culture_tourism", "371002")
    body = {"district": "371002", "category": "safety_hazard", "description": "灭火器过期两年",
            "institution_name": "海星艺术", "contact": {"phone": "13800000001"}}
    first = complaints.post("/complaints", json=body).json()
    second = complaints.post("/complaints", json={**body, "institution_name": "海星艺术培训学校"}).json()
    case = complaints.get(f"/complaints/{first['complaint_id']}", handler).json()
    assert case["institution_id"] == "inst-1" and case["duplicates"] == [second["complaint_id"]]
    assert complaints.get(case["contact_url"], handler).json()["contact"] == {"phone": "13800000001"}
    stats = complaints.get("/complaints/stats", handler).json()
    assert stats["totals"]["received"] == 2 and stats["totals"]["merged"] == 1
    # the fire department works the one case; the duplicate follows it
    fire = token("handler", "fire", "371002")
    assert complaints.get("/complaints?department=fire", fire).json()["total"] == 1
