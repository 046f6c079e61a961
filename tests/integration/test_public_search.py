"""The public institution search (GET /api/institutions?q=, /search) finds what a parent
types, on SQLite and PostgreSQL, whichever plan its index chooses: a rare pair of
characters leads, or (a pair shared by many names) the names are walked in order."""
import pytest

from services.disclosure import queries
from services.disclosure.service import DisclosureService
from services.disclosure.subscriptions import SUBSCRIPTIONS
from shared import directory
from shared import search as name_search
from shared.clock import default_clock
from shared.creditcode import complete
from shared.store import EventStore
from shared.subscriptions import Event, run

NAMES = {1: "海星艺术培训学校", 2: "启航书法学堂", 3: "百分百%培训", 4: "阳光_学堂",
         5: "海滨启航科技学校"}


@pytest.fixture
def disclosure(database_url):
    spec = DisclosureService.store
    store = EventStore(database_url, spec.catalogue, [p() for p in spec.projections])
    store.create(spec.tables)
    yield store
    store.dispose()


@pytest.fixture(params=["a rare pair leads", "the names in order"])
def plan(request, monkeypatch):
    if request.param == "the names in order":
        monkeypatch.setattr(name_search, "COMMON", 1)  # every pair counts as common


def code(n):
    return complete(f"52371002MA3C{n:05d}")


def registered(store, n, name, district="371002"):
    data = {"institution_id": f"institution-{n}", "name": name, "credit_code": code(n),
            "district": district, "category": "arts", "address": "环翠区海滨路1号"}
    run(store, SUBSCRIPTIONS[("registry", "InstitutionRegistered")], Event(
        "registry", "InstitutionRegistered", data,
        {"id": f"event-{n}", "time": "2026-11-01T08:00:00Z"}, default_clock().now()))


def found(store, q, **kwargs):
    with store.read() as conn:
        return [item["name"] for item in queries.search(conn, q, **kwargs)["items"]]


@pytest.fixture
def registry_told(disclosure):
    for n, name in NAMES.items():
        registered(disclosure, n, name, "371003" if n == 5 else "371002")
    return disclosure


def test_a_name_is_found_by_two_or_three_of_its_characters_anywhere_in_it(registry_told, plan):
    assert found(registry_told, "星艺") == ["海星艺术培训学校"]
    assert found(registry_told, "启航") == ["启航书法学堂", "海滨启航科技学校"]
    assert found(registry_told, "培训学") == ["海星艺术培训学校"]
    assert found(registry_told, "学校") == ["海星艺术培训学校", "海滨启航科技学校"]
    assert found(registry_told, "星航") == [] and found(registry_told, "学校学") == []


def test_a_credit_code_is_found_whole_and_not_by_a_part(registry_told, plan):
    assert found(registry_told, code(2)) == ["启航书法学堂"]
    assert found(registry_told, code(2).lower()) == ["启航书法学堂"]
    assert found(registry_told, code(2)[:10]) == []


def test_percent_and_underscore_in_a_query_are_letters(registry_told, plan):
    assert found(registry_told, "百%") == ["百分百%培训"]
    assert found(registry_told, "光_") == ["阳光_学堂"]
    assert found(registry_told, "%培") == ["百分百%培训"]


def test_the_district_filter_keeps_one_districts_institutions(registry_told, plan):
    assert found(registry_told, "启航", district="371003") == ["海滨启航科技学校"]
    assert found(registry_told, "启航", district="371002") == ["启航书法学堂"]


def test_results_come_a_page_at_a_time_and_say_whether_another_follows(registry_told, plan):
    with registry_told.read() as conn:
        first = queries.search(conn, "学校", per_page=1)
        second = queries.search(conn, "学校", page=2, per_page=1)
    assert [i["name"] for i in first["items"]] == ["海星艺术培训学校"] and first["more"]
    assert [i["name"] for i in second["items"]] == ["海滨启航科技学校"] and not second["more"]


def test_a_registration_delivered_twice_is_found_once(registry_told):
    registered(registry_told, 2, NAMES[2])
    assert found(registry_told, "书法") == ["启航书法学堂"]


def test_a_refill_of_the_directory_from_the_registrys_feed_indexes_the_names_again(registry_told):
    feed = [{"type": "otg.registry.InstitutionRegistered.v1", "position": n,
             "data": {"institution_id": f"institution-{n}", "name": name, "district": "371002",
                      "credit_code": code(n)}} for n, name in NAMES.items()]
    with registry_told.writing() as conn:
        conn.execute(directory.terms.delete())
    assert found(registry_told, "书法") == []
    directory.refill(registry_told, feed)
    assert found(registry_told, "书法") == ["启航书法学堂"]
