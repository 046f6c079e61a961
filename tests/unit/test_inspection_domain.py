"""Inspection rules: command ⇒ events (no broker, no database)."""
from datetime import date

import pytest

from services.inspection import checklists, domain
from services.inspection.domain import Inspection, RectificationOrder
from shared.errors import BadRequest, Conflict, Forbidden

TODAY = date(2024, 1, 20)
SCHOOL = "5f0c6c1e-0000-4000-8000-000000000001"


def names(events):
    return [e.NAME for e in events]


def safety_check(institution_id=SCHOOL, departments=("education", "fire"), **extra):
    inspection = Inspection.schedule(district="371002", kind="safety", departments=list(departments),
                                     modes=["unannounced", "joint"], institution_id=institution_id,
                                     site_name="海星艺术培训学校", site_address="海滨路1号", **extra)
    inspection.collect()
    inspection.loaded_version = inspection.version
    return inspection


def finding(inspection, item="fire.evacuation", severity="critical", department="fire", **extra):
    inspection.record_finding(checklists.item(item), severity, "安全出口被杂物堵塞", department, **extra)
    return inspection.collect()


def test_critical_fire_finding_announces_a_hazard_before_the_inspection_ends():
    inspection = safety_check()
    events = finding(inspection)
    assert names(events) == ["FindingRecorded", "HazardFound"]
    hazard = events[1]
    assert hazard.data == {**hazard.data, "institution_id": SCHOOL, "district": "371002",
                           "severity": "critical", "item": "fire.evacuation", "department": "fire",
                           "finding_id": events[0].finding_id, "suspend_immediately": False}
    assert inspection.status == "scheduled"


def test_minor_fire_finding_is_not_a_hazard():
    assert names(finding(safety_check(), severity="minor")) == ["FindingRecorded"]


def test_major_prepaid_fee_finding_is_not_a_safety_hazard_unless_marked_suspend_immediately():
    assert names(finding(safety_check(), item="enforcement.prepaid_fee", severity="major")) == [
        "FindingRecorded"]
    marked = finding(safety_check(), item="enforcement.prepaid_fee", severity="minor",
                     suspend_immediately=True)
    assert names(marked) == ["FindingRecorded", "HazardFound"]
    assert marked[1].suspend_immediately is True


def test_unregistered_site_found_unlicensed_is_reported_once_with_its_name_and_address():
    site = safety_check(institution_id=None)
    first = finding(site, item="enforcement.unlicensed", severity="major")
    second = finding(site, item="enforcement.unlicensed", severity="major")
    assert names(first) == ["FindingRecorded", "UnlicensedOperationFound"]
    assert first[1].data["institution_id"] is None
    assert (first[1].name, first[1].address) == ("海星艺术培训学校", "海滨路1号")
    assert names(second) == ["FindingRecorded"]


def test_hazard_at_an_unregistered_site_names_no_institution_to_suspend():
    assert names(finding(safety_check(institution_id=None))) == ["FindingRecorded"]


def test_only_an_assigned_department_records_findings():
    with pytest.raises(Forbidden):
        finding(safety_check(), department="market_regulation")


def test_joint_check_needs_two_departments():
    with pytest.raises(BadRequest) as refused:
        safety_check(departments=("education",))
    assert "departments" in refused.value.fields


def test_completion_reports_outcome_and_worst_severity_and_closes_the_inspection():
    inspection = safety_check(source="c-1", source_type="complaint")
    finding(inspection, severity="minor")
    finding(inspection, severity="major")
    inspection.complete()
    [completed] = inspection.collect()
    assert (completed.outcome, completed.findings_count, completed.max_severity) == (
        "violation_found", 2, "major")
    assert (completed.source, completed.source_type, completed.kind) == ("c-1", "complaint", "safety")
    with pytest.raises(Conflict):
        finding(inspection)


def test_inspection_without_findings_has_no_violation_and_needs_no_rectification():
    inspection = safety_check()
    inspection.complete()
    assert inspection.collect()[0].outcome == "no_violation"
    assert RectificationOrder.for_inspection(inspection, TODAY) is None


def test_findings_are_ordered_for_rectification_except_unlicensed_operation():
    inspection = safety_check()
    finding(inspection, item="fire.equipment", severity="minor")
    finding(inspection, item="enforcement.unlicensed", severity="major")
    inspection.complete()
    order = RectificationOrder.for_inspection(inspection, TODAY)
    [ordered] = order.collect()
    assert ordered.items == ["fire.equipment"]
    assert ordered.deadline == "2024-02-03" and ordered.carry_over is False


def self_check():
    inspection = Inspection.schedule(district="371002", kind="self", departments=["education"],
                                     institution_id=SCHOOL, site_name="海星")
    inspection.collect()
    return inspection


def answers(failed=()):
    return [{"item": item["id"], "result": "fail" if item["id"] in failed else "pass",
             "evidence": []} for item in checklists.get("fire_nine_rules")["items"]]


def test_self_inspection_failed_items_become_findings():
    inspection = self_check()
    inspection.answer(checklists.get("fire_nine_rules"), answers({"fire.equipment"}), "education")
    events = inspection.collect()
    assert names(events) == ["SelfInspectionAnswered", "FindingRecorded"]
    assert events[0].checklist_version == "2022.1"
    assert events[1].item == "fire.equipment" and events[1].severity == "minor"


def test_self_inspection_must_answer_every_item_once():
    incomplete = answers()[:-1] + [{"item": "special.gatekeeping", "result": "pass"}]
    with pytest.raises(BadRequest) as refused:
        self_check().answer(checklists.get("fire_nine_rules"), incomplete, "education")
    messages = " ".join(refused.value.fields["answers"])
    assert "fire.prohibitions is not answered" in messages
    assert "special.gatekeeping is not an item" in messages


def order(deadline=date(2024, 1, 26), carry_over=False):
    made = RectificationOrder.order(SCHOOL, "371002", ["fire.equipment"], deadline, TODAY,
                                    carry_over=carry_over)
    made.collect()
    return made


def test_missed_deadline_is_flagged_once():
    made = order()
    made.flag_overdue(date(2024, 1, 26))
    assert made.collect() == []
    made.flag_overdue(date(2024, 1, 27))
    made.flag_overdue(date(2024, 1, 28))
    assert names(made.collect()) == ["RectificationOverdue"]


def test_reported_rectification_is_not_overdue():
    made = order()
    made.report()
    made.flag_overdue(date(2024, 2, 1))
    assert names(made.collect()) == ["RectificationReported"]


def test_failed_reinspection_sets_a_new_deadline_which_can_be_missed_again():
    made = order()
    made.flag_overdue(date(2024, 1, 27))
    with pytest.raises(BadRequest):
        made.verify(False, "fire", date(2024, 1, 28))
    made.verify(False, "fire", date(2024, 1, 28), new_deadline=date(2024, 2, 5))
    made.flag_overdue(date(2024, 2, 6))
    assert names(made.collect()) == ["RectificationOverdue", "RectificationFailed",
                                     "RectificationOverdue"]


def test_verified_rectification_cannot_be_verified_again():
    made = order()
    made.verify(True, "fire", TODAY)
    assert made.collect()[0].data == {"order_id": made.id, "institution_id": SCHOOL,
                                      "district": "371002", "carry_over": False,
                                      "department": "fire", "evidence": []}
    with pytest.raises(Conflict):
        made.verify(True, "fire", TODAY)


def test_new_order_needs_a_future_deadline_but_a_carry_over_may_be_late_already():
    with pytest.raises(BadRequest):
        order(deadline=date(2024, 1, 10))
    assert order(deadline=date(2024, 1, 10), carry_over=True).carry_over is True


def test_an_old_finding_event_is_read_without_its_free_text():
    from services.inspection.events import CATALOGUE
    v1 = {"inspection_id": "i", "finding_id": "f", "institution_id": None, "district": "371002",
          "item": "fire.evacuation", "checklist": "special_safety@2024.1", "category": "fire_safety",
          "severity": "major", "description": "负责人张三", "suspend_immediately": False,
          "department": "fire", "evidence": []}
    event = CATALOGUE.decode("FindingRecorded", 1, v1)
    assert "description" not in event.data and event.severity == "major"


def test_carry_over_order_id_is_the_same_for_the_same_campaign_institution_and_items():
    same = domain.carry_over_id("安全守护", "inst-1", ["fire.equipment", "fire.evacuation"])
    assert same == domain.carry_over_id("安全守护", "inst-1", ["fire.evacuation", "fire.equipment"])
    assert same != domain.carry_over_id("安全守护", "inst-2", ["fire.equipment", "fire.evacuation"])
    assert same != domain.carry_over_id("平安校园", "inst-1", ["fire.equipment", "fire.evacuation"])


def test_finding_notes_are_for_officials_who_inspect_in_the_district():
    from shared.auth import Actor
    assert domain.may_read_notes(Actor("inspector", "fire", "371002"), "371002")
    assert domain.may_read_notes(Actor("coordinator", "education", "371000"), "371002")
    assert not domain.may_read_notes(Actor("inspector", "fire", "371003"), "371002")
    assert not domain.may_read_notes(Actor("registrar", "education", "371002"), "371002")
    assert not domain.may_read_notes(None, "371002")


def test_complaint_check_is_made_by_every_department_asked_and_is_joint_and_at_night():
    from services.inspection import policies
    request = {"complaint_id": "c-1", "district": "371002", "category": "safety_hazard",
               "institution_id": None, "institution_name": "海星艺术培训学校",
               "lead_department": "culture_tourism", "check_departments": ["culture_tourism", "fire"],
               "modes": ["night"]}
    check = policies.verification_check(request)
    assert check["departments"] == ["culture_tourism", "fire"]
    assert check["modes"] == ["unannounced", "night", "joint"]
    inspection = Inspection.schedule(**check)
    inspection.require_assigned("fire")  # the fire inspector records findings too
    older = {k: v for k, v in request.items() if k not in ("check_departments", "modes")}
    assert policies.verification_check(older)["departments"] == ["culture_tourism"]
    assert policies.verification_check(older)["modes"] == ["unannounced"]


def test_an_old_visit_with_a_field_since_dropped_replays_and_completes_without_it():
    from services.inspection.events import InspectionScheduled
    v1 = InspectionScheduled.from_stored(1, {
        "inspection_id": "i-1", "institution_id": SCHOOL, "district": "371002", "kind": "safety",
        "modes": ["day"], "departments": ["fire"], "focus": ["fire_safety"], "priority": "high"})
    inspection = Inspection.replay("i-1", [v1])
    assert (inspection.status, inspection.site_name) == ("scheduled", None)
    inspection.complete()
    [completed] = inspection.collect()
    assert "priority" not in completed.data and completed.officer_ids == []
    assert (completed.institution_id, completed.outcome) == (SCHOOL, "no_violation")
