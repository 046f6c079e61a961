"""A publishing official withdraws or corrects a case; the reason stays in its public history."""
import pytest

from services.disclosure.service import DisclosureService
from support import eventually

from test_disclosure_chain import no_inspection, unlicensed_found  # noqa: E402,F401 (autouse)


@pytest.fixture
def case(start_service, amqp_uri):
    site = start_service(DisclosureService)
    unlicensed_found(amqp_uri, {
        "inspection_id": "insp-9", "institution_id": None, "name": "无名书法班",
        "address": "文登区米山路8号", "district": "371003"})
    found = eventually(lambda: site.get("/api/cases").json()["items"])
    return site, found[0]["case_id"]


def publisher(token, district="371003"):
    return token("publisher", "education", district)


def test_correction_replaces_the_text_and_keeps_the_reason(case, token):
    site, case_id = case
    answer = site.post(f"/api/cases/{case_id}/correct", publisher(token),
                       json={"reason": "机构名称有误", "institution_name": "墨香书法培训班"})
    assert answer.status_code == 200, answer.text
    view = site.get(f"/api/cases/{case_id}").json()
    assert view["institution_name"] == "墨香书法培训班" and view["corrected"] is True
    assert view["history"][-1] == {**view["history"][-1], "action": "corrected",
                                   "reason": "机构名称有误", "fields": ["institution_name"]}
    assert "机构名称有误" in site.get(f"/cases/{case_id}").text


def test_withdrawn_case_leaves_the_lists_but_says_why_on_its_page(case, token):
    site, case_id = case
    answer = site.post(f"/api/cases/{case_id}/withdraw", publisher(token), json={"reason": "复核认定不属实"})
    assert answer.status_code == 200 and answer.json()["status"] == "withdrawn"
    assert site.get("/api/cases").json()["items"] == []
    assert site.get("/api/cases?include_withdrawn=true").json()["items"][0]["status"] == "withdrawn"
    page = site.get(f"/cases/{case_id}").text
    assert "已撤回" in page and "复核认定不属实" in page
    assert "【已撤回】" in site.get("/feed.atom").text
    again = site.post(f"/api/cases/{case_id}/withdraw", publisher(token), json={"reason": "再次撤回"})
    assert again.status_code == 409
    names = [e["type"] for e in site.get("/events").json()]
    assert names.count("otg.disclosure.CaseWithdrawn.v1") == 1


def test_only_a_publisher_of_the_district_may_change_a_case(case, token):
    site, case_id = case
    body = {"reason": "复核认定不属实"}
    assert site.post(f"/api/cases/{case_id}/withdraw", json=body).status_code == 401
    assert site.post(f"/api/cases/{case_id}/withdraw", token("inspector", "fire", "371003"),
                     json=body).status_code == 403
    assert site.post(f"/api/cases/{case_id}/withdraw", publisher(token, "371002"),
                     json=body).status_code == 403
    assert site.get("/api/cases").json()["total"] == 1


def test_bad_correction_is_rejected_with_field_errors_and_changes_nothing(case, token):
    site, case_id = case
    answer = site.post(f"/api/cases/{case_id}/correct", publisher(token),
                       json={"department": "police", "summary": ""})
    assert answer.status_code == 400
    assert set(answer.json()["fields"]) == {"reason", "department", "summary"}
    empty = site.post(f"/api/cases/{case_id}/correct", publisher(token), json={"reason": "无内容"})
    assert empty.status_code == 400 and "changes" in empty.json()["fields"]
    assert site.post("/api/cases/nope/withdraw", publisher(token), json={"reason": "不存在"}).status_code == 404
    assert site.get(f"/api/cases/{case_id}").json()["history"][-1]["action"] == "exposed"
