"""Personal data sent along with events and requests never reaches a public page,
JSON answer, CSV download, feed or disclosure's own event log."""
from services.disclosure.service import DisclosureService
from services.registry.service import RegistryService
from support import eventually, publish_event

from test_disclosure_chain import hazard_found, institution, no_inspection, unlicensed_found  # noqa: E402,F401 (autouse)

PERSONAL = ["王建国", "13912345678", "李小红", "13800138000", "lixiaohong@example.com",
            "张小明", "370102201001011234"]


def seed(registry, amqp_uri, token):
    """One of each kind of case, a list of each kind, a notice and complaints, all with
    personal data where a careless sender might put it."""
    registrar = token(department="culture_tourism")
    first = registry.post("/institutions", registrar, json=institution()).json()["id"]
    hazard_found(amqp_uri, first, inspector_name="王建国",
                 description="检查员王建国（13912345678）发现学生张小明所在教室安全出口被锁")
    second = registry.post("/institutions", registrar, json=institution(
        name="蓝天书法学校", credit="91371002MA3C00002")).json()["id"]
    registry.post(f"/institutions/{second}/review", registrar,
                  json={"reason": "家长李小红（13800138000）举报违规收费"})
    registry.post(f"/institutions/{second}/review/decision", registrar, json={
        "decision": "blacklisted", "reason": "违规预收费，联系人邮箱lixiaohong@example.com，电话13800138000"})
    for list_name in ("white", "black"):
        registry.post(f"/lists/{list_name}/batches", registrar, json={"district": "371002"})
    unlicensed_found(amqp_uri, {
        "inspection_id": "i-2", "finding_id": "f-2", "institution_id": None, "name": "无名书法班",
        "address": "文登区米山路8号", "district": "371003",
        "description": "举报人李小红，身份证370102201001011234"})
    publish_event(amqp_uri, "complaints", "ComplaintReceived", {
        "complaint_id": "c-1", "channel": "web", "district": "371002", "category": "prepaid_fee",
        "reporter_name": "李小红", "reporter_phone": "13800138000",
        "reporter_email": "lixiaohong@example.com", "pupil_name": "张小明"})
    publish_event(amqp_uri, "tasks", "DistrictNamed", {
        "campaign_id": "w", "district": "371002", "named_on": "2024-02-10",
        "reasons": ["举报人lixiaohong@example.com反映的问题逾期未办结（13800138000）"]})


def public_texts(site):
    cases = site.get("/api/cases?include_withdrawn=true").json()["items"]
    paths = ["/", "/districts/371002", "/districts/371003", "/districts/371002/white",
             "/districts/371002/black", "/search?q=学校", "/search?q=书法", "/cases", "/notices",
             "/report", "/feed.atom", "/lists/white.csv", "/lists/black.csv?district=371002",
             "/api/cases", "/api/lists/white", "/api/lists/black?district=371002",
             "/api/institutions?q=学校", "/api/notices", "/api/channels", "/events?limit=1000",
             "/openapi.json"]
    paths += [f"/cases/{c['case_id']}" for c in cases] + [f"/api/cases/{c['case_id']}" for c in cases]
    return {path: site.get(path).content.decode("utf-8-sig") for path in paths}


def everything_arrived(site, notices=False):
    """Every seeded event handled (each type comes through its own queue)."""
    return (site.get("/api/cases").json()["total"] == 3
            and all(len(site.get(f"/api/lists/{name}?district=371002").json()["batches"]) == 1
                    for name in ("white", "black"))
            and "已受理举报 1 件" in site.get("/report").text
            and (not notices or site.get("/api/notices").json()["items"]))


def test_no_personal_data_on_any_public_page_json_csv_or_feed(start_service, amqp_uri, token):
    registry, site = start_service(RegistryService), start_service(DisclosureService)
    seed(registry, amqp_uri, token)
    eventually(lambda: everything_arrived(site, notices=True))  # else the check proves nothing

    texts = public_texts(site)
    leaks = {path: [p for p in PERSONAL if p in text] for path, text in texts.items()}
    assert {path: found for path, found in leaks.items() if found} == {}
    # what the public needs is there, with the contact details masked
    assert "蓝天书法学校" in texts["/lists/black.csv?district=371002"]
    # (the registry masked the reason as it was typed; disclosure masks what others send)
    assert "违规预收费" in texts["/districts/371002/black"] and "***" in texts["/districts/371002/black"]
    assert "逾期未办结" in texts["/notices"]


def test_site_runs_on_postgresql_too(start_service, amqp_uri, token, postgres_url):
    registry = start_service(RegistryService)
    site = start_service(DisclosureService, database_url=postgres_url)
    seed(registry, amqp_uri, token)
    eventually(lambda: everything_arrived(site))
    assert all(site.get(path).status_code == 200 for path in public_texts(site))
