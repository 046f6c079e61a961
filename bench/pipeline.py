"""The backbone without HTTP: registrations appended one unit of work (one
commit) at a time, or from several writer threads whose units share commits,
while the relay, woken by each commit, publishes them to an outside consumer —
append → relay → broker → consumer, in one process as in a service."""
import threading
import time

from bench import broker, sample
from bench.eventstores import concurrently
from bench.report import Result
from services.registry.domain import Institution
from services.registry.events import CATALOGUE
from shared.relay import Relay
from shared.store import EventStore

QUEUE = "bench.pipeline.sink"


def measure(amqp_uri, database_url, count, queue_arguments=None, writers=1):
    """One writer: one commit per unit. `writers` threads: their units share commits."""
    store = EventStore(database_url, CATALOGUE)
    store.create()
    relay = Relay(store, sample.SERVICE, amqp_uri)
    broker.declare_sink(amqp_uri, relay.exchange, QUEUE, queue_arguments)
    publisher = threading.Thread(target=relay.run, name="relay", daemon=True)
    try:
        with broker.OutsideConsumer(amqp_uri, QUEUE, count) as consumer:
            publisher.start()
            started = time.monotonic()
            if writers == 1:
                for n in range(count):
                    save(store, n)
            else:
                concurrently(lambda n: save(store, n), count, writers)
            appended = time.monotonic()
            received, _, last = consumer.wait()
    finally:
        relay.stop()
        publisher.join(30)
        store.dispose()
        broker.delete_queue(amqp_uri, QUEUE)
    name = "append → relay → outside consumer" + (f", {writers} writers" if writers > 1 else "")
    how = "one commit each" if writers == 1 else "sharing commits"
    return Result(name, received, last - started,
                  detail=f"appends {count / (appended - started):,.0f}/s, {how}", target=0.5)


def save(store, n):
    with store.unit() as uow:
        uow.save(Institution.register(**sample.registration(n)))
