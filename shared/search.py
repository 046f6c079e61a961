"""Finding institutions by a piece of their name at a province's size (decision 0014).

A name is indexed as the pairs of neighbouring characters in it (`terms`): 启航学校 →
启航, 航学, 学校. Chinese names have no spaces to split words at and a parent types two
or three characters of one, so every query of two characters or more names at least
one pair. The same table works on SQLite and PostgreSQL (no FTS5 or pg_trgm needed).

A query reads the postings of its rarest pair — counted only up to RARE, so counting
costs little — and keeps the names that hold the whole query (LIKE on those few rows).
A query made only of pairs that RARE or more names share (学校) matches so many names
that walking the names in order, with LIKE, finds a page of them at once."""
from sqlalchemy import Column, Index, String, Table, and_, delete, func, insert, or_, select

RARE = 2000  # postings of the rarest pair up to which the pair, not the name order, leads


def terms(text):
    """The pairs of neighbouring characters of `text`, case folded (LIKE on SQLite
    ignores ASCII case: an index narrower than LIKE would lose matches)."""
    folded = (text or "").casefold()
    return {folded[i:i + 2] for i in range(len(folded) - 1)}


def terms_table(metadata, name="search_terms"):
    """A table of (term, institution_id): the posting lists of the pairs."""
    table = Table(
        name, metadata,
        Column("term", String(2), primary_key=True),
        Column("institution_id", String(36), primary_key=True),
    )
    Index(f"ix_{name}_institution", table.c.institution_id)
    return table


def index(conn, table, institution_id, name):
    """(Re)index one institution's name (idempotent: a redelivery writes the same rows)."""
    conn.execute(delete(table).where(table.c.institution_id == institution_id))
    rows = [{"term": term, "institution_id": institution_id} for term in sorted(terms(name))]
    if rows:
        conn.execute(insert(table), rows)


def index_all(conn, table, rows, batch=5000):
    """Index (id, name) rows into an empty table (a rebuild)."""
    pending = []
    for institution_id, name in rows:
        pending += [{"term": term, "institution_id": institution_id} for term in terms(name)]
        if len(pending) >= batch:
            conn.execute(insert(table), pending)
            pending = []
    if pending:
        conn.execute(insert(table), pending)


def matching(conn, table, q, id_column, name_column, credit_code_column=None):
    """A condition on the institutions' table: the name holds `q`, or (given the
    column) the credit code is `q` exactly. Order by the name and limit the query: the
    condition makes either plan cheap (module docstring)."""
    found = name_column.contains(q, autoescape=True)  # % and _ in a name are letters
    code = q.strip().upper()
    if credit_code_column is not None:
        found = or_(found, credit_code_column == code)
    rarest = _rarest(conn, table, terms(q))
    if rarest is None:
        return found
    candidates = select(table.c.institution_id).where(table.c.term == rarest)
    if credit_code_column is not None:  # a union, not an OR: both sides keep their index
        candidates = candidates.union(select(id_column).where(credit_code_column == code))
    return and_(id_column.in_(candidates), found)


def _rarest(conn, table, wanted):
    """The pair of `wanted` with the fewest postings, if it has fewer than RARE (the
    pairs counted in one statement, each up to RARE rows)."""
    if not wanted:
        return None
    pairs = sorted(wanted)
    counts = conn.execute(select(*(
        select(func.count()).select_from(
            select(table.c.term).where(table.c.term == term).limit(RARE).subquery())
        .scalar_subquery() for term in pairs))).one()
    fewest, term = min(zip(counts, pairs))
    return term if fewest < RARE else None
