"""Following live events: an exclusive, auto-deleted queue bound to the exchanges."""
import json
import socket
import uuid

from kombu import Connection, Exchange, Queue

from shared import envelope


def follow(amqp_uri, services, event_type=None, on_event=print, stop=lambda: False):
    """Call `on_event(attributes, data)` for each event until `stop()` is true."""
    with Connection(amqp_uri) as conn:
        channel = conn.default_channel
        queue = Queue(f"otg.tail.{uuid.uuid4().hex[:12]}", exclusive=True, auto_delete=True,
                      durable=False, channel=channel)
        queue.declare()
        for service in services:
            exchange = Exchange(f"{service}.events", type="topic", durable=True, channel=channel)
            exchange.declare()
            queue.bind_to(exchange, routing_key=event_type or "#")

        def receive(body, message):
            attrs = envelope.from_headers(message.headers)
            data = body if isinstance(body, dict) else json.loads(body)
            on_event(attrs, data)
            message.ack()
        with conn.Consumer(queue, callbacks=[receive], accept=["json"]):
            while not stop():
                try:
                    conn.drain_events(timeout=1)
                except socket.timeout:
                    pass


def line(attrs, data):
    """One readable line per event."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if len(payload) > 160:
        payload = payload[:157] + "..."
    return f"{attrs.get('time', '')}  {attrs.get('type', '?'):<48} {attrs.get('subject', '')}  {payload}"
