"""Chains 1, 2 and 5 end to end: registry and inspection as separate processes
on a real RabbitMQ, talking only through events."""
from collections import Counter

from shared.creditcode import complete
from support import eventually, queue_drained

DISTRICT = "371002"
SUPERVISOR = ("registrar", "culture_tourism", DISTRICT)  # arts institutions
REGISTRY_HAZARD_QUEUE = "registry.from.inspection"


def institution(n=0):
    return {"name": f"海星艺术培训学校{n}", "credit_code": complete(f"91371002MA3C{n:05d}"),
            "district": DISTRICT, "category": "arts", "address": f"环翠区海滨路{n}号",
            "licences": [{"kind": "school_permit", "number": f"P-{n}", "valid_until": "2030-12-31"},
                         {"kind": "business_licence", "number": f"B-{n}", "valid_until": "2030-12-31"}]}


def register(registry, token, count):
    ids = []
    for n in range(count):
        created = registry.post("/institutions", token(*SUPERVISOR), json=institution(n))
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    return ids


def schedule(inspection, token, institution_id, kind="safety"):
    """Schedules once the registry's InstitutionRegistered has reached inspection."""
    def scheduled():
        created = inspection.post("/inspections", token("inspector", "fire", DISTRICT), json={
            "institution_id": institution_id, "kind": kind, "modes": ["unannounced", "joint"],
            "departments": ["education", "fire"]})
        assert created.status_code == 201, created.text
        return created.json()["id"]
    return eventually(scheduled, timeout=20)


def finding(inspection, token, inspection_id, item="fire.evacuation", severity="critical"):
    recorded = inspection.post(f"/inspections/{inspection_id}/findings",
                               token("inspector", "fire", DISTRICT),
                               json={"item": item, "severity": severity, "description": "安全出口被锁闭"})
    assert recorded.status_code == 201, recorded.text
    return recorded.json()


def institution_view(registry, token, institution_id):
    return registry.get(f"/institutions/{institution_id}", token(*SUPERVISOR)).json()


def feed(api, name):
    return [e for e in api.get("/events?limit=1000").json() if e["type"].split(".")[2] == name]


def test_critical_hazard_suspends_and_verified_rectification_reinstates(cluster, token):
    cluster.start("registry", "inspection")
    registry, inspection = cluster.api("registry"), cluster.api("inspection")
    [school] = register(registry, token, 1)
    inspection_id = schedule(inspection, token, school)
    finding(inspection, token, inspection_id)
    eventually(lambda: institution_view(registry, token, school)["status"] == "suspended", timeout=10)
    suspended = institution_view(registry, token, school)
    assert suspended["review"] is not None and suspended["list_status"] == "none"
    [hazard] = feed(inspection, "HazardFound")
    causes = [feed(registry, name)[0]["data"]["source_event_id"]
              for name in ("InstitutionSuspended", "BlacklistReviewOpened")]
    assert causes == [hazard["id"], hazard["id"]]

    fire = token("inspector", "fire", DISTRICT)
    order_id = inspection.post(f"/inspections/{inspection_id}/complete", fire, json={}).json()[
        "rectification_order_id"]
    inspection.post(f"/rectifications/{order_id}/report", token("registrar", "education", DISTRICT), json={})
    verified = inspection.post(f"/rectifications/{order_id}/verify", fire, json={"passed": True})
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    eventually(lambda: institution_view(registry, token, school)["status"] == "open", timeout=10)
    [reinstated] = feed(registry, "InstitutionReinstated")
    assert reinstated["data"]["source_event_id"] == feed(inspection, "RectificationVerified")[0]["id"]

    decided = registry.post(f"/institutions/{school}/review/decision", token(*SUPERVISOR),
                            json={"decision": "cleared", "reason": "整改到位"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["list_status"] == "white"


def test_unlicensed_operation_found_black_lists_the_institution(cluster, token):
    cluster.start("registry", "inspection")
    registry, inspection = cluster.api("registry"), cluster.api("inspection")
    [school] = register(registry, token, 1)
    inspection_id = schedule(inspection, token, school, kind="enforcement")
    finding(inspection, token, inspection_id, item="enforcement.unlicensed", severity="major")
    eventually(lambda: institution_view(registry, token, school)["list_status"] == "black", timeout=10)


def test_registry_restart_while_hazards_are_recorded_suspends_each_institution_exactly_once(
        cluster, token):
    cluster.start("registry")
    registry = cluster.api("registry")
    schools = register(registry, token, 8)
    cluster.start("inspection")  # learns the institutions from the registry's feed
    inspection = cluster.api("inspection")
    checks = [schedule(inspection, token, school) for school in schools]

    for inspection_id in checks[:4]:
        finding(inspection, token, inspection_id)
    eventually(lambda: feed(registry, "InstitutionSuspended"), timeout=10)
    for inspection_id in checks[4:]:
        finding(inspection, token, inspection_id)
    cluster.restart("registry", kill=True)  # killed while handling the hazards
    finding(inspection, token, checks[0], item="fire.equipment", severity="major")  # a second one

    def all_suspended():
        return all(institution_view(registry, token, s)["status"] == "suspended" for s in schools)
    eventually(all_suspended, timeout=30)
    eventually(lambda: queue_drained(cluster.env["AMQP_URI"], REGISTRY_HAZARD_QUEUE))
    assert len(feed(inspection, "HazardFound")) == 9
    suspensions = Counter(e["data"]["institution_id"] for e in feed(registry, "InstitutionSuspended"))
    assert suspensions == Counter(schools)
    assert len(feed(registry, "BlacklistReviewOpened")) == 8
