"""The event store as a nameko dependency: the service's `Store` (its relay runs
while the service runs) and what a worker gets from it. Apart from shared/service.py
so that shared.messaging finds a service's store without importing the service base."""
from nameko.extensions import DependencyProvider

from shared import config
from shared.auth import Actor
from shared.clock import default_clock
from shared.metrics import ServiceMetrics
from shared.relay import Relay
from shared.store import WRITES, Context, EventStore


class Store(DependencyProvider):
    """The service's event store; its relay runs while the service runs.

    `projections` are rebuilt from the service's own events. `tables` (MetaData) hold
    what its events cannot rebuild: mirrors of other services' events, filled by the
    event handlers, and private data kept out of events (contacts, free text). They
    are created at start and never dropped by a rebuild."""

    def __init__(self, catalogue, projections=(), tables=(), count_writes=False):
        self.catalogue = catalogue
        self.projections = projections
        self.tables = tables
        self.count_writes = count_writes  # for validators of pages (EventStore.count_writes)

    def setup(self):
        config.check_secrets()
        service = self.container.service_name
        url = self.container.config.get("DATABASE_URL") or config.database_url(service)
        self.store = EventStore(url, self.catalogue, [p() for p in self.projections],
                                clock=default_clock(), count_writes=self.count_writes)
        self.store.create(self.tables)
        self.relay = Relay(self.store, service, self.container.config["AMQP_URI"])
        self.metrics = ServiceMetrics(self.store)

    def start(self):
        if config.relay_enabled():
            self.container.spawn_managed_thread(self.relay.run, identifier="otg.relay")

    def stop(self):
        self.relay.stop()

    def kill(self):
        self.relay.stop()

    def get_dependency(self, worker_ctx):
        return StoreHandle(self.store, context_of(worker_ctx), self.metrics, self.relay_state())

    def context_for(self, data):
        """The Context of a unit of work run for the service with context data `data`."""
        return context_from(self.container.service_name, data)

    def relay_state(self):
        """"publishing" (this replica's relay holds the lease), "standby", or "off"."""
        if not config.relay_enabled():
            return "off"
        return "publishing" if self.relay.active else "standby"


def context_of(worker_ctx):
    return context_from(worker_ctx.service_name, worker_ctx.data)


def context_from(service, data):
    """The Context of a unit of work, from a worker's context data (`otg.…`)."""
    actor = data.get("otg.actor")
    return Context(
        actor=str(Actor(**actor)) if actor else f"{service}/policy",
        officer=actor.get("officer") if actor else None,
        correlation_id=data.get("otg.correlation_id"),
        causation_id=data.get("otg.event_id"),
        consumer=data.get("otg.consumer"),
        event_id=data.get("otg.event_id"),
        batch=data.get("otg.batch"),
    )


class StoreHandle:
    """What a worker sees: units of work in its own context, and reads."""

    def __init__(self, store, context, metrics=None, relay="off"):
        self.store = store
        self.context = context
        self.metrics = metrics
        self.relay = relay

    def unit(self):
        return self.store.unit(self.context)

    def read(self):
        return self.store.read()

    def writes(self):
        """How many units of work this database has committed (with count_writes)."""
        return self.store.cursor(WRITES)
