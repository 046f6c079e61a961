"""Read models derived from a service's own events, updated in the same
transaction as the append, dropped and rebuilt when their VERSION changes."""
from collections import OrderedDict

from sqlalchemy import bindparam, insert, select, update

from shared.fastread import fetch_all
from shared.store import events_table, metadata as store_tables, versions_table, _row_to_event


def handles(*event_names):
    def mark(method):
        method._handles = event_names
        return method
    return mark


class Projection:
    NAME = None
    VERSION = 1
    metadata = None  # each subclass declares its own MetaData with its tables

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._handlers = {}
        for klass in reversed(cls.__mro__):
            for attr in vars(klass).values():
                for name in getattr(attr, "_handles", ()):
                    cls._handlers[name] = attr

    def apply(self, conn, event):
        handler = self._handlers.get(event.NAME)
        if handler is not None:
            handler(self, conn, event)

    def rebuild_if_stale(self, store):
        """Rebuilt from the log when the stored VERSION is not this one (EventStore.create)."""
        rebuild(store, self, only_if_stale=True)

    def clear(self, conn):
        for table in reversed(self.metadata.sorted_tables):
            conn.execute(table.delete())


_compiled_reads = {}


def fetch(conn, statement, parameters):
    """The rows of a query built once (`select(...).where(c == bindparam(...))`), straight
    from the DB-API cursor as tuples: a projection's read on the rebuild's hot path."""
    key = (statement, conn.dialect.name)
    compiled = _compiled_reads.get(key)
    if compiled is None:
        compiled = _compiled_reads[key] = statement.compile(dialect=conn.dialect)
    if isinstance(conn, WriteBehind):
        return conn.fetch(statement, compiled, parameters)
    return fetch_all(conn, statement, compiled, parameters)


def recalled(conn, key, read):
    """What this rebuild last wrote under `key` (`remember`), else `read()`. A
    projection that amends a value it wrote (a row's JSON) need not read it back, which
    would send the rebuild's queued writes first. Live, always `read()`. Every write of
    that value must `remember` it, or a later `recalled` is stale."""
    value = conn.memory.get(key) if isinstance(conn, WriteBehind) else None
    return read() if value is None else value


def remember(conn, key, value):
    """`value` written under `key`, for `recalled` in the rest of a rebuild."""
    if isinstance(conn, WriteBehind):
        conn.remember(key, value)


def rebuild_stale(store):
    for projection in store.projections:
        projection.rebuild_if_stale(store)


def rebuild(store, projection, progress=None, batch=5000, only_if_stale=False):
    """Replay the whole log into one projection, in one serialised write transaction:
    no append lands between the replay and the version mark, and replicas starting
    together on a new VERSION rebuild it once (the second finds it current).

    Fast (docs/decisions/0013-follow-cursor-and-rebuild.md): the log is read in big
    pages straight from the DB-API cursor, and the projection writes through
    `WriteBehind`, which sends its statements in batches."""
    store_tables.create_all(store.engine, tables=[versions_table])
    with store.writing() as conn:
        store.lock_schema(conn)  # a replica starting meanwhile waits, then finds it current
        if only_if_stale and conn.execute(select(versions_table.c.version).where(
                versions_table.c.name == projection.NAME)).scalar() == projection.VERSION:
            return
        projection.metadata.drop_all(conn)
        projection.metadata.create_all(conn)
        # filled first, indexed after: one sort per index instead of a b-tree insert per row
        # (a unique index stays: it refuses during the replay what the live path refused;
        # a write that looks rows up by another index scans its table meanwhile)
        indexes = [index for table in projection.metadata.sorted_tables
                   for index in table.indexes if not index.unique]
        for index in indexes:
            index.drop(conn)
        if not store.is_postgres:  # the rebuild's pages stay in memory, not spilled to the WAL
            cache_size = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            conn.exec_driver_sql(f"PRAGMA cache_size=-{REBUILD_CACHE_KIB}")
        writes = WriteBehind(conn)
        names, decode = store.catalogue, store.decode
        page_sql = _LOG_PAGE.compile(dialect=store.engine.dialect)
        position = 0
        while True:
            rows = fetch_all(conn, _LOG_PAGE, page_sql,
                             page_sql.construct_params({"after": position, "limit": batch}))
            if not rows:
                break
            for row in rows:
                if row[4] in names:
                    projection.apply(writes, decode(_row_to_event(row)))
            position = rows[-1][0]
            if progress:
                progress(len(rows))
        writes.flush()
        for index in indexes:
            index.create(conn)
        if not store.is_postgres:  # the pooled connection goes back as it came
            conn.exec_driver_sql(f"PRAGMA cache_size={int(cache_size)}")
        table = versions_table
        done = conn.execute(update(table).where(table.c.name == projection.NAME)
                            .values(version=projection.VERSION))
        if done.rowcount == 0:
            conn.execute(insert(table).values(name=projection.NAME, version=projection.VERSION))


REBUILD_CACHE_KIB = 64 * 1024


def _rows(parameters):
    """The rows of one statement's parameters (a dict, or a list of dicts of the same
    keys: an executemany), or None."""
    if isinstance(parameters, dict):
        return [parameters]
    if isinstance(parameters, list) and parameters and all(
            isinstance(row, dict) and row.keys() == parameters[0].keys() for row in parameters):
        return parameters
    return None


_LOG_PAGE = (select(events_table).where(events_table.c.position > bindparam("after"))
             .order_by(events_table.c.position).limit(bindparam("limit")))


class WriteBehind:
    """The connection a projection writes to during a rebuild. A write executed with a
    dict of parameters, or a list of dicts of the same keys (`conn.execute(STATEMENT,
    {...})`, the statements built once that projections use), is queued, in order, and
    sent in batches: on PostgreSQL many statements in one round trip, on SQLite a run of
    one statement as one executemany, both straight to the DB-API cursor; a queued
    write answers None (no row count). Anything else — a read, a statement with its
    values inline — sends the queue first, then runs as usual: the projection sees every
    write it made, in the order it made them. `remember` keeps values a projection
    amends (`recalled`)."""

    MAX_QUEUED = 1000
    MEMORY = 20_000

    def __init__(self, conn):
        self.conn = conn
        self.memory = OrderedDict()  # see remember
        self.dialect = conn.dialect
        self.postgres = self.dialect.name == "postgresql"
        self.queued = []      # (sql, parameters)
        self._compiled = {}   # (statement, keys) -> (statement, compiled, defaults) or None

    def execute(self, statement, parameters=None, **kwargs):
        rows = None if kwargs else _rows(parameters)
        entry = self._entry(statement, rows[0]) if rows else None
        if entry:
            sql, fixed, names = entry
            if names is None:  # named parameters (psycopg2)
                self.queued += [(sql, {**fixed, **row}) for row in rows]
            else:
                self.queued += [(sql, tuple([row[name] if name in row else fixed[name]
                                             for name in names])) for row in rows]
            if len(self.queued) >= self.MAX_QUEUED:
                self.flush()
            return None
        self.flush()
        return self.conn.execute(statement, parameters, **kwargs)

    def remember(self, key, value):
        """Keep `value`, which this rebuild just wrote, for `recalled` (the latest
        MEMORY keys): reading it back would send the queue first."""
        self.memory[key] = value
        self.memory.move_to_end(key)
        if len(self.memory) > self.MEMORY:
            self.memory.popitem(last=False)

    def __getattr__(self, name):  # everything else is the connection's (after the queue)
        self.flush()
        return getattr(self.conn, name)

    def _entry(self, statement, parameters):
        """(SQL, the values not given per call, the positional order) of a write, or None
        if it cannot be queued."""
        if not getattr(statement, "is_dml", False):
            return None
        key = (id(statement), tuple(parameters))
        entry = self._compiled.get(key)
        if entry is None:
            if len(self._compiled) > 512:  # statements built per call: not worth caching
                self._compiled.clear()
            entry = self._compiled[key] = self._compile(statement, parameters)
        return entry[1:] if entry else None

    def _compile(self, statement, parameters):
        """(statement, SQL, the values not given per call, the positional order) or False."""
        compiled = statement.compile(dialect=self.dialect, column_keys=list(parameters))
        if compiled.postfetch or compiled.effective_returning:
            return False
        fixed = {}
        for column in compiled.insert_prefetch:
            if column.default is None or not column.default.is_scalar:
                return False  # a default computed per row: SQLAlchemy's own path runs it
            fixed[column.key] = column.default.arg
        if compiled.update_prefetch:
            return False
        # the literals in the statement (`.values(x=1)`, `c + 1`), as construct_params has them
        fixed = {name: value for name, value in compiled.construct_params(fixed, _check=False).items()
                 if name not in parameters}
        return statement, compiled.string, fixed, (
            compiled.positiontup if compiled.positional else None)

    def fetch(self, statement, compiled, parameters):
        """A read after the queue; on PostgreSQL in the same round trip as the queue."""
        if not (self.postgres and self.queued):
            self.flush()
            return fetch_all(self.conn, statement, compiled, parameters)
        queued, self.queued = self.queued, []
        cursor = self.conn.connection.cursor()
        try:  # psycopg2 answers with the last statement's rows
            cursor.execute(b";".join([*(cursor.mogrify(sql, values) for sql, values in queued),
                                      cursor.mogrify(compiled.string, parameters)]))
            return cursor.fetchall()
        finally:
            cursor.close()

    def flush(self):
        if not self.queued:
            return
        queued, self.queued = self.queued, []
        cursor = self.conn.connection.cursor()
        try:
            if self.postgres:  # one round trip for the lot
                cursor.execute(b";".join(cursor.mogrify(sql, values) for sql, values in queued))
            else:
                start = 0
                while start < len(queued):  # runs of one statement: one executemany each
                    sql, end = queued[start][0], start + 1
                    while end < len(queued) and queued[end][0] is sql:
                        end += 1
                    if end - start == 1:
                        cursor.execute(sql, queued[start][1])
                    else:
                        cursor.executemany(sql, [values for _, values in queued[start:end]])
                    start = end
        finally:
            cursor.close()
