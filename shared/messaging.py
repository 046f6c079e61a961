"""Consuming events: an idempotent nameko event-handler entrypoint with
retries and a dead-letter queue, and the follower that backfills from the
source service's feed before following the bus.

Use `@handle_event("inspection", "HazardFound")` on a service method taking the
event data; inside it, `with self.store.unit() as uow:` records the event as
handled in the same transaction as its effects.
"""
import hashlib
import logging
from functools import partial

import eventlet
import requests
from amqp.exceptions import AccessRefused, NotFound
from kombu import Connection
from nameko.events import EventHandler
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import ProviderCollector, SharedExtension
from nameko.messaging import QueueConsumer

from shared import auth, config, deadletter, envelope
from shared.broker import follower_queue_arguments
from shared.errors import ConcurrencyError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
REQUEUE = "requeue"  # the service is stopping: give the message back
BACKOFF = (0.1, 0.5, 2.0)


class OtgQueueConsumer(QueueConsumer):
    """nameko's consumer, except that it binds to a source's exchange without declaring
    it, and an undecodable message is dead-lettered instead of killing the consumer."""

    def get_consumers(self, consumer_cls, channel):
        bind_without_declaring(channel.connection, self._providers)  # on every (re)connection
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(self._undecodable, provider)
        return consumers

    def _undecodable(self, provider, message, error):
        provider.dead_letter(message.body, message, f"undecodable message: {error}")

    def unregister_provider(self, provider):
        # Stopped while still starting, nameko signals "last provider gone" once per
        # handler; the second signal raises, aborts the stop and leaves the process
        # running for ever (a SIGTERM in the first second of a service with several
        # handlers). Signal it once.
        if not self._consumers_ready.ready():
            if not self._last_provider_unregistered.ready():
                self._last_provider_unregistered.send()
            return
        super().unregister_provider(provider)


class Follower(ProviderCollector, SharedExtension):
    """At start, replays each source service's feed into the handlers that
    follow it (de-duplicated by the inbox), then leaves the rest to the bus.

    `replaying` names the sources being read now and `replays` counts the
    catch-ups finished, so a service can hold back decisions that need every
    source's facts while the sources' histories come in side by side."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.replaying, self.replays = set(), 0

    def start(self):
        if not self.container.config.get("OTG_FOLLOW_FEEDS", True):
            return
        # one thread per source: a source that is down must not hold up the others
        for source in sorted({provider.source_service for provider in self._providers}):
            self.container.spawn_managed_thread(partial(self._backfill_with_retry, source),
                                                identifier=f"otg.follower.{source}")

    def _backfill_with_retry(self, source, delay=0.5):
        while True:
            try:
                return self.backfill(source)
            except ContainerBeingKilled:
                return
            except Exception as error:  # source down, or a broken page: try again later
                log.info("catch-up from %s not possible yet (%s)", source, type(error).__name__)
                eventlet.sleep(delay)
                delay = min(delay * 2, 30)

    def backfill(self, source):
        providers = [p for p in self._providers if p.source_service == source]
        if not providers:  # the service is stopping
            return
        self._declare_queues(providers)  # so nothing published from now on is missed
        store = providers[0].store
        types = ",".join(sorted({p.event_type for p in providers}))
        # one cursor per set of followed types: a handler added in a later release
        # backfills its type from the start (the inbox skips what others handled)
        cursor_name = f"follow:{source}:{hashlib.sha1(types.encode()).hexdigest()[:12]}"
        after = store.cursor(cursor_name)
        url = f"{config.service_url(source)}/events"
        self.replaying.add(source)
        try:
            while True:
                page = requests.get(url, params={"after": after, "limit": 500, "types": types},
                                    headers=self._credentials(source, providers), timeout=10)
                page.raise_for_status()
                batch = page.json()
                if not batch:
                    self.replays += 1
                    return
                for event in batch:
                    for provider in providers:
                        if provider.event_type == envelope.event_name(event):
                            provider.handle_feed_event(event)
                after = int(batch[-1]["position"])
                store.set_cursor(cursor_name, after)
        finally:
            self.replaying.discard(source)

    def _credentials(self, source, providers):
        """A fresh token of this service naming exactly the types it follows from `source`."""
        types = sorted({f"{source}.{p.event_type}" for p in providers})
        return {"Authorization": f"Bearer {auth.issue_service(self.container.service_name, types)}"}

    def _declare_queues(self, providers):
        with Connection(self.container.config["AMQP_URI"]) as conn:
            channel = conn.default_channel
            bind_without_declaring(conn.connection, providers)
            for provider in providers:
                provider.queue(channel).declare()


class OtgEventHandler(EventHandler):
    queue_consumer = OtgQueueConsumer()
    follower = Follower()

    def __init__(self, source_service, event_type, **kwargs):
        super().__init__(source_service, event_type, reliable_delivery=True,
                         requeue_on_error=False, **kwargs)

    def setup(self):
        super().setup()
        self._store_provider = self._find_store_provider()
        self.queue.queue_arguments = {**(self.queue.queue_arguments or {}),
                                      **follower_queue_arguments()}
        self.follower.register_provider(self)

    def stop(self):
        self.follower.unregister_provider(self)
        super().stop()

    @property
    def consumer(self):
        return f"{self.container.service_name}.{self.method_name}"

    @property
    def store(self):
        return self._store_provider.store

    def _find_store_provider(self):
        from shared.service import Store
        for dependency in self.container.dependencies:
            if isinstance(dependency, Store):
                return dependency
        raise RuntimeError(f"{self.container.service_name} declares no Store")

    # -- from the bus -----------------------------------------------------
    def handle_message(self, body, message):
        attrs = envelope.from_headers(message.headers)
        if not isinstance(body, dict) or not attrs.get("id"):
            self.dead_letter(body, message, "malformed event: no ce-id header or body not a JSON object")
            return
        try:
            if self.store.handled(self.consumer, attrs["id"]):
                self.store.skipped[self.consumer] += 1
                self.queue_consumer.ack_message(message)
                return
        except Exception as error:  # database away: an error here would kill the service;
            # the attempts below retry, and the inbox in their unit of work still de-duplicates
            log.warning("%s: inbox not readable (%s)", self.consumer, type(error).__name__)
        done = partial(self._settle_message, body, message)
        self._attempt(body, attrs, done, attempt=1)

    def _settle_message(self, body, message, error):
        if error is None:
            self.queue_consumer.ack_message(message)
        elif error is REQUEUE:
            self.queue_consumer.requeue_message(message)
        else:
            self.dead_letter(body, message, error)

    def dead_letter(self, body, message, reason):
        log.error("%s: dead-lettering a message: %s", self.consumer, reason)
        self._store_provider.metrics.dead_lettered.labels(self.consumer).inc()
        try:
            deadletter.park(self.container.config["AMQP_URI"], self.consumer, body,
                            message.headers, reason, self.queue.name)
        except Exception:  # keep it on the broker; it comes back on reconnect
            log.exception("%s: could not dead-letter; requeueing", self.consumer)
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)

    # -- from a feed ----------------------------------------------------------
    def handle_feed_event(self, event):
        """Handle one CloudEvents JSON event from a feed; wait until it is settled."""
        if self.store.handled(self.consumer, event["id"]):
            self.store.skipped[self.consumer] += 1
            return
        settled = eventlet.event.Event()
        self._attempt(event.get("data") or {}, event, settled.send, attempt=1)
        error = settled.wait()
        if error is REQUEUE:
            raise ContainerBeingKilled()
        if error is not None:
            self._store_provider.metrics.dead_lettered.labels(self.consumer).inc()
            deadletter.park(self.container.config["AMQP_URI"], self.consumer, event.get("data"),
                            envelope.to_headers({k: v for k, v in event.items() if k != "data"}),
                            error, self.queue.name)

    # -- both ---------------------------------------------------------------
    def _attempt(self, body, attrs, done, attempt):
        context_data = {
            "otg.consumer": self.consumer,
            "otg.event_id": attrs["id"],
            "otg.correlation_id": attrs.get("correlationid") or attrs["id"],
            "otg.actor": None,
            "otg.event": {k: v for k, v in attrs.items() if k != "data"},
        }
        handle_result = partial(self._handled, body, attrs, done, attempt)
        try:
            self.container.spawn_worker(self, (body,), {}, context_data=context_data,
                                        handle_result=handle_result)
        except ContainerBeingKilled:
            done(REQUEUE)

    def _handled(self, body, attrs, done, attempt, worker_ctx, result, exc_info):
        error = exc_info[1] if exc_info else None
        if error is None:
            log.info("handled %s %s", attrs.get("type"), attrs["id"])
            done(None)
            return result, None
        self._store_provider.metrics.handler_failures.labels(self.consumer).inc()
        if attempt < MAX_ATTEMPTS:
            delay = 0 if isinstance(error, ConcurrencyError) else BACKOFF[attempt - 1]
            eventlet.spawn_after(delay, self._attempt, body, attrs, done, attempt + 1)
        else:
            done(f"{type(error).__name__}: {error} (after {attempt} attempts)")
        return result, exc_info


handle_event = OtgEventHandler.decorator


def bind_without_declaring(connection, providers):
    """A service's own broker user may bind to another service's exchange but not declare
    it (docs/security-bus.md): make sure each source's exchange exists, then let the
    handlers' queues only check it."""
    for name in {provider.queue.exchange.name for provider in providers}:
        ensure_exchange(connection, name)
    for provider in providers:
        provider.queue.exchange.passive = True


def ensure_exchange(connection, name):
    """The source's exchange exists: per-service users find it provisioned; a user that
    may (guest in development) creates it as the source's relay does."""
    channel = connection.channel()
    try:
        channel.exchange_declare(name, "topic", passive=True)
        channel.close()
        return
    except NotFound:  # the broker closed that channel
        pass
    channel = connection.channel()
    try:
        channel.exchange_declare(name, "topic", durable=True, auto_delete=False)
        channel.close()
    except AccessRefused:
        raise RuntimeError(f"exchange {name} does not exist and this broker user may not create "
                           "it: provision the broker first (otg broker users)") from None
