"""otg's event store against the `eventsourcing` library (the `bench` extra),
both on a SQLite file in WAL mode with full sync: saving new aggregates one
transaction each, and replaying aggregates of ten events from their streams."""
import time
from datetime import date
from functools import cache

from bench import sample
from bench.report import Result
from services.registry.domain import Institution
from services.registry.events import CATALOGUE
from shared.store import EventStore

LICENCES = 9  # a replayed aggregate: registered + 9 licences = 10 events
KIND = "business_licence"


def measure_otg(database_url, count, replayed):
    store = EventStore(database_url, CATALOGUE)
    store.create()
    try:
        started = time.monotonic()
        for n in range(count):
            with store.unit() as uow:
                uow.save(Institution.register(**sample.registration(n)))
        saved = time.monotonic() - started
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


def measure_library(path, count, replayed):
    Application, LibInstitution = _library()
    app = Application(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path})
    started = time.monotonic()
    for n in range(count):
        app.save(LibInstitution(**sample.registration(n)))
    saved = time.monotonic() - started
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
            Result("eventsourcing: replay aggregates (events)", replayed * (LICENCES + 1), replay))


def measure(data_dir, count, replayed, rounds=1):
    """[(otg, library)] for saving and for replay, best of `rounds` each (the two
    take turns, so a busy moment of the machine hits both); None without the library."""
    try:
        import eventsourcing  # noqa: F401
    except ImportError:
        return None
    otg, library = [], []
    for n in range(rounds):
        otg.append(measure_otg(f"sqlite:///{data_dir}/otg-store{n}.db", count, replayed))
        library.append(measure_library(f"{data_dir}/eventsourcing{n}.db", count, replayed))
    best = [max((run[i] for run in otg), key=lambda r: r.rate) for i in (0, 1)]
    best[0].target, best[1].target = 1.5, 2.0
    return list(zip(best, [max((run[i] for run in library), key=lambda r: r.rate)
                           for i in (0, 1)]))
