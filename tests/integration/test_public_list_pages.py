"""A district's list on the public site a page at a time: the pages together are the
whole batch in the order the page shows it (choosable first, then by name), and each
page says how many there are in all."""
import pytest

from services.disclosure import queries
from services.disclosure.service import DisclosureService
from services.disclosure.subscriptions import SUBSCRIPTIONS
from shared.clock import default_clock
from shared.store import EventStore
from shared.subscriptions import Event, run

NAMES = ["丁香美术", "甲乙书法", "乙丙舞蹈", "丙丁编程", "戊己围棋"]


@pytest.fixture
def disclosure(database_url):
    spec = DisclosureService.store
    store = EventStore(database_url, spec.catalogue, [p() for p in spec.projections])
    store.create(spec.tables)
    yield store
    store.dispose()


def told(store, name, data, n):
    run(store, SUBSCRIPTIONS[("registry", name)], Event(
        "registry", name, data, {"id": f"{name}-{n}", "time": "2026-11-01T08:00:00Z"},
        default_clock().now()))


def registered_with_the_second_suspended(store, names):
    for n, name in enumerate(names):
        told(store, "InstitutionRegistered", {
            "institution_id": f"institution-{n}", "name": name, "district": "371002",
            "category": "arts", "address": "环翠区海滨路1号"}, n)
    told(store, "InstitutionSuspended", {"institution_id": "institution-1",
                                         "district": "371002", "reason": "消防通道堵塞"}, 20)


def test_the_pages_of_a_list_are_the_whole_batch_with_the_suspended_last(disclosure):
    registered_with_the_second_suspended(disclosure, NAMES)
    told(disclosure, "ListBatchPublished", {
        "district": "371002", "list": "white", "batch_no": 1, "published_on": "2026-11-01",
        "institution_ids": [f"institution-{n}" for n in range(len(NAMES))]}, 10)
    with disclosure.read() as conn:
        batch = queries.latest_batches(conn, "white", "371002")[0]
        whole = [e["name"] for e in queries.with_entries(conn, batch)["entries"]]
        pages = [queries.with_entries(conn, batch, page, per_page=2) for page in (1, 2, 3)]
    assert whole[-1] == "甲乙书法" and whole[:-1] == sorted(NAMES[:1] + NAMES[2:])
    assert [e["name"] for p in pages for e in p["entries"]] == whole
    assert [(p["count"], p["pages"], p["offset"]) for p in pages] == [(5, 3, 0), (5, 3, 2), (5, 3, 4)]
    assert [e["choosable"] for e in pages[2]["entries"]] == [False]


def test_a_page_orders_every_standing_as_the_whole_list_does(disclosure):
    """Suspended, closed, black-listed, ordered to stop, and one the registry never named:
    the database pages the list (a province's district holds thousands) in the order the
    whole list is shown, every no-choice entry after every choice."""
    # "B…" before "a…", as Python compares (a database's own collation may not)
    names = ["庚辛科创", "丁香美术", "甲乙书法", "乙丙舞蹈", "丙丁编程", "戊己围棋", "a 画室", "B 画室"]
    registered_with_the_second_suspended(disclosure, names)
    told(disclosure, "InstitutionClosed", {"institution_id": "institution-2",
                                           "district": "371002", "reason": "注销"}, 21)
    told(disclosure, "BlacklistReviewOpened", {
        "review_id": "review-1", "institution_id": "institution-3", "district": "371002",
        "reason": "虚假宣传"}, 22)
    told(disclosure, "BlacklistReviewDecided", {
        "review_id": "review-1", "institution_id": "institution-3", "district": "371002",
        "decision": "blacklisted", "reason": "虚假宣传", "department": "education"}, 23)
    run(disclosure, SUBSCRIPTIONS[("inspection", "UnlicensedOperationFound")], Event(
        "inspection", "UnlicensedOperationFound", {
            "inspection_id": "inspection-1", "institution_id": "institution-4",
            "district": "371002", "name": names[4], "address": "环翠区海滨路1号",
            "department": "education"},
        {"id": "unlicensed-1", "time": "2026-11-02T08:00:00Z"}, default_clock().now()))
    members = [f"institution-{n}" for n in range(len(names))] + ["institution-unknown"]
    told(disclosure, "ListBatchPublished", {
        "district": "371002", "list": "white", "batch_no": 1, "published_on": "2026-11-01",
        "institution_ids": members}, 30)
    with disclosure.read() as conn:
        batch = queries.latest_batches(conn, "white", "371002")[0]
        whole = queries.with_entries(conn, batch)["entries"]
        pages = [queries.with_entries(conn, batch, page, per_page=3) for page in (1, 2, 3)]
    assert [e["institution_id"] for p in pages for e in p["entries"]] == \
        [e["institution_id"] for e in whole]
    assert [e["choosable"] for e in whole] == [True] * 5 + [False] * 4
    assert [e["name"] for e in whole][1:3] == ["B 画室", "a 画室"]
    assert {e["standing"]["state"] for e in whole if not e["choosable"]} == {
        "suspended", "closed", "blacklisted", "ordered_to_stop"}
    assert whole[0]["institution_id"] == "institution-unknown"  # no name: first of the choices
