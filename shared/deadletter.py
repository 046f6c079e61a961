"""Dead-letter queues: a message a consumer (`<service>.<method>`) cannot handle is
parked, with the reason, in `dlq.<consumer>` (exchange `<service>.dead-letter`: one per
service, so a service's broker user can park only its own), and the consumer goes on."""
import json

from amqp.exceptions import ChannelError
from kombu import Connection, Exchange, Queue


def exchange_for(consumer):
    service = consumer.split(".", 1)[0]
    return Exchange(f"{service}.dead-letter", type="direct", durable=True)


def queue_for(consumer):
    from shared import broker
    return Queue(f"dlq.{consumer}", exchange=exchange_for(consumer), routing_key=consumer,
                 durable=True, queue_arguments=broker.queue_arguments())


def park(amqp_uri, consumer, body, headers, reason, origin_queue):
    """Publish to the consumer's dead-letter queue and wait for the broker's confirm."""
    headers = dict(headers or {})
    headers.update({"x-otg-reason": reason[:2000], "x-otg-consumer": consumer,
                    "x-otg-queue": origin_queue})
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body, ensure_ascii=False)
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        producer = conn.Producer()
        producer.publish(body, exchange=exchange_for(consumer), routing_key=consumer, headers=headers,
                         content_type="application/json", content_encoding="utf-8",
                         delivery_mode=2, declare=[queue_for(consumer)], retry=True,
                         retry_policy={"max_retries": 5, "interval_start": 0.2})


def read(amqp_uri, consumer, limit=100):
    """Take up to `limit` parked messages without removing them (they are requeued)."""
    messages = []
    with Connection(amqp_uri) as conn:
        queue = queue_for(consumer)(conn.default_channel)
        queue.declare()
        while len(messages) < limit:
            message = queue.get(no_ack=False)
            if message is None:
                break
            messages.append(message)
        for message in messages:
            message.requeue()
    return messages


OUTCOMES = ("replayed", "kept")  # kept: its queue is missing, or not the consumer's


def replay(amqp_uri, consumer, progress=None):
    """Send the parked messages back to the queues they came from, each at most once.

    Returns (replayed, missing): a message whose queue no longer exists (its service
    not started since a queue was deleted) stays parked, since the broker would confirm
    it to nowhere; `missing` names those queues. A message naming a queue that is not
    the consumer's service's own (`<service>.from.<source>`) stays parked too: a service's
    user may park messages in its own dead-letter queues only, and replay must not carry
    them to another's (ValueError names those queues). A message parked before issue 11
    names its handler's retired queue (`evt-<source>-<type>--<consumer>`): it goes to
    the stream that replaced it. `progress` is told each message's outcome (one of
    OUTCOMES)."""
    progress = progress or (lambda count=1, outcome=None: None)
    replayed, missing, exists, foreign = 0, set(), {}, set()
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        channel = conn.default_channel
        queue = queue_for(consumer)(channel)
        _, parked, _ = queue.queue_declare()
        producer = conn.Producer(channel)
        for _ in range(parked):  # not the ones that come back while we replay
            message = queue.get(no_ack=False)
            if message is None:
                break
            target = stream_of(message.headers["x-otg-queue"], consumer)
            if target not in exists:
                exists[target] = _queue_exists(conn, target)
            if not exists[target] or not target.startswith(f"{consumer.split('.', 1)[0]}.from."):
                (foreign if exists[target] else missing).add(target)
                message.requeue()
                progress(outcome="kept")
                continue
            headers = {k: v for k, v in message.headers.items() if not k.startswith("x-otg-")}
            producer.publish(message.body, exchange="", routing_key=target,
                             headers=headers, content_type=message.content_type,
                             content_encoding=message.content_encoding, delivery_mode=2)
            message.ack()
            replayed += 1
            progress(outcome="replayed")
    if foreign:
        raise ValueError(f"replayed {replayed}; kept the messages naming queues not of "
                         f"{consumer}: {', '.join(sorted(foreign))}")
    return replayed, sorted(missing)


def stream_of(queue, consumer):
    """`evt-inspection-HazardFound--registry.on_hazard` ⇒ `registry.from.inspection`, the
    stream that replaced a handler's own queue; any other name as it is."""
    suffix = f"--{consumer}"
    if queue.startswith("evt-") and queue.endswith(suffix):
        source = queue[len("evt-"):].split("-", 1)[0]
        return f"{consumer.split('.', 1)[0]}.from.{source}"
    return queue


def _queue_exists(conn, name):
    channel = conn.channel()  # a failed passive declare closes its channel
    try:
        channel.queue_declare(queue=name, passive=True)
        return True
    except ChannelError:
        return False
    finally:
        try:
            channel.close()
        except Exception:
            pass


def consumers_with_messages(api_url=None):
    """Consumers whose dead-letter queue holds messages (RabbitMQ management API)."""
    import os
    from urllib.parse import quote, urlparse

    import requests
    from shared import config
    uri = urlparse(config.amqp_uri())
    api_url = api_url or os.environ.get("OTG_RABBITMQ_API", f"http://{uri.hostname or 'localhost'}:15672")
    vhost = quote(uri.path.lstrip("/") or "/", safe="")
    response = requests.get(f"{api_url}/api/queues/{vhost}", timeout=10,
                            auth=(uri.username or "guest", uri.password or "guest"))
    response.raise_for_status()
    return sorted(q["name"][len("dlq."):] for q in response.json()
                  if q["name"].startswith("dlq.") and q.get("messages", 0))
