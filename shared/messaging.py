"""Consuming events in each source's order: a service follows another through ONE
durable queue per source, `<service>.from.<source>`, bound to every event type it
follows from it. One lane per source handles that queue one event at a time: first the
catch-up from the source's `/events` feed, then the bus. Each `@handle_event` method
is a consumer (`<service>.<method>`) with its own inbox entries, retries, dead-letter
queue and metrics, as before.

Use `@handle_event("inspection", "HazardFound")` on a service method taking the
event data; inside it, `with self.store.unit() as uow:` records the event as
handled in the same transaction as its effects.
"""
import hashlib
import logging
import time
from functools import cached_property, partial

import eventlet
import eventlet.queue
import requests
from amqp.exceptions import AccessRefused, ChannelError, NotFound
from kombu import Connection, Exchange, Queue, binding
from nameko.events import EventHandler
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import ProviderCollector, SharedExtension
from nameko.messaging import QueueConsumer

from shared import auth, config, deadletter, directory, envelope, logs
from shared.broker import follower_queue_arguments
from shared.clock import Clock
from shared.errors import ConcurrencyError

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
REQUEUE = "requeue"  # the service is stopping: give the message back
BACKOFF = (0.1, 0.5, 2.0)
# The follow cursor moves with the bus too, in batches: after this many events settled,
# or when the stream has been quiet this long, and on stop (docs/decisions/0013).
CURSOR_EVERY = 1000
CURSOR_IDLE = 0.2
LANE_BATCH = 32  # messages waiting in a lane that share one commit, at most
FEED_PAGE = 2000  # events per feed page: the most a catch-up asks for and a feed answers


def stream_queue_name(service, source):
    return f"{service}.from.{source}"


def legacy_queue_name(source, event_type, consumer):
    """The queue nameko gave each handler before issue 11; retired after a catch-up."""
    return f"evt-{source}-{event_type}--{consumer}"


class OtgQueueConsumer(QueueConsumer):
    """nameko's consumer, except that it binds to a source's exchange without declaring
    it, hands each message to its source's lane in the order received, and dead-letters
    an undecodable message instead of dying."""

    def get_consumers(self, consumer_cls, channel):
        bind_without_declaring(channel.connection, self._providers)  # on every (re)connection
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(self._undecodable, provider)
        return consumers

    def handle_message(self, provider, body, message):
        provider.handle_message(body, message)  # only enqueues: the order stays the broker's

    def _undecodable(self, provider, message, error):
        provider.dead_letter(message.body, message, f"undecodable message: {error}")

    def unregister_provider(self, provider):
        # Stopped while still starting, nameko signals "last provider gone" once per
        # provider; the second signal raises, aborts the stop and leaves the process
        # running for ever (a SIGTERM in the first second of a service). Signal it once.
        if not self._consumers_ready.ready():
            if not self._last_provider_unregistered.ready():
                self._last_provider_unregistered.send()
            return
        super().unregister_provider(provider)


class SourceStream:
    """The events of one source, in its log order: the queue `<service>.from.<source>`
    and the lane that handles them one at a time (each to every handler of its type)."""

    def __init__(self, follower, source):
        self.follower, self.source = follower, source
        self.handlers = []
        self.pending = eventlet.queue.LightQueue()
        self.lane = None
        self.stopping = False
        self.cursor = FollowCursor(self)

    @property
    def service(self):
        return self.follower.container.service_name

    @property
    def types(self):
        return sorted({handler.event_type for handler in self.handlers})

    @property
    def exchange(self):
        # passive: a service's own broker user may bind to another's exchange, not declare it
        return Exchange(f"{self.source}.events", type="topic", durable=True, passive=True)

    @property
    def queue(self):
        exchange = self.exchange
        return Queue(stream_queue_name(self.service, self.source), durable=True,
                     bindings=[binding(exchange, routing_key=name) for name in self.types],
                     queue_arguments=follower_queue_arguments())

    def handlers_of(self, name):
        return [handler for handler in self.handlers if handler.event_type == name]

    @property
    def queue_consumer(self):
        return self.handlers[0].queue_consumer

    # -- the lane ------------------------------------------------------------------
    def start(self, follow_feed):
        self.lane = self.follower.container.spawn_managed_thread(
            partial(self.run, follow_feed), identifier=f"otg.stream.{self.source}")

    def stop(self):
        """Stop the lane (once) and wait until it has."""
        if not self.stopping:
            self.stopping = True
            self.queue_consumer.unregister_provider(self)  # no more deliveries
            self.pending.put((None, None, None))
        if self.lane is not None:
            self.lane.wait()

    def run(self, behind):
        """Catch up first; a source whose feed cannot be read yet does not hold up its bus
        (its events come later from the feed, de-duplicated by the inbox)."""
        delay, retry_at = 0.5, 0.0
        while True:
            if behind and not self.stopping and time.monotonic() >= retry_at:
                try:
                    self.catch_up()
                    behind = False
                except ContainerBeingKilled:
                    behind = False
                except Exception as error:  # source down, or a broken page
                    log.info("catch-up from %s not possible yet (%s)", self.source,
                             type(error).__name__)
                    retry_at, delay = time.monotonic() + delay, min(delay * 2, 30)
            timeout = delay if behind else (CURSOR_IDLE if self.cursor.unsaved else None)
            try:
                body, message, ahead = self.pending.get(timeout=timeout)
            except eventlet.queue.Empty:
                self.cursor.save()  # a quiet moment
                continue
            items = [(body, message, ahead)] + self.queued()
            last = items[-1][1] is None  # the stop sentinel came with them
            self.settle_all([item for item in items if item[1] is not None])
            if last:
                self.cursor.save()
                return
            if self.cursor.unsaved >= CURSOR_EVERY:
                self.cursor.save()

    def queued(self):
        """The messages delivered already behind the one in hand (prefetch bounds them)."""
        items = []
        while len(items) < LANE_BATCH - 1 and self.pending.qsize():
            items.append(self.pending.get_nowait())
            if items[-1][1] is None:
                break
        return items

    def settle_all(self, items):
        """Settle messages in order. Several waiting at once share one transaction (a unit
        of work each, one commit) and are acknowledged after it: a lane that falls behind
        pays one commit per turn, not one per event (docs/decisions/0017)."""
        if self.stopping:
            for _, message, _ in items:
                self.requeue(message)
            return
        try:
            if len(items) == 1:
                done = [self.handle(*items[0])]
            else:
                store = self.handlers[0].store
                inbox = self.inbox_of(store, items)
                with store.batch() as batch:
                    done = [self.handle(body, message, ahead, batch, inbox)
                            for body, message, ahead in items]
        except Exception:  # never let one message stop the lane
            log.exception("%s: could not settle %d message(s); requeueing", self.queue.name,
                          len(items))
            for _, message, _ in items:
                self.requeue(message)
            return
        for act, (_, message, _) in zip(done, items):
            act(message)

    # -- from the bus ----------------------------------------------------------------
    def handle_message(self, body, message):
        self.pending.put((body, message, self.look_ahead(body, message)))

    def look_ahead(self, body, message):
        """Start the lookups (`@before`) of an event as it is delivered: they are reads, so
        they run while the events queued before it are applied, one at a time, in order
        (prefetch bounds how many run). {handler: its lookup under way}."""
        attrs = envelope.from_headers(message.headers)
        if not isinstance(body, dict) or not attrs.get("id") or not attrs.get("type"):
            return {}
        try:
            handlers = self.handlers_of(envelope.event_name(attrs))
        except Exception:  # a malformed type: `handle` deals with it, in its turn
            return {}
        return {handler: started(handler.look_up, body, attrs)
                for handler in handlers if handler.look_up}

    def inbox_of(self, store, items):
        """What the inbox holds of these messages, read at once ((consumer, event id)
        pairs); None if it cannot be read now (each handler then asks for itself)."""
        ids = [envelope.from_headers(message.headers).get("id") for _, message, _ in items]
        try:
            return store.handled_among([h.consumer for h in self.handlers], [i for i in ids if i])
        except Exception as error:  # database away: each settle asks, and retries
            log.warning("%s: inbox not readable (%s)", self.queue.name, type(error).__name__)
            return None

    def handle(self, body, message, ahead=None, batch=None, inbox=None):
        """Settle one message with every handler of its type; what to do with the message
        then (`self.ack` or `self.requeue`), once its units of work are committed.
        `inbox`: what the inbox held of a batch of messages, read at once."""
        attrs = envelope.from_headers(message.headers)
        if not isinstance(body, dict) or not attrs.get("id") or not attrs.get("type"):
            return self.parked(body, message, "malformed event: no ce-id header or body not a JSON object")
        for handler in self.handlers_of(envelope.event_name(attrs)):
            error = handler.settle(body, attrs, batch=batch, looked_up=(ahead or {}).get(handler),
                                   inbox=inbox)
            if error is REQUEUE:
                return self.requeue
            if error is not None and not handler.park(body, message.headers, error):
                return self.requeue  # comes back; the inbox skips the done
        return self.ack

    def dead_letter(self, body, message, reason):
        self.parked(body, message, reason)(message)

    def parked(self, body, message, reason):
        name = message.delivery_info.get("routing_key")
        handler = (self.handlers_of(name) or self.handlers)[0]
        return self.ack if handler.park(body, message.headers, reason) else self.requeue

    def ack(self, message):
        """The message is settled: handled, skipped as handled, or dead-lettered."""
        self.queue_consumer.ack_message(message)
        self.cursor.settled(message.headers)

    def requeue(self, message):
        self.queue_consumer.requeue_message(message)
        self.cursor.unsettled(message.headers)

    # -- from the feed ----------------------------------------------------------------
    def catch_up(self):
        """Read the source's feed from this service's cursor to its end, in order."""
        self.declare()  # so nothing published from now on is missed
        store = self.handlers[0].store
        cursor_name = self.cursor.name
        after = store.cursor(cursor_name)
        if self.source == "registry":
            directory.fill_once(store, self.service, [h.consumer for h in self.handlers], after)
        types = ",".join(self.types)
        read = self.handlers[0]._store_provider.metrics.feed_events_read.labels(self.source)
        url = f"{config.service_url(self.source)}/events"

        def page_after(position):
            answer = requests.get(url, headers=self._credentials(), timeout=30,
                                  params={"after": position, "limit": FEED_PAGE, "types": types})
            answer.raise_for_status()
            return answer.json()
        coming = started(page_after, after)
        try:
            while True:
                events = coming.wait()
                # replaying from the first page read: a source that cannot be reached
                # replays nothing, and must not hold back what others' events decide
                self.follower.replaying.add(self.source)
                if not events:
                    break
                # the source reads the next page while this one is applied
                coming = started(page_after, int(events[-1]["position"]))
                read.inc(len(events))
                inbox = store.handled_among([handler.consumer for handler in self.handlers],
                                            [event["id"] for event in events])
                # the page in one transaction: a savepoint per event, one commit with the cursor
                with store.batch() as batch:
                    for event in events:
                        if self.stopping:
                            raise ContainerBeingKilled()
                        for handler in self.handlers_of(envelope.event_name(event)):
                            handler.handle_feed_event(event, batch, inbox)
                    after = int(events[-1]["position"])
                    store.set_cursor(cursor_name, after, batch)
        finally:
            self.follower.replaying.discard(self.source)
        self.cursor.caught_up(after)
        self.follower.replays += 1
        self.retire_legacy_queues()

    def _credentials(self):
        """A fresh token of this service naming exactly the types it follows from the source."""
        types = [f"{self.source}.{name}" for name in self.types]
        return {"Authorization": f"Bearer {auth.issue_service(self.service, types)}"}

    def declare(self):
        with Connection(self.follower.container.config["AMQP_URI"]) as conn:
            ensure_exchange(conn.connection, self.exchange.name)
            self.queue(conn.default_channel).declare()

    def retire_legacy_queues(self):
        """The per-handler queues of before (docs/decisions/ordered-streams.md): once the
        feed is read to its end, whatever they hold is handled or in this stream."""
        with Connection(self.follower.container.config["AMQP_URI"]) as conn:
            for handler in self.handlers:
                name = legacy_queue_name(self.source, handler.event_type, handler.consumer)
                channel = conn.channel()  # a refused delete closes its channel
                try:
                    channel.queue_delete(name)
                except (ChannelError, AccessRefused) as error:
                    log.warning("could not delete the retired queue %s (%s)", name, error)
                finally:
                    try:
                        channel.close()
                    except Exception:
                        pass


class FollowCursor:
    """Where a stream's catch-up starts next time: `follow:<source>:<hash of its types>`,
    the position of the last event of the source settled here. The catch-up moves it
    page by page; the bus moves it too, once a catch-up of this run has read the feed
    to its end, and only in batches (`save`), so a restarted follower re-reads no
    history and a message costs no commit of its own.

    It never passes an event that is not settled: the bus brings a source's events in
    its position order, and a message given back to the broker holds the cursor below
    its position until it comes back settled."""

    def __init__(self, stream):
        self.stream = stream
        self.following = False   # the feed was read to its end in this run
        self.saved = self.settled_to = 0
        self.held = set()        # positions given back to the broker, not settled yet
        self.unsaved = 0         # events settled since the last save

    @cached_property
    def name(self):
        # one cursor per set of followed types: a handler added in a later release
        # backfills its type from the start (the inbox skips what others handled).
        # Named once, when the stream first reads or saves it (all its handlers are
        # registered by then)
        types = ",".join(self.stream.types)
        return f"follow:{self.stream.source}:{hashlib.sha1(types.encode()).hexdigest()[:12]}"

    def caught_up(self, position):
        self.following = True
        self.saved = self.settled_to = max(self.settled_to, position)

    def settled(self, headers):
        position = _position(headers)
        if position is None:
            return
        if position in self.held:  # given back before, settled now
            self.held.discard(position)
            self.unsaved += 1
        if self.following and position > self.settled_to:
            self.settled_to = position
            self.unsaved += 1

    def unsettled(self, headers):
        position = _position(headers)
        if position is not None:
            self.held.add(position)

    def save(self):
        """Record the position settled so far (one small write transaction)."""
        position = self.settled_to
        if self.held:
            position = min(position, min(self.held) - 1)
        self.unsaved = 0
        if not self.following or position <= self.saved:
            return
        try:
            self.stream.handlers[0].store.set_cursor(self.name, position)
            self.saved = position
        except Exception as error:  # database away: the next save records it
            log.warning("%s: follow cursor not saved (%s)", self.stream.queue.name,
                        type(error).__name__)


def _position(headers):
    """The source position a bus message carries (`ce-position`), if any."""
    try:
        return int(envelope.from_headers(headers)["position"])
    except (KeyError, TypeError, ValueError):
        return None


class Follower(ProviderCollector, SharedExtension):
    """The service's streams, one per source it follows.

    `replaying` names the sources being read from their feeds now and `replays` counts
    the catch-ups finished, so a service can hold back decisions that need every
    source's facts while the sources' histories come in side by side."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.replaying, self.replays = set(), 0
        self.streams = {}

    def register_provider(self, provider):
        super().register_provider(provider)
        stream = self.streams.get(provider.source_service)
        if stream is None:
            stream = self.streams[provider.source_service] = SourceStream(self, provider.source_service)
            stream.handlers.append(provider)
            provider.queue_consumer.register_provider(stream)
        else:
            stream.handlers.append(provider)

    def unregister_provider(self, provider):
        stream = self.streams.get(provider.source_service)
        if stream is not None and provider in stream.handlers:
            # the lane has stopped before any of its handlers goes: a message of a type
            # whose handler had gone would be acknowledged unhandled, and lost
            stream.stop()
            stream.handlers.remove(provider)
            if not stream.handlers:
                del self.streams[provider.source_service]
        super().unregister_provider(provider)

    def start(self):
        follow_feeds = bool(self.container.config.get("OTG_FOLLOW_FEEDS", True))
        for source in sorted(self.streams):
            self.streams[source].start(follow_feeds)


class OtgEventHandler(EventHandler):
    """One consumer (`<service>.<method>`) of one event type of one source; its source's
    stream delivers to it (the handler itself consumes no queue)."""
    queue_consumer = OtgQueueConsumer()
    follower = Follower()

    def __init__(self, source_service, event_type, **kwargs):
        super().__init__(source_service, event_type, reliable_delivery=True,
                         requeue_on_error=False, **kwargs)

    def setup(self):
        self._store_provider = self._find_store_provider()
        self._clock_provider = next((d for d in self.container.dependencies
                                     if isinstance(d, Clock)), None)
        method = getattr(self.container.service_cls, self.method_name, None)
        # a subscription table's reaction, run without a worker (see _run_direct); a
        # service without a clock (a test's) runs it in a worker, where it fails alike
        self.direct = getattr(method, "direct", None) if self._clock_provider else None
        self.look_up = getattr(method, "look_up", None)  # see shared.subscriptions.before
        self.applies = getattr(method, "applies", None)  # see shared.subscriptions.when
        # effects its unit of work cannot undo (complaints' intake)? assumed of a method
        # that is no subscription table's
        self.effects_outside_unit = getattr(method, "effects_outside_unit", True)
        self.follower.register_provider(self)

    def stop(self):
        self.follower.unregister_provider(self)

    @property
    def consumer(self):
        return f"{self.container.service_name}.{self.method_name}"

    @property
    def store(self):
        return self._store_provider.store

    @property
    def stream_queue(self):
        return stream_queue_name(self.container.service_name, self.source_service)

    def _find_store_provider(self):
        from shared.store_dependency import Store
        for dependency in self.container.dependencies:
            if isinstance(dependency, Store):
                return dependency
        raise RuntimeError(f"{self.container.service_name} declares no Store")

    def settle(self, body, attrs, batch=None, looked_up=None, inbox=None):
        """Handle one event, retrying; None when done (or done before), REQUEUE when the
        service is stopping, else why it failed. `looked_up`: its lookup started ahead,
        for the first attempt (a retry looks up again). `inbox`: the (consumer, event id)
        pairs the inbox held when a lane's batch or a catch-up's page was read at once; a
        reaction with effects its unit cannot undo asks again just before (that answer
        may be seconds old)."""
        if self.passes_over(body, attrs):
            return None
        handled = None
        try:
            if inbox is None or self.effects_outside_unit:
                handled = self.store.handled(self.consumer, attrs["id"])
            else:
                handled = (self.consumer, attrs["id"]) in inbox
        except Exception as error:  # database away: the attempts below retry, and the
            # inbox in their unit of work still de-duplicates
            log.warning("%s: inbox not readable (%s)", self.consumer, type(error).__name__)
        if handled:
            self.store.skipped[self.consumer] += 1
            return None
        settled = eventlet.event.Event()
        self._attempt(body, attrs, settled.send, attempt=1, batch=batch, looked_up=looked_up)
        return settled.wait()

    def passes_over(self, body, attrs):
        """The reaction's `when` rejects the event: passed over before its inbox read and
        its run, as it would be inside. A test that fails is left to that run (its
        retries, then the dead letters)."""
        try:
            return self.applies is not None and not self.applies(body, attrs)
        except Exception:
            return False

    def park(self, body, headers, reason):
        """Dead-letter one event for this consumer; False if the broker did not take it."""
        log.error("%s: dead-lettering a message: %s", self.consumer, reason)
        self._store_provider.metrics.dead_lettered.labels(self.consumer).inc()
        try:
            deadletter.park(self.container.config["AMQP_URI"], self.consumer, body,
                            headers, reason, self.stream_queue)
            return True
        except Exception:  # keep it on the broker; it comes back on reconnect
            log.exception("%s: could not dead-letter; requeueing", self.consumer)
            return False

    def handle_feed_event(self, event, batch=None, inbox=None):
        """Handle one CloudEvents JSON event from a feed; wait until it is settled (its
        unit of work commits with `batch`, shared.store.EventStore.batch)."""
        error = self.settle(event.get("data") or {}, event, batch, inbox=inbox)
        if error is REQUEUE:
            raise ContainerBeingKilled()
        if error is not None:
            self._store_provider.metrics.dead_lettered.labels(self.consumer).inc()
            deadletter.park(self.container.config["AMQP_URI"], self.consumer, event.get("data"),
                            envelope.to_headers({k: v for k, v in event.items() if k != "data"}),
                            error, self.stream_queue)

    def _attempt(self, body, attrs, done, attempt, batch=None, looked_up=None):
        context_data = {
            "otg.batch": batch,
            "otg.consumer": self.consumer,
            "otg.event_id": attrs["id"],
            "otg.correlation_id": attrs.get("correlationid") or attrs["id"],
            "otg.actor": None,
            "otg.event": {k: v for k, v in attrs.items() if k != "data"},
        }
        handle_result = partial(self._handled, body, attrs, done, attempt, batch)
        if self.direct is not None:
            self._run_direct(body, context_data, looked_up, done, handle_result)
            return
        try:
            kwargs = {} if looked_up is None else {"looked_up": looked_up}
            self.container.spawn_worker(self, (body,), kwargs, context_data=context_data,
                                        handle_result=handle_result)
        except ContainerBeingKilled:
            done(REQUEUE)

    def _run_direct(self, body, context_data, looked_up, done, handle_result):
        """A subscription table's reaction runs in its stream's green thread, without a
        nameko worker: it needs none of the service's dependencies but its store and
        clock, and a worker cost a quarter of a catch-up's time (docs/decisions/0019)."""
        if self.container._being_killed:  # as spawn_worker refuses a worker then
            done(REQUEUE)
            return
        service = self.container.service_name
        exc_info = None
        with logs.logging_as(logs.fields_of(service, context_data)):
            try:
                self.direct(self.store, self._store_provider.context_for(context_data), body,
                            context_data["otg.event"], self._clock_provider.clock.now(),
                            bool(self.follower.replaying), looked_up)
            except Exception as error:  # as nameko logs a worker's
                log.exception("%s: error handling %s: %s", self.consumer,
                              context_data["otg.event_id"], error)
                exc_info = (type(error), error, error.__traceback__)
            try:
                handle_result(None, None, exc_info)
            finally:
                del exc_info  # its traceback holds this frame (as nameko does)
        # let the hub run: a catch-up page on SQLite is one transaction that would not
        # otherwise yield (HTTP, the relay, the next page's read all wait)
        eventlet.sleep(0)

    def _handled(self, body, attrs, done, attempt, batch, worker_ctx, result, exc_info):
        error = exc_info[1] if exc_info else None
        if error is None:
            log.info("handled %s %s", attrs.get("type"), attrs["id"])
            done(None)
            return result, None
        self._store_provider.metrics.handler_failures.labels(self.consumer).inc()
        if attempt < MAX_ATTEMPTS:
            delay = 0 if isinstance(error, ConcurrencyError) else BACKOFF[attempt - 1]
            eventlet.spawn_after(delay, self._attempt, body, attrs, done, attempt + 1, batch)
        else:
            done(f"{type(error).__name__}: {error} (after {attempt} attempts)")
        return result, exc_info


handle_event = OtgEventHandler.decorator


def started(function, *args):
    """`function(*args)` running in a green thread of its own; `.wait()` on the answer
    returns its result or raises its error."""
    answer = eventlet.event.Event()

    def work():
        try:
            answer.send(function(*args))
        except Exception as error:  # raised again to whoever waits (a lookup: its attempt fails)
            answer.send_exception(error)
    eventlet.spawn_n(work)
    return answer


def bind_without_declaring(connection, streams):
    """A service's own broker user may bind to another service's exchange but not declare
    it (docs/security.md, "The bus"): make sure each source's exchange exists; the streams'
    queues only check it."""
    for name in {stream.exchange.name for stream in streams}:
        ensure_exchange(connection, name)


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
