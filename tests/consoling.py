"""Helpers for the console's tests: officer accounts made as an operator makes them
(`otg officers add`, in the cluster's data dir) and signing in."""
import re
import subprocess
import sys
from pathlib import Path

import requests

OTG = Path(sys.executable).parent / "otg"
NEW_PASSWORD = "a-good-long-password"


def otg_officers(cluster, *args):
    result = subprocess.run([str(OTG), "officers", *args], env={**_env(), **cluster.env},
                            capture_output=True, text=True, timeout=60)
    return result


def add_officer(cluster, login, role, department="education", district="371002", name="测试员",
                certificate=None, school=None):
    """The officer's one-time password."""
    extra = (("--certificate", certificate) if certificate else ()) + (
        ("--school", school) if school else ())
    result = otg_officers(cluster, "add", "--login", login, "--name", name, "--role", role,
                          "--department", department, "--district", district, *extra)
    assert result.returncode == 0, result.stderr
    return re.search(r"one-time password (\S+)", result.stdout).group(1)


def _env():
    import os
    return dict(os.environ)


def console_url(cluster):
    return f"http://127.0.0.1:{cluster.ports['console']}"


def csrf_in(html):
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def signed_in(cluster, login, password, change_to=NEW_PASSWORD):
    """A requests session signed in to the console (the one-time password changed)."""
    base, session = console_url(cluster), requests.Session()
    form = session.get(base + "/signin")
    answer = session.post(base + "/signin", data={"login": login, "password": password,
                                                  "csrf": csrf_in(form.text)})
    assert answer.ok and "退出" in answer.text, answer.text[:500]
    if answer.url.endswith("/password") and change_to:
        answer = session.post(base + "/password", data={
            "csrf": csrf_in(answer.text), "current": password, "password": change_to,
            "repeated": change_to})
        assert answer.ok and answer.url.rstrip("/").endswith("done=password"), answer.text[:500]
    session.base = base
    return session


def browser_sign_in(browser, base, login, password, change_to=NEW_PASSWORD):
    """Sign in through the form; a one-time password is changed on the way."""
    from selenium.webdriver.common.by import By

    from browsing import shown
    browser.get(base + "/")
    shown(browser, "input[name=login]").clear()
    browser.find_element(By.NAME, "login").send_keys(login)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form[action='/signin'] button").click()
    if change_to:
        shown(browser, "input[name=current]").send_keys(password)
        browser.find_element(By.NAME, "password").send_keys(change_to)
        browser.find_element(By.NAME, "repeated").send_keys(change_to)
        browser.find_element(By.CSS_SELECTOR, "form[action='/password'] button").click()
    return shown(browser, "h1", containing="工作台")
