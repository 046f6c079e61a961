"""Read models derived from a service's own events, updated in the same
transaction as the append, dropped and rebuilt when their VERSION changes."""
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, update

from shared.store import events_table, _row_to_event

_versions = MetaData()
versions_table = Table(
    "projection_versions", _versions,
    Column("name", String(100), primary_key=True),
    Column("version", Integer, nullable=False),
)


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

    def replayed(self, conn):
        """After a rebuild's replay: a read model that also derives from tables outside
        the log (another service's data mirrored here) fills itself from them."""

    def clear(self, conn):
        for table in reversed(self.metadata.sorted_tables):
            conn.execute(table.delete())


def rebuild_stale(store):
    for projection in store.projections:
        rebuild(store, projection, only_if_stale=True)


def rebuild(store, projection, progress=None, batch=2000, only_if_stale=False):
    """Replay the whole log into one projection, in one serialised write transaction:
    no append lands between the replay and the version mark, and replicas starting
    together on a new VERSION rebuild it once (the second finds it current)."""
    _versions.create_all(store.engine)
    with store.writing() as conn:
        if only_if_stale and conn.execute(select(versions_table.c.version).where(
                versions_table.c.name == projection.NAME)).scalar() == projection.VERSION:
            return
        projection.metadata.drop_all(conn)
        projection.metadata.create_all(conn)
        position = 0
        while True:
            rows = conn.execute(select(events_table).where(events_table.c.position > position)
                                .order_by(events_table.c.position).limit(batch)).all()
            if not rows:
                break
            for row in rows:
                stored = _row_to_event(row)
                if stored.name in store.catalogue:
                    projection.apply(conn, store.decode(stored))
            position = rows[-1].position
            if progress:
                progress(len(rows))
        projection.replayed(conn)
        table = versions_table
        done = conn.execute(update(table).where(table.c.name == projection.NAME)
                            .values(version=projection.VERSION))
        if done.rowcount == 0:
            conn.execute(insert(table).values(name=projection.NAME, version=projection.VERSION))
