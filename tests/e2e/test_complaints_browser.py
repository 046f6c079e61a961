"""A parent's report through the QR code's form in a real browser on a phone
(tests/browsing.py): the form with a photo, the tracking code, the answer read with
it, a reopen; and the page a flood of reports meets. Screenshots go to
test-artifacts/complaints/."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browsing import shown, visited
from services.complaints.service import ComplaintsService
from support import tiny_png

PHONE, EMAIL = "13800138000", "parent@example.com"


def fill_report(browser, photo):
    Select(shown(browser, "#category")).select_by_value("prepaid_fee")
    browser.find_element(By.ID, "description").send_keys("交了一年学费，机构突然停课，不给退费。")
    browser.find_element(By.ID, "institution_name").send_keys("海星艺术培训学校")
    browser.find_element(By.NAME, "photos").send_keys(str(photo))
    browser.find_element(By.ID, "contact_phone").send_keys(PHONE)
    browser.find_element(By.ID, "contact_email").send_keys(EMAIL)
    browser.find_element(By.CSS_SELECTOR, "form[action='/report'] button[type=submit]").click()


def test_parent_reports_with_a_photo_tracks_the_answer_and_reopens(
        start_service, token, browser, monkeypatch, tmp_path):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OTG_PUBLIC_RATE_LIMIT", "1/minute")
    api = start_service(ComplaintsService)
    handler = token("handler", "education", "371002")
    photo = tmp_path / "receipt.png"
    photo.write_bytes(tiny_png())

    browser.get(api.base + "/report?district=371002")
    assert "环翠区" in shown(browser, "main").text
    visited(browser, "complaints", "1-form")
    fill_report(browser, photo)
    code = shown(browser, "p.code").text
    assert len(code.replace("-", "")) == 12
    visited(browser, "complaints", "2-receipt")

    [item] = api.get("/complaints?district=371002", handler).json()["items"]
    case = api.get(f"/complaints/{item['id']}", handler).json()
    assert api.get(case["contact_url"], handler).json()["contact"] == {"phone": PHONE, "email": EMAIL}
    assert len(case["photos"]) == 1
    for step, body in (("acknowledge", None), ("verification", {"substantiated": True, "note": "现场核实"}),
                       ("answer", {"text": "已责令机构按合同退还剩余课时费用。"})):
        assert api.post(f"/complaints/{item['id']}/{step}", handler, json=body).ok, step

    browser.find_element(By.LINK_TEXT, "查看办理进度").click()
    answer = shown(browser, "section.ok", containing="已责令机构按合同退还剩余课时费用")
    assert "经核查，反映的问题属实" in answer.text
    assert PHONE not in browser.page_source and EMAIL not in browser.page_source
    visited(browser, "complaints", "3-answered")
    browser.find_element(By.ID, "reason").send_keys("退款金额不对。")
    browser.find_element(By.CSS_SELECTOR, "form[action='/report/reopen'] button").click()
    shown(browser, "main", containing="重新办理中")
    visited(browser, "complaints", "4-reopened")

    browser.get(api.base + "/report?district=371002")
    fill_report(browser, photo)
    shown(browser, "h1", containing="提交过于频繁")
    visited(browser, "complaints", "5-too-many", console_errors=("status of 429",))
    assert len(api.get("/complaints?district=371002", handler).json()["items"]) == 1
