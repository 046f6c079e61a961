"""Chains across services on the in-process runner (tests/inprocess.py): each source's
events arrive in its order; the sources themselves in any order."""
import pytest

from inprocess import Runner
from services.disclosure import queries

DISTRICT = "371002"


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("OTG_INSPECTION_URL", "http://127.0.0.1:9")  # no checklist titles here
    return Runner(tmp_path, services=("registry", "inspection", "disclosure", "tasks"))


def registered(world, institution_id="i-1"):
    world.given("registry", "InstitutionRegistered", {
        "institution_id": institution_id, "name": "海星艺术培训学校",
        "credit_code": "91371002MA3C00001X", "district": DISTRICT, "category": "arts",
        "supervising_department": "culture_tourism", "address": "环翠区海滨路1号"},
        stream_id=institution_id)


def hazard(world, institution_id="i-1", severity="critical"):
    """A safety check scheduled, then its hazard (inspection's order)."""
    world.given("inspection", "InspectionScheduled", {
        "inspection_id": "insp-1", "institution_id": institution_id, "district": DISTRICT,
        "kind": "safety", "departments": ["fire"], "modes": ["day"],
        "focus": ["fire_safety"]}, stream_id="insp-1")
    return world.given("inspection", "HazardFound", {
        "inspection_id": "insp-1", "finding_id": "f-1", "institution_id": institution_id,
        "district": DISTRICT, "severity": severity, "item": "fire.evacuation",
        "category": "fire_safety", "suspend_immediately": False, "department": "fire"},
        stream_id="insp-1")


def test_a_critical_hazard_suspends_the_institution_and_opens_a_review(world):
    registered(world)
    hazard_id = hazard(world)
    world.deliver("registry", "inspection")
    [suspended] = world.events("registry", "InstitutionSuspended")
    assert suspended["institution_id"] == "i-1" and suspended["source_event_id"] == hazard_id
    assert len(world.events("registry", "BlacklistReviewOpened")) == 1


@pytest.mark.parametrize("first", ["registry", "inspection"])
def test_the_public_case_waits_for_the_hazard_and_the_suspension_whichever_comes_first(
        world, first):
    registered(world)
    hazard(world)
    world.deliver("registry", "inspection")  # the suspension
    world.deliver("disclosure", first)
    assert world.events("disclosure", "CaseExposed") == []  # one of the two facts is missing
    world.run()
    [case] = world.events("disclosure", "CaseExposed")
    assert case["institution_id"] == "i-1" and case["kind"] == "hazard_suspension"
    with world.stores["disclosure"].read() as conn:
        facts = queries.case_detail(conn, case["case_id"])
    assert facts["institution_name"] == "海星艺术培训学校"  # its registration came before
    assert facts["finding"]["inspection_kind"] == "safety"  # its inspection came before


def test_a_minor_finding_suspends_nothing_and_exposes_nothing(world):
    registered(world)
    hazard(world, severity="minor")
    world.run()
    assert world.events("registry", "InstitutionSuspended") == []
    assert world.events("disclosure", "CaseExposed") == []


def test_an_event_delivered_twice_is_applied_once(world):
    registered(world)
    hazard(world)
    world.deliver("registry", "inspection")
    world.cursors[("registry", "inspection")] = 0  # as a redelivery after a crash
    world.deliver("registry", "inspection")
    assert len(world.events("registry", "InstitutionSuspended")) == 1


@pytest.mark.parametrize("first", ["registry", "inspection"])
def test_an_unlicensed_case_waits_for_the_registration_of_the_institution_it_names(world, first):
    registered(world)
    world.given("inspection", "InspectionScheduled", {
        "inspection_id": "insp-2", "institution_id": "i-1", "district": DISTRICT,
        "kind": "enforcement", "departments": ["education"], "modes": ["unannounced"],
        "focus": ["unlicensed"]},
        stream_id="insp-2")
    world.given("inspection", "UnlicensedOperationFound", {
        "inspection_id": "insp-2", "finding_id": "f-2", "institution_id": "i-1",
        "name": "海星艺术培训学校", "district": DISTRICT}, stream_id="insp-2")
    world.deliver("disclosure", "inspection" if first == "inspection" else "registry")
    if first == "inspection":
        assert world.events("disclosure", "CaseExposed") == []  # its credit code is not known yet
    world.run()
    [case] = world.events("disclosure", "CaseExposed")
    assert case["kind"] == "unlicensed"
    with world.stores["disclosure"].read() as conn:
        assert queries.case_detail(conn, case["case_id"])["credit_code"] == "91371002MA3C00001X"


def test_a_hazard_suspension_is_lifted_once_the_order_for_its_finding_is_verified(world):
    registered(world)
    hazard(world)
    order = {"order_id": "o-1", "institution_id": "i-1", "district": DISTRICT,
             "carry_over": False}
    world.given("inspection", "RectificationOrdered", {
        **order, "items": ["fire.evacuation"], "deadline": "2024-02-03",
        "inspection_id": "insp-1", "finding_ids": ["f-1"]}, stream_id="o-1")
    world.deliver("registry", "inspection")
    assert world.events("registry", "InstitutionReinstated") == []  # ordered, not yet verified
    verified = world.given("inspection", "RectificationVerified",
                           {**order, "department": "fire"}, stream_id="o-1")
    world.deliver("registry", "inspection")
    [reinstated] = world.events("registry", "InstitutionReinstated")
    assert reinstated["source_event_id"] == verified


def test_unlicensed_operation_black_lists_the_institution_and_orders_it_to_stop(world):
    registered(world)
    found = world.given("inspection", "UnlicensedOperationFound", {
        "inspection_id": "insp-2", "finding_id": "f-2", "institution_id": "i-1",
        "name": "海星艺术培训学校", "district": DISTRICT}, stream_id="insp-2")
    world.deliver("registry", "inspection")
    [decided] = world.events("registry", "BlacklistReviewDecided")
    [stopped] = world.events("registry", "InstitutionSuspended")
    assert (decided["decision"], decided["source_event_id"]) == ("blacklisted", found)
    assert stopped["source_event_id"] == found and stopped["reason"].endswith("ordered to stop")
