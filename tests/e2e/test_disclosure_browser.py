"""The public site in a real browser on a phone (tests/browsing.py): home page, a
district's lists, a search and a case, with no console errors. Screenshots go to
test-artifacts/disclosure/."""
from browsing import shown, visited
from support import eventually, publish_event

from test_disclosure_hazard_chain import DISTRICT, registered  # noqa: E402


def seeded(cluster, amqp_uri, token):
    cluster.start("registry", "disclosure")
    registry, site = cluster.api("registry"), cluster.api("disclosure")
    institution_id = registered(registry, token)
    registrar = token("registrar", "culture_tourism", DISTRICT)
    assert registry.post("/lists/white/batches", registrar, json={"district": DISTRICT}).status_code == 201
    publish_event(amqp_uri, "inspection", "InspectionScheduled", {
        "inspection_id": "i-1", "institution_id": institution_id, "district": DISTRICT,
        "kind": "safety", "modes": ["night"], "departments": ["fire"]})
    publish_event(amqp_uri, "inspection", "HazardFound", {
        "inspection_id": "i-1", "finding_id": "f-1", "institution_id": institution_id,
        "district": DISTRICT, "severity": "critical", "item": "fire.evacuation",
        "category": "fire_safety", "suspend_immediately": True, "department": "fire"})
    eventually(lambda: site.get("/api/cases").json()["total"] == 1
               and site.get(f"/api/lists/white?district={DISTRICT}").json()["batches"])
    return site


def test_parent_browses_lists_searches_and_opens_a_case_on_a_phone(cluster, amqp_uri, token, browser):
    from selenium.webdriver.common.by import By
    site = seeded(cluster, amqp_uri, token)

    browser.get(site.base + "/")
    assert "选择校外培训机构前，先查一查" in browser.page_source
    visited(browser, "disclosure", "1-home")

    browser.find_element(By.CSS_SELECTOR, f'a.district[href="/districts/{DISTRICT}"]').click()
    shown(browser, "main", containing="第 1 批")
    assert "第 1 批" in browser.page_source and "教民137100270001" in browser.page_source
    visited(browser, "disclosure", "2-district-lists")

    browser.find_element(By.CSS_SELECTOR, "header a[href='/search']").click()
    field = shown(browser, "input[name=q]")
    field.send_keys("海星")
    browser.find_element(By.CSS_SELECTOR, "form.search button[type=submit]").click()
    result = shown(browser, ".result")
    assert "海星艺术培训学校" in result.text and "停业整改中" in result.text and "白名单" in result.text
    visited(browser, "disclosure", "3-search")

    result.find_element(By.CSS_SELECTOR, "a.bad").click()
    shown(browser, ".case h3 a").click()
    assert "责令立即停业整改" in shown(browser, "dd.decision").text
    visited(browser, "disclosure", "4-case")

    browser.get(site.base + "/report")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".qr svg")) == 8
    visited(browser, "disclosure", "5-report")


def test_parent_sees_a_suspended_institution_struck_from_the_white_list_until_reinstated(
        cluster, amqp_uri, token, browser):
    from selenium.webdriver.common.by import By
    site = seeded(cluster, amqp_uri, token)
    registry = cluster.api("registry")
    [entry] = eventually(lambda: site.get(f"/api/lists/white?district={DISTRICT}").json()
                         ["batches"][0]["institutions"])
    eventually(lambda: site.get(f"/api/institutions?q=海星").json()["items"][0]["standing"]["state"]
               == "suspended")

    browser.get(f"{site.base}/districts/{DISTRICT}")
    struck = shown(browser, "tbody.not-choosable", containing="目前不可报名")
    assert struck.find_element(By.CSS_SELECTOR, "del").text == "海星艺术培训学校"
    assert "停业整改中" in struck.find_element(By.CSS_SELECTOR, "td.standing").text
    cell = struck.find_element(By.CSS_SELECTOR, "tr.struck td")
    assert browser.execute_script("return getComputedStyle(arguments[0]).textDecorationLine",
                                  cell) == "line-through"
    visited(browser, "disclosure", "6-white-list-suspended")

    browser.get(f"{site.base}/search?q=海星")
    result = shown(browser, ".result")
    assert "停业整改中" in result.text and "请暂勿报名" in result.text and "正常经营" not in result.text
    case_id = site.get("/api/cases").json()["items"][0]["case_id"]
    browser.get(f"{site.base}/cases/{case_id}")
    assert "目前停业整改中" in shown(browser, "h1 + p").text
    assert "发现后" not in browser.page_source
    visited(browser, "disclosure", "7-case-while-suspended")

    registrar = token("registrar", "culture_tourism", DISTRICT)
    assert registry.post(f"/institutions/{entry['institution_id']}/reinstate", registrar,
                         json={}).status_code == 200
    eventually(lambda: site.get(f"/api/cases/{case_id}").json()["institution_status"] == "open")
    browser.get(f"{site.base}/cases/{case_id}")
    tag = shown(browser, "h1 + p", containing="目前")
    assert "目前正常经营" in tag.text and "停业整改中" not in tag.text
    browser.get(f"{site.base}/districts/{DISTRICT}")
    shown(browser, "#white + p", containing="第 1 批")
    assert not browser.find_elements(By.CSS_SELECTOR, "tbody.not-choosable")
    visited(browser, "disclosure", "8-white-list-reinstated")
