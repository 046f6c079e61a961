"""The public institution search (decision 0014): the directory's names found by a part
of them through its index of pairs of characters (shared.directory, shared.search)."""
from sqlalchemy import select

from shared import directory


def institutions(conn, q, district=None, page=1, per_page=20):
    """A page of the directory's institutions whose name holds `q` or whose credit code
    is `q`, by name, and whether another page follows (no count: a count of every
    match would read them all)."""
    c = directory.institutions.c
    query = select(directory.institutions).where(c.name != "", directory.matching(conn, q))
    if district:
        query = query.where(c.district == district)
    rows = conn.execute(query.order_by(c.name, c.id).limit(per_page + 1)
                        .offset((page - 1) * per_page)).all()
    return [row._asdict() for row in rows[:per_page]], len(rows) > per_page
