"""Units of work share commits (shared/store.py, docs/decisions/0012-group-commit.md):
each stays atomic and is answered only once its commit is durable; on SQLite and
PostgreSQL alike."""
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import event

from shared.errors import ConcurrencyError
from shared.events import Catalogue
from shared.store import Context, EventStore
from test_event_store_contract import Counted, Counter, save_new

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def store(database_url):
    store = EventStore(database_url, Catalogue("test", Counted))
    store.create()
    yield store
    store.dispose()


def count_commits(store):
    commits = []
    event.listen(store.engine, "commit", lambda conn: commits.append(1))
    return commits


def in_thread(work):
    """Run `work` in a thread; its outcome ("done" or the exception) when joined."""
    outcome = []

    def run():
        try:
            work()
            outcome.append("done")
        except Exception as error:
            outcome.append(error)
    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def streams(store):
    return sorted({e.stream_id for e in store.read_after(0, limit=10_000)})


def test_concurrent_units_share_commits_and_each_is_whole(store):
    commits = count_commits(store)

    def writer(i):
        for k in range(5):
            save_new(store, f"w-{i}-{k}", 1, 2)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log = store.read_after(0, limit=1000)
    assert len(log) == 120
    for i in range(12):
        for k in range(5):
            assert [e.sequence for e in store.load_stream(f"w-{i}-{k}")] == [1, 2]
    assert len(commits) < 60  # fewer commits than units of work


def test_a_failing_unit_rolls_back_to_its_savepoint_only(store):
    save_new(store, "taken", 1)
    with store.batch() as batch:
        with store.unit(Context(batch=batch)) as uow:
            uow.save(counter_of("a"))
        with pytest.raises(ConcurrencyError):
            with store.unit(Context(batch=batch)) as uow:
                uow.save(counter_of("taken"))  # a second sequence 1
        with store.unit(Context(batch=batch)) as uow:
            uow.save(counter_of("c"))
    assert streams(store) == ["a", "c", "taken"]
    assert [e.sequence for e in store.load_stream("taken")] == [1]


def test_nothing_is_visible_before_the_commit_holding_it(store):
    with store.batch() as batch:
        with store.unit(Context(batch=batch)) as uow:
            uow.save(counter_of("held"))
        other, outcome = in_thread(lambda: save_new(store, "joined", 1))
        time.sleep(0.5)  # the other unit joins the open group and waits for its commit
        assert outcome == []  # not answered yet
        assert store.read_after(0) == []
        assert store.last_position() == 0
    other.join()
    assert outcome == ["done"]
    assert streams(store) == ["held", "joined"]


def test_an_event_handled_twice_in_one_group_is_kept_once(store):
    context = {"consumer": "svc.handler", "event_id": "evt-1"}
    with store.batch() as batch:
        for _ in range(2):
            with store.unit(Context(batch=batch, **context)) as uow:
                counter = uow.get(Counter, "c-1") or Counter("c-1")
                counter.add(1)
                uow.save(counter)
    assert [e.sequence for e in store.load_stream("c-1")] == [1]
    assert store.handled("svc.handler", "evt-1")


def test_a_failing_commit_fails_every_unit_of_its_group(postgres_url):
    """A deferred constraint trigger refuses n = 666 at COMMIT, not before."""
    store = EventStore(postgres_url, Catalogue("test", Counted))
    store.create()
    with store.engine.begin() as conn:
        conn.exec_driver_sql("""
            CREATE FUNCTION refuse_666() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF strpos(NEW.data, '"n":666') > 0 THEN RAISE EXCEPTION 'refused at commit'; END IF;
              RETURN NULL;
            END $$""")
        conn.exec_driver_sql("""
            CREATE CONSTRAINT TRIGGER refuse_666 AFTER INSERT ON events
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_666()""")
    try:
        with pytest.raises(Exception, match="refused at commit"):
            with store.batch() as batch:
                with store.unit(Context(batch=batch)) as uow:
                    uow.save(counter_of("fine"))
                other, outcome = in_thread(lambda: save_new(store, "joined", 1))
                time.sleep(0.5)  # joined the open group
                save_new_in(store, batch, "refused", 666)
        other.join()
        assert len(outcome) == 1 and "refused at commit" in str(outcome[0])
        assert store.read_after(0) == []
    finally:
        store.dispose()


CHILD = """
import os, sys, threading
sys.path.insert(0, "tests/integration")
from shared.events import Catalogue
from shared.store import EventStore
from test_event_store_contract import Counted, save_new
store = EventStore(sys.argv[1], Catalogue("test", Counted))
def writer(i):
    for k in range(10**6):
        save_new(store, f"t{i}-{k}", 1)
        os.write(1, f"t{i}-{k}\\n".encode())  # answered: one whole line
for i in range(8):
    threading.Thread(target=writer, args=(i,)).start()
"""


def test_a_crash_mid_group_loses_only_units_never_answered(store, database_url):
    child = subprocess.Popen([sys.executable, "-c", CHILD, database_url], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    answered = []
    try:
        for line in child.stdout:
            answered.append(line.strip())
            if len(answered) >= 300:
                break
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    answered += [line.strip() for line in child.stdout.read().splitlines() if line.strip()]
    stored = set(streams(store))
    assert len(answered) >= 300
    assert set(answered) <= stored
    for stream in stored:  # each unit whole: its one event or nothing
        assert [e.sequence for e in store.load_stream(stream)] == [1]


def counter_of(stream, n=1):
    counter = Counter(stream)
    counter.add(n)
    return counter


def save_new_in(store, batch, stream, n):
    with store.unit(Context(batch=batch)) as uow:
        uow.save(counter_of(stream, n))


def test_a_batch_commits_its_units_with_the_cursor_and_a_cut_short_one_keeps_the_cursor(store):
    """What a catch-up does with a feed page: the events' units and the follow cursor
    in one commit; a page cut short commits the events handled, not the cursor."""
    with store.batch() as batch:
        save_new_in(store, batch, "page-1", 1)
        store.set_cursor("follow:x", 1, batch)
        assert store.cursor("follow:x") == 0  # not before the commit
    assert store.cursor("follow:x") == 1
    with pytest.raises(RuntimeError):
        with store.batch() as batch:
            save_new_in(store, batch, "page-2", 1)
            raise RuntimeError("the service is stopping")
    assert streams(store) == ["page-1", "page-2"]
    assert store.cursor("follow:x") == 1


def test_a_unit_killed_while_it_yields_before_committing_commits_and_gives_the_turn_back(store):
    """A container stopping kills its workers: one killed in the yield before its group's
    commit must not keep the writer's turn (every later writer would wait for ever)."""
    import eventlet
    import greenlet

    def unit():
        save_new(store, "killed-while-yielding", 1)
    worker = eventlet.spawn(unit)
    eventlet.sleep(0)  # let it run up to its yield
    worker.kill()
    with pytest.raises(greenlet.GreenletExit):
        worker.wait()
    with eventlet.Timeout(5):
        save_new(store, "after-the-kill", 1)
    assert "after-the-kill" in streams(store)  # the killed one: whole, or not at all
