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
