"""Disclosure builds the public site from registry and inspection events on the bus."""
import uuid
from xml.etree import ElementTree

import pytest

from services.disclosure import lookups
from services.disclosure.service import DisclosureService
from services.registry.service import RegistryService
from shared.creditcode import complete
from support import eventually, free_port, handled, publish_event, skipped

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(autouse=True)
def no_inspection(monkeypatch):
    """Checklist titles are looked up at inspection: here nothing answers (never port 8002)."""
    monkeypatch.setenv("OTG_INSPECTION_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setattr(lookups, "_cache", {"titles": {}, "until": 0.0})


def institution(name="海星艺术培训学校", credit="91371002MA3C00001", district="371002"):
    return {"name": name, "credit_code": complete(credit), "district": district,
            "category": "arts", "address": "环翠区海滨路1号",
            "licences": [{"kind": "school_permit", "number": "教民137100270001",
                          "valid_until": "2030-12-31"},
                         {"kind": "business_licence", "number": "BL-1", "valid_until": "2030-12-31"}]}


def hazard(institution_id, **extra):
    return {"inspection_id": "insp-1", "finding_id": "f-1", "institution_id": institution_id,
            "district": "371002", "severity": "critical", "item": "安全出口被堵塞",
            "category": "fire_safety", "suspend_immediately": False, "department": "fire", **extra}


def scheduling(institution_id, inspection_id="insp-1"):
    return {"inspection_id": inspection_id, "institution_id": institution_id,
            "district": "371002", "kind": "safety", "modes": ["night"], "departments": ["fire"]}


def hazard_found(amqp_uri, institution_id, **extra):
    """A hazard as inspection publishes it: its inspection scheduled first."""
    publish_event(amqp_uri, "inspection", "InspectionScheduled", scheduling(institution_id))
    return publish_event(amqp_uri, "inspection", "HazardFound", hazard(institution_id, **extra))


def unlicensed_found(amqp_uri, finding, event_id=None):
    """An unlicensed-operation finding as inspection publishes it: its check scheduled first."""
    publish_event(amqp_uri, "inspection", "InspectionScheduled", {
        "inspection_id": finding["inspection_id"], "institution_id": finding["institution_id"],
        "district": finding["district"], "kind": "enforcement", "modes": ["unannounced"],
        "departments": ["education"]})
    return publish_event(amqp_uri, "inspection", "UnlicensedOperationFound", finding,
                         event_id=event_id)


def cases(site):
    return site.get("/api/cases").json()["items"]


def test_hazard_that_suspends_is_exposed_with_time_to_publish(start_service, amqp_uri, token):
    registry = start_service(RegistryService)
    site = start_service(DisclosureService)
    institution_id = registry.post("/institutions", token(), json=institution()).json()["id"]

    hazard_id = hazard_found(amqp_uri, institution_id)

    case = eventually(lambda: cases(site) and cases(site)[0])
    assert case["kind"] == "hazard_suspension" and case["source_event_id"] == hazard_id
    assert case["institution_name"] == "海星艺术培训学校"
    assert case["finding"]["severity"] == "critical" and case["decision"]["action"] == "suspended"
    assert case["seconds_to_publish"] is not None and case["seconds_to_publish"] >= 0
    page = site.get(f"/cases/{case['case_id']}")
    assert page.status_code == 200 and "责令立即停业整改" in page.text and "安全出口被堵塞" in page.text
    feed = ElementTree.fromstring(site.get("/feed.atom").content)
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles == ["海星艺术培训学校：安全隐患"]
    exposed = [e for e in site.get("/events").json() if e["type"] == "otg.disclosure.CaseExposed.v1"]
    assert exposed[0]["data"]["found_at"] and exposed[0]["data"]["case_id"] == case["case_id"]


def registered_and_suspended(amqp_uri, institution_id, hazard_id, *then):
    """The registry's events in its order: the registration, the hazard's suspension, `then`."""
    at = {"institution_id": institution_id, "district": "371002"}
    registration = {k: v for k, v in institution().items() if k != "licences"}
    published = [publish_event(amqp_uri, "registry", "InstitutionRegistered", {
        **registration, **at, "supervising_department": "education"})]
    published.append(publish_event(amqp_uri, "registry", "InstitutionSuspended", {
        **at, "reason": "重大隐患", "source_event_id": hazard_id}))
    return published + [publish_event(amqp_uri, "registry", name, at) for name in then]


@pytest.mark.parametrize("last", ["registry", "inspection"])
def test_hazard_case_waits_for_the_hazard_and_the_suspension(start_service, amqp_uri, last):
    """Each source comes in its own order; the two sources in either order."""
    site = start_service(DisclosureService)
    institution_id = "5b0d3c3e-0000-4000-8000-000000000001"
    hazard_id = str(uuid.uuid4())

    def inspection():
        publish_event(amqp_uri, "inspection", "InspectionScheduled", scheduling(institution_id))
        return [publish_event(amqp_uri, "inspection", "HazardFound", hazard(institution_id),
                              event_id=hazard_id)]

    def registry():
        return registered_and_suspended(amqp_uri, institution_id, hazard_id)

    first, second = (registry, inspection) if last == "inspection" else (inspection, registry)
    handled(site, *first())
    assert cases(site) == []  # not published with a fact missing

    second()
    case = eventually(lambda: cases(site) and cases(site)[0])
    assert case["source_event_id"] == hazard_id and case["institution_name"] == "海星艺术培训学校"
    assert case["credit_code"] == institution()["credit_code"]
    assert case["finding"]["inspection_kind"] == "safety"


def test_reinstatement_before_the_case_could_be_published_is_its_outcome(start_service, amqp_uri):
    site = start_service(DisclosureService)
    institution_id = "5b0d3c3e-0000-4000-8000-000000000002"
    hazard_id = str(uuid.uuid4())
    handled(site, *registered_and_suspended(amqp_uri, institution_id, hazard_id,
                                            "InstitutionReinstated"))
    publish_event(amqp_uri, "inspection", "InspectionScheduled", scheduling(institution_id))
    publish_event(amqp_uri, "inspection", "HazardFound", hazard(institution_id), event_id=hazard_id)
    case = eventually(lambda: cases(site) and cases(site)[0])
    assert [o["outcome"] for o in case["outcomes"]] == ["reinstated"]
    assert case["institution_status"] == "open"


def test_hazard_delivered_three_times_is_one_case(start_service, amqp_uri, token):
    registry = start_service(RegistryService)
    site = start_service(DisclosureService)
    institution_id = registry.post("/institutions", token(), json=institution()).json()["id"]
    event_id = hazard_found(amqp_uri, institution_id)
    for _ in range(2):
        publish_event(amqp_uri, "inspection", "HazardFound", hazard(institution_id), event_id=event_id)
    eventually(lambda: cases(site))
    eventually(lambda: skipped(site, "disclosure.handle_inspection_hazard_found") == 2)
    names = [e["type"] for e in site.get("/events").json()]
    assert names.count("otg.disclosure.CaseExposed.v1") == 1


def test_black_listing_after_a_review_adds_the_outcome_to_the_hazard_case(start_service, amqp_uri, token):
    registry = start_service(RegistryService)
    site = start_service(DisclosureService)
    registrar = token(department="culture_tourism")
    institution_id = registry.post("/institutions", registrar, json=institution()).json()["id"]
    hazard_found(amqp_uri, institution_id)
    eventually(lambda: cases(site))
    decided = registry.post(f"/institutions/{institution_id}/review/decision", registrar,
                            json={"decision": "blacklisted", "reason": "逾期未完成整改"})
    assert decided.status_code == 200, decided.text

    case = eventually(lambda: cases(site)[0]["outcomes"] and cases(site)[0])
    assert [o["outcome"] for o in case["outcomes"]] == ["blacklisted"]
    assert len(cases(site)) == 1


def test_review_ending_in_black_listing_without_a_finding_is_a_case(start_service, token):
    registry = start_service(RegistryService)
    site = start_service(DisclosureService)
    registrar = token(department="culture_tourism")
    institution_id = registry.post("/institutions", registrar, json=institution()).json()["id"]
    registry.post(f"/institutions/{institution_id}/review", registrar, json={"reason": "虚假宣传"})
    registry.post(f"/institutions/{institution_id}/review/decision", registrar,
                  json={"decision": "blacklisted", "reason": "多次违规发布虚假广告"})

    case = eventually(lambda: cases(site) and cases(site)[0])
    assert case["kind"] == "blacklisted"
    assert case["decision"]["reason"] == "多次违规发布虚假广告"
    assert case["decision"]["department"] == "culture_tourism"


def test_unlicensed_operation_is_exposed_even_for_an_unregistered_site(start_service, amqp_uri):
    site = start_service(DisclosureService)
    unlicensed_found(amqp_uri, {
        "inspection_id": "insp-9", "institution_id": None, "name": "无名书法班",
        "address": "文登区米山路8号", "district": "371003"})
    case = eventually(lambda: cases(site) and cases(site)[0])
    assert (case["kind"], case["institution_name"], case["district"]) == ("unlicensed", "无名书法班", "371003")
    assert case["finding"]["modes"] == ["unannounced"]
    assert "无证办学" in site.get(f"/cases/{case['case_id']}").text


def test_reinstatement_is_shown_as_the_case_outcome(start_service, amqp_uri, token):
    registry = start_service(RegistryService)
    site = start_service(DisclosureService)
    institution_id = registry.post("/institutions", token(), json=institution()).json()["id"]
    hazard_found(amqp_uri, institution_id)
    eventually(lambda: cases(site))
    # the order for the hazard's finding, verified: the registry reinstates
    publish_event(amqp_uri, "inspection", "RectificationOrdered", {
        "order_id": "o-1", "institution_id": institution_id, "district": "371002",
        "carry_over": False, "items": ["fire.evacuation"], "deadline": "2030-01-31",
        "inspection_id": "insp-1", "finding_ids": ["f-1"]})
    publish_event(amqp_uri, "inspection", "RectificationVerified",
                  {"order_id": "o-1", "institution_id": institution_id, "district": "371002"})
    case = eventually(lambda: cases(site)[0]["outcomes"] and cases(site)[0])
    assert case["outcomes"][0]["outcome"] == "reinstated" and case["institution_status"] == "open"
