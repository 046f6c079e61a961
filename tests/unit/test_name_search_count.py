"""A registrar's search by two characters tells how many institutions hold them, read from
the index of pairs (shared.search.count) — the same number as counting the names, or no
answer where the index could differ (letters with case or folded into others, marks,
a longer query)."""
import pytest
from sqlalchemy import Column, MetaData, String, Table, create_engine, func, select

from shared import search
from shared.store import normalise_url

metadata = MetaData()
names = Table("names", metadata, Column("id", String, primary_key=True), Column("name", String))
terms = search.terms_table(metadata)
NAMES = ["海星艺术培训学校", "启航学校", "学学学堂", "ABC英语学校", "abc少儿英语", "百分百%培训",
         "阳光_学堂", "Straße舞蹈", "启航学校12", "ꭰꭱ学校", "ŉ学堂"]


@pytest.fixture
def conn(database_url):
    engine = create_engine(normalise_url(database_url))
    metadata.create_all(engine)
    with engine.begin() as conn:
        for n, name in enumerate(NAMES):
            conn.execute(names.insert(), {"id": str(n), "name": name})
            search.index(conn, terms, str(n), name)
        yield conn
    engine.dispose()


def holding(conn, q):
    return conn.execute(select(func.count()).select_from(names).where(
        names.c.name.contains(q, autoescape=True))).scalar()


@pytest.mark.parametrize("q", ["学校", "学堂", "学学", "英语", "无有", "12"])
def test_two_characters_without_case_are_counted_from_the_index_as_the_names_hold_them(conn, q):
    assert search.count(conn, terms, q) == holding(conn, q)


@pytest.mark.parametrize("q", ["ab", "AB", "ße", "ᎠᎡ", "ʼn", "%培", "_学", "学学学", "学",
                               "培训学校"])
def test_letters_with_case_or_another_length_are_not_counted_from_the_index(conn, q):
    assert search.count(conn, terms, q) is None
