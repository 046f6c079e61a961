"""Driving the public pages in a real browser: headless Chromium from Debian's
`chromium` package through Debian's `chromedriver`, sized like a phone. Set
OTG_SKIP_BROWSER=1 to skip on a machine without Chromium; otherwise a missing
browser fails the test. Screenshots go to test-artifacts/<site>/."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run")
PHONE_WIDTH = 390
DESKTOP_WIDTH = 1280
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def find_or_install_chromium():
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


def open_browser(phone=True):
    """A headless Chromium that emulates a phone (or is a desktop window) and keeps
    the console log."""
    if os.environ.get("OTG_SKIP_BROWSER") == "1":
        pytest.skip("OTG_SKIP_BROWSER=1")
    find_or_install_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    if phone:
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": PHONE_WIDTH, "height": 844, "pixelRatio": 2}})
    else:
        options.add_argument(f"--window-size={DESKTOP_WIDTH},900")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(20)
    return driver


def shown(driver, css, containing="", timeout=10):
    """The element once the page that has it is loaded: a click or a form submit
    returns before the browser has navigated, so reading the DOM at once races."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def present(d):
        found = d.find_elements(By.CSS_SELECTOR, css)
        return found[0] if found and containing in found[0].text else False
    # the old page's element goes stale while the new page loads (Chromium may also say
    # "Node with given id does not belong to the document"): look again
    wait = WebDriverWait(driver, timeout,
                         ignored_exceptions=(StaleElementReferenceException, WebDriverException))
    return wait.until(present, f"no {css!r} containing {containing!r}")


def visited(driver, site, name, console_errors=(), width=PHONE_WIDTH):
    """Screenshot the page and fail on a console error it logged (other than the
    expected ones, e.g. the status of a page that answers 4xx) or on a page wider
    than the phone (or the desktop window, `width=None`)."""
    folder = ARTIFACTS / site
    folder.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(folder / f"{name}.png"))
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
              and not any(expected in entry["message"] for expected in console_errors)]
    assert errors == [], f"console errors on {name}: {errors}"
    widths = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name} is wider than the screen: {widths}"
    assert width is None or widths[1] == width, f"{name}: the window is {widths[1]}, not {width}"
