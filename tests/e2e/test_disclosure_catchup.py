"""Disclosure started after registry and inspection have worked catches up from
their feeds: lists, the black-listing case and the hazard case are all there."""
from shared.creditcode import complete
from support import eventually

from test_disclosure_hazard_chain import DISTRICT, registered, scheduled  # noqa: E402


def black_listed(registry, registrar):
    body = {"name": "蓝天书法学校", "credit_code": complete("91371002MA3C00002"),
            "district": DISTRICT, "category": "arts", "address": "环翠区青岛路2号"}
    bad = registry.post("/institutions", registrar, json=body).json()["id"]
    registry.post(f"/institutions/{bad}/review", registrar, json={"reason": "违规收费"})
    decided = registry.post(f"/institutions/{bad}/review/decision", registrar,
                            json={"decision": "blacklisted", "reason": "违规预收费且拒不退费"})
    assert decided.status_code == 200, decided.text
    return bad


def test_disclosure_started_last_shows_everything_that_happened_before(cluster, token):
    cluster.start("registry", "inspection")
    registry, inspection = cluster.api("registry"), cluster.api("inspection")
    registrar, inspector = token("registrar", "culture_tourism", DISTRICT), token("inspector", "fire", DISTRICT)
    good = registered(registry, token)
    bad = black_listed(registry, registrar)
    for list_name in ("white", "black"):
        assert registry.post(f"/lists/{list_name}/batches", registrar,
                             json={"district": DISTRICT}).status_code == 201
    inspection_id = scheduled(inspection, inspector, good)
    assert inspection.post(f"/inspections/{inspection_id}/findings", inspector, json={
        "item": "fire.evacuation", "severity": "critical", "description": "安全出口被锁闭"}).status_code == 201
    eventually(lambda: registry.get(f"/institutions/{good}", token()).json()["status"] == "suspended")

    cluster.start("disclosure")
    site = cluster.api("disclosure")

    cases = eventually(lambda: (c := site.get("/api/cases").json()["items"]) and len(c) == 2 and c,
                       timeout=30)
    assert {(c["kind"], c["institution_id"]) for c in cases} == {("hazard_suspension", good),
                                                                 ("blacklisted", bad)}
    white = site.get(f"/api/lists/white?district={DISTRICT}").json()["batches"][0]["institutions"]
    black = site.get(f"/api/lists/black?district={DISTRICT}").json()["batches"][0]["institutions"]
    assert [(i["institution_id"], i["name"]) for i in white] == [(good, "海星艺术培训学校")]
    assert (black[0]["name"], black[0]["reason"]) == ("蓝天书法学校", "违规预收费且拒不退费")
    found = site.get("/api/institutions", params={"q": complete("91371002MA3C00002")}).json()["items"]
    assert found[0]["list"] == "black"
    assert site.get("/api/institutions", params={"q": "海星"}).json()["items"][0]["status"] == "suspended"
