"""A black-list decision finds the case its review came from: the review's opening comes
before it in the registry's order (one queue per source); inspection's finding may come
before or after them."""
import pytest

from services.disclosure import lookups
from services.disclosure.service import DisclosureService
from shared.creditcode import complete
from support import eventually, free_port, handled, publish_event
from test_disclosure_chain import unlicensed_found

DISTRICT = "371002"
SCHOOL = "3f1c2b7e-0000-4000-8000-000000000001"
REGISTERED = {"institution_id": SCHOOL, "name": "海星艺术培训学校",
              "credit_code": complete("91371002MA3C00001"), "district": DISTRICT, "category": "arts",
              "supervising_department": "culture_tourism", "address": "环翠区海滨路1号"}
FINDING = {"inspection_id": "insp-1", "finding_id": "f-1", "institution_id": SCHOOL,
           "name": "海星艺术培训学校", "address": "环翠区海滨路1号", "district": DISTRICT}


@pytest.fixture(autouse=True)
def no_inspection(monkeypatch):
    """Checklist titles are looked up at inspection: here nothing answers (never port 8002)."""
    monkeypatch.setenv("OTG_INSPECTION_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setattr(lookups, "_cache", {"titles": {}, "until": 0.0})


def cases(site):
    return site.get("/api/cases").json()["items"]



def unlicensed_case(amqp_uri, site):
    """The registry's institution and inspection's finding; returns the finding's event id."""
    handled(site, publish_event(amqp_uri, "registry", "InstitutionRegistered", REGISTERED))
    found = unlicensed_found(amqp_uri, FINDING)
    eventually(lambda: cases(site))
    return found


def opened(amqp_uri, source):
    return publish_event(amqp_uri, "registry", "BlacklistReviewOpened", {
        "review_id": "review-1", "institution_id": SCHOOL, "district": DISTRICT,
        "reason": "operating without the required licences", "source_event_id": source})


def decided(amqp_uri, **source):
    return publish_event(amqp_uri, "registry", "BlacklistReviewDecided", {
        "review_id": "review-1", "institution_id": SCHOOL, "district": DISTRICT,
        "decision": "blacklisted", "reason": "operating without the required licences",
        "department": "culture_tourism", **source})


def the_one_case(site):
    case = eventually(lambda: cases(site)[0]["outcomes"] and cases(site)[0])
    assert len(cases(site)) == 1
    assert case["kind"] == "unlicensed"
    assert [o["outcome"] for o in case["outcomes"]] == ["blacklisted"]
    return case


def test_a_decision_is_the_outcome_of_the_unlicensed_case_its_review_came_from(start_service, amqp_uri):
    site = start_service(DisclosureService)
    found = unlicensed_case(amqp_uri, site)
    handled(site, opened(amqp_uri, found))
    decided(amqp_uri, source_event_id=found)
    case = the_one_case(site)
    assert "黑名单" in site.get(f"/cases/{case['case_id']}").text


def test_an_older_decision_without_its_source_relates_through_its_review(start_service, amqp_uri):
    site = start_service(DisclosureService)
    found = unlicensed_case(amqp_uri, site)
    handled(site, opened(amqp_uri, found))
    decided(amqp_uri)  # written before decisions named their source
    the_one_case(site)


def test_a_decision_before_the_finding_waits_to_be_the_outcome_of_its_case(start_service, amqp_uri):
    """Chain 5: the registry decides at once; its decision can overtake inspection's finding."""
    site = start_service(DisclosureService)
    found = "9c1d0a4e-0000-4000-8000-00000000f001"
    handled(site, publish_event(amqp_uri, "registry", "InstitutionRegistered", REGISTERED),
            opened(amqp_uri, found), decided(amqp_uri, source_event_id=found))
    assert cases(site) == []  # not a black-list case of its own
    unlicensed_found(amqp_uri, FINDING, event_id=found)
    case = the_one_case(site)
    assert case["outcomes"][0]["reason"] == "operating without the required licences"


def test_a_black_listing_by_hand_is_a_case_of_its_own(start_service, amqp_uri):
    site = start_service(DisclosureService)
    publish_event(amqp_uri, "registry", "InstitutionRegistered", REGISTERED)
    opened(amqp_uri, None)
    decided(amqp_uri)
    case = eventually(lambda: cases(site) and cases(site)[0])
    assert (case["kind"], case["institution_name"]) == ("blacklisted", "海星艺术培训学校")
    assert case["decision"]["reason"] == "operating without the required licences"
