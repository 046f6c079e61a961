"""What every otg service has: its event store (with the outbox relay), the
caller's identity, a clock, and the routes /health, /events, /openapi.json, and the
pages / and /docs for people (shared/apidocs.py)."""
import gc

from marshmallow import Schema, fields, validate
from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from shared import apidocs, envelope, openapi, vocabulary
from shared.auth import Actor
from shared.clock import Clock
from shared.errors import Forbidden
from shared.logs import WorkerLogContext
from shared.messaging import FEED_PAGE, Follower
from shared.metrics import CONTENT_TYPE
from shared.store_dependency import Store, StoreHandle, context_of  # noqa: F401 (base.Store)
from shared.web import api


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


class LongLivedHeap(DependencyProvider):
    """What a starting service holds (modules, metadata, its engine) is set aside from
    the garbage collector: a full collection walked all of it, 20–160 ms that stopped
    the whole eventlet process now and then (bench/README.md). Given back when the
    service stops, so that a process that starts many (the tests) frees each one."""

    def start(self):
        gc.collect()
        gc.freeze()

    def stop(self):
        gc.unfreeze()

    def kill(self):
        gc.unfreeze()


class FeedQuery(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**63 - 1))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=FEED_PAGE))
    types = fields.String(load_default=None)


def readable_types(actor, service, catalogue, requested):
    """The event names of `service` the feed answers `actor` with: those asked for
    (all without `types`) that the token grants; asking for another is refused."""
    granted = [event.NAME for event in catalogue if actor.may_read_event(service, event.NAME)]
    if not requested:
        return granted
    names = [name.strip() for name in requested.split(",") if name.strip()]
    refused = sorted(name for name in set(names) - set(granted) if name in catalogue)
    if refused:
        raise Forbidden(f"this token does not grant {', '.join(refused)} of {service}",
                        {"types": [f"not granted: {', '.join(refused)}"]})
    return [name for name in names if name in granted]  # an unknown name matches nothing


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
    heap = LongLivedHeap()
    catch_up = CatchUp()

    @api("GET", "/health", summary="liveness and relay progress")
    def health(self, request):
        store = self.store.store
        return {"status": "ok", "service": self.name, "events": store.last_position(),
                "published": store.cursor("relay"), "relay": self.store.relay}

    @api("GET", "/events", roles=vocabulary.FEED_ROLES, query=FeedQuery,
         summary="the event log as CloudEvents JSON (catch-up feed); the token's event types only")
    def events_feed(self, request, query):
        store = self.store.store
        names = readable_types(self.actor, self.name, store.catalogue, query["types"])
        batch = store.read_after(query["after"], query["limit"], names) if names else []
        return [envelope.structured(self.name, stored, store.catalogue) for stored in batch]

    @api("GET", "/metrics", summary="Prometheus metrics")
    def metrics(self, request):
        return Response(self.store.metrics.render(), content_type=CONTENT_TYPE)

    @api("GET", "/openapi.json", summary="this document")
    def openapi(self, request):
        return self.api_document

    # a service with a home page of its own (disclosure's public site) overrides this one
    @api("GET", "/", summary="links to the API page, health, metrics and events (HTML)")
    def home_page(self, request):
        return apidocs.index(self.name)

    @api("GET", "/docs", summary="this document for people: Swagger UI (HTML)")
    def api_page(self, request):
        return apidocs.page(self.name)

    @api("GET", "/docs/assets/<name>", summary="the API page's scripts and styles")
    def api_page_asset(self, request, name):
        return apidocs.asset(name)
