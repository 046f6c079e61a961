"""The registry reacts to inspection events published on the bus as the catalogue defines them."""
from services.registry.service import RegistryService
from shared.creditcode import complete
from support import eventually, publish_event, skipped

BODY = {"name": "海星艺术培训学校", "credit_code": complete("91371002MA3C00001"),
        "district": "371002", "category": "arts", "address": "环翠区海滨路1号",
        "licences": [{"kind": "school_permit", "number": "P-1", "valid_until": "2030-12-31"},
                     {"kind": "business_licence", "number": "B-1", "valid_until": "2030-12-31"}]}


def hazard(institution_id):
    return {"inspection_id": "insp-1", "finding_id": "f-1", "institution_id": institution_id,
            "district": "371002", "severity": "critical", "item": "evacuation.blocked_exit"}


def test_critical_hazard_suspends_and_opens_review(start_service, amqp_uri, token):
    api = start_service(RegistryService)
    registrar = token()
    institution_id = api.post("/institutions", registrar, json=BODY).json()["id"]

    event_id = publish_event(amqp_uri, "inspection", "HazardFound", hazard(institution_id))

    def suspended():
        view = api.get(f"/institutions/{institution_id}", registrar).json()
        return view if view["status"] == "suspended" else None
    view = eventually(suspended)
    assert view["review"] is not None and view["list_status"] == "none"
    suspension = [e for e in api.get("/events").json() if e["type"].endswith("InstitutionSuspended.v1")]
    assert suspension[0]["data"]["source_event_id"] == event_id
    assert suspension[0]["causationid"] == event_id


def test_event_delivered_three_times_has_one_effect(start_service, amqp_uri, token):
    api = start_service(RegistryService)
    institution_id = api.post("/institutions", token(), json=BODY).json()["id"]
    event_id = publish_event(amqp_uri, "inspection", "HazardFound", hazard(institution_id))
    for _ in range(2):
        publish_event(amqp_uri, "inspection", "HazardFound", hazard(institution_id), event_id=event_id)
    eventually(lambda: api.get(f"/institutions/{institution_id}", token()).json()["status"] == "suspended")
    # later, different events prove the three deliveries were all consumed
    publish_event(amqp_uri, "inspection", "RectificationOrdered", {
        "order_id": "o-1", "institution_id": institution_id, "district": "371002",
        "carry_over": False, "items": ["evacuation.blocked_exit"], "deadline": "2030-01-31",
        "inspection_id": "insp-1", "finding_ids": ["f-1"]})
    publish_event(amqp_uri, "inspection", "RectificationVerified",
                  {"order_id": "o-1", "institution_id": institution_id, "district": "371002"})
    eventually(lambda: api.get(f"/institutions/{institution_id}", token()).json()["status"] == "open")
    eventually(lambda: skipped(api, "registry.handle_inspection_hazard_found") == 2)
    names = [e["type"].split(".")[2] for e in api.get("/events").json()]
    assert names.count("InstitutionSuspended") == 1
    assert names.count("BlacklistReviewOpened") == 1
