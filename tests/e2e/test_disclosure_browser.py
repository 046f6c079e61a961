"""The public site in a real browser (headless Chromium from Debian's `chromium`
package, driven by selenium through Debian's `chromedriver`): home page, a
district's lists, a search and a case, with no console errors. Screenshots go
to test-artifacts/disclosure/. Set OTG_SKIP_BROWSER=1 to skip on a machine
without Chromium; otherwise a missing browser fails the test."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support import eventually, publish_event

from test_disclosure_hazard_chain import DISTRICT, registered  # noqa: E402

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "disclosure"


def _find_or_install_chromium():
    if os.path.exists(CHROMIUM) and os.path.exists(DRIVER):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, timeout=300)
        # fonts-noto-cjk only makes the screenshots readable; the checks do not need it
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver",
                        "fonts-noto-cjk"],
                       env=env, check=False, timeout=600)
    if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)):
        pytest.fail(f"the browser test needs Debian's chromium and chromium-driver ({CHROMIUM}, "
                    f"{DRIVER}): `apt-get install -y chromium chromium-driver`, or set "
                    "OTG_SKIP_BROWSER=1 to skip it", pytrace=False)


@pytest.fixture
def browser():
    if os.environ.get("OTG_SKIP_BROWSER") == "1":
        pytest.skip("OTG_SKIP_BROWSER=1")
    _find_or_install_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_experimental_option("mobileEmulation", {  # a phone
        "deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2}})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(20)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()


def visited(driver, name):
    """Screenshot the page and fail on any console error it logged."""
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], f"console errors on {name}: {errors}"
    widths = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1] == 390, f"{name} is wider than a phone screen: {widths}"


def shown(driver, css, containing=""):
    """The element once the page that has it is loaded: a click or a form submit
    returns before the browser has navigated, so reading the DOM at once races."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def present(d):
        found = d.find_elements(By.CSS_SELECTOR, css)
        return found[0] if found and containing in found[0].text else False
    return WebDriverWait(driver, 10).until(present, f"no {css!r} containing {containing!r}")


def seeded(cluster, amqp_uri, token):
    cluster.start("registry", "disclosure")
    registry, site = cluster.api("registry"), cluster.api("disclosure")
    institution_id = registered(registry, token)
    registrar = token("registrar", "culture_tourism", DISTRICT)
    assert registry.post("/lists/white/batches", registrar, json={"district": DISTRICT}).status_code == 201
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
    visited(browser, "1-home")

    browser.find_element(By.CSS_SELECTOR, f'a.district[href="/districts/{DISTRICT}"]').click()
    shown(browser, "main", containing="第 1 批")
    assert "第 1 批" in browser.page_source and "教民137100270001" in browser.page_source
    visited(browser, "2-district-lists")

    browser.find_element(By.CSS_SELECTOR, "header a[href='/search']").click()
    field = shown(browser, "input[name=q]")
    field.send_keys("海星")
    browser.find_element(By.CSS_SELECTOR, "form.search button[type=submit]").click()
    result = shown(browser, ".result")
    assert "海星艺术培训学校" in result.text and "停业整改中" in result.text and "白名单" in result.text
    visited(browser, "3-search")

    result.find_element(By.CSS_SELECTOR, "a.bad").click()
    shown(browser, ".case h3 a").click()
    assert "责令立即停业整改" in shown(browser, "dd.decision").text
    visited(browser, "4-case")

    browser.get(site.base + "/report")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".qr svg")) == 8
    visited(browser, "5-report")
