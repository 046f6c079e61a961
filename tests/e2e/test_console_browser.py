"""Issue 10: whole jobs in the officials' console, in a real browser (Chromium, phone
and desktop sizes), against the real services as processes. Screenshots of every page
go to test-artifacts/console/."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import requests

from browsing import ARTIFACTS, shown, visited
from consoling import add_officer, browser_sign_in, console_url
from shared import creditcode
from support import eventually, tiny_png

CODE = creditcode.complete("52371002MJ" + "7654321")


def desk(browser, name, **kwargs):
    visited(browser, "console", name, width=None, **kwargs)


def test_inspector_records_a_critical_fire_hazard_on_a_phone_and_the_supervising_department_decides_the_review(
        cluster, token, browser, desktop_browser, tmp_path):
    cluster.start("console", "registry", "inspection")
    registry, inspection = cluster.api("registry"), cluster.api("inspection")
    institution = registry.post("/institutions", token("registrar", "education", "371002"), json={
        "name": "海豚学科辅导中心", "credit_code": CODE, "district": "371002",
        "category": "academic", "address": "环翠区海滨路 8 号"}).json()
    def schedule():  # once the inspection service's directory has the institution
        answer = inspection.post("/inspections", token("inspector", "fire", "371002"), json={
            "institution_id": institution["id"], "kind": "safety", "modes": ["unannounced"]})
        return answer.status_code == 201
    eventually(schedule)
    inspector = add_officer(cluster, "hc-fire", "inspector", "fire", certificate="鲁威执37100219001")
    registrar = add_officer(cluster, "hc-edu", "registrar", "education", name="王登记")
    base = console_url(cluster)

    # the inspector, on a phone, from the 工作台 through the checklist
    browser_sign_in(browser, base, "hc-fire", inspector)
    visited(browser, "console", "phone-1-work")
    browser.find_element(By.LINK_TEXT, "海豚学科辅导中心").click()
    item = shown(browser, "#item-fire\\.evacuation")
    visited(browser, "console", "phone-2-checklist")
    item.find_element(By.CSS_SELECTOR, "input[value=fail]").click()
    item.find_element(By.CSS_SELECTOR, "select option[value=critical]").click()
    item.find_element(By.CSS_SELECTOR, "input[name='note.fire.evacuation']").send_keys("安全出口被杂物堵塞")
    photo = tmp_path / "exit.png"
    photo.write_bytes(tiny_png())
    item.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(photo))
    for other in ("fire.responsibility", "fire.premises"):
        browser.find_element(By.CSS_SELECTOR, f"input[name='result.{other}'][value=pass]").click()
    item.find_element(By.XPATH, "ancestor::form//button[@type='submit']").click()
    shown(browser, "p.notice.ok", containing="检查结果已记录")
    assert "重大隐患" in browser.find_element(By.TAG_NAME, "main").text
    visited(browser, "console", "phone-3-hazard-recorded")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/complete'] button").click()
    shown(browser, "#documents")  # only a completed inspection has documents
    assert "检查已完成" in browser.find_element(By.CSS_SELECTOR, "p.notice.ok").text
    inspection_page = browser.current_url.split("?")[0]
    browser.find_element(By.CSS_SELECTOR, "input[value=rectification_notice]").find_element(
        By.XPATH, "ancestor::form//button").click()
    WebDriverWait(browser, 30).until(lambda d: "/documents/" in d.current_url)  # issued: PDF made
    notice = shown(browser, "body", containing="环消整改〔")  # its number
    assert "责令整改通知书" in notice.text and "海豚学科辅导中心" in notice.text
    number_url = browser.current_url
    browser.save_screenshot(str(ARTIFACTS / "console" / "phone-4-rectification-notice.png"))
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    printed = requests.get(number_url + "/pdf", cookies=cookies, timeout=60)
    assert printed.ok and printed.content.startswith(b"%PDF")
    browser.get(inspection_page)
    shown(browser, "#documents", containing="环消整改〔")

    # the registrar of the supervising department (education), at a desk
    browser_sign_in(desktop_browser, base, "hc-edu", registrar)

    def work_shows_suspension_and_review():
        desktop_browser.get(base + "/")
        text = shown(desktop_browser, "main").text
        return "停业整改" in text and "黑名单复核" in text and "由本部门决定" in text
    eventually(work_shows_suspension_and_review, timeout=30, interval=1)
    desk(desktop_browser, "desk-1-registrar-work")
    desktop_browser.find_element(By.CSS_SELECTOR, "a[href$='#review']").click()
    review = shown(desktop_browser, "form[action$='/decision']")
    desk(desktop_browser, "desk-2-institution")
    review.find_element(By.CSS_SELECTOR, "input[value=blacklisted]").click()
    review.find_element(By.NAME, "reason").send_keys("重大火灾隐患，经复核列入黑名单")
    review.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    shown(desktop_browser, "p.notice.ok", containing="复核已决定")
    page = desktop_browser.find_element(By.TAG_NAME, "main").text
    assert "黑名单复核决定" in page and "没有进行中的复核" in page
    timeline = desktop_browser.find_element(By.CSS_SELECTOR, "ol.timeline").text
    assert "黑名单复核决定" in timeline and "王登记" in timeline  # who did it, by the event's officer id
    desk(desktop_browser, "desk-3-review-decided")
    decided = registry.get(f"/institutions/{institution['id']}",
                           token("registrar", "education", "371002")).json()
    assert decided["list_status"] == "black" and decided["review"] is None


def test_handler_takes_a_complaint_from_the_queue_to_the_answer_the_reporter_reads(
        cluster, desktop_browser, browser):
    cluster.start("console", "registry", "complaints")
    complaints = cluster.api("complaints")
    receipt = complaints.post("/complaints", json={
        "district": "371002", "category": "unlicensed", "institution_name": "启明学堂",
        "description": "周末在居民楼里给初中生上数学课，没有任何证照。",
        "contact": {"phone": "13800138000"}})
    assert receipt.status_code == 201, receipt.text
    code = receipt.json()["tracking_code"]
    handler = add_officer(cluster, "hc-handler", "handler", "education")
    base = console_url(cluster)

    browser_sign_in(desktop_browser, base, "hc-handler", handler)
    desk(desktop_browser, "desk-4-handler-work")
    desktop_browser.get(base + "/complaints")
    desk(desktop_browser, "desk-5-complaint-queue")
    desktop_browser.find_element(By.LINK_TEXT, "启明学堂").click()
    shown(desktop_browser, "h1", containing="投诉举报")
    desk(desktop_browser, "desk-6-complaint")
    assert "13800138000" not in desktop_browser.page_source  # shown on request only

    def act(action, **fields):
        form = shown(desktop_browser, f"form[action$='/{action}']")
        for name, value in fields.items():
            if name == "substantiated":
                form.find_element(By.CSS_SELECTOR, f"input[value={value}]").click()
            else:
                form.find_element(By.NAME, name).send_keys(value)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        return shown(desktop_browser, "p.notice.ok")

    if desktop_browser.find_elements(By.CSS_SELECTOR, "form[action$='/triage']"):
        act("triage")
    act("acknowledge")
    act("verification", substantiated="yes", note="现场核实，确有无证培训")
    form = shown(desktop_browser, "form[action$='/answer']")
    form.find_element(By.NAME, "text").send_keys("经核查属实，已责令停止无证培训并依法查处。")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    preview = shown(desktop_browser, ".preview blockquote", containing="已责令停止无证培训")
    desk(desktop_browser, "desk-7-answer-preview")  # read once more before it goes out
    preview.find_element(By.XPATH, "ancestor::form//button[@type='submit']").click()
    shown(desktop_browser, "p.notice.ok", containing="已答复举报人")
    history = desktop_browser.find_element(By.CSS_SELECTOR, "ol.timeline").text
    assert "收到举报" in history and "答复举报人" in history  # the event log is the history
    desk(desktop_browser, "desk-8-complaint-answered")

    browser.get(f"{complaints.base}/report/track?code={code}")
    shown(browser, "main", containing="经核查属实，已责令停止无证培训并依法查处。")
    visited(browser, "console", "phone-5-reporter-reads-answer")


def test_a_registrar_sees_a_wrong_credit_code_explained_beside_its_field_and_nothing_is_registered(
        cluster, desktop_browser):
    cluster.start("console", "registry")
    password = add_officer(cluster, "hc-edu", "registrar")
    base = console_url(cluster)
    browser_sign_in(desktop_browser, base, "hc-edu", password)
    desktop_browser.get(base + "/institutions/new")
    form = shown(desktop_browser, "form[action='/institutions/new']")
    wrong = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    for name, value in (("name", "<script>alert(1)</script>海豚学堂"), ("credit_code", wrong),
                        ("address", "环翠区海滨路 8 号")):
        form.find_element(By.NAME, name).send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = shown(desktop_browser, ".has-error .field-error")
    assert "check" in error.text.lower() or "校验" in error.text, error.text
    assert desktop_browser.find_element(By.NAME, "name").get_attribute("value").startswith("<script>")
    desk(desktop_browser, "desk-9-credit-code-refused", console_errors=("status of 400",))
    desktop_browser.get(base + "/institutions")
    assert "海豚学堂" not in shown(desktop_browser, "main").text
