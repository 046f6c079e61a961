"""Every public view of a list shows each institution's current standing beside what the
batch said: a suspended, black-listed, stopped or closed institution is never a choice."""
import csv
import io

from services.disclosure.service import DisclosureService
from services.registry.service import RegistryService
from support import caught_up, eventually

from test_disclosure_chain import hazard_found, unlicensed_found, no_inspection  # noqa: F401 (autouse)
from test_disclosure_site import publish, registered


def white_entries(site):
    return site.get("/api/lists/white?district=371002").json()["batches"][0]["institutions"]


def test_suspended_institution_stays_in_the_archived_batch_but_is_no_choice_anywhere(start_service, token):
    registry, site = start_service(RegistryService), start_service(DisclosureService)
    suspended_id = registered(registry, token)
    registered(registry, token, name="蓝天体育俱乐部", credit="91371002MA3C00002")
    publish(registry, token, "white")
    registry.post(f"/institutions/{suspended_id}/suspend", token(),
                  json={"reason": "消防通道堵塞，联系人13953100196"})

    caught_up(site, registry)
    entries = {e["name"]: e for e in white_entries(site)}
    assert set(entries) == {"海星艺术培训学校", "蓝天体育俱乐部"}  # the batch as published
    haixing = entries["海星艺术培训学校"]
    assert not haixing["choosable"] and haixing["standing"]["state"] == "suspended"
    assert haixing["standing"]["since"] and "13953100196" not in haixing["standing"]["reason"]
    assert entries["蓝天体育俱乐部"]["choosable"]

    page = site.get("/districts/371002").text
    stopped = page[page.index("目前不可报名"):page.index("</tbody>", page.index("目前不可报名"))]
    assert "<del>海星艺术培训学校</del>" in stopped and "停业整改中" in stopped
    assert haixing["standing"]["since"] in stopped and "蓝天体育俱乐部" not in stopped

    rows = list(csv.reader(io.StringIO(site.get("/lists/white.csv?district=371002").content
                                       .decode("utf-8-sig"))))
    by_name = {row[3]: row for row in rows[1:]}
    assert by_name["海星艺术培训学校"][-4] == "停业整改中" and by_name["海星艺术培训学校"][-1] == "不可"
    assert by_name["蓝天体育俱乐部"][-4:] == ["正常经营", "", "", "可以"]

    assert "其中 1 家目前不可报名" in site.get("/").text
    feed = site.get("/feed.atom").text
    assert "【白名单机构目前不可报名】海星艺术培训学校：停业整改中" in feed
    assert "蓝天体育俱乐部" not in feed


def test_unlicensed_operation_is_black_listed_and_stopped_never_shown_as_operating(start_service, amqp_uri, token):
    registry, site = start_service(RegistryService), start_service(DisclosureService)
    institution_id = registered(registry, token)
    publish(registry, token, "white")
    unlicensed_found(amqp_uri, {"inspection_id": "insp-9", "finding_id": "f-9",
                                "institution_id": institution_id, "name": "海星艺术培训学校",
                                "address": "环翠区海滨路1号", "district": "371002"})

    known = eventually(lambda: (i := registry.get(f"/institutions/{institution_id}", token()).json())
                       ["list_status"] == "black" and i)
    assert known["status"] == "suspended"  # the registry says what the case says: stopped
    eventually(lambda: site.get("/api/cases?kind=unlicensed").json()["total"] == 1)
    caught_up(site, registry)
    found = site.get("/api/institutions?q=海星").json()["items"][0]
    assert found["list"] == "black" and found["standing"]["state"] == "blacklisted"
    assert not white_entries(site)[0]["choosable"]
    page = site.get("/search?q=海星").text
    assert "正常经营" not in page and "已列入黑名单" in page and "请暂勿报名" in page


def test_case_tag_follows_the_current_state_and_names_no_developer_figures(start_service, amqp_uri, token):
    registry, site = start_service(RegistryService), start_service(DisclosureService)
    registrar = token(department="culture_tourism")
    institution_id = registered(registry, lambda: registrar)
    hazard_found(amqp_uri, institution_id)
    case_id = eventually(lambda: site.get("/api/cases").json()["items"])[0]["case_id"]
    assert "目前停业整改中" in site.get(f"/cases/{case_id}").text

    registry.post(f"/institutions/{institution_id}/reinstate", registrar, json={})
    eventually(lambda: site.get(f"/api/cases/{case_id}").json()["institution_status"] == "open")
    page = site.get(f"/cases/{case_id}").text
    assert "目前正常经营" in page and "停业整改中" not in page
    assert "发现后" not in page and " 秒" not in page
