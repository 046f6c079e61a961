"""The broker side every service shares: the arguments of the queues services
declare, and making sure a RabbitMQ broker answers before services start."""
import shutil
import subprocess
import sys
import time
from urllib.parse import urlparse

from kombu import Connection

from shared import config

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "")


def queue_arguments():
    """`x-queue-type` of every durable queue otg declares, by `OTG_QUEUE_TYPE`.

    Quorum queues are replicated on a RabbitMQ cluster. Classic is declared without
    the argument, as queues were before the setting, so that they redeclare alike.
    A quorum queue must be durable, not exclusive, not auto-delete, and takes no
    priorities or global QoS: declare every queue that uses these arguments so."""
    kind = config.queue_type()
    return {} if kind == "classic" else {"x-queue-type": kind}


def follower_queue_arguments():
    """The arguments of every durable queue a service consumes events from (today
    nameko's `evt-<source>-<type>--<service>.<method>`; any later per-source queue
    such as `<service>.from.<source>` must use them too).

    Contract: `queue_arguments()` plus `x-single-active-consumer`: of the replicas
    consuming one queue only one gets messages, in queue order; when it goes away
    (its connection closes), the broker hands the queue to the next. A queue declared
    before with other arguments makes RabbitMQ answer 406 PRECONDITION_FAILED:
    `otg broker upgrade-queues` (deploy/OPERATIONS.md) replaces it."""
    return {**queue_arguments(), "x-single-active-consumer": True}


# -- upgrading queues declared by an earlier release -----------------------------
def wanted_arguments(name):
    """The arguments this release declares queue `name` with; None for a queue that
    is not the services' (an integrator's own, a bench's)."""
    if name.startswith("dlq."):
        return queue_arguments()
    if name.startswith("evt-"):
        return follower_queue_arguments()
    return None


def outdated(queue):
    """Whether a queue (as the management API lists it) was declared with other
    arguments than this release's: redeclaring it would fail with 406."""
    wanted = wanted_arguments(queue["name"])
    if wanted is None:
        return False
    have = queue.get("arguments") or {}
    return any(bool(have.get(key)) != bool(wanted.get(key)) for key in ("x-single-active-consumer",)) \
        or have.get("x-queue-type", "classic") != wanted.get("x-queue-type", "classic")


class QueueInUse(Exception):
    pass


def redeclare(amqp_uri, queue, bindings):
    """Replace `queue` (a name, unused) by one with this release's arguments, keeping
    its messages (how many: the result; moved through a holding queue, each confirmed before it is removed
    from where it was) and its bindings. A crash midway leaves the messages in
    `upgrade.<queue>`; running again finishes the move."""
    holding = f"upgrade.{queue}"
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        channel.confirm_select()
        channel.queue_declare(holding, durable=True, auto_delete=False)
        _, _, consumers = channel.queue_declare(queue, passive=True)
        if consumers:
            raise QueueInUse(queue)
        _move(channel, queue, holding)
        channel.queue_delete(queue)
        channel.close()
        # a new channel: RabbitMQ 3.10 fails a publish on a channel that saw the
        # queue of that name with its former type (541 INTERNAL_ERROR)
        channel = conn.channel()
        channel.confirm_select()
        channel.queue_declare(queue, durable=True, auto_delete=False,
                              arguments=wanted_arguments(queue))
        for binding in bindings:
            channel.queue_bind(queue, binding["source"], binding["routing_key"],
                               arguments=binding.get("arguments") or None)
        moved = _move(channel, holding, queue)
        channel.queue_delete(holding)
    return moved


def finish(amqp_uri, holding):
    """Complete a move `redeclare` could not finish: `upgrade.<queue>` back into its queue."""
    queue = holding.removeprefix("upgrade.")
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        channel.confirm_select()
        channel.queue_declare(queue, durable=True, auto_delete=False,
                              arguments=wanted_arguments(queue))
        _move(channel, holding, queue)
        channel.queue_delete(holding)


def _move(channel, source, target):
    """Move every message of `source` to `target`; how many."""
    moved = 0
    while (message := channel.basic_get(source, no_ack=False)) is not None:
        channel.basic_publish(message, exchange="", routing_key=target)  # waits for the confirm
        channel.basic_ack(message.delivery_tag)
        moved += 1
    return moved


def answers(amqp_uri, timeout=3):
    try:
        with Connection(amqp_uri, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:
        return False


def ensure_running(amqp_uri, wait_seconds=60):
    """For the development runners (`otg run`, `otg demo`): return when the broker
    answers (start a local rabbitmq-server if none does), with the queues an earlier
    release declared upgraded."""
    _answering(amqp_uri, wait_seconds)
    upgrade_outdated(amqp_uri)


def upgrade_outdated(amqp_uri):
    """Before services start: what `otg broker upgrade-queues` does, best effort."""
    from shared.busaccess import Management, vhost_of
    try:
        management, vhost = Management(amqp_uri), vhost_of(amqp_uri)
        for queue in management.queues(vhost):
            if not outdated(queue):
                continue
            try:
                kept = redeclare(amqp_uri, queue["name"], management.bindings_to(vhost, queue["name"]))
            except QueueInUse:  # a service of the earlier release still runs
                print(f"otg: {queue['name']} is still consumed; not upgraded", file=sys.stderr)
                continue
            print(f"otg: redeclared {queue['name']} with this release's arguments "
                  f"({kept} message(s) kept)", file=sys.stderr)
    except Exception as error:  # no management API, say: the operator's step
        print(f"otg: queues not checked for an upgrade ({type(error).__name__}: {error}); if a "
              "service stops with 406 PRECONDITION_FAILED, run `otg broker upgrade-queues`",
              file=sys.stderr)


def _answering(amqp_uri, wait_seconds):
    if answers(amqp_uri):
        return
    host = urlparse(amqp_uri).hostname or ""
    server = shutil.which("rabbitmq-server")
    if host not in LOCAL_HOSTS or server is None:
        sys.exit(f"otg: no RabbitMQ broker answers at {amqp_uri}.\n"
                 "Start one (Debian/Ubuntu: `sudo apt-get install rabbitmq-server`, then "
                 "`sudo rabbitmq-server -detached`; or `docker run -d -p 5672:5672 "
                 "rabbitmq:3-management`) or set AMQP_URI to a broker that runs.")
    print(f"otg: starting a local RabbitMQ ({server} -detached) …", file=sys.stderr)
    subprocess.run([server, "-detached"], check=False)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if answers(amqp_uri, timeout=2):
            return
        time.sleep(1)
    sys.exit(f"otg: started rabbitmq-server, but nothing answers at {amqp_uri} "
             f"after {wait_seconds}s; see its log (usually /var/log/rabbitmq/).")
