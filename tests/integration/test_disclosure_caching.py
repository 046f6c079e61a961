"""The public site at a peak: pages carry validators and cache headers, a repeat that
holds the current one gets 304 (no body), and any change to what is published moves it."""
from services.disclosure.service import DisclosureService
from services.registry.service import RegistryService
from support import caught_up

from test_disclosure_chain import no_inspection  # noqa: E402,F401 (autouse)
from test_disclosure_site import publish, registered

PAGES = ("/", "/districts/371002", "/districts/371002/white", "/search?q=海星",
         "/cases", "/lists/white.csv?district=371002")


def test_a_repeat_of_an_unchanged_page_is_answered_304_and_a_new_batch_moves_the_tag(
        start_service, token):
    registry, site = start_service(RegistryService), start_service(DisclosureService)
    registered(registry, token)
    publish(registry, token, "white")
    caught_up(site, registry)

    for path in PAGES:
        first = site.get(path)
        assert first.status_code == 200, path
        assert first.headers["ETag"] and first.headers["Cache-Control"] == "public, max-age=0, s-maxage=30"
        repeat = site.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert (repeat.status_code, repeat.content) == (304, b""), path
        assert repeat.headers["ETag"] == first.headers["ETag"]

    before = site.get("/districts/371002/white")
    registered(registry, token, name="蓝天体育俱乐部", credit="91371002MA3C00002")
    publish(registry, token, "white")
    caught_up(site, registry)
    after = site.get("/districts/371002/white", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and "蓝天体育俱乐部" in after.text
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_missing_page_carries_no_validator(start_service):
    site = start_service(DisclosureService)
    missing = site.get("/districts/999999")
    assert missing.status_code == 404 and "ETag" not in missing.headers
