"""The broker side of a run: a throwaway vhost, and an outside consumer that
counts deliveries in its own process (so it does not share the GIL with the
code being measured)."""
import multiprocessing
import socket
import time
import uuid
from contextlib import contextmanager
from urllib.parse import quote, urlparse, urlunparse

import requests
from kombu import Connection

MANAGEMENT = "http://guest:guest@127.0.0.1:15672"  # requests takes the credentials from it
PREFETCH = 500
IDLE = 10  # seconds without a delivery after which the consumer gives up


@contextmanager
def throwaway_vhost(amqp_uri, management=MANAGEMENT):
    """A fresh vhost (as nameko's test fixtures make them), deleted afterwards."""
    parts = urlparse(amqp_uri)
    vhost = f"otg_bench_{uuid.uuid4().hex[:8]}"
    base = f"{management}/api"
    user = parts.username or "guest"
    requests.put(f"{base}/vhosts/{vhost}", timeout=10).raise_for_status()
    try:
        requests.put(f"{base}/permissions/{vhost}/{quote(user)}", timeout=10,
                     json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
        yield urlunparse(parts._replace(path="/" + quote(vhost, safe="")))
    finally:
        requests.delete(f"{base}/vhosts/{vhost}", timeout=30)


def declare_sink(amqp_uri, exchange, queue, arguments=None):
    """A durable queue bound to a topic exchange with `#`, as an integrator binds one
    (`arguments`: e.g. its type, shared.broker.queue_arguments())."""
    with Connection(amqp_uri) as conn:
        channel = conn.default_channel
        channel.exchange_declare(exchange, "topic", durable=True, auto_delete=False)
        channel.queue_declare(queue, durable=True, auto_delete=False, arguments=arguments)
        channel.queue_bind(queue, exchange, "#")
        channel.queue_purge(queue)


def _consume(amqp_uri, queue, expected, ready, report):
    """Child process: ack every delivery; report the count and the monotonic
    instants of the first and the last (CLOCK_MONOTONIC is system-wide on Linux)."""
    seen = {"count": 0, "first": None, "last": None}
    with Connection(amqp_uri, heartbeat=0) as conn:
        channel = conn.channel()
        channel.basic_qos(0, PREFETCH, False)

        def on_message(message):
            seen["last"] = time.monotonic()
            seen["first"] = seen["first"] or seen["last"]
            seen["count"] += 1
            channel.basic_ack(message.delivery_tag)

        channel.basic_consume(queue, callback=on_message)
        ready.set()
        deadline = time.monotonic() + 600
        while seen["count"] < expected and time.monotonic() < deadline:
            try:
                conn.drain_events(timeout=1)
            except TimeoutError:  # the producer lost some: report what came
                if seen["last"] and time.monotonic() - seen["last"] > IDLE:
                    break
    report.put((seen["count"], seen["first"], seen["last"]))


class OutsideConsumer:
    """`with OutsideConsumer(uri, queue, n) as c: …; c.wait()` -> (count, first, last)."""

    def __init__(self, amqp_uri, queue, expected):
        ctx = multiprocessing.get_context("spawn")
        self.ready, self.report = ctx.Event(), ctx.Queue()
        self.process = ctx.Process(target=_consume, daemon=True,
                                   args=(amqp_uri, queue, expected, self.ready, self.report))

    def __enter__(self):
        self.process.start()
        if not self.ready.wait(30):
            raise RuntimeError("the outside consumer did not start")
        return self

    def wait(self, timeout=600):
        count, first, last = self.report.get(timeout=timeout)
        self.process.join(10)
        if not count:
            raise RuntimeError("the outside consumer received nothing")
        return count, first, last

    def __exit__(self, *exc):
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        return False


def delete_queue(amqp_uri, queue):
    with Connection(amqp_uri) as conn:
        conn.default_channel.queue_delete(queue)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
