"""Registry rules: given events ⇒ command ⇒ events."""
from datetime import date

import pytest

from services.registry import events as ev, policies
from services.registry.domain import Institution, ListBatches
from shared.creditcode import complete
from shared.errors import BadRequest, Conflict, Forbidden

TODAY = date(2024, 1, 20)
CODE = complete("91371002MA3C00001")


def registered(**licences):
    institution = Institution.register(
        name="海星艺术培训学校", credit_code=CODE, district="371002", category="arts",
        address="环翠区海滨路1号", licences=[
            {"kind": kind, "number": f"N-{kind}", "valid_until": until}
            for kind, until in licences.items()])
    institution.collect()
    institution.loaded_version = institution.version
    return institution


def names(events):
    return [e.NAME for e in events]


def test_registration_records_the_supervising_department_of_the_category():
    institution = Institution.register(name="小小科学家", credit_code=CODE, district="371003",
                                       category="science", address="文登区")
    [event] = institution.collect()
    assert event.NAME == "InstitutionRegistered"
    assert event.supervising_department == "education"


def test_bad_credit_code_is_refused_with_the_field_named():
    with pytest.raises(BadRequest) as refused:
        Institution.register(name="x", credit_code=CODE[:17] + "0", district="371002",
                             category="arts", address="a")
    assert "credit_code" in refused.value.fields


def test_white_list_needs_a_permit_and_an_operating_licence_both_valid():
    assert registered(school_permit="2030-01-01", business_licence="2030-01-01").white_list_eligible(TODAY)
    assert registered(school_permit="2030-01-01", npo_registration="2030-01-01").white_list_eligible(TODAY)
    assert not registered(school_permit="2030-01-01").white_list_eligible(TODAY)
    assert not registered(school_permit="2023-12-31", business_licence="2030-01-01").white_list_eligible(TODAY)


def test_major_hazard_suspension_opens_one_review_and_leaves_the_white_list():
    institution = registered(school_permit="2030-01-01", business_licence="2030-01-01")
    institution.suspend("blocked exit", "evt-1")
    institution.open_review("blocked exit", "evt-1")
    institution.suspend("second hazard", "evt-2")       # already suspended: nothing new
    institution.open_review("second hazard", "evt-2")   # review already open: nothing new
    assert names(institution.collect()) == ["InstitutionSuspended", "BlacklistReviewOpened"]
    assert not institution.white_list_eligible(TODAY)


def test_only_the_supervising_department_decides_the_review():
    institution = registered(school_permit="2030-01-01", business_licence="2030-01-01")
    institution.open_review("complaint", None)
    with pytest.raises(Forbidden):
        institution.decide_review("blacklisted", "x", department="education")
    institution.decide_review("blacklisted", "repeated violations", department="culture_tourism")
    assert names(institution.collect())[-1] == "BlacklistReviewDecided"
    assert institution.blacklisted and institution.review is None


def test_reinstating_an_open_institution_is_a_conflict():
    institution = registered(school_permit="2030-01-01")
    with pytest.raises(Conflict):
        institution.reinstate()


def test_closed_institution_cannot_be_suspended():
    institution = registered(school_permit="2030-01-01")
    institution.close("ceased trading")
    with pytest.raises(Conflict):
        institution.suspend("hazard")


def test_expired_licence_is_flagged_once():
    institution = registered(school_permit="2024-01-10", business_licence="2030-01-01")
    institution.flag_expired_licences(TODAY)
    institution.flag_expired_licences(TODAY)
    [event] = institution.collect()
    assert (event.NAME, event.kind) == ("LicenceExpired", "school_permit")


def test_list_batches_are_numbered_and_filed_once():
    batches = ListBatches(ListBatches.stream_id("371002", "white"))
    assert batches.publish("371002", "white", ["b", "a"], TODAY) == 1
    assert batches.publish("371002", "white", ["a"], TODAY) == 2
    batches.file(1)
    with pytest.raises(Conflict):
        batches.file(1)
    published = batches.collect()
    assert [e.data.get("batch_no") for e in published] == [1, 2, 1]
    assert published[0].institution_ids == ["a", "b"]


def test_replay_rebuilds_the_same_state():
    institution = Institution.register(name="n", credit_code=CODE, district="371002",
                                       category="arts", address="a")
    institution.suspend("hazard")
    replayed = Institution.replay(institution.id, institution.collect())
    assert (replayed.status, replayed.version) == ("suspended", 2)


def test_events_reject_values_outside_the_vocabulary():
    with pytest.raises(BadRequest):
        ev.InstitutionSuspended(institution_id="i", district="999999", reason="r")


def test_the_decision_names_what_opened_the_review():
    unlicensed = registered(school_permit="2030-01-01")
    unlicensed.blacklist_for_unlicensed_operation("operating without licences", "evt-u")
    hazard = registered(school_permit="2030-01-01")
    hazard.open_review("blocked exit", "evt-h")
    hazard.decide_review("cleared", "rectified", department="culture_tourism")
    by_hand = registered(school_permit="2030-01-01")
    by_hand.open_review("complaints", None)
    by_hand.decide_review("cleared", "no violation", department="culture_tourism")
    decisions = [next(e for e in i.collect() if e.NAME == "BlacklistReviewDecided")
                 for i in (unlicensed, hazard, by_hand)]
    assert [d.source_event_id for d in decisions] == ["evt-u", "evt-h", None]


def hazard_data(severity="critical", **more):
    return {"inspection_id": "insp-1", "finding_id": "f-1", "severity": severity,
            "item": "fire.evacuation", **more}


def suspended(source_event_id):
    institution = registered(school_permit="2030-01-01", business_licence="2030-01-01")
    institution.suspend("hazard found", source_event_id)
    institution.collect()
    return institution


def test_a_major_or_critical_hazard_decides_a_suspension_the_finding_holds():
    institution = registered(school_permit="2030-01-01")
    reason = "hazard found in inspection: fire.evacuation (critical)"
    assert policies.suspension_for_hazard(institution, hazard_data(), "evt-1") == policies.Suspend(
        reason, "evt-1", holds="evt-1")
    assert policies.suspension_for_hazard(institution, hazard_data("minor"), "evt-1") is None
    urgent = hazard_data("minor", suspend_immediately=True)
    assert policies.suspension_for_hazard(institution, urgent, "evt-1").holds == "evt-1"
    assert institution.collect() == [] and institution.status == "open"  # decided, not done


def test_a_hazard_found_while_suspended_holds_the_suspension_in_place():
    assert policies.suspension_for_hazard(suspended("evt-1"), hazard_data("major"),
                                          "evt-2").holds == "evt-1"
    by_hand = suspended(None)
    assert policies.suspension_for_hazard(by_hand, hazard_data(), "evt-2").holds is None


def test_a_hazard_at_a_closed_institution_suspends_nothing():
    institution = registered(school_permit="2030-01-01")
    institution.close("moved away")
    assert policies.suspension_for_hazard(institution, hazard_data(), "evt-2") is None


def test_a_hazard_suspension_is_lifted_when_every_finding_holding_it_is_rectified():
    institution = suspended("evt-1")
    holding = {("insp-1", "f-1"), ("insp-1", "f-2")}
    for rectified in (set(), {("insp-1", "f-3")}, {("insp-1", "f-1")}):
        assert policies.reinstatement(institution, holding, rectified, "evt-v") is None
    assert policies.reinstatement(institution, holding, holding | {("insp-1", "f-3")},
                                  "evt-v") == policies.Reinstate("evt-v")


def test_a_suspension_by_hand_or_without_known_findings_is_not_lifted_automatically():
    rectified = {("insp-1", "f-1")}
    assert policies.reinstatement(suspended(None), rectified, rectified, "evt-v") is None
    assert policies.reinstatement(suspended("evt-1"), set(), rectified, "evt-v") is None
    assert policies.reinstatement(registered(), rectified, rectified, "evt-v") is None


def test_an_officials_suspension_over_a_hazard_suspension_is_lifted_by_hand_only():
    institution = suspended("evt-1")
    institution.suspend("证照不全，责令停业")
    institution.suspend("再次检查")  # held by hand already: nothing new
    assert names(institution.collect()) == ["InstitutionSuspended"]
    assert institution.suspended_for is None
    assert policies.reinstatement(institution, {("insp-1", "f-1")}, {("insp-1", "f-1")},
                                  "evt-v") is None


def test_unlicensed_operation_black_lists_and_stops_an_institution_not_closed():
    institution = registered(school_permit="2030-01-01")
    stop = policies.stop_for_unlicensed_operation(institution, "evt-u")
    assert stop == policies.BlacklistAndStop(policies.UNLICENSED, "evt-u")
    assert stop.stop_reason == f"{policies.UNLICENSED}: ordered to stop"
    institution.close("gone")
    assert policies.stop_for_unlicensed_operation(institution, "evt-u") is None


def test_an_old_registration_with_a_field_since_dropped_or_not_yet_known_replays():
    old = ev.InstitutionRegistered.from_stored(1, {
        "institution_id": "i-1", "name": "海星", "credit_code": CODE, "district": "371002",
        "category": "arts", "supervising_department": "culture_tourism", "fax": "0631-1"})
    replayed = Institution.replay("i-1", [old])
    assert (replayed.name, replayed.status, replayed.address) == ("海星", "open", "")
    assert replayed.national_platform_id is None and not hasattr(replayed, "fax")
