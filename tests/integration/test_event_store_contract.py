"""The event store's contract, on SQLite and on PostgreSQL alike."""
import threading
import time

import pytest
from sqlalchemy import text

from shared.aggregate import Aggregate, applies
from shared.errors import ConcurrencyError
from shared.events import Catalogue, Event, EventSchema, fields
from shared.store import Context, EventStore


class Counted(Event):
    class Schema(EventSchema):
        n = fields.Int(required=True)


class Counter(Aggregate):
    def __init__(self, id):
        super().__init__(id)
        self.total = 0

    def add(self, n):
        self.trigger(Counted, n=n)

    @applies(Counted)
    def _counted(self, event):
        self.total += event.n


@pytest.fixture
def store(database_url):
    store = EventStore(database_url, Catalogue("test", Counted))
    store.create()
    yield store
    store.dispose()


def save_new(store, stream, *values):
    with store.unit() as uow:
        counter = uow.get(Counter, stream) or Counter(stream)
        for value in values:
            counter.add(value)
        uow.save(counter)


def test_stream_replays_to_its_state(store):
    save_new(store, "c-1", 1, 2)
    save_new(store, "c-1", 3)
    with store.unit() as uow:
        counter = uow.load(Counter, "c-1")
    assert (counter.total, counter.version) == (6, 3)
    assert [e.sequence for e in store.load_stream("c-1")] == [1, 2, 3]


def test_append_with_a_stale_expected_version_is_a_concurrency_error(store):
    save_new(store, "c-1", 1)
    with pytest.raises(ConcurrencyError):
        with store.unit() as uow:
            uow.append("c-1", [Counted(n=5)], expected_version=0)
    assert [e.data["n"] for e in store.load_stream("c-1")] == [1]


def test_append_ahead_of_the_stream_is_refused_too(store):
    with pytest.raises(ConcurrencyError):
        with store.unit() as uow:
            uow.append("c-2", [Counted(n=5)], expected_version=3)
    assert store.load_stream("c-2") == []


def test_log_is_read_in_position_order_after_a_position(store):
    save_new(store, "a", 1)
    save_new(store, "b", 2, 3)
    log = store.read_after(0)
    assert [e.position for e in log] == sorted(e.position for e in log)
    assert [e.data["n"] for e in store.read_after(log[0].position)] == [2, 3]


def test_failed_unit_of_work_writes_nothing(store):
    with pytest.raises(RuntimeError):
        with store.unit() as uow:
            counter = Counter("c-1")
            counter.add(1)
            uow.save(counter)
            raise RuntimeError("boom")
    assert store.read_after(0) == []


def test_inbound_event_is_handled_once_per_consumer(store):
    context = Context(consumer="svc.handler", event_id="evt-1")
    with store.unit(context) as uow:
        counter = Counter("c-1")
        counter.add(1)
        uow.save(counter)
    with store.unit(Context(consumer="svc.handler", event_id="evt-1")) as uow:
        counter = uow.load(Counter, "c-1")
        counter.add(1)
        uow.save(counter)
    assert uow.appended == []  # undone: the event was handled already
    assert len(store.read_after(0)) == 1
    assert store.handled("svc.handler", "evt-1")
    assert not store.handled("other.handler", "evt-1")


def test_concurrent_writers_lose_no_update_and_positions_commit_in_order(store):
    """Many threads append at once; a reader polling the log must never see a
    gap that is filled later (that would make the relay skip an event). The
    threads are green (eventlet) and sqlite3 does not yield, so on SQLite the
    writers take turns; the race this guards against is PostgreSQL's run."""
    seen, stop = [], threading.Event()

    def reader():
        last = 0
        while not stop.is_set():
            for event in store.read_after(last):
                seen.append(event.position)
                last = event.position
            time.sleep(0.001)  # threads are green here: let the writers run

    def writer(i):
        for _ in range(10):
            save_new(store, f"w-{i}", 1)

    watcher = threading.Thread(target=reader)
    watcher.start()
    writers = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    watcher.join()
    seen += [e.position for e in store.read_after(seen[-1] if seen else 0)]
    all_positions = [e.position for e in store.read_after(0, limit=1000)]
    assert len(all_positions) == 60
    assert seen == all_positions  # nothing skipped, nothing out of order


def test_sqlite_runs_in_wal_mode_with_full_sync(tmp_path):
    store = EventStore(f"sqlite:///{tmp_path / 's.db'}", Catalogue("test", Counted))
    store.create()
    with store.read() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
