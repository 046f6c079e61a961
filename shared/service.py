"""What every otg service has: its event store (with the outbox relay), the
caller's identity, a clock, and the routes /health, /events and /openapi.json."""
from marshmallow import Schema, fields, validate
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from shared import config, envelope, openapi
from shared.auth import Actor
from shared.clock import Clock, default_clock
from shared.logs import WorkerLogContext
from shared.messaging import Follower
from shared.metrics import CONTENT_TYPE, ServiceMetrics
from shared.relay import Relay
from shared.store import Context, EventStore
from shared.web import api


class Store(DependencyProvider):
    """The service's event store; its relay runs while the service runs.

    `projections` are rebuilt from the service's own events. `tables` (MetaData) hold
    what its events cannot rebuild: mirrors of other services' events, filled by the
    event handlers, and private data kept out of events (contacts, free text). They
    are created at start and never dropped by a rebuild."""

    def __init__(self, catalogue, projections=(), tables=()):
        self.catalogue = catalogue
        self.projections = projections
        self.tables = tables

    def setup(self):
        service = self.container.service_name
        url = self.container.config.get("DATABASE_URL") or config.database_url(service)
        self.store = EventStore(url, self.catalogue, [p() for p in self.projections],
                                clock=default_clock())
        self.store.create()
        for metadata in self.tables:
            metadata.create_all(self.store.engine)
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
        return StoreHandle(self.store, context_of(worker_ctx), self.metrics)


def context_of(worker_ctx):
    data = worker_ctx.data
    actor = data.get("otg.actor")
    return Context(
        actor=str(Actor(**actor)) if actor else f"{worker_ctx.service_name}/policy",
        officer=actor.get("officer") if actor else None,
        correlation_id=data.get("otg.correlation_id"),
        causation_id=data.get("otg.event_id"),
        consumer=data.get("otg.consumer"),
        event_id=data.get("otg.event_id"),
    )


class StoreHandle:
    """What a worker sees: units of work in its own context, and reads."""

    def __init__(self, store, context, metrics=None):
        self.store = store
        self.context = context
        self.metrics = metrics

    def unit(self):
        return self.store.unit(self.context)

    def read(self):
        return self.store.read()


class CurrentActor(DependencyProvider):
    """The authenticated caller (an `Actor`), or None for a public request."""

    def get_dependency(self, worker_ctx):
        actor = worker_ctx.data.get("otg.actor")
        return Actor(**actor) if actor else None


class InboundEvent(DependencyProvider):
    """The CloudEvents attributes (id, time, source, …) of the event being handled."""

    def get_dependency(self, worker_ctx):
        return worker_ctx.data.get("otg.event")


class CatchUp(DependencyProvider):
    """The follower's progress (shared.messaging.Follower): `.replaying`, `.replays`;
    None for a service that follows no other."""

    def get_dependency(self, worker_ctx):
        return self.container.shared_extensions.get(Follower)


class ApiDocument(DependencyProvider):
    """Built once: every worker gets this dependency injected, and building the
    document cost 40 % of a registration's CPU (bench/README.md)."""
    document = None

    def get_dependency(self, worker_ctx):
        if self.document is None:
            self.document = openapi.build(self.container.service_name, self.container.entrypoints)
        return self.document


class FeedQuery(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**63 - 1))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    types = fields.String(load_default=None)


class OtgService:
    """Base of the five services: subclasses set `name` and `store`.

    Import it as `from shared import service as base`: `nameko run` treats every
    class with entrypoints in the service module as a service to run."""
    name = None
    store = None
    actor = CurrentActor()
    clock = Clock()
    inbound = InboundEvent()
    api_document = ApiDocument()
    log_context = WorkerLogContext()

    @api("GET", "/health", summary="liveness and relay progress")
    def health(self, request):
        store = self.store.store
        return {"status": "ok", "service": self.name, "events": store.last_position(),
                "published": store.cursor("relay")}

    @api("GET", "/events", query=FeedQuery, summary="the event log as CloudEvents JSON (catch-up feed)")
    def events_feed(self, request, query):
        store = self.store.store
        names = query["types"].split(",") if query["types"] else None
        batch = store.read_after(query["after"], query["limit"], names)
        return [envelope.structured(self.name, stored, store.catalogue) for stored in batch]

    @api("GET", "/metrics", summary="Prometheus metrics")
    def metrics(self, request):
        return Response(self.store.metrics.render(), content_type=CONTENT_TYPE)

    @api("GET", "/openapi.json", summary="this document")
    def openapi(self, request):
        return self.api_document
