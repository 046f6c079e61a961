"""One row written or read with statements built once (shared.statements): the mirrors'
upsert updates the row that is there, inserts the one that is not, and never mixes rows,
on SQLite and on PostgreSQL."""
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select

from shared import statements

metadata = MetaData()
lists = Table("lists", metadata,
              Column("district", String, primary_key=True),
              Column("batch_no", Integer, primary_key=True),
              Column("published_on", String),
              Column("filed", Integer),
              Column("first_seen", String))


@pytest.fixture(params=["sqlite", "postgresql"])
def conn(request, tmp_path):
    if request.param == "postgresql":
        from shared.store import normalise_url
        engine = create_engine(normalise_url(request.getfixturevalue("postgres_url")))
    else:
        engine = create_engine(f"sqlite:///{tmp_path / 'rows.db'}")
    metadata.create_all(engine)
    with engine.begin() as conn:
        yield conn
    engine.dispose()


def all_rows(conn):
    return [row._asdict() for row in conn.execute(
        select(lists).order_by(lists.c.district, lists.c.batch_no))]


def test_upsert_inserts_a_row_that_is_not_there_with_its_first_values(conn):
    statements.upsert(conn, lists, {"district": "371002", "batch_no": 1},
                      {"published_on": "2026-12-01"}, first_seen="a")
    assert all_rows(conn) == [{"district": "371002", "batch_no": 1, "published_on": "2026-12-01",
                               "filed": None, "first_seen": "a"}]


def test_upsert_updates_only_the_row_of_its_key_and_keeps_what_it_does_not_set(conn):
    for batch_no in (1, 2):
        statements.upsert(conn, lists, {"district": "371002", "batch_no": batch_no},
                          {"published_on": "2026-12-01"}, first_seen="a")
    statements.upsert(conn, lists, {"district": "371002", "batch_no": 2}, {"filed": 1},
                      first_seen="b")
    assert all_rows(conn) == [
        {"district": "371002", "batch_no": 1, "published_on": "2026-12-01", "filed": None,
         "first_seen": "a"},
        {"district": "371002", "batch_no": 2, "published_on": "2026-12-01", "filed": 1,
         "first_seen": "a"}]


def test_upsert_with_nothing_to_set_makes_the_row_once(conn):
    key = {"district": "371003", "batch_no": 7}
    statements.upsert(conn, lists, key, {})
    statements.upsert(conn, lists, key, {"district": "371003"})  # the key only: nothing to set
    assert [(r["district"], r["batch_no"]) for r in all_rows(conn)] == [("371003", 7)]


def test_row_reads_one_row_by_a_column_or_none(conn):
    statements.upsert(conn, lists, {"district": "371002", "batch_no": 1}, {"filed": 0})
    assert statements.row(conn, lists, "district", "371002")["batch_no"] == 1
    assert statements.row(conn, lists, "district", "371099") is None
    assert statements.row(conn, lists, "district", None) is None
