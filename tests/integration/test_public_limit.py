"""The cap on reports one address may file without an account (OTG_PUBLIC_RATE_LIMIT)."""
import pytest

from services.complaints.service import ComplaintsService

REPORT = {"district": "371002", "category": "advertising", "description": "小区里到处贴学科类培训广告。"}


def test_an_address_that_used_up_its_reports_gets_429_and_nothing_is_stored(
        start_service, monkeypatch, tmp_path):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OTG_PUBLIC_RATE_LIMIT", "2/minute")
    api = start_service(ComplaintsService)
    assert api.post("/complaints", json={"district": "371002"}).status_code == 400  # not counted
    assert [api.post("/complaints", json=REPORT).status_code for _ in range(2)] == [201, 201]
    events = api.get("/health").json()["events"]

    refused = api.post("/complaints", json=REPORT)
    assert refused.status_code == 429 and "too many reports" in refused.json()["error"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    open311 = api.post("/open311/v2/requests.json", data={
        "service_code": "advertising", "jurisdiction_id": "371002", "description": REPORT["description"]})
    assert open311.status_code == 429 and open311.json()[0]["code"] == 429
    assert "Retry-After" in open311.headers
    assert api.get("/health").json()["events"] == events
    documented = api.get("/openapi.json").json()["paths"]["/complaints"]["post"]["responses"]
    assert "Retry-After" in documented["429"]["headers"]


def test_behind_a_trusted_proxy_each_citizen_has_their_own_allowance(
        start_service, monkeypatch, tmp_path):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OTG_PUBLIC_RATE_LIMIT", "1/minute")
    monkeypatch.setenv("OTG_TRUSTED_PROXIES", "10.9.8.7, 127.0.0.0/8")  # this test is the proxy
    api = start_service(ComplaintsService)

    def report(address):
        return api.post("/complaints", json=REPORT, headers={"X-Forwarded-For": address}).status_code
    assert [report("203.0.113.5"), report("203.0.113.5"), report("203.0.113.6")] == [201, 429, 201]
    # a client's own X-Forwarded-For entry, left of what the proxy added, is not believed
    assert report("198.51.100.1, 203.0.113.5") == 429


def test_a_forwarded_address_from_anyone_but_a_configured_proxy_is_ignored(
        start_service, monkeypatch, tmp_path):
    """Port 8005 reached directly: a made-up X-Forwarded-For does not escape the cap."""
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OTG_PUBLIC_RATE_LIMIT", "1/minute")
    monkeypatch.setenv("OTG_TRUSTED_PROXIES", "172.30.0.2")  # the compose proxy, not this test
    api = start_service(ComplaintsService)

    def report(address):
        return api.post("/complaints", json=REPORT, headers={"X-Forwarded-For": address}).status_code
    assert [report("203.0.113.5"), report("203.0.113.6"), report("203.0.113.7")] == [201, 429, 429]


def test_a_hop_count_is_refused_as_trusted_proxies(monkeypatch):
    from shared import config
    monkeypatch.setenv("OTG_TRUSTED_PROXIES", "1")
    with pytest.raises(ValueError, match="OTG_TRUSTED_PROXIES='1' is not a list of proxy addresses"):
        config.trusted_proxies()
