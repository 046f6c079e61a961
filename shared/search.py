"""Finding institutions by a piece of their name at a province's size (decision 0014).

A name is indexed as the pairs of neighbouring characters in it (`terms`): 启航学校 →
启航, 航学, 学校. Chinese names have no spaces to split words at and a parent types two
or three characters of one, so every query of two characters or more names at least
one pair. The same table works on SQLite and PostgreSQL (no FTS5 or pg_trgm needed).

Which rows a query reads (`matching`), from the pairs' posting counts (each counted only
up to COMMON, in one statement):
- some pair is rarer than COMMON: the ids posted under its rarest pair and under its
  next two rarest (probed by primary key), then checked with LIKE — a few hundred rows at most
  for a part of a name (学校12345: 12 ∩ 23 ∩ 45);
- a query of two characters (one pair) posted under DENSE names or more, or of pairs
  all posted under COMMON or more (学校, 培训学校): matches are dense, so the names are
  walked in order with LIKE and a page is found after a few hundred rows."""
import functools
import time
import unicodedata

from sqlalchemy import (Column, Index, String, Table, and_, bindparam, delete, func, insert, or_,
                        select, union)

from shared.fastread import execute

COMMON = 5000  # postings from which a pair is too common to lead (a tenth of 50,000 names)
DENSE = 500  # matches from which a two-character query walks the names in order
UNFOLDED = ("Lo", "Nd")  # no character case-folds into or out of these (checked for all)


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
        sqlite_with_rowid=False,  # one b-tree, by (term, id): a posting list is read in order
    )
    Index(f"ix_{name}_institution", table.c.institution_id)
    return table


def index(conn, table, institution_id, name, new=False):
    """(Re)index one institution's name (idempotent: a redelivery writes the same rows);
    `new`: the institution has no pairs yet (its registration), none to delete — in a
    rebuild, which drops the index by id for the replay, each such delete was a scan."""
    unindex, add = _writes(table)
    if not new:
        execute(conn, unindex, {"id": institution_id})
    execute(conn, add, [{"term": term, "institution_id": institution_id}
                        for term in sorted(terms(name))])


@functools.cache
def _writes(table):
    """`index`'s statements for `table`, built once and run on the DB-API cursor
    (shared.fastread): SQLAlchemy's building, cache-keying and executing of a statement
    cost more than running it (a catch-up indexes thousands a page)."""
    return (delete(table).where(table.c.institution_id == bindparam("id")), insert(table))


def matching(conn, table, q, id_column, name_column, credit_code_column=None):
    """A condition on the institutions' table: the name holds `q`, or (given the
    column) the credit code is `q` exactly. Order by the name and limit the query: the
    condition makes either plan cheap (module docstring)."""
    found = name_column.contains(q, autoescape=True)  # % and _ in a name are letters
    code = q.strip().upper()
    if credit_code_column is not None:
        found = or_(found, credit_code_column == code)
    leading = _leading(conn, table, terms(q), whole=len(q) == 2)
    if not leading:
        return found
    first, *others = leading
    probes = [table.alias() for _ in others]  # each probed by (term, id): the primary key
    candidates = select(table.c.institution_id).where(table.c.term == first, *(
        select(probe.c.term).where(probe.c.term == term,
                                   probe.c.institution_id == table.c.institution_id).exists()
        for probe, term in zip(probes, others)))
    if credit_code_column is not None:  # a union, not an OR: both sides keep their index
        candidates = union(candidates, select(id_column).where(credit_code_column == code))
    # read first: as a subquery PostgreSQL's estimate of it (thousands) chose a full scan
    return and_(id_column.in_(conn.execute(candidates).scalars().all()), found)


def count(conn, table, q):
    """How many names hold `q`, read from the index alone when it can tell, else None
    (counting the names themselves walks all of them). It can tell for two letters
    without case or digits (学校, 12): the names posted under that pair are exactly those
    that hold it. Not for letters with case, nor marks: LIKE and the index's case folding
    differ on them (ŉ folds to ʼn)."""
    if len(q) != 2 or not all(unicodedata.category(c) in UNFOLDED for c in q):
        return None
    return conn.execute(_count(table), {"term": q}).scalar()


@functools.cache
def _count(table):
    return select(func.count()).select_from(table).where(table.c.term == bindparam("term"))


def _leading(conn, table, wanted, whole):
    """The (up to three) rarest pairs of `wanted` whose postings lead the query, or none
    when walking the names in order is cheaper (module docstring). `whole`: the query is
    its one pair, so every name posted under it matches (222 is one pair too, but few of
    the names holding 22 hold 222: its postings lead)."""
    if not wanted:
        return []
    ranked = sorted((postings, term) for term, postings in _counts(conn, table, wanted).items())
    if ranked[0][0] >= COMMON or (whole and ranked[0][0] >= DENSE):
        return []
    return [term for postings, term in ranked[:3] if postings < COMMON]


_known = {}  # (database, table, pair) -> (posting count up to COMMON, when counted)
KNOWN_FOR = 300  # seconds a count is used: it only chooses a plan, never what is found


def _counts(conn, table, wanted):
    """Posting counts (each up to COMMON) of the pairs, counted in one statement those
    not counted in the last KNOWN_FOR seconds: counts move slowly, counting costs."""
    now, where = time.monotonic(), (str(conn.engine.url), table.name)
    counts = {term: known[0] for term in wanted
              if (known := _known.get((*where, term))) and now - known[1] < KNOWN_FOR}
    missing = sorted(set(wanted) - set(counts))
    if missing:
        fresh = conn.execute(select(*(
            select(func.count()).select_from(
                select(table.c.term).where(table.c.term == term).limit(COMMON).subquery())
            .scalar_subquery() for term in missing))).one()
        for term, postings in zip(missing, fresh):
            counts[term] = postings
            _known[(*where, term)] = (postings, now)
        if len(_known) > 100_000:  # a bound, not a policy: counting again is cheap enough
            _known.clear()
    return counts
