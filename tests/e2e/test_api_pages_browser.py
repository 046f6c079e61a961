"""The API pages in a real browser (tests/browsing.py): a service's home links its
API page, which draws the OpenAPI document with Swagger UI loaded from the service
itself; the public site's "接口说明" link opens that page. Screenshots go to
test-artifacts/api/."""
from browsing import shown, visited


def test_integrator_opens_the_api_page_from_a_services_home(cluster, browser):
    from selenium.webdriver.common.by import By
    cluster.start("complaints")
    complaints = cluster.api("complaints")

    browser.get(complaints.base + "/")
    visited(browser, "api", "1-complaints-home")
    browser.find_element(By.CSS_SELECTOR, "a[href=docs]").click()
    shown(browser, ".swagger-ui .info .title", containing="otg complaints")
    assert shown(browser, ".opblock-tag-section")
    assert "/open311/v2/requests.{fmt}" in browser.page_source
    visited(browser, "api", "2-complaints-api-page")


def test_public_sites_api_link_opens_the_api_page(cluster, browser):
    from selenium.webdriver.common.by import By
    cluster.start("disclosure")
    site = cluster.api("disclosure")

    browser.get(site.base + "/")
    link = browser.find_element(By.LINK_TEXT, "接口说明")
    browser.execute_script("arguments[0].scrollIntoView()", link)
    visited(browser, "api", "3-public-site-link")
    link.click()
    shown(browser, ".swagger-ui .info .title", containing="otg disclosure")
    assert "/api/cases" in shown(browser, ".opblock-tag-section").get_attribute("innerHTML") \
        or "/api/cases" in browser.page_source
    visited(browser, "api", "4-disclosure-api-page")
