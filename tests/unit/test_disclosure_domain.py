"""Disclosure rules without a broker: a case is published once, corrections and
withdrawals keep their reason, texts that go public are masked."""
from datetime import datetime, timezone

import pytest

from services.disclosure import policies
from services.disclosure.domain import Case, Notice, PublishedLists, redact
from shared.errors import BadRequest, Conflict

NOW = datetime(2024, 1, 30, 10, 0, 5, tzinfo=timezone.utc)
FACTS = {"institution_id": "i-1", "district": "371002", "institution_name": "海星艺术培训学校",
         "source_event_id": "e-1", "finding": {"severity": "critical"}, "decision": {"action": "suspended"}}


def exposed():
    case = Case(Case.id_for("e-1"))
    case.expose("hazard_suspension", FACTS, "2024-01-30T10:00:00Z", NOW)
    return case


def test_case_records_seconds_from_finding_to_publication():
    [event] = exposed().collect()
    assert event.NAME == "CaseExposed" and event.seconds_to_publish == 5.0
    assert event.exposed_at == "2024-01-30T10:00:05Z" and event.found_at == "2024-01-30T10:00:00Z"


def test_second_route_to_the_same_case_publishes_nothing():
    case = Case.replay(Case.id_for("e-1"), exposed().collect())
    assert case.expose("blacklisted", FACTS, None, NOW) is False and case.collect() == []


def test_case_id_follows_the_event_that_started_it():
    assert Case.id_for("e-1") == Case.id_for("e-1") != Case.id_for("e-2")


def test_outcome_is_recorded_once():
    case = exposed()
    case.record_outcome("reinstated", "2024-02-01T00:00:00Z")
    case.record_outcome("reinstated", "2024-02-02T00:00:00Z")
    assert [e.NAME for e in case.collect()] == ["CaseExposed", "CaseOutcomeRecorded"]


def test_withdrawn_case_cannot_be_withdrawn_or_corrected_again():
    case = exposed()
    case.withdraw("复核认定不属实")
    with pytest.raises(Conflict):
        case.withdraw("again")
    with pytest.raises(Conflict):
        case.correct({"summary": "x"}, "again")


def test_correction_needs_a_known_field_and_masks_contacts():
    case = exposed()
    with pytest.raises(BadRequest):
        case.correct({"phone": "1"}, "理由")
    case.correct({"summary": "联系电话13912345678"}, "更正说明")
    event = case.collect()[-1]
    assert event.changes == {"summary": "联系电话＊＊＊"}


@pytest.mark.parametrize("text", [
    "电话13912345678", "电话 139-1234-5678", "座机0631-5201234", "邮箱li.xh@example.com反映",
    "身份证37010220100101123X"])
def test_contact_details_and_id_numbers_are_masked(text):
    masked = redact(text)
    assert "＊＊＊" in masked and not any(ch.isdigit() for ch in masked.replace("0631", ""))


def test_ordinary_text_and_hotline_numbers_stay():
    assert redact("逾期未整改，12345热线转办") == "逾期未整改，12345热线转办"


def test_same_registry_batch_is_published_once():
    lists = PublishedLists(PublishedLists.stream_id("371002", "white"))
    assert lists.publish("371002", "white", 1, ["b", "a"], "2024-01-24") is True
    assert lists.publish("371002", "white", 1, ["b", "a"], "2024-01-24") is False
    [event] = lists.collect()
    assert event.institution_ids == ["a", "b"]


def test_notice_reasons_are_masked():
    notice = Notice(Notice.id_for("e-9"))
    notice.publish("371002", "district_named", ["举报人a@b.cn未获答复"])
    assert notice.collect()[0].reasons == ["举报人＊＊＊未获答复"]


def test_hazard_is_a_case_once_the_hazard_and_its_suspension_are_known():
    hazard = {"event_id": "e-1", "institution_id": "i-1", "district": "371002",
              "severity": "major", "item": "fire.evacuation", "found_at": "2024-01-30T10:00:00Z",
              "inspection_id": "insp-1"}
    institution = {"name": "海星艺术培训学校", "district": "371002"}
    assert policies.hazard_case(hazard, None, institution, None) is None
    suspension = {"institution_id": "i-1", "district": "371002", "suspended_at": "t"}
    assert policies.hazard_case(None, suspension, institution, None) is None
    case_id, kind, facts, found_at = policies.hazard_case(hazard, suspension, institution, None)
    assert (case_id, kind, found_at) == (Case.id_for("e-1"), "hazard_suspension", hazard["found_at"])
    assert facts["decision"]["action"] == "suspended"
    assert facts["institution_name"] == "海星艺术培训学校"
    inspection = {"kind": "safety", "modes": ["night"], "departments": ["fire"]}
    _, _, facts, _ = policies.hazard_case(hazard, suspension, institution, inspection)
    assert facts["finding"]["inspection_kind"] == "safety"


def test_review_opening_reason_never_goes_public():
    decided = policies.blacklist_case(
        {"institution_id": "i", "district": "371002", "decision": "blacklisted", "reason": "违规"},
        {"id": "d-1", "time": "t"}, {"source_event_id": None, "reason": "家长李小红举报"},
        {"name": "蓝天书法学校"}, None, None)
    assert "李小红" not in str(decided)
    _, kind, facts, _ = decided  # the decision itself is published, with its own reason
    assert kind == "blacklisted" and facts["decision"]["reason"] == "违规"


def test_outcomes_that_came_before_the_case_are_taken_from_what_is_mirrored():
    review = {"decision": "blacklisted", "decided_at": "2024-01-21T02:00:00Z",
              "department": "culture_tourism", "decision_reason": "无证办学"}
    kept_open = {"decision": "kept", "decided_at": "t", "department": "x", "decision_reason": "y"}
    assert policies.outcomes_before("unlicensed", None, [review, kept_open]) == [
        ("blacklisted", "2024-01-21T02:00:00Z", "culture_tourism", "无证办学")]
    reinstated = {"status": "open", "status_since": "2024-01-25T01:00:00Z"}
    assert policies.outcomes_before("hazard_suspension", reinstated, []) == [
        ("reinstated", "2024-01-25T01:00:00Z", None, None)]
    assert policies.outcomes_before("hazard_suspension", {"status": "suspended"}, []) == []
    assert policies.outcomes_before("unlicensed", {"status": "open"}, []) == []
    closed = {"status": "closed", "status_since": "2024-02-01T00:00:00Z"}
    assert policies.outcomes_before("blacklisted", closed, [review]) == [
        ("closed", "2024-02-01T00:00:00Z", None, None)]  # its decision is the case itself


def test_unlicensed_case_waits_for_a_registered_institution_only():
    """Its inspection came before it in inspection's order: not waited for."""
    finding = {"inspection_id": "k-1", "institution_id": "i-1", "name": "海星艺术培训学校",
               "district": "371002"}
    inbound = {"id": "e-9", "time": "2024-01-22T07:31:00Z"}
    check = {"kind": "enforcement", "modes": ["night"], "departments": ["education"]}
    registered = {"name": "海星艺术培训学校", "credit_code": "91371002MA3C00001X"}
    assert policies.unlicensed_case(finding, inbound, None, check) is None
    _, kind, facts, _ = policies.unlicensed_case(finding, inbound, registered, check)
    assert kind == "unlicensed" and facts["credit_code"] == "91371002MA3C00001X"
    unregistered = {**finding, "institution_id": None, "name": "无名书法班"}
    _, _, facts, _ = policies.unlicensed_case(unregistered, inbound, None, check)
    assert facts["institution_name"] == "无名书法班" and facts["finding"]["modes"] == ["night"]


def test_a_case_masks_numbers_an_older_event_carried_in_a_name_or_address():
    """Events stored before the senders masked free text still hold what was typed."""
    found = {"inspection_id": None, "institution_id": None, "district": "371002",
             "name": "王老师家教 1390 531 8642", "address": "海滨路9号 0631 521 2345"}
    _, _, facts, _ = policies.unlicensed_case(found, {"id": "e-1", "time": "2024-01-22T07:31:00Z"},
                                              None, None)
    assert (facts["institution_name"], facts["address"]) == ("王老师家教 ＊＊＊", "海滨路9号 ＊＊＊")


def test_public_text_keeps_a_role_but_not_the_name_after_it_nor_numbers():
    from services.disclosure.domain import redact
    assert redact("检查员王建国（13912345678）发现安全出口被锁闭") == "检查员＊＊（＊＊＊）发现安全出口被锁闭"
    assert redact("联系人：王五，电话0631-5212345") == "联系人：＊＊，电话＊＊＊"
    assert redact("二楼安全出口被铁链锁闭，消防通道堆放杂物") == "二楼安全出口被铁链锁闭，消防通道堆放杂物"


def test_a_substantiated_violation_is_one_case_whichever_event_tells_it():
    from shared import violations
    finding = {"inspection_id": "x", "category": "prepaid_fee", "severity": "major"}
    verified = {"complaint_id": "c", "institution_id": "i", "substantiated": True,
                "category": "prepaid_fee", "inspection_id": "x"}
    assert violations.case_key("FindingRecorded", finding)[0] == violations.case_key(
        "ComplaintVerified", verified)[0]
    assert violations.case_key("FindingRecorded", {**finding, "severity": "minor"}) is None
    assert violations.case_key("FindingRecorded", {**finding, "category": "fire_safety"}) is None
    assert violations.case_key("ComplaintVerified", {**verified, "inspection_id": None}) == (
        "complaint:c", "complaint")
    assert violations.case_key("ComplaintVerified", {**verified, "substantiated": False}) is None
    assert violations.case_key("ComplaintVerified", {**verified, "category": "safety_hazard"}) is None


def test_an_institution_named_after_its_teacher_keeps_its_name_but_not_its_number():
    from services.disclosure.domain import business_text
    assert business_text("王老师家教（13905318642）") == "王老师家教（＊＊＊）"
