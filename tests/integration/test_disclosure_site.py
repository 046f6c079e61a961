"""The public site: lists in dated batches (HTML, JSON, CSV), search, notices, report channels."""
import csv
import io

from services.disclosure.service import DisclosureService
from services.registry.service import RegistryService
from shared.creditcode import complete
from support import caught_up, eventually, publish_event, skipped

from test_disclosure_chain import hazard_found, institution, no_inspection  # noqa: E402,F401 (autouse)


def registered(registry, token, **kw):
    return registry.post("/institutions", token(), json=institution(**kw)).json()["id"]


def publish(registry, token, list_name, district="371002"):
    answer = registry.post(f"/lists/{list_name}/batches", token(), json={"district": district})
    assert answer.status_code == 201, answer.text
    return answer.json()["batch_no"]


def test_registry_batch_is_republished_with_the_fields_bureaus_publish(start_service, token):
    registry, site = start_service(RegistryService), start_service(DisclosureService)
    registered(registry, token)
    publish(registry, token, "white")

    caught_up(site, registry)
    view = site.get("/api/lists/white?district=371002").json()["batches"]
    entry = view[0]["institutions"][0]
    assert view[0]["batch_no"] == 1 and view[0]["published_on"]
    assert entry == {**entry, "name": "海星艺术培训学校", "licence_number": "教民137100270001",
                     "credit_code": complete("91371002MA3C00001"), "address": "环翠区海滨路1号",
                     "category": "arts"}
    page = site.get("/districts/371002")
    assert "第 1 批" in page.text and "教民137100270001" in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_each_new_batch_gets_the_next_number_and_old_ones_stay_readable(start_service, token):
    registry, site = start_service(RegistryService), start_service(DisclosureService)
    registered(registry, token)
    publish(registry, token, "white")
    registered(registry, token, name="蓝天体育俱乐部", credit="91371002MA3C00002")
    publish(registry, token, "white")

    caught_up(site, registry)
    latest = site.get("/api/lists/white?district=371002").json()
    assert latest["batches"][0]["batch_no"] == 2
    assert len(latest["batches"][0]["institutions"]) == 2
    assert [b["batch_no"] for b in latest["history"]] == [2, 1]
    first = site.get("/api/lists/white?district=371002&batch=1").json()["batches"][0]
    assert [i["name"] for i in first["institutions"]] == ["海星艺术培训学校"]
    assert "第 1 批" in site.get("/districts/371002/white?batch=1").text


def test_black_list_csv_opens_in_excel_with_reason_date_and_outcome(start_service, token):
    registry, site = start_service(RegistryService), start_service(DisclosureService)
    registrar = token(department="culture_tourism")
    institution_id = registered(registry, lambda: registrar)
    registry.post(f"/institutions/{institution_id}/review", registrar, json={"reason": "预收费"})
    registry.post(f"/institutions/{institution_id}/review/decision", registrar,
                  json={"decision": "blacklisted", "reason": "违规预收费且拒不退费"})
    publish(registry, lambda: registrar, "black")

    caught_up(site, registry)
    answer = site.get("/lists/black.csv?district=371002")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert answer.content.startswith("\ufeff".encode()) and "text/csv" in answer.headers["Content-Type"]
    assert rows[0][:4] == ["批次", "发布日期", "区市", "机构名称"] and rows[0][8:11] == ["列入原因", "列入日期", "处理结果"]
    assert rows[1][3] == "海星艺术培训学校" and rows[1][8] == "违规预收费且拒不退费"
    assert rows[1][9] and rows[1][10] == "经复核列入黑名单" and rows[1][11] == "已列入黑名单"


def test_parent_finds_an_institution_by_name_or_credit_code_with_status_and_list(start_service, amqp_uri, token):
    registry, site = start_service(RegistryService), start_service(DisclosureService)
    institution_id = registered(registry, token)
    publish(registry, token, "white")
    caught_up(site, registry)

    by_name = site.get("/api/institutions", params={"q": "海星"}).json()["items"]
    assert [(i["name"], i["status"], i["list"]) for i in by_name] == [("海星艺术培训学校", "open", "white")]
    code = complete("91371002MA3C00001")
    assert site.get("/api/institutions", params={"q": code}).json()["items"][0]["institution_id"] == institution_id
    hazard_found(amqp_uri, institution_id, severity="major", item="灭火器过期")
    found = eventually(lambda: (r := site.get("/api/institutions?q=海星").json()["items"][0])["cases"] and r)
    assert found["status"] == "suspended"
    page = site.get("/search", params={"q": "海星"}).text
    assert "停业整改中" in page and "白名单" in page and "1 起公开违规案例" in page
    assert "请暂勿报名" in page


def test_bad_queries_get_400_with_field_errors_and_unknown_things_404(start_service):
    site = start_service(DisclosureService)
    answer = site.get("/api/institutions", params={"q": "海"})
    assert answer.status_code == 400 and "q" in answer.json()["fields"]
    bad = site.get("/api/cases", params={"district": "999999", "kind": "rumour"})
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"district", "kind"}
    assert site.get("/api/cases/no-such-case").status_code == 404
    huge = "99999999999999999999"  # more than a database integer holds
    assert site.get(f"/api/cases?page={huge}").status_code == 400
    assert site.get(f"/events?after={huge}").status_code == 400
    page = site.get("/search?q=海")
    assert page.status_code == 400 and "text/html" in page.headers["Content-Type"]
    assert site.get("/cases/no-such-case").status_code == 404
    assert site.get("/districts/999999").status_code == 404
    assert site.get("/lists/grey.csv").status_code == 404
    paths = site.get("/openapi.json").json()["paths"]
    assert {"/api/cases", "/api/cases/{case_id}/withdraw", "/lists/{list_name}.csv"} <= set(paths)


def test_district_named_by_the_city_becomes_a_public_notice(start_service, amqp_uri):
    site = start_service(DisclosureService)
    data = {"campaign_id": "winter-2024", "district": "371083", "named_on": "2024-02-10",
            "reasons": ["任务6逾期未完成", "举报办理超期"]}
    event_id = publish_event(amqp_uri, "tasks", "DistrictNamed", data)
    publish_event(amqp_uri, "tasks", "DistrictNamed", data, event_id=event_id)

    eventually(lambda: site.get("/api/notices").json()["items"])
    eventually(lambda: skipped(site, "disclosure.handle_tasks_district_named") == 1)
    notice = site.get("/api/notices").json()["items"]
    assert len(notice) == 1 and notice[0]["district"] == "371083"
    assert "任务6逾期未完成" in site.get("/notices").text and "乳山市" in site.get("/feed.atom").text


def test_report_page_has_each_districts_channels_and_a_qr_code_to_the_form(start_service, monkeypatch):
    monkeypatch.setenv("OTG_COMPLAINTS_PUBLIC_URL", "https://jubao.example.invalid")
    site = start_service(DisclosureService)
    page = site.get("/report").text
    assert page.count("<svg") == 8 and "示例数据" in page
    assert 'href="https://jubao.example.invalid/report?district=371002"' in page
    api = site.get("/api/channels").json()
    assert api["sample"] is True and {c["district"] for c in api["districts"]} >= {"371002", "371074"}
