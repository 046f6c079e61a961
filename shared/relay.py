"""The outbox relay: publishes committed events in position order to
`<service>.events` (topic, durable; routing key = event name) as persistent
messages, with publisher confirms in windows, and advances its cursor only
after the broker confirmed them.

Speed (bench/README.md): windows are pipelined — the next window is on the wire
while the broker still syncs the previous one — and a window's frames leave in
one socket write. The cursor is recorded once per batch read, or when the log
has been quiet for `poll_interval`, not after every window. A crash thus
republishes at most one batch (consumers de-duplicate by event id); a broker
outage only delays.

Replicas of a service share its database; one relay of them publishes at a time,
the holder of the `Lease`. The others wait and take over within seconds of its
holder's death."""
import json
import logging
import threading
from collections import deque
from contextlib import contextmanager

import amqp
from kombu import Connection
from kombu.exceptions import KombuError
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from shared import envelope
from shared.store import normalise_url

log = logging.getLogger(__name__)
CURSOR = "relay"
LEASE_KEY = 0x72656C  # "rel": the advisory lock key of the relay lease
# A holder whose host vanishes without closing its socket is noticed in
# idle + interval * count seconds (a killed process: at once).
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2,
              "keepalives_count": 3}


class Lease:
    """The right to publish a database's outbox: a PostgreSQL session advisory lock
    on a connection of its own. PostgreSQL releases it when that connection ends, so
    the death of its holder (kill -9, a host gone: TCP keepalives) frees it. SQLite
    is one process per database file, so its lease is always held."""

    def __init__(self, url):
        self.url = normalise_url(url)
        self.shared = self.url.startswith("postgresql")
        self._engine = self._connection = None

    def acquire(self):
        """Whether this process holds the lease now (taking it if it is free)."""
        if not self.shared:
            return True
        if self.held():
            return True
        try:
            if self._engine is None:
                self._engine = create_engine(self.url, poolclass=NullPool, connect_args=KEEPALIVES)
            self._connection = self._engine.connect().execution_options(
                isolation_level="AUTOCOMMIT")
            if self._connection.exec_driver_sql(
                    f"SELECT pg_try_advisory_lock({LEASE_KEY})").scalar():
                return True
        except Exception as error:  # database away: nobody can publish anyway
            log.warning("relay lease: %s", error)
        self.release()
        return False

    @property
    def holding(self):
        return not self.shared or self._connection is not None

    def held(self):
        """Whether the lease is still this process's (a round trip to PostgreSQL)."""
        if not self.shared:
            return True
        if self._connection is None:
            return False
        try:
            self._connection.exec_driver_sql("SELECT 1")
            return True
        except Exception:  # its connection broke: PostgreSQL has released the lock
            self.release()
            return False

    def release(self):
        if self._connection is not None:
            try:
                self._connection.close()  # the session ends, and the lock with it
            except Exception:
                pass
        self._connection = None


class LeaseLost(Exception):
    pass


class ConfirmTimeout(Exception):
    pass


# What a broker that is away or refuses a message raises (ConnectionError: a nack).
BROKER_ERRORS = (OSError, amqp.exceptions.AMQPError, KombuError, ConfirmTimeout, LeaseLost)


class Relay:
    def __init__(self, store, service, amqp_uri, window=100, batch=1000,
                 poll_interval=1.0, confirm_timeout=10.0, in_flight=2, lease_interval=1.0):
        self.store = store
        self.lease = Lease(store.url)
        self.lease_interval = lease_interval  # how often a standby tries to take over
        self.service = service
        self.exchange = f"{service}.events"
        self.amqp_uri = amqp_uri
        self.window = window
        self.batch = batch
        self.poll_interval = poll_interval
        self.confirm_timeout = confirm_timeout
        self.in_flight = in_flight      # windows on the wire before waiting for the oldest
        self.stopped = threading.Event()
        self.published = 0
        self.position = None            # last confirmed position; None = read the cursor
        self._recorded = None           # the position the cursor table holds
        self._sent = None               # last published position
        self._unconfirmed = deque()
        self._connection = None

    # -- lifecycle ----------------------------------------------------------
    def run(self):
        """Publish until stopped; reconnect with backoff while the broker is away."""
        while not self.stopped.is_set():
            if not self._lead():
                self.stopped.wait(self.lease_interval)
                continue
            try:
                self.connect()
                self._publish_until_stopped()
            except Exception as error:  # broker away, connection reset, nack
                if self.stopped.is_set():
                    break
                if isinstance(error, BROKER_ERRORS):
                    log.warning("relay %s: %s; retrying", self.service, error)
                else:  # e.g. an event the envelope cannot encode: publishing stalls here
                    log.exception("relay %s: cannot publish the next event; retrying", self.service)
                self.close()
                self.stopped.wait(1.0)
        self.close()
        self._record_final_progress()
        self.lease.release()

    @property
    def active(self):
        """Whether this replica's relay publishes (holds the lease, as far as it last
        looked: the lease's connection is the relay thread's alone)."""
        return self.lease.holding

    def _lead(self):
        """Hold the lease; on taking it over, start from the recorded cursor, since
        another relay may have published since this one last did."""
        was_held = self.lease.held()
        if not self.lease.acquire():
            return False
        if not was_held:
            self.position = None
            log.info("relay %s: publishing (holds the relay lease)", self.service)
        return True

    def stop(self):
        self.stopped.set()
        self.store.committed.set()
        self._record_final_progress()  # the container may kill `run` before it gets here

    def _record_final_progress(self):
        try:
            self._record_progress()
        except Exception as error:  # the store is closing too: we republish on start
            log.warning("relay %s: progress not recorded at stop: %s", self.service, error)

    def connect(self):
        connection = Connection(self.amqp_uri, heartbeat=0)
        connection.ensure_connection(
            max_retries=None, interval_start=0.2, interval_step=0.5, interval_max=5,
            errback=lambda exc, interval: log.warning(
                "relay %s: broker unreachable (%s), retry in %ss", self.service, exc, interval),
            callback=self._check_stopped)
        channel = connection.default_channel
        channel.exchange_declare(self.exchange, "topic", durable=True, auto_delete=False)
        channel.confirm_select()
        self._acked = 0            # every tag up to this one is confirmed
        self._acked_beyond = set()  # tags above it confirmed one by one (acks come out of order)
        self._nacked = False
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        self._connection, self._channel, self._tag = connection, channel, 0
        self._unconfirmed = deque()  # (last tag, last position, size) of windows on the wire
        self._sent = self.position   # unconfirmed windows go out again on this connection

    def _check_stopped(self):
        if self.stopped.is_set():
            raise ConnectionAbortedError("relay stopped")

    def close(self):
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:
                pass
        self._connection = None

    # -- publishing ---------------------------------------------------------
    def _publish_until_stopped(self):
        while not self.stopped.is_set():
            if not self.lease.held():
                raise LeaseLost("the relay lease was lost (its database connection ended)")
            self.store.committed.clear()
            if self.publish_pending() >= self.batch:
                continue  # a full batch: more may be waiting
            # Everything committed before clear() is out; a commit since has set the event.
            if not self.store.committed.wait(self.poll_interval):
                self._record_progress()  # quiet for a while: not a write per small batch

    def publish_pending(self):
        """Publish what was committed after the last published event; return how many.

        After a full batch the newest windows stay unconfirmed, so that reading the
        next batch overlaps the broker syncing them; caught up, everything settles."""
        if self.position is None:
            self.position = self._recorded = self._sent = self.store.cursor(CURSOR)
        stored = self.store.read_after(self._sent, self.batch)
        for start in range(0, len(stored), self.window):
            window = stored[start:start + self.window]
            self._publish_window(window)
            self._sent = window[-1].position
            self._unconfirmed.append((self._tag, self._sent, len(window)))
            if len(self._unconfirmed) >= self.in_flight:
                self._confirmed(*self._unconfirmed.popleft())
        if len(stored) < self.batch:
            while self._unconfirmed:
                self._confirmed(*self._unconfirmed.popleft())
        if self.position - self._recorded >= self.window:
            self._record_progress()  # once per batch (a commit costs as much as 20 messages)
        return len(stored)

    def _publish_window(self, window):
        catalogue = self.store.catalogue
        with self._coalesced():
            for stored in window:
                attrs = envelope.attributes(self.service, stored, catalogue)
                body = json.dumps(envelope.current_data(stored, catalogue), ensure_ascii=False)
                message = amqp.Message(
                    body, content_type=envelope.CONTENT_TYPE, content_encoding="utf-8",
                    delivery_mode=2, message_id=stored.id,
                    application_headers=envelope.to_headers(attrs))
                self._channel.basic_publish(message, exchange=self.exchange, routing_key=stored.name)
                self._tag += 1

    @contextmanager
    def _coalesced(self):
        """Send a window's frames in one socket write instead of one per message:
        the syscall, not the encoding, is the larger cost of a small message.
        (py-amqp 5 writes every frame through `transport._write`.)"""
        transport = self._connection.connection.transport
        send, frames = transport._write, []
        transport._write = lambda data: frames.append(bytes(data))  # py-amqp reuses its buffer
        try:
            yield
        finally:
            transport._write = send
        transport.write(b"".join(frames))

    def _confirmed(self, last_tag, position, count):
        """Wait for the broker's confirms up to `last_tag`, then move on to `position`."""
        self._wait_for_confirms(last_tag)
        self.position = position
        self.published += count

    def _record_progress(self):
        if self.position is not None and self.position != self._recorded:
            self.store.set_cursor(CURSOR, self.position)
            self._recorded = self.position

    def _wait_for_confirms(self, last_tag):
        while self._acked < last_tag:
            if self._nacked:
                raise ConnectionError("broker refused a message (nack)")
            try:
                self._connection.drain_events(timeout=self.confirm_timeout)
            except TimeoutError:
                raise ConfirmTimeout("no publisher confirm from the broker") from None

    def _on_ack(self, delivery_tag, multiple):
        """The broker confirms an unroutable message at once and a routed persistent one
        after its fsync, so a later tag may be confirmed first: a window counts only
        when every tag in it is."""
        if multiple:
            self._acked = max(self._acked, delivery_tag)
            self._acked_beyond = {tag for tag in self._acked_beyond if tag > self._acked}
        elif delivery_tag > self._acked:
            self._acked_beyond.add(delivery_tag)
        while self._acked + 1 in self._acked_beyond:
            self._acked += 1
            self._acked_beyond.remove(self._acked)

    def _on_nack(self, delivery_tag, multiple):
        self._nacked = True
