"""The services' reactions wired together in one process on SQLite, in the spirit of
the eventsourcing library's single-threaded runner: what a service appends is handed,
in its log order, to every service whose subscription table follows it. No broker, no
nameko, no HTTP server: a chain, and any order of arrival across sources, is a fast
unit test. (The broker tests keep the backbone itself: relay, queues, dead letters.)

    world = Runner(tmp_path)
    world.given("inspection", "HazardFound", {"institution_id": ..., ...})
    world.deliver("disclosure", "inspection")   # one source first…
    world.run()                                  # …then everything, until quiet
"""
import importlib
import uuid

from shared import envelope
from shared.clock import default_clock
from shared.store import Context, EventStore
from shared.subscriptions import Event, handler_name, run

SERVICES = ("registry", "inspection", "complaints", "tasks", "disclosure")


class Runner:
    def __init__(self, directory, services=SERVICES, clock=None):
        self.clock = clock or default_clock()
        self.stores, self.tables, self.cursors = {}, {}, {}
        for name in services:
            spec = importlib.import_module(f"services.{name}.service").__dict__[
                f"{name.capitalize()}Service"].store
            store = EventStore(f"sqlite:///{directory}/{name}.db", spec.catalogue,
                               [projection() for projection in spec.projections], clock=self.clock)
            store.create(spec.tables)
            self.stores[name] = store
            self.tables[name] = importlib.import_module(f"services.{name}.subscriptions").SUBSCRIPTIONS

    def given(self, source, event_name, data, stream_id=None):
        """`source` appends the event (as if it had decided it); its id."""
        store = self.stores[source]
        event = store.catalogue.classes[event_name](**data)
        stream_id = stream_id or str(uuid.uuid4())
        with store.read() as conn:
            version = len(store.load_stream(stream_id, conn))
        with store.unit(Context(actor=f"{source}/test")) as uow:
            uow.append(stream_id, [event], version)
        return event.meta.id

    def events(self, service, name=None):
        """The data of the events `service` appended, oldest first."""
        return [stored.data for stored in self.stores[service].read_after(0, 10000)
                if name in (None, stored.name)]

    def sources_of(self, follower):
        return sorted({source for source, _ in self.tables[follower] if source in self.stores})

    def deliver(self, follower, source, count=None):
        """Hand `follower` the next `count` (default: all) events of `source` it follows,
        in `source`'s order; how many."""
        table, store = self.tables[follower], self.stores[source]
        names = [name for (from_, name) in table if from_ == source]
        batch = store.read_after(self.cursors.get((follower, source), 0), 10000, names)[:count]
        for stored in batch:
            attrs = envelope.structured(source, stored, store.catalogue)
            react = table[(source, stored.name)]
            event = Event(source, stored.name, attrs.pop("data") or {}, attrs, self.clock.now())
            consumer = f"{follower}.{handler_name(source, stored.name)}"
            context = Context(actor=f"{follower}/policy", causation_id=attrs["id"],
                              correlation_id=attrs.get("correlationid") or attrs["id"],
                              consumer=consumer, event_id=attrs["id"])
            if getattr(react, "through_service", False):
                raise NotImplementedError(f"{consumer} goes through its service: test it with "
                                          "start_service")
            run(self.stores[follower], react, event, context)
            self.cursors[(follower, source)] = stored.position
        return len(batch)

    def run(self):
        """Deliver everything to everyone, source by source, until nothing moves."""
        while sum(self.deliver(follower, source)
                  for follower in self.stores for source in self.sources_of(follower)):
            pass
