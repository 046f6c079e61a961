"""Each service's pages for people: `/` links the API page, the OpenAPI document,
health, metrics and events; the API page's scripts come from the service itself."""
import re

import pytest

from services.complaints.service import ComplaintsService
from services.disclosure.service import DisclosureService
from services.inspection.service import InspectionService
from services.registry.service import RegistryService
from services.tasks.service import TasksService


@pytest.mark.parametrize("service_cls", [RegistryService, InspectionService, TasksService,
                                         ComplaintsService])
def test_home_of_a_service_links_its_api_page_health_metrics_and_events(start_service, service_cls):
    api = start_service(service_cls)
    home = api.get("/")
    assert home.status_code == 200 and home.headers["Content-Type"].startswith("text/html")
    links = re.findall(r'href="([^"]+)"', home.text)
    assert {"docs", "openapi.json", "health", "metrics", "events"} <= set(links)
    assert all(api.get("/" + link).status_code in (200, 401) for link in links)


def test_api_page_loads_swagger_ui_from_the_service_itself(start_service):
    api = start_service(RegistryService)
    page = api.get("/docs")
    assert page.status_code == 200 and "otg registry" in page.text
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)
    assert scripts and styles and not any("//" in url for url in scripts + styles)
    for url in scripts + styles:
        asset = api.get("/" + url)
        assert asset.status_code == 200 and len(asset.content) > 100, url
    assert "SwaggerUIBundle" in api.get("/docs/assets/start.js").text
    assert api.get("/docs/assets/..%2Fpyproject.toml").status_code == 404


def test_public_site_keeps_its_home_page_and_links_the_api_page(start_service):
    site = start_service(DisclosureService)
    home = site.get("/")
    assert '<a href="/docs">接口说明</a>' in home.text
    assert "otg disclosure" in site.get("/docs").text
