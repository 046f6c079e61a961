"""Every page of the console on a phone and at a desk: it renders with the services'
data, logs no console error, and never needs sideways scrolling on a phone.
Screenshots go to test-artifacts/console/ (tour-phone-*, tour-desk-*)."""
from pathlib import Path

from selenium.webdriver.common.by import By

from browsing import shown, visited
from consoling import add_officer, browser_sign_in, console_url
from shared import creditcode
from support import eventually

NEW = "a-good-long-password"
PLAN = Path(__file__).parents[2] / "deploy" / "plans" / "weihai-2024-winter.yaml"


def test_every_page_fits_a_phone_and_a_desk_with_the_services_data(cluster, token, browser,
                                                                 desktop_browser):
    cluster.start("console", "registry", "inspection", "tasks", "disclosure", "complaints")
    registrar, coordinator = token("registrar", "education", "371002"), token("coordinator", "education", "371000")
    assert cluster.api("tasks").post("/campaigns", coordinator, data=PLAN.read_bytes(),
                                     headers={"Content-Type": "application/yaml"}).ok
    institution = cluster.api("registry").post("/institutions", registrar, json={
        "name": "长名称的环翠区某某某某文化艺术培训学校有限公司", "address": "环翠区世昌大道 100 号",
        "credit_code": creditcode.complete("52371002MJ1111111"), "district": "371002",
        "category": "arts"}).json()
    inspection = eventually(lambda: cluster.api("inspection").post(  # once it knows the institution
        "/inspections", token("inspector", "culture_tourism", "371002"),
        json={"institution_id": institution["id"], "kind": "enforcement"}).json().get("id"))
    complaint = cluster.api("complaints").post("/complaints", json={
        "district": "371002", "category": "prepaid_fee", "institution_name": institution["name"],
        "description": "预收一年学费后停课，不予退费。"}).json()
    pages = {"work": "/", "institutions": "/institutions?status=open",
             "institution": f"/institutions/{institution['id']}", "new-institution": "/institutions/new",
             "inspections": "/inspections", "new-inspection": f"/inspections/new?institution_id={institution['id']}",
             "inspection": f"/inspections/{inspection}", "complaints": "/complaints",
             "complaint": f"/complaints/{complaint['complaint_id']}", "lists": "/lists?district=371002",
             "campaign": "/campaign", "cases": "/cases", "officers": "/officers", "password": "/password"}
    password = add_officer(cluster, "city", "coordinator", district="371000", name="刘统筹")
    for driver, size in ((browser, "phone"), (desktop_browser, "desk")):
        driver.get(console_url(cluster) + "/signin")
        shown(driver, "input[name=login]")
        visited(driver, "console", f"tour-{size}-signin", width=None if size == "desk" else 390)
        if size == "phone":  # the first sign-in changes the one-time password
            browser_sign_in(driver, console_url(cluster), "city", password, change_to=NEW)
        else:
            browser_sign_in(driver, console_url(cluster), "city", NEW, change_to=None)
        for name, path in pages.items():
            driver.get(console_url(cluster) + path)
            main = shown(driver, "main")
            assert "内部错误" not in main.text and "出错了" not in main.text, (name, main.text[:300])
            visited(driver, "console", f"tour-{size}-{name}", width=None if size == "desk" else 390)
        driver.find_element(By.CSS_SELECTOR, "form[action='/signout'] button").click()
        shown(driver, "input[name=login]")
