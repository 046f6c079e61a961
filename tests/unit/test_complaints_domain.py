"""Complaint rules without I/O: given events ⇒ command ⇒ events."""
from datetime import datetime, timedelta, timezone

import pytest

from services.complaints import rules as complaint_rules
from services.complaints.domain import UNLISTED, Complaint, Match, redact, route
from shared.errors import Conflict, Forbidden

RULES = complaint_rules.load()
T0 = datetime(2024, 1, 20, 8, 0, tzinfo=timezone.utc)


def received(category="prepaid_fee", match=UNLISTED, complaint_id="c-1", **extra):
    complaint = Complaint.receive(complaint_id, "web", "371002", category, T0,
                                  institution_name="海星艺术培训", address="海滨路1号", **extra)
    complaint.assign(RULES, match)
    return complaint


def names(events):
    return [e.NAME for e in events]


def answered(complaint):
    complaint.request_verification(RULES, "education")
    complaint.verify(True)
    complaint.answer()
    return complaint


def test_report_is_routed_to_the_supervising_department_of_the_matched_institution():
    complaint = received("safety_hazard", Match("name", "inst-1", "culture_tourism"))
    assigned = complaint.collect()[-1]
    assert assigned.NAME == "ComplaintAssigned"
    assert assigned.lead_department == "culture_tourism"
    assert assigned.handling_departments == ["fire", "public_security"]
    assert assigned.institution_id == "inst-1" and assigned.institution_match == "name"
    # safety hazards: acknowledged within 2 hours, answered within 3 days
    assert assigned.deadlines["acknowledge"] == "2024-01-20T10:00:00Z"
    assert assigned.due == "2024-01-23T08:00:00Z"


def test_unlisted_institution_falls_back_to_the_category_lead():
    assert route(RULES, "unlicensed", "371002", UNLISTED) == ("education", ["market_regulation"])
    assert route(RULES, "advertising", "371002", UNLISTED) == ("market_regulation", ["education"])


def test_phone_numbers_and_emails_typed_into_event_fields_are_masked():
    complaint = Complaint.receive("c-1", "web", "371002", "other", T0,
                                  institution_name="王老师 13812345678 家教",
                                  address="联系 parent@example.com 海滨路")
    event = complaint.collect()[0]
    assert "13812345678" not in str(event.data) and "parent@example.com" not in str(event.data)
    assert redact("电话 0631-5221234") == "电话 ***"


def test_verification_by_inspection_then_answer_then_close():
    complaint = received()
    complaint.collect()
    complaint.request_verification(RULES, "education")
    complaint.verify_by_inspection(True, "insp-9")
    complaint.answer()
    complaint.close()
    events = complaint.collect()
    assert names(events) == ["ComplaintAcknowledged", "VerificationRequested", "ComplaintVerified",
                             "ComplaintAnswered", "ComplaintClosed"]
    assert events[1].focus == ["prepaid_fee"] and events[1].institution_name == "海星艺术培训"
    assert events[2].substantiated is True and events[2].inspection_id == "insp-9"
    assert events[3].substantiated is True


def test_a_late_second_inspection_changes_nothing():
    complaint = received()
    complaint.request_verification(RULES, "education")
    complaint.verify_by_inspection(False, "insp-1")
    complaint.collect()
    complaint.verify_by_inspection(True, "insp-2")
    assert complaint.collect() == [] and complaint.substantiated is False


def test_answer_needs_a_verification_first():
    complaint = received()
    with pytest.raises(Conflict):
        complaint.answer()


def test_reporter_may_reopen_once_with_new_deadlines():
    complaint = answered(received())
    complaint.collect()
    later = T0 + timedelta(days=10)
    complaint.reopen("c-1", RULES, later)
    reopened = complaint.collect()[0]
    assert reopened.NAME == "ComplaintReopened" and complaint.status == "reopened"
    assert reopened.deadlines["answer"] == "2024-02-14T08:00:00Z"  # 15 days from reopening
    complaint.verify(False)
    complaint.answer()
    with pytest.raises(Conflict):
        complaint.reopen("c-1", RULES, later)


def test_overdue_is_raised_once_per_deadline_and_escalated_once():
    complaint = received("safety_hazard")
    history = complaint.collect()
    complaint.check_overdue(T0 + timedelta(hours=3))
    first = complaint.collect()
    history += first
    assert names(first) == ["ComplaintOverdue", "ComplaintEscalated"]
    assert first[0].stage == "acknowledge" and first[1].escalated_to == "371000"
    complaint.check_overdue(T0 + timedelta(hours=4))
    assert complaint.collect() == []
    # replayed from its history (a restart), the decision is the same
    again = Complaint.replay("c-1", history)
    again.check_overdue(T0 + timedelta(hours=5))
    assert again.collect() == []
    again.check_overdue(T0 + timedelta(days=2))
    assert names(again.collect()) == ["ComplaintOverdue"]  # verify missed: no second escalation


def test_met_deadlines_are_not_overdue():
    complaint = answered(received("safety_hazard"))
    complaint.collect()
    complaint.check_overdue(T0 + timedelta(days=30))
    assert complaint.collect() == []


def test_duplicate_merges_into_the_open_case_and_follows_its_answer():
    primary = received(complaint_id="c-1")
    duplicate = Complaint.receive("c-2", "hotline", "371002", "prepaid_fee", T0, institution_name="海星")
    duplicate.merge_into(primary)
    answered(primary)
    duplicate.follow_answer(primary)
    events = duplicate.collect()
    assert names(events) == ["ComplaintReceived", "ComplaintMerged", "ComplaintAnswered"]
    assert events[1].into == "c-1" and events[2].via == "c-1" and events[2].substantiated is True


def test_an_answered_case_takes_no_duplicates():
    primary = answered(received(complaint_id="c-1"))
    duplicate = Complaint.receive("c-2", "web", "371002", "prepaid_fee", T0)
    with pytest.raises(Conflict):
        duplicate.merge_into(primary)


def test_only_the_routed_departments_work_a_case():
    from services.complaints.domain import require_worker
    complaint = received("advertising")
    require_worker(complaint, "handler", "market_regulation")
    require_worker(complaint, "coordinator", "fire")
    with pytest.raises(Forbidden):
        require_worker(complaint, "handler", "fire")

