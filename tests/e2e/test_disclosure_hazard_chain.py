"""Chain 1 end to end over RabbitMQ, registry, inspection and disclosure as separate
processes: a critical hazard recorded over HTTP ⇒ suspension ⇒ review opened ⇒ the
case on the public page and in the Atom feed, within seconds, with no personal data."""
from datetime import datetime
from xml.etree import ElementTree

import pytest

from shared.creditcode import complete
from support import eventually

DISTRICT = "371002"
ATOM = "{http://www.w3.org/2005/Atom}"
INSPECTOR_NAME, INSPECTOR_PHONE = "王建国", "13912345678"


def registered(registry, token):
    body = {"name": "海星艺术培训学校", "credit_code": complete("91371002MA3C00001"),
            "district": DISTRICT, "category": "arts", "address": "环翠区海滨路1号",
            "licences": [{"kind": "school_permit", "number": "教民137100270001", "valid_until": "2030-12-31"},
                         {"kind": "business_licence", "number": "BL-1", "valid_until": "2030-12-31"}]}
    created = registry.post("/institutions", token("registrar", "culture_tourism", DISTRICT), json=body)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def scheduled(inspection, inspector, institution_id):
    """Once the registry's InstitutionRegistered has reached inspection."""
    def schedule():
        created = inspection.post("/inspections", inspector, json={
            "institution_id": institution_id, "kind": "safety", "modes": ["unannounced", "night"],
            "departments": ["education", "fire"]})
        assert created.status_code == 201, created.text
        return created.json()["id"]
    return eventually(schedule, timeout=20)


def test_critical_hazard_reaches_the_public_page_and_feed_within_seconds(cluster, token):
    cluster.start("registry", "inspection", "disclosure")
    registry, inspection, site = (cluster.api(n) for n in ("registry", "inspection", "disclosure"))
    inspector = token("inspector", "fire", DISTRICT)
    institution_id = registered(registry, token)
    inspection_id = scheduled(inspection, inspector, institution_id)

    recorded = inspection.post(f"/inspections/{inspection_id}/findings", inspector, json={
        "item": "fire.evacuation", "severity": "critical",
        "description": f"检查员{INSPECTOR_NAME}（{INSPECTOR_PHONE}）发现安全出口被锁闭"})
    assert recorded.status_code == 201, recorded.text
    # within seconds: how fast is the bench's business (bench/README.md), not this test's
    [case] = eventually(lambda: site.get("/api/cases").json()["items"], timeout=10)
    view = registry.get(f"/institutions/{institution_id}", token()).json()
    assert view["status"] == "suspended" and view["review"] is not None
    assert case["kind"] == "hazard_suspension" and case["institution_id"] == institution_id
    assert case["finding"]["inspection_kind"] == "safety"
    found, exposed = (datetime.fromisoformat(case[k]) for k in ("found_at", "exposed_at"))
    assert case["seconds_to_publish"] == pytest.approx((exposed - found).total_seconds(), abs=0.01)
    page = site.get(f"/cases/{case['case_id']}").text
    assert "海星艺术培训学校" in page and "责令立即停业整改" in page
    assert "发现安全出口被锁闭" in page  # what the inspector found, not the checklist's rule
    feed = ElementTree.fromstring(site.get("/feed.atom").content)
    links = [e.find(f"{ATOM}link").get("href") for e in feed.iter(f"{ATOM}entry")]
    assert links == [f"{site.base}/cases/{case['case_id']}"]
    for path in ("/", "/cases", f"/cases/{case['case_id']}", "/feed.atom", "/api/cases", "/events"):
        text = site.get(path).text
        assert INSPECTOR_NAME not in text and INSPECTOR_PHONE not in text, path
