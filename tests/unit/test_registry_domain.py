"""Registry rules: given events ⇒ command ⇒ events."""
from datetime import date

import pytest

from services.registry import events as ev
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
