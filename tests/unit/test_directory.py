"""One institution directory (shared.directory): the registry's events, in its order, make
the same table in every follower, and one name normaliser matches what people type."""
import pytest
from sqlalchemy import inspect, select

from inprocess import Runner
from services.complaints import projections as complaints
from services.tasks import mirror as tasks
from shared import directory, search

DISTRICT = "371002"
FOLLOWERS = ("inspection", "complaints", "tasks", "disclosure")
SCHOOL = {"institution_id": "i-1", "name": "海星（艺术）培训学校", "credit_code": "91371002MA3C00001X",
          "district": DISTRICT, "category": "arts", "supervising_department": "culture_tourism",
          "address": "环翠区海滨路1号"}


@pytest.fixture
def world(tmp_path, monkeypatch):
    monkeypatch.setenv("OTG_INSPECTION_URL", "http://127.0.0.1:9")  # no checklist titles here
    return Runner(tmp_path, services=("registry", *FOLLOWERS))


def rows(world, service):
    with world.stores[service].read() as conn:
        return [row._asdict() for row in conn.execute(
            select(directory.institutions).order_by(directory.institutions.c.id))]


def entry(world, service, institution_id="i-1"):
    with world.stores[service].read() as conn:
        return directory.institution(conn, institution_id)


def registry(world, name, data, stream_id="i-1"):
    world.given("registry", name, {"institution_id": stream_id, **data}, stream_id=stream_id)


def test_every_follower_keeps_the_same_directory_of_the_registrys_events(world):
    registry(world, "InstitutionRegistered", SCHOOL)
    registry(world, "LicenceRecorded", {"kind": "school_permit", "number": "教民137100270001",
                                        "valid_until": "2027-12-31"})
    registry(world, "InstitutionRegistered", {**SCHOOL, "institution_id": "i-2",
                                              "name": "启明书法", "credit_code": "91371002MA3C00002X"},
             stream_id="i-2")
    registry(world, "InstitutionSuspended", {"district": DISTRICT, "reason": "消防隐患"})
    registry(world, "InstitutionClosed", {"district": DISTRICT, "reason": "注销"}, stream_id="i-2")
    world.run()
    first = rows(world, "inspection")
    assert [row["id"] for row in first] == ["i-1", "i-2"]
    assert all(rows(world, follower) == first for follower in FOLLOWERS)
    school = entry(world, "disclosure")
    assert (school["status"], school["norm_name"]) == ("suspended", "海星艺术培训学校")
    assert school["licences"] == {"school_permit": {"number": "教民137100270001",
                                                    "valid_until": "2027-12-31", "expired": False}}
    assert entry(world, "tasks", "i-2")["status"] == "closed"


def test_an_institution_follows_the_registry_through_suspension_listing_and_clearing(world):
    registry(world, "InstitutionRegistered", SCHOOL)
    registry(world, "InstitutionSuspended", {"district": DISTRICT, "reason": "消防隐患"})
    world.deliver("complaints", "registry")
    assert entry(world, "complaints")["status"] == "suspended"
    registry(world, "InstitutionReinstated", {"district": DISTRICT})
    registry(world, "BlacklistReviewOpened", {"review_id": "r-1", "district": DISTRICT,
                                              "reason": "无证办学"})
    registry(world, "BlacklistReviewDecided", {"review_id": "r-1", "district": DISTRICT,
                                               "decision": "blacklisted", "reason": "无证办学"})
    world.deliver("complaints", "registry")
    assert (entry(world, "complaints")["status"], entry(world, "complaints")["blacklisted"]) == (
        "open", True)
    registry(world, "BlacklistReviewOpened", {"review_id": "r-2", "district": DISTRICT,
                                              "reason": "复核"})
    registry(world, "BlacklistReviewDecided", {"review_id": "r-2", "district": DISTRICT,
                                               "decision": "cleared", "reason": "已整改"})
    world.deliver("complaints", "registry")
    assert entry(world, "complaints")["blacklisted"] is False


@pytest.mark.parametrize("typed, registered", [
    ("海星（艺术）培训学校", "海星(艺术)培训学校"),          # full-width brackets
    ("海星 艺术 培训学校", "海星艺术培训学校"),              # spaces, half- and full-width
    ("海星　艺术培训学校", "海星艺术培训学校"),
    ("ＡＢＣ少儿英语", "abc少儿英语"),                        # full-width letters, case
    ("【海星】艺术·培训学校", "海星艺术培训学校"),            # other brackets and punctuation
])
def test_names_typed_differently_normalise_alike(typed, registered):
    assert directory.normalize_name(typed) == directory.normalize_name(registered)


def test_names_that_differ_in_words_stay_apart():
    assert directory.normalize_name("海星艺术培训学校") != directory.normalize_name("海星美术培训学校")
    assert directory.normalize_name(None) == directory.normalize_name("  ") == ""


def test_complaints_and_tasks_find_a_reported_name_as_typed(world):
    registry(world, "InstitutionRegistered", SCHOOL)
    world.run()
    with world.stores["complaints"].read() as conn:
        found, how = complaints.match_institution(conn, DISTRICT, name="海星(艺术) 培训学校")
    assert (found["id"], how) == ("i-1", "name")
    with world.stores["tasks"].read() as conn:
        assert tasks.white_lookup(conn)(None, "海星 （艺术） 培训学校")["id"] == "i-1"


def test_only_a_follower_that_searches_by_name_keeps_the_pairs_of_its_names(world):
    registry(world, "InstitutionRegistered", SCHOOL)
    world.run()
    kept = {service: inspect(world.stores[service].engine).has_table(directory.terms.name)
            for service in FOLLOWERS}
    assert kept == {"inspection": False, "complaints": False, "tasks": False, "disclosure": True}
    with world.stores["disclosure"].read() as conn:  # the public search finds it by a part
        assert sorted(conn.execute(select(directory.terms.c.term)).scalars()) == sorted(
            search.terms(SCHOOL["name"]))
        assert conn.execute(select(directory.institutions.c.id).where(
            directory.matching(conn, "艺术"))).scalars().all() == ["i-1"]
