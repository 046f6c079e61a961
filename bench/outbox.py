"""The outbox relay alone: N events already committed to an EventStore, timed
from the first read to the broker's last confirm (committed → confirmed)."""
import time

from bench import broker, sample
from bench.report import Result
from services.registry.events import CATALOGUE, InstitutionRegistered
from shared.relay import CURSOR, Relay
from shared.store import EventStore

QUEUE = "bench.relay.sink"


def fill(store, count, per_unit=500):
    """Append `count` registrations, one stream each, `per_unit` per transaction."""
    for start in range(0, count, per_unit):
        with store.unit() as uow:
            for n in range(start, min(count, start + per_unit)):
                data = sample.event_data(n)
                uow.append(data["institution_id"], [InstitutionRegistered(**data)], 0)


def measure(amqp_uri, database_url, count, rounds=1, window=100):
    """The best of `rounds` runs of the relay over the same `count` committed events."""
    store = EventStore(database_url, CATALOGUE)
    store.create()
    fill(store, count)
    try:
        return max((_one_round(amqp_uri, store, count, window) for _ in range(rounds)),
                   key=lambda result: result.rate)
    finally:
        store.dispose()


def _one_round(amqp_uri, store, count, window):
    store.set_cursor(CURSOR, 0)
    relay = Relay(store, sample.SERVICE, amqp_uri, window=window)
    broker.declare_sink(amqp_uri, relay.exchange, QUEUE)
    try:
        with broker.OutsideConsumer(amqp_uri, QUEUE, count) as consumer:
            relay.connect()
            started = time.monotonic()
            while relay.publish_pending():
                pass
            confirmed = time.monotonic()
            received, _, last = consumer.wait()
    finally:
        relay.close()
        broker.delete_queue(amqp_uri, QUEUE)
    return Result("outbox relay, committed → confirmed", relay.published, confirmed - started,
                  detail=f"consumer got {received:,} at {received / (last - started):,.0f}/s",
                  target=0.8)
