"""A rebuild's writes queued and sent in batches (shared.projections.WriteBehind) land
as if each were run at once: lists of rows too, and a value the rebuild amends is the
one it last wrote, whether it still remembers it or reads it back."""
import pytest
from sqlalchemy import Column, MetaData, String, Table, bindparam, create_engine, insert, select, update

from shared import fastread
from shared.projections import WriteBehind, fetch, recalled, remember

metadata = MetaData()
rows = Table("rows", metadata, Column("id", String, primary_key=True), Column("value", String))
INSERT = insert(rows)
UPDATE = update(rows).where(rows.c.id == bindparam("_id"))
VALUE = select(rows.c.value).where(rows.c.id == bindparam("_id"))


@pytest.fixture
def conn(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/rebuild.db")
    metadata.create_all(engine)
    with engine.begin() as conn:
        yield conn
    engine.dispose()


def amend(writes, row_id, suffix):
    """A projection's handler that adds to a value it wrote before (a row's JSON)."""
    key = ("value", row_id)
    value = recalled(writes, key, lambda: fetch(writes, VALUE, {"_id": row_id})[0][0]) + suffix
    remember(writes, key, value)
    writes.execute(UPDATE, {"_id": row_id, "value": value})


def test_a_list_of_rows_is_queued_and_lands_with_the_rest_in_order(conn):
    writes = WriteBehind(conn)
    fastread.execute(writes, INSERT, [{"id": str(n), "value": "a"} for n in range(3)])
    writes.execute(UPDATE, {"_id": "1", "value": "b"})
    assert writes.queued and not conn.execute(select(rows)).all()  # nothing sent yet
    writes.flush()
    assert sorted(conn.execute(select(rows)).all()) == [("0", "a"), ("1", "b"), ("2", "a")]


def test_an_amended_value_is_the_last_written_whether_remembered_or_read_back(conn):
    writes = WriteBehind(conn)
    writes.MEMORY = 2
    for n in range(4):
        writes.execute(INSERT, {"id": str(n), "value": "a"})
        remember(writes, ("value", str(n)), "a")
    for n in range(4):  # 0 and 1 are forgotten (read back), 2 and 3 remembered
        amend(writes, str(n), "b")
    amend(writes, "0", "c")
    writes.flush()
    assert sorted(conn.execute(select(rows)).all()) == [
        ("0", "abc"), ("1", "ab"), ("2", "ab"), ("3", "ab")]
