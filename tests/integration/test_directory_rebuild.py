"""A follower's institution directory (shared.directory) rebuilt from the registry's feed,
over real HTTP, equals the one its handlers built from the bus; a follower upgraded to
the directory fills it from the feed at start."""
from click.testing import CliRunner
from sqlalchemy import delete, select

from services.inspection.service import InspectionService
from services.registry.service import RegistryService
from shared import directory
from shared.messaging import Follower
from otg.cli import main
from shared.store import cursors_table, inbox_table
from support import eventually
from test_registry_http import institution


def rows(api):
    with api.store.read() as conn:
        return [row._asdict() for row in conn.execute(
            select(directory.institutions).order_by(directory.institutions.c.id))]


def registry_history(registry, token):
    """Two institutions: one suspended, reinstated and black-listed, one closed;
    returns the directory rows a follower should end with (their ids and states)."""
    registrar = token(department="culture_tourism")
    first = registry.post("/institutions", registrar, json=institution()).json()["id"]
    second = registry.post("/institutions", registrar, json=institution(
        credit="91371002MA3C00002", name="启明（书法）培训")).json()["id"]
    for path, body in (("suspend", {"reason": "消防隐患"}), ("reinstate", {}),
                       ("review", {"reason": "无证办学"}),
                       ("review/decision", {"decision": "blacklisted", "reason": "无证办学"})):
        answer = registry.post(f"/institutions/{first}/{path}", registrar, json=body)
        assert answer.status_code < 300, answer.text
    assert registry.post(f"/institutions/{second}/close", registrar,
                         json={"reason": "注销"}).status_code == 200
    return {first: ("open", True), second: ("closed", False)}


def settled(api, expected):
    return eventually(lambda: (lambda now: now if {
        row["id"]: (row["status"], row["blacklisted"]) for row in now} == expected else None)(
        rows(api)), timeout=20)


def test_a_directory_rebuilt_from_the_registrys_feed_equals_the_live_one(
        start_service, token, tmp_path, monkeypatch):
    registry = start_service(RegistryService)
    inspection = start_service(InspectionService)
    live = settled(inspection, registry_history(registry, token))
    assert {row["norm_name"] for row in live} == {"海星艺术培训学校", "启明书法培训"}
    inspection.container.stop()
    monkeypatch.setenv("INSPECTION_DATABASE_URL", f"sqlite:///{tmp_path / 'inspection'}.db")
    done = CliRunner().invoke(main, ["projections", "rebuild", "inspection"])
    assert done.exit_code == 0, done.output
    assert "institution directory of inspection" in done.output
    assert rows(inspection) == live


def test_a_follower_upgraded_to_the_directory_fills_it_from_the_feed_at_start(
        start_service, token, tmp_path):
    registry = start_service(RegistryService)
    database = f"sqlite:///{tmp_path / 'follower'}.db"
    before = start_service(InspectionService, database_url=database)
    expected = registry_history(registry, token)
    live = settled(before, expected)
    before.container.stop()
    with before.store.writing() as conn:   # as a release without the directory left it
        conn.execute(delete(directory.institutions))
        conn.execute(delete(cursors_table).where(cursors_table.c.name == directory.FILLED))
    after = start_service(InspectionService, database_url=database, follow_feeds=True)
    assert settled(after, expected) == live


def test_a_new_follower_fills_its_directory_by_its_catch_up_alone(
        start_service, token, tmp_path, monkeypatch):
    refills = []
    refill = directory.refill
    monkeypatch.setattr(directory, "refill",
                        lambda store, feed: refills.append(store) or refill(store, feed))
    registry = start_service(RegistryService)
    expected = registry_history(registry, token)
    database = f"sqlite:///{tmp_path / 'follower'}.db"
    first = start_service(InspectionService, database_url=database, follow_feeds=True)
    live = settled(first, expected)
    first.container.stop()
    again = start_service(InspectionService, database_url=database, follow_feeds=True)
    eventually(lambda: again.container.shared_extensions[Follower].replays == 1)
    assert rows(again) == live
    assert refills == []  # its inbox was empty: nothing to fill twice, then or after


def test_a_follower_whose_cursor_is_past_the_registrations_fills_its_directory_from_the_feed(
        start_service, token, tmp_path):
    """Its inbox says nothing (consumers renamed, or an inbox emptied by hand), but its
    follow cursor would skip every registration: the feed fills the directory."""
    registry = start_service(RegistryService)
    database = f"sqlite:///{tmp_path / 'follower'}.db"
    before = start_service(InspectionService, database_url=database, follow_feeds=True)
    expected = registry_history(registry, token)
    live = settled(before, expected)
    before.container.stop()
    with before.store.writing() as conn:
        assert conn.execute(select(cursors_table.c.position).where(
            cursors_table.c.name.like("follow:registry:%"))).scalar() > 0
        conn.execute(delete(directory.institutions))
        conn.execute(delete(inbox_table))
        conn.execute(delete(cursors_table).where(cursors_table.c.name == directory.FILLED))
    after = start_service(InspectionService, database_url=database, follow_feeds=True)
    assert settled(after, expected) == live
