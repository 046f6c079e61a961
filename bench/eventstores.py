"""otg's event store against the `eventsourcing` library (the `bench` extra), on
a SQLite file in WAL mode with full sync and on PostgreSQL: saving new aggregates
one transaction each from one thread, the same from WRITERS threads at once (where
otg's units of work share commits), and replaying aggregates of ten events."""
import os
import threading
import time
import uuid
from datetime import date
from functools import cache

from bench import postgres, sample
from bench.report import Result
from services.registry.domain import Institution
from services.registry.events import CATALOGUE
from shared.store import EventStore

LICENCES = 9  # a replayed aggregate: registered + 9 licences = 10 events
KIND = "business_licence"
WRITERS = 16  # threads saving at once, as a service's concurrent requests
POSTGRES = os.environ.get("OTG_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


def concurrently(save, count, writers=WRITERS):
    """`save(n)` for n < count from `writers` threads; the seconds it took."""
    numbers = iter(range(count))  # next() on a range iterator is atomic
    lock = threading.Lock()

    def writer():
        while True:
            with lock:
                n = next(numbers, None)
            if n is None:
                return
            save(n)
    threads = [threading.Thread(target=writer) for _ in range(writers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def measure_otg(database_url, count, replayed):
    store = EventStore(database_url, CATALOGUE)
    store.create()
    try:
        started = time.monotonic()
        for n in range(count):
            with store.unit() as uow:
                uow.save(Institution.register(**sample.registration(n)))
        saved = time.monotonic() - started

        def save(n):
            with store.unit() as uow:
                uow.save(Institution.register(**sample.registration(n)))
        together = concurrently(lambda n: save(10**6 + n), count)
        ids = [_save_with_licences(store, n) for n in range(count, count + replayed)]
        started = time.monotonic()
        for institution_id in ids:
            with store.read() as conn:
                stored = store.load_stream(institution_id, conn)
                Institution.replay(institution_id, (store.decode(s) for s in stored))
        replay = time.monotonic() - started
    finally:
        store.dispose()
    return (Result("otg store: save new aggregates", count, saved),
            Result(f"otg store: save new aggregates, {WRITERS} writers", count, together),
            Result("otg store: replay aggregates (events)", replayed * (LICENCES + 1), replay))


def _save_with_licences(store, n):
    with store.unit() as uow:
        institution = Institution.register(**sample.registration(n))
        for k in range(LICENCES):
            institution.record_licence(KIND, f"L{k}", date(2030, 1, 1))
        uow.save(institution)
    return institution.id


@cache
def _library():
    """The library's Application and an aggregate like otg's Institution (defined
    once: the library refuses a second class under the same topic)."""
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class LibInstitution(Aggregate):
        @event("Registered")
        def __init__(self, name, credit_code, district, category, address):
            self.name, self.credit_code, self.district = name, credit_code, district
            self.category, self.address, self.licences = category, address, {}

        @event("LicenceRecorded")
        def record_licence(self, kind, number, valid_until):
            self.licences[kind] = {"number": number, "valid_until": valid_until}

    return Application, LibInstitution


def measure_library(env, count, replayed):
    Application, LibInstitution = _library()
    app = Application(env=env)
    started = time.monotonic()
    for n in range(count):
        app.save(LibInstitution(**sample.registration(n)))
    saved = time.monotonic() - started
    together = concurrently(lambda n: app.save(LibInstitution(**sample.registration(10**6 + n))),
                            count)
    ids = []
    for n in range(count, count + replayed):
        institution = LibInstitution(**sample.registration(n))
        for k in range(LICENCES):
            institution.record_licence(KIND, f"L{k}", "2030-01-01")
        app.save(institution)
        ids.append(institution.id)
    started = time.monotonic()
    for institution_id in ids:
        app.repository.get(institution_id)
    replay = time.monotonic() - started
    app.close()
    return (Result("eventsourcing: save new aggregates", count, saved),
            Result(f"eventsourcing: save new aggregates, {WRITERS} writers", count, together),
            Result("eventsourcing: replay aggregates (events)", replayed * (LICENCES + 1), replay))


def sqlite(data_dir, n):
    """(otg's URL, the library's env) of round n on SQLite files."""
    return (f"sqlite:///{data_dir}/otg-store{n}.db",
            {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
             "SQLITE_DBNAME": f"{data_dir}/eventsourcing{n}.db"})


class Postgres:
    """Round n's two throwaway databases on the local PostgreSQL, dropped afterwards."""

    def __init__(self, server=POSTGRES):
        self.server, self.databases = server.rstrip("/"), postgres.Throwaway(server)

    def __call__(self, _data_dir, n):
        otg, library = (f"otg_bench_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("otg", "lib"))
        otg_url = self.databases.create(otg)
        self.databases.create(library)
        user = self.server.split("//", 1)[1].split("@", 1)[0]
        host, _, port = self.server.rsplit("@", 1)[1].partition(":")
        return (otg_url,
                {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": library,
                 "POSTGRES_HOST": host, "POSTGRES_PORT": port or "5432",
                 "POSTGRES_USER": user.split(":")[0],
                 "POSTGRES_PASSWORD": user.partition(":")[2] or "unused"})

    def drop(self):
        self.databases.drop_all()


def measure(data_dir, count, replayed, rounds=1, databases=sqlite):
    """[(otg, library)] for saving (one writer, WRITERS writers) and for replay, best of
    `rounds` each (the two take turns, so a busy moment of the machine hits both); None
    without the library."""
    try:
        import eventsourcing  # noqa: F401
    except ImportError:
        return None
    otg, library = [], []
    for n in range(rounds):
        url, env = databases(data_dir, n)
        otg.append(measure_otg(url, count, replayed))
        library.append(measure_library(env, count, replayed))
    best = [max((run[i] for run in otg), key=lambda r: r.rate) for i in (0, 1, 2)]
    best[0].target, best[1].target, best[2].target = 1.5, 1.5, 2.0
    return list(zip(best, [max((run[i] for run in library), key=lambda r: r.rate)
                           for i in (0, 1, 2)]))
