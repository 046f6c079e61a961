"""Issue 10: a registrar imports the bureau's table of institutions through the console,
in a real browser: a file with a bad row imports nothing and names the row; the fixed
file imports every row."""
from selenium.webdriver.common.by import By

from browsing import shown, visited
from consoling import add_officer, browser_sign_in, console_url
from shared import creditcode
from support import eventually

GOOD = creditcode.complete("52371002MJ" + "7650001")
SECOND = creditcode.complete("52371002MJ" + "7650002")
BAD = SECOND[:-1] + ("0" if SECOND[-1] != "0" else "1")  # a wrong check digit
HEADER = "机构名称,统一社会信用代码,区市,类别,地址\n"


def upload(browser, base, path):
    browser.get(base + "/institutions/import")
    shown(browser, "input[type=file]").send_keys(str(path))
    browser.find_element(By.CSS_SELECTOR, "form[action='/institutions/import'] button").click()


def test_a_table_with_one_bad_row_imports_nothing_and_names_the_row_and_the_fixed_table_imports(
        cluster, token, desktop_browser, tmp_path):
    cluster.start("console", "registry")
    registrar = add_officer(cluster, "imp-edu", "registrar", "education")
    base = console_url(cluster)
    browser_sign_in(desktop_browser, base, "imp-edu", registrar)
    table = tmp_path / "机构.csv"
    table.write_bytes((HEADER + f"海鸥美术工作室,{GOOD},环翠区,艺术类,环翠区海滨路 1 号\n"
                       f"海燕学科辅导中心,{BAD},环翠区,学科类,环翠区海滨路 2 号\n").encode("gb18030"))

    upload(desktop_browser, base, table)
    refused = shown(desktop_browser, "#refused", containing="第 3 行")
    assert "海燕学科辅导中心" in refused.text and "credit_code" in refused.text
    assert len(desktop_browser.find_elements(By.CSS_SELECTOR, "tr.refused-row")) == 1
    visited(desktop_browser, "console", "desk-import-refused", console_errors=("status of 400",),
            width=None)
    registry = cluster.api("registry")
    reader = token("registrar", "education", "371002")
    assert registry.get("/institutions", reader, params={"q": "海鸥"}).json()["total"] == 0

    table.write_bytes((HEADER + f"海鸥美术工作室,{GOOD},环翠区,艺术类,环翠区海滨路 1 号\n"
                       f"海燕学科辅导中心,{SECOND},环翠区,学科类,环翠区海滨路 2 号\n").encode("gb18030"))
    upload(desktop_browser, base, table)
    shown(desktop_browser, "p.notice.ok", containing="已导入")
    eventually(lambda: registry.get("/institutions", reader, params={"q": "海"}).json()["total"] == 2)
    desktop_browser.get(base + "/institutions?q=海燕")
    shown(desktop_browser, "main", containing="海燕学科辅导中心")
