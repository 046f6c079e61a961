"""The relay's bookkeeping of publisher confirms: RabbitMQ confirms an unroutable
message at once and a persistent routed one after writing it to disk, so confirms
arrive out of order, and a window is confirmed only when every message in it is."""
from types import SimpleNamespace

from shared.relay import Relay


def relay():
    r = Relay(store=SimpleNamespace(url="sqlite://"), service="registry", amqp_uri="amqp://")
    r._acked, r._acked_beyond, r._nacked = 0, set(), False
    return r


def test_a_later_confirm_does_not_confirm_an_earlier_message():
    r = relay()
    r._on_ack(2, multiple=False)      # unroutable: confirmed at once
    assert r._acked == 0              # message 1 (routed, still syncing) is not
    r._on_ack(1, multiple=False)
    assert r._acked == 2


def test_multiple_confirms_everything_up_to_its_tag_and_joins_later_single_ones():
    r = relay()
    r._on_ack(7, multiple=False)
    r._on_ack(5, multiple=True)
    assert r._acked == 5 and r._acked_beyond == {7}
    r._on_ack(6, multiple=False)
    assert r._acked == 7 and r._acked_beyond == set()
    r._on_ack(3, multiple=False)      # a duplicate below the mark changes nothing
    assert r._acked == 7 and r._acked_beyond == set()
