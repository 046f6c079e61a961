"""A hazard suspension ends only when every finding that caused it is rectified and verified."""

from services.registry.service import RegistryService
from shared.creditcode import complete
from support import eventually, handled, publish_event

DISTRICT = "371002"
BODY = {"name": "海星艺术培训学校", "credit_code": complete("91371002MA3C00001"),
        "district": DISTRICT, "category": "arts", "address": "环翠区海滨路1号",
        "licences": [{"kind": "school_permit", "number": "P-1", "valid_until": "2030-12-31"},
                     {"kind": "business_licence", "number": "B-1", "valid_until": "2030-12-31"}]}


def hazard(amqp_uri, institution_id, finding_id, severity="critical"):
    return publish_event(amqp_uri, "inspection", "HazardFound", {
        "inspection_id": "insp-1", "finding_id": finding_id, "institution_id": institution_id,
        "district": DISTRICT, "severity": severity, "item": "fire.evacuation",
        "category": "fire_safety", "suspend_immediately": False, "department": "fire"})


def ordered(amqp_uri, institution_id, order_id, finding_ids, inspection_id="insp-1",
            carry_over=False):
    return publish_event(amqp_uri, "inspection", "RectificationOrdered", {
        "order_id": order_id, "institution_id": institution_id, "district": DISTRICT,
        "carry_over": carry_over, "items": ["fire.evacuation"], "deadline": "2030-01-31",
        "inspection_id": inspection_id, "finding_ids": finding_ids})


def verified(amqp_uri, institution_id, order_id):
    return publish_event(amqp_uri, "inspection", "RectificationVerified", {
        "order_id": order_id, "institution_id": institution_id, "district": DISTRICT,
        "carry_over": False, "department": "fire"})



def status(api, token, institution_id):
    return api.get(f"/institutions/{institution_id}", token()).json()["status"]


def reinstatements(api):
    return [e for e in api.get("/events").json() if e["type"].endswith("InstitutionReinstated.v1")]


def test_only_orders_covering_every_hazard_finding_reinstate(start_service, database_url,
                                                             amqp_uri, token):
    api = start_service(RegistryService, database_url)
    school = api.post("/institutions", token(), json=BODY).json()["id"]
    hazard(amqp_uri, school, "f-1")
    eventually(lambda: status(api, token, school) == "suspended")
    handled(api, hazard(amqp_uri, school, "f-2", severity="major"))  # found while suspended
    handled(api, ordered(amqp_uri, school, "o-minor", ["f-3"]),       # a minor finding's order
            ordered(amqp_uri, school, "o-carry", [], inspection_id=None, carry_over=True),
            ordered(amqp_uri, school, "o-1", ["f-1"]), ordered(amqp_uri, school, "o-2", ["f-2"]))

    handled(api, *(verified(amqp_uri, school, order) for order in ("o-minor", "o-carry", "o-1")))
    assert status(api, token, school) == "suspended"  # f-2 is still open
    assert reinstatements(api) == []

    last = verified(amqp_uri, school, "o-2")
    eventually(lambda: status(api, token, school) == "open")
    [reinstated] = reinstatements(api)
    assert reinstated["data"]["source_event_id"] == last


def test_a_suspension_by_hand_is_lifted_by_hand_only(start_service, amqp_uri, token):
    api = start_service(RegistryService)
    school = api.post("/institutions", token(), json=BODY).json()["id"]
    suspended = api.post(f"/institutions/{school}/suspend", token(), json={"reason": "无证开设新校区"})
    assert suspended.json()["status"] == "suspended"
    handled(api, hazard(amqp_uri, school, "f-1"))  # a hazard while suspended by hand
    handled(api, ordered(amqp_uri, school, "o-1", ["f-1"]), verified(amqp_uri, school, "o-1"))

    view = api.get(f"/institutions/{school}", token()).json()
    assert (view["status"], view["status_reason"]) == ("suspended", "无证开设新校区")
    assert reinstatements(api) == []
    assert api.post(f"/institutions/{school}/reinstate", token(), json={}).json()["status"] == "open"
