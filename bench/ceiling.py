"""The ceiling: raw kombu (py-amqp underneath) publishing persistent,
otg-shaped messages to a durable queue with confirms in windows of 100,
while an outside consumer acks them."""
import time

import amqp
from kombu import Connection

from bench import broker, sample
from bench.report import Result
from services.registry.events import CATALOGUE

EXCHANGE, QUEUE = "bench.raw", "bench.raw.sink"


def measure(amqp_uri, count, window=100):
    """Publish `count` messages, waiting for the confirms of each window of `window`."""
    broker.declare_sink(amqp_uri, EXCHANGE, QUEUE)
    body, headers, key = sample.amqp_message(CATALOGUE)
    with broker.OutsideConsumer(amqp_uri, QUEUE, count) as consumer, \
            Connection(amqp_uri, heartbeat=0) as conn:
        channel = conn.default_channel
        channel.confirm_select()
        acked = [0]
        channel.events["basic_ack"].add(lambda tag, multiple: acked.__setitem__(0, max(acked[0], tag)))
        started = time.monotonic()
        for n in range(1, count + 1):
            message = amqp.Message(body, content_type="application/json", content_encoding="utf-8",
                                   delivery_mode=2, application_headers=headers)
            channel.basic_publish(message, exchange=EXCHANGE, routing_key=key)
            if n % window == 0 or n == count:
                while acked[0] < n:
                    conn.drain_events(timeout=30)
        confirmed = time.monotonic()
        received, _, last = consumer.wait()
    broker.delete_queue(amqp_uri, QUEUE)
    return Result("raw kombu publish → consumer (ceiling)", received, last - started,
                  detail=f"confirmed {count / (confirmed - started):,.0f}/s")
