"""The hot path's statements on the DB-API cursor (shared.fastread.execute) answer as
SQLAlchemy would: a count or a value, SQLAlchemy's errors, and SQLAlchemy's own path
where the connection was lost."""
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, create_engine, insert, select
from sqlalchemy.exc import IntegrityError

from shared import fastread

metadata = MetaData()
pairs = Table("pairs", metadata, Column("term", String, primary_key=True),
              Column("institution", Integer, primary_key=True))
INSERT = insert(pairs)
FIRST = select(pairs.c.institution).where(pairs.c.term == bindparam("term"))


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/fast.db")
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_a_write_counts_its_rows_and_a_read_gives_its_first_value(engine):
    with engine.begin() as conn:
        assert fastread.execute(conn, INSERT, [{"term": "启航", "institution": n} for n in (1, 2)]) == 2
        assert fastread.execute(conn, INSERT, {"term": "航学", "institution": 3}) == 1
        assert fastread.execute(conn, FIRST, {"term": "航学"}) == 3
        assert fastread.execute(conn, FIRST, {"term": "学校"}) is None
    with engine.connect() as conn:  # committed with the transaction it ran in
        assert conn.execute(select(pairs.c.term)).scalars().all() == ["启航", "启航", "航学"]


def test_a_duplicate_is_sqlalchemys_integrity_error_and_undone_with_its_savepoint(engine):
    with engine.begin() as conn:
        fastread.execute(conn, INSERT, {"term": "启航", "institution": 1})
        savepoint = conn.begin_nested()
        with pytest.raises(IntegrityError):
            fastread.execute(conn, INSERT, {"term": "启航", "institution": 1})
        savepoint.rollback()
        fastread.execute(conn, INSERT, {"term": "启航", "institution": 2})
    with engine.connect() as conn:
        assert conn.execute(select(pairs.c.institution)).scalars().all() == [1, 2]


def test_a_connection_lost_before_its_statement_reconnects_as_sqlalchemy_does(engine):
    with engine.connect() as conn:
        conn.invalidate()
        assert fastread.execute(conn, INSERT, {"term": "启航", "institution": 1}) == 1
        conn.commit()
    with engine.connect() as conn:
        assert conn.execute(select(pairs.c.institution)).scalars().all() == [1]

