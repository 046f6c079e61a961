"""The institution search's index (decision 0014): the pairs of characters of every
mirrored institution's name, in a table of its own keyed by institution id. The
reaction to a registration indexes the name; a rebuild (`otg projections rebuild
disclosure`, or a new VERSION at start) indexes the mirror afresh."""
from sqlalchemy import MetaData, select

from shared import search as name_search
from shared.projections import Projection

from .projections import m_institutions

index_metadata = MetaData()
search_terms = name_search.terms_table(index_metadata)


class SearchIndex(Projection):
    NAME = "disclosure-search"
    VERSION = 1
    metadata = index_metadata

    def replayed(self, conn):
        c = m_institutions.c
        name_search.index_all(conn, search_terms, conn.execute(
            select(c.id, c.name).where(c.name != "").order_by(c.id)))


def institution_named(conn, institution_id, name):
    name_search.index(conn, search_terms, institution_id, name)


def institutions(conn, q, district=None, page=1, per_page=20):
    """A page of the mirrored institutions whose name holds `q` or whose credit code
    is `q`, by name, and whether another page follows (no count: a count of every
    match would read them all)."""
    c = m_institutions.c
    query = select(m_institutions).where(
        c.name != "", name_search.matching(conn, search_terms, q, c.id, c.name, c.credit_code))
    if district:
        query = query.where(c.district == district)
    rows = conn.execute(query.order_by(c.name, c.id).limit(per_page + 1)
                        .offset((page - 1) * per_page)).all()
    return [row._asdict() for row in rows[:per_page]], len(rows) > per_page
