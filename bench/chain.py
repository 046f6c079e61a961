"""Tracing the hazard chain from outside: one queue bound to the three exchanges
a hazard crosses (inspection `HazardFound` → registry `InstitutionSuspended` →
disclosure `CaseExposed`), consumed in a process of its own, which notes the
monotonic instant (system-wide on Linux) each event arrived, by institution."""
import json
import math
import multiprocessing
import time
from datetime import datetime
from typing import NamedTuple

from kombu import Connection

QUEUE = "bench.hazard.trace"
HOPS = (("inspection.events", "HazardFound"), ("registry.events", "InstitutionSuspended"),
        ("disclosure.events", "CaseExposed"))
LAST = HOPS[-1][1]
IDLE = 10  # seconds without a CaseExposed after which the tracer gives up


class Arrival(NamedTuple):
    at: float          # time.monotonic() when the tracer got it
    wall: float        # time.time() then
    appended: float    # the event's `ce-time` (when the service appended it), epoch seconds
    case_id: str | None


def declare(amqp_uri):
    with Connection(amqp_uri) as conn:
        channel = conn.default_channel
        channel.queue_declare(QUEUE, durable=False, auto_delete=False)
        for exchange, key in HOPS:
            channel.exchange_declare(exchange, "topic", durable=True, auto_delete=False)
            channel.queue_bind(QUEUE, exchange, key)
        channel.queue_purge(QUEUE)


def delete(amqp_uri):
    with Connection(amqp_uri) as conn:
        conn.default_channel.queue_delete(QUEUE)


def _trace(amqp_uri, expected, ready, report):
    """Child process: {(event name, institution id): Arrival}."""
    seen, done = {}, [0, time.monotonic()]
    with Connection(amqp_uri, heartbeat=0) as conn:
        channel = conn.channel()
        channel.basic_qos(0, 200, False)

        def on_message(message):
            now, wall = time.monotonic(), time.time()
            body = json.loads(message.body)
            key = message.delivery_info["routing_key"]
            appended = datetime.fromisoformat(message.headers["ce-time"].replace("Z", "+00:00"))
            seen.setdefault((key, body.get("institution_id")),
                            Arrival(now, wall, appended.timestamp(), body.get("case_id")))
            if key == LAST:
                done[:] = [done[0] + 1, now]
            channel.basic_ack(message.delivery_tag)

        channel.basic_consume(QUEUE, callback=on_message)
        ready.set()
        while done[0] < expected and time.monotonic() - done[1] < IDLE:
            try:
                conn.drain_events(timeout=1)
            except TimeoutError:
                pass
    report.put(seen)


class Tracer:
    """`with Tracer(uri, n) as t: …; arrivals = t.wait()` once the queue is declared."""

    def __init__(self, amqp_uri, expected):
        ctx = multiprocessing.get_context("spawn")
        self.ready, self.report = ctx.Event(), ctx.Queue()
        self.process = ctx.Process(target=_trace, daemon=True,
                                   args=(amqp_uri, expected, self.ready, self.report))

    def __enter__(self):
        self.process.start()
        if not self.ready.wait(30):
            raise RuntimeError("the tracer did not start")
        return self

    def wait(self, timeout=600):
        seen = self.report.get(timeout=timeout)
        self.process.join(10)
        return seen

    def __exit__(self, *exc):
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        return False


def percentile(values, share):
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(round(len(ordered) * share, 9)))  # 1000 × 0.99 is not 990.000…1
    return ordered[rank - 1]
