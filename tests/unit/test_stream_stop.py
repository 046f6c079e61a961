"""A follower stopping gracefully (SIGTERM, a rolling update) loses its handlers one by
one; the stream of their source stops before the first goes, so an event of a type
whose handler has already stopped is given back to the broker, not acknowledged
unhandled (which would have lost it: the follow cursor moves past what is acknowledged)."""
from types import SimpleNamespace

from shared.messaging import Follower


class Deliveries:
    """The queue consumer: what the stream acknowledged and gave back."""

    def __init__(self):
        self.acked, self.requeued = [], []

    def register_provider(self, provider):
        pass

    def unregister_provider(self, provider):
        pass

    def ack_message(self, message):
        self.acked.append(message)

    def requeue_message(self, message):
        self.requeued.append(message)


class Handler:
    """One of the service's event handlers of the registry."""

    def __init__(self, event_type, deliveries):
        self.source_service, self.event_type = "registry", event_type
        self.queue_consumer = deliveries


def handler(event_type, deliveries):
    return Handler(event_type, deliveries)


def message(event_type, position):
    return SimpleNamespace(headers={"ce-id": f"e-{position}", "ce-sequence": str(position),
                                    "ce-type": f"otg.registry.{event_type}.v1",
                                    "ce-position": str(position)},
                           delivery_info={"routing_key": event_type})


def test_an_event_whose_handler_stopped_first_is_given_back_not_acknowledged_unhandled():
    deliveries = Deliveries()
    follower = Follower()
    registered = handler("InstitutionRegistered", deliveries)
    suspended = handler("InstitutionSuspended", deliveries)
    follower.register_provider(registered)
    follower.register_provider(suspended)
    stream = follower.streams["registry"]

    follower.unregister_provider(suspended)  # the first of the two handlers stops
    late = message("InstitutionSuspended", 7)  # delivered before the stop, settled after
    stream.settle_all([({"institution_id": "i-1"}, late, None)])

    assert deliveries.requeued == [late]
    assert deliveries.acked == []


def test_a_stream_whose_handlers_have_all_stopped_is_gone():
    deliveries = Deliveries()
    follower = Follower()
    for event_type in ("InstitutionRegistered", "InstitutionSuspended"):
        follower.register_provider(handler(event_type, deliveries))
    for provider in list(follower.streams["registry"].handlers):
        follower.unregister_provider(provider)
    assert follower.streams == {}
