"""The event store (SQLAlchemy 2 Core): append with an expected version, load a
stream, read the log after a global position. The events table is the outbox.

Writers are serialised — BEGIN IMMEDIATE on SQLite, a transaction-scoped
advisory lock on PostgreSQL — so positions become visible in order and a reader
of the log never skips an event that commits later with a smaller position.

Units of work share commits (group commit, docs/decisions/0012-group-commit.md):
in one process, units that queue for the writer while another runs join its
transaction, each (but the first) as a SAVEPOINT (a failing unit rolls back to
its own only), and the last of the group commits for all — one fsync for many.
A unit returns only once the commit holding it is durable, and a failing COMMIT
fails every unit of its group. Units still run one at a time, so the guarantees
above are unchanged.
"""
import collections
import copy
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field

from sqlalchemy import (Column, Integer, MetaData, String, Table, Text,
                        UniqueConstraint, bindparam, create_engine, event, func,
                        insert, select, update)
from sqlalchemy.exc import IntegrityError

from shared import statements
from shared.clock import SystemClock, rfc3339
from shared.fastread import execute, execute_plain, fetch_all, loads as _loads
from shared.errors import ConcurrencyError, NotFound

metadata = MetaData()
events_table = Table(
    "events", metadata,
    Column("position", Integer, primary_key=True, autoincrement=True),
    Column("id", String(36), nullable=False, unique=True),
    Column("stream_id", String(120), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("name", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("time", String(40), nullable=False),
    Column("data", Text, nullable=False),
    Column("meta", Text, nullable=False),
    UniqueConstraint("stream_id", "sequence", name="uq_stream_sequence"),
)
inbox_table = Table(
    "inbox", metadata,
    Column("consumer", String(200), primary_key=True),
    Column("event_id", String(64), primary_key=True),
)
cursors_table = Table(
    "cursors", metadata,
    Column("name", String(200), primary_key=True),
    Column("position", Integer, nullable=False),
)
versions_table = Table(  # the VERSION each projection was last built at (shared.projections)
    "projection_versions", metadata,
    Column("name", String(100), primary_key=True),
    Column("version", Integer, nullable=False),
)

log = logging.getLogger(__name__)
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# Built once: SQLAlchemy then skips building and cache-keying a statement per call
# (bench/README.md: appends +70 %, replay +37 %).
_STREAM = (select(events_table).where(events_table.c.stream_id == bindparam("stream_id"))
           .order_by(events_table.c.sequence))
_STREAM_VERSION = (select(func.max(events_table.c.sequence))
                   .where(events_table.c.stream_id == bindparam("stream_id")))
_INSERT_EVENT = insert(events_table)
_AFTER = (select(events_table).where(events_table.c.position > bindparam("position"))
          .order_by(events_table.c.position).limit(bindparam("limit")))
_AFTER_NAMED = _AFTER.where(events_table.c.name.in_(bindparam("names", expanding=True)))
_CURSOR = select(cursors_table.c.position).where(cursors_table.c.name == bindparam("name"))
_HANDLED = select(inbox_table.c.event_id).where(inbox_table.c.consumer == bindparam("consumer"),
                                                inbox_table.c.event_id == bindparam("event_id"))
_HANDLED_AMONG = select(inbox_table.c.consumer, inbox_table.c.event_id).where(
    inbox_table.c.consumer.in_(bindparam("consumers", expanding=True)),
    inbox_table.c.event_id.in_(bindparam("event_ids", expanding=True)))
_INSERT_INBOX = insert(inbox_table)
_ADVISORY_KEY = 0x07_06_07  # any constant shared by all writers of one database
MAX_GROUP = 64   # units of work sharing one commit, at most (a held batch excepted)
ORPHAN_CHECK = 1.0  # s: how often a unit waiting for its group's commit checks for the lock
WRITES = "otg.writes"  # the cursor a store with count_writes moves on by each unit of work
_COUNT_WRITE = (update(cursors_table).where(cursors_table.c.name == WRITES)
                .values(position=cursors_table.c.position + 1))


class AlreadyHandled(Exception):
    """The inbound event was handled by this consumer before: nothing changes."""


@dataclass(slots=True)
class StoredEvent:
    position: int
    id: str
    stream_id: str
    sequence: int
    name: str
    version: int
    time: str
    data: dict
    meta: dict


@dataclass
class Context:
    """Who and what caused the events a unit of work appends."""
    actor: str = "system"
    officer: str | None = None    # the named officer's id, for a console request
    correlation_id: str | None = None
    causation_id: str | None = None
    consumer: str | None = None   # set when handling an inbound event
    event_id: str | None = None
    batch: "Batch | None" = None  # commit with the batch's other units, at its end


def normalise_url(url):
    """`postgresql://` means psycopg2 here: it cooperates with eventlet (STACK-NOTES 5),
    while SQLAlchemy 2.1 would pick psycopg 3 for a bare `postgresql://`."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def make_engine(url):
    url = normalise_url(url)
    engine = _make_engine(url)
    # SAVEPOINT and RELEASE straight to the driver: SQLAlchemy compiles each anew, and
    # every unit of work of a group but its first takes one (a catch-up: thousands a page)
    engine.dialect.do_savepoint = _savepoint
    engine.dialect.do_release_savepoint = _release_savepoint
    return engine


def _savepoint(conn, name):
    execute_plain(conn, f"SAVEPOINT {name}")


def _release_savepoint(conn, name):
    execute_plain(conn, f"RELEASE SAVEPOINT {name}")


def _make_engine(url):
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection):
            write = connection.get_execution_options().get("otg_write")
            connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _row_to_event(row):
    # by index, in the column order of events_table (replay +25 %)
    return StoredEvent(row[0], row[1], row[2], row[3], row[4], row[5], row[6],
                       _loads(row[7]), _loads(row[8]))


_SCHEMA_LOCK = 0x6F7467  # "otg": the advisory lock key of schema creation


class EventStore:
    def __init__(self, url, catalogue, projections=(), clock=None, count_writes=False):
        self.url = url
        self.count_writes = count_writes  # WRITES counts the units of work: a page's validator
        self.engine = make_engine(url)
        self.catalogue = catalogue
        self.projections = list(projections)
        self.tables = []  # the MetaData `create` made besides the store's and projections'
        self.clock = clock or SystemClock()
        self.committed = threading.Event()   # wakes the relay right after a commit
        self.skipped = collections.Counter()  # deliveries of handled events, per consumer
        self._writers = threading.Lock()     # in-process writers queue here, not in SQLite
        self._waiting = 0                    # units queued for _writers: they join the open group
        self._counting = threading.Lock()    # guards _waiting (threads, not only greenlets)
        self._group = None                   # the open transaction units join, if any
        self._green = _greenlets()
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self._stream_sql = _STREAM.compile(dialect=self.engine.dialect)

    # -- schema -----------------------------------------------------------
    def create(self, tables=()):
        """The store's tables, its projections' and `tables` (MetaData), with every index
        they declare (one added since a database was made is made now), then stale
        projections rebuilt. Replicas starting together take turns: on SQLite a write
        transaction, on PostgreSQL an advisory lock (two CREATE TABLEs of one name at once
        collide in pg_type)."""
        with self.engine.connect().execution_options(otg_write=True) as conn, conn.begin():
            self.lock_schema(conn)
            for schema in (metadata, *(p.metadata for p in self.projections), *tables):
                schema.create_all(conn)
                for table in schema.sorted_tables:  # an index added to a table that exists
                    for index in table.indexes:     # (create_all makes a table's only with it)
                        index.create(conn, checkfirst=True)
        self.tables += [schema for schema in tables if schema not in self.tables]
        for projection in self.projections:
            projection.rebuild_if_stale(self)

    def lock_schema(self, conn):
        """On PostgreSQL, wait until no other connection changes this database's tables
        (replicas starting together: one creates or rebuilds, the next finds it done);
        held until `conn`'s transaction ends. SQLite serialises its writers anyway."""
        if self.is_postgres:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_SCHEMA_LOCK})")

    def dispose(self):
        self.engine.dispose()

    # -- writing ----------------------------------------------------------
    def unit(self, context=None):
        return UnitOfWork(self, context or Context())

    def decode(self, stored):
        event = self.catalogue.decode(stored.name, stored.version, stored.data)
        event.meta = stored
        return event

    # -- reading ----------------------------------------------------------
    def read(self):
        """A read-only connection for queries: `with store.read() as conn:`."""
        return self.engine.connect()

    def load_stream(self, stream_id, conn=None):
        if conn is None:
            with self.read() as conn:
                return self.load_stream(stream_id, conn)
        rows = fetch_all(conn, _STREAM, self._stream_sql, {"stream_id": stream_id})
        return [_row_to_event(row) for row in rows]

    def read_after(self, position, limit=1000, names=None):
        query, params = _AFTER, {"position": position, "limit": limit}
        if names:
            query, params = _AFTER_NAMED, {**params, "names": list(names)}
        with self.read() as conn:
            return [_row_to_event(row) for row in conn.execute(query, params)]

    def last_position(self):
        with self.read() as conn:
            return conn.execute(select(func.max(events_table.c.position))).scalar() or 0

    def handled(self, consumer, event_id):
        with self.read() as conn:
            found = conn.execute(_HANDLED, {"consumer": consumer, "event_id": event_id})
            return found.first() is not None

    def handled_among(self, consumers, event_ids):
        """The (consumer, event id) pairs of these that the inbox holds: a catch-up's page
        asks once, not once an event."""
        with self.read() as conn:
            return set(conn.execute(_HANDLED_AMONG, {"consumers": list(consumers),
                                                     "event_ids": list(event_ids)}).tuples())

    def handled_any(self, consumers):
        """Whether the inbox holds an event handled by any of `consumers`."""
        with self.read() as conn:
            return conn.execute(select(inbox_table.c.event_id).where(
                inbox_table.c.consumer.in_(consumers)).limit(1)).first() is not None

    def cursor(self, name, default=0):
        """The cursor's position; `default` when it was never set."""
        with self.read() as conn:
            position = conn.execute(_CURSOR, {"name": name}).scalar()
        return default if position is None else position

    def set_cursor(self, name, position, batch=None):
        with self.writing(batch) as conn:
            _set_cursor(conn, name, position)

    def writing(self, batch=None):
        """A serialised write (`with store.writing() as conn:`), a member of a group."""
        return _Writing(self, batch)

    def batch(self):
        """`with store.batch() as batch:` units of work given `batch` (in their Context,
        or to set_cursor) return without waiting and all commit together at the end of
        the block — a catch-up's page in one transaction. Others that join meanwhile
        wait for that commit."""
        return Batch(self)

    # -- group commit (see the module docstring) ----------------------------
    def _join(self):
        """Take the writer's turn; the open group (a new one if none)."""
        self._take_turn()
        try:
            if self._group is None:
                self._group = _Group(self)
        except BaseException:  # e.g. SQLite busy past its timeout: give the turn back
            self._writers.release()
            raise
        return self._group

    def _take_turn(self):
        with self._counting:
            self._waiting += 1
        try:
            self._writers.acquire()
        finally:
            with self._counting:
                self._waiting -= 1

    def _leave(self, group):
        """Give up the turn; return once `group` is committed (its error, or None)."""
        if self._green and not group.holds and group.units < MAX_GROUP:
            # Let units that are ready queue up behind this one: under eventlet a
            # blocking SQLite COMMIT stops the hub, so none can arrive during it.
            # (Threads queue during the COMMIT, which releases the GIL; a yield there
            # gives the CPU away to the OS: 1 ms on a busy machine.)
            try:
                time.sleep(0)
            except BaseException:  # killed while yielding (a container stopping): the turn
                self._commit(group)  # is still ours; commit what the group holds, give it back
                raise
        if group.holds or (self._waiting and group.units < MAX_GROUP):
            self._writers.release()  # the next one in the queue carries the group on
            return self._await(group)
        return self._commit(group)

    def _await(self, group):
        while not group.done.wait(ORPHAN_CHECK):
            # the unit handed the group to was killed while queueing: commit it here
            if self._writers.acquire(blocking=False):
                if self._group is group and not group.holds:
                    return self._commit(group)
                self._writers.release()
        return group.error

    def _discard(self, group):
        """Roll back `group`, which holds only the failed unit giving up the turn."""
        self._group = None
        try:
            group.tx.rollback()
        except Exception:
            pass
        finally:
            group.conn.close()
            group.done.set()
            self._writers.release()
        return None

    def _commit(self, group):
        """Commit (or, if broken, roll back) `group`, holding the writer's turn."""
        self._group = None
        try:
            if group.broken is not None:
                raise group.broken
            group.tx.commit()
            if group.appended:
                self.committed.set()
        except BaseException as error:
            group.error = error
            try:
                group.tx.rollback()
            except Exception:
                pass
        finally:
            group.conn.close()
            group.done.set()
            self._writers.release()
        return group.error


def _set_cursor(conn, name, position):
    statements.upsert(conn, cursors_table, {"name": name}, {"position": position})


def _greenlets():
    """Threads are eventlet's greenlets (a service, the test suite)."""
    try:
        from eventlet import patcher
    except ImportError:
        return False
    return patcher.is_monkey_patched("thread")


class _Group:
    """One write transaction that several units of work share."""

    def __init__(self, store):
        self.conn = store.engine.connect().execution_options(otg_write=True)
        try:
            self.tx = self.conn.begin()
            if store.is_postgres:
                self.conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_ADVISORY_KEY})")
        except BaseException:
            self.conn.close()
            raise
        self.units = 0       # joined so far
        self.holds = 0       # open batches: nobody commits before they end
        self.appended = False  # some unit appended events: wake the relay after the commit
        self.broken = None   # a savepoint that could not be ended: the group rolls back
        self.error = None    # why the commit failed
        self.done = threading.Event()


def _failure(error):
    """The group's failure for one of its units (a copy: each raises its own)."""
    try:
        return copy.copy(error)
    except Exception:
        return error


class _Writing:
    """One unit's turn in a group: a SAVEPOINT in its shared transaction (but the
    first unit's: alone until it ends, it rolls back the transaction if it fails)."""

    def __init__(self, store, batch=None):
        self.store = store
        self.batch = batch

    def __enter__(self):
        self.group = self.store._join()
        self.group.units += 1
        self.savepoint = None
        if self.group.units == 1 and not self.group.holds:
            return self.group.conn  # the first: the transaction is its own so far
        try:
            self.savepoint = self.group.conn.begin_nested()
        except BaseException as error:
            self.group.broken = error
            self._end_turn()
            raise
        return self.group.conn

    def __exit__(self, exc_type, exc, tb):
        error = self.end(undo=exc_type is not None)
        if error is not None and exc_type is None:
            raise _failure(error)
        return False

    def end(self, undo):
        """Release (or roll back to) the savepoint; the group's failure, if any."""
        if self.savepoint is None:  # the group's first unit (no SAVEPOINT, no RELEASE)
            return self.store._discard(self.group) if undo else self._end_turn()
        try:
            if undo:
                self.savepoint.rollback()
            else:
                self.savepoint.commit()
        except BaseException as error:
            self.group.broken = error
        return self._end_turn()

    def _end_turn(self):
        if self.batch is not None and self.batch.group is self.group:
            self.store._writers.release()  # the batch commits at its end
            return None
        return self.store._leave(self.group)


class Batch:
    """See EventStore.batch."""

    def __init__(self, store):
        self.store = store
        self.group = None

    def __enter__(self):
        self.group = self.store._join()
        self.group.holds += 1
        self.store._writers.release()
        return self

    def __exit__(self, exc_type, exc, tb):
        self.store._take_turn()
        self.group.holds -= 1
        error = self.store._leave(self.group)
        if error is not None and exc_type is None:
            raise _failure(error)
        return False


@dataclass
class UnitOfWork:
    """One transaction: load aggregates, save their new events, update the
    projections and record the handled inbound event — all or nothing."""
    store: EventStore
    context: Context
    appended: list = field(default_factory=list)

    def __enter__(self):
        self._writing = self.store.writing(self.context.batch)
        self.conn = self._writing.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                self._record_inbox()
                self._count_write()
            except AlreadyHandled as error:
                # a concurrent delivery (bus and catch-up feed) won: undo ours, quietly,
                # once the winner's commit is durable (if it shares ours)
                failure = self._writing.end(undo=True)
                self.appended.clear()
                if failure is not None:
                    raise _failure(failure) from None
                self.store.skipped[self.context.consumer] += 1
                log.info("event %s was handled already by %s", error, self.context.consumer)
                return False
            except BaseException as error:
                self._writing.__exit__(type(error), error, None)
                raise
            if self.appended:
                self._writing.group.appended = True
        self._writing.__exit__(exc_type, exc, tb)
        return False

    def _count_write(self):
        if self.store.count_writes and self.conn.execute(_COUNT_WRITE).rowcount == 0:
            _set_cursor(self.conn, WRITES, 1)

    def _record_inbox(self):
        ctx = self.context
        if ctx.consumer and ctx.event_id:
            try:
                execute(self.conn, _INSERT_INBOX,
                        {"consumer": ctx.consumer, "event_id": ctx.event_id})
            except IntegrityError:
                raise AlreadyHandled(ctx.event_id) from None

    # -- aggregates ---------------------------------------------------------
    def get(self, aggregate_class, aggregate_id):
        """The aggregate, or None when no stream of that kind has this id (a stream
        whose events the class does not apply is another kind of thing)."""
        stored = self.store.load_stream(aggregate_id, self.conn)
        if not any(s.name in aggregate_class._appliers for s in stored):
            return None
        return aggregate_class.replay(aggregate_id, (self.store.decode(s) for s in stored))

    def load(self, aggregate_class, aggregate_id):
        aggregate = self.get(aggregate_class, aggregate_id)
        if aggregate is None:
            raise NotFound(f"{aggregate_class.__name__.lower()} {aggregate_id} not found")
        return aggregate

    def save(self, *aggregates):
        for aggregate in aggregates:
            events = aggregate.collect()
            if events:
                self.append(aggregate.id, events, expected_version=aggregate.loaded_version)
            aggregate.loaded_version = aggregate.version

    def append(self, stream_id, events, expected_version):
        # A new stream needs no look-up: uq_stream_sequence refuses sequence 1 twice.
        if expected_version:
            current = self.conn.execute(_STREAM_VERSION, {"stream_id": stream_id}).scalar() or 0
            if current != expected_version:
                raise ConcurrencyError(
                    f"stream {stream_id} is at version {current}, expected {expected_version}")
        now = rfc3339(self.store.clock.now())
        meta = {"actor": self.context.actor,
                "officer": self.context.officer,
                "correlationid": self.context.correlation_id,
                "causationid": self.context.causation_id}
        meta = {k: v for k, v in meta.items() if v}
        meta_json = _dumps(meta)
        for offset, event in enumerate(events, start=1):
            stored = self._insert(stream_id, expected_version + offset, event, now, meta, meta_json)
            event.meta = stored
            for projection in self.store.projections:
                projection.apply(self.conn, event)
            self.appended.append(stored)

    def _insert(self, stream_id, sequence, event, now, meta, meta_json):
        event_id = str(uuid.uuid4())
        try:
            result = self.conn.execute(_INSERT_EVENT, {
                "id": event_id, "stream_id": stream_id, "sequence": sequence,
                "name": event.NAME, "version": event.VERSION, "time": now,
                "data": _dumps(event.data), "meta": meta_json})
        except IntegrityError:
            raise ConcurrencyError(f"stream {stream_id} moved on") from None
        return StoredEvent(result.inserted_primary_key[0], event_id, stream_id, sequence,
                           event.NAME, event.VERSION, now, event.data, dict(meta))
