"""The report pages as a parent meets them on a phone (tests/browsing.py): the photo
button speaks Chinese whatever the browser's language, the report site leads back to
the public site, and the public site's report page keeps each district's count inside
its card. Screenshots go to test-artifacts/report-pages/."""
from selenium.webdriver.common.by import By

from browsing import shown, visited
from services.complaints.service import ComplaintsService
from services.disclosure.service import DisclosureService
from support import eventually, publish_event, tiny_png


def test_the_photo_button_is_chinese_and_says_what_was_chosen(start_service, browser, monkeypatch,
                                                              tmp_path):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    form = start_service(ComplaintsService)
    photo = tmp_path / "receipt.png"
    photo.write_bytes(tiny_png())

    browser.get(form.base + "/report?district=371002")
    native = browser.find_element(By.NAME, "photos")
    assert not native.is_displayed()          # the browser's "Choose Files" is not shown
    button = browser.find_element(By.CSS_SELECTOR, "label[for=photos]")
    assert button.is_displayed() and button.text == "选择照片"
    assert shown(browser, "#photos-chosen").text == "未选择照片"
    native.send_keys(str(photo))
    shown(browser, "#photos-chosen", containing="已选择 1 张照片")  # its script may run (CSP)
    browser.execute_script("arguments[0].scrollIntoView()", button)
    visited(browser, "report-pages", "1-photo-chosen")


def test_the_report_site_leads_back_to_the_public_site(start_service, browser, monkeypatch, tmp_path):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    start_service(DisclosureService)           # sets OTG_DISCLOSURE_URL to where it answers
    form = start_service(ComplaintsService)
    browser.get(form.base + "/report?district=371002")
    shown(browser, "header a.public-site").click()
    shown(browser, "main", containing="选择校外培训机构前，先查一查")
    visited(browser, "report-pages", "2-back-on-the-public-site")


def test_each_district_s_report_count_stands_inside_its_card(start_service, amqp_uri, browser):
    site = start_service(DisclosureService)
    publish_event(amqp_uri, "complaints", "ComplaintReceived",
                  {"complaint_id": "c-1", "district": "371002", "category": "prepaid_fee"})
    eventually(lambda: "已受理举报 1 件" in site.get("/report").text)

    browser.get(site.base + "/report")
    card = shown(browser, "#report-371002 .counts")
    assert card.text == "已受理举报 1 件，已答复 0 件。"
    strays = browser.find_elements(By.CSS_SELECTOR, ".grid > :not(.card)")
    assert strays == [], [stray.text for stray in strays]
    visited(browser, "report-pages", "3-public-report-page")
