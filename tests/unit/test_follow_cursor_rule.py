"""The follow cursor a stream saves from the bus never passes an event that is not
settled: a message given back to the broker holds it below its position until it comes
back settled (docs/decisions/0013-follow-cursor-and-rebuild.md)."""
from types import SimpleNamespace

from services.registry.events import CATALOGUE
from shared.messaging import FollowCursor
from shared.store import EventStore


def message(position):
    return {"ce-id": f"e-{position}", "ce-position": str(position)}


def cursor_on(tmp_path):
    store = EventStore(f"sqlite:///{tmp_path / 'follower.db'}", CATALOGUE)
    store.create()
    handler = SimpleNamespace(event_type="InstitutionRegistered", store=store)
    stream = SimpleNamespace(source="registry", types=["InstitutionRegistered"],
                             handlers=[handler], queue=SimpleNamespace(name="x.from.registry"))
    return FollowCursor(stream), store


def read_feed_to(cursor, store, position):
    """What a catch-up does: the cursor saved page by page, then following the bus."""
    store.set_cursor(cursor.name, position)
    cursor.caught_up(position)


def test_the_bus_moves_the_cursor_only_once_the_feed_was_read_to_its_end(tmp_path):
    cursor, store = cursor_on(tmp_path)
    cursor.settled(message(5))
    cursor.save()
    assert store.cursor(cursor.name) == 0  # the history before may still be unread
    read_feed_to(cursor, store, 4)
    cursor.settled(message(6))
    cursor.save()
    assert store.cursor(cursor.name) == 6


def test_a_message_given_back_holds_the_cursor_below_it_until_it_is_settled(tmp_path):
    cursor, store = cursor_on(tmp_path)
    read_feed_to(cursor, store, 10)
    cursor.settled(message(11))
    cursor.unsettled(message(12))   # e.g. its dead letter could not be parked
    cursor.settled(message(13))
    cursor.save()
    assert store.cursor(cursor.name) == 11
    cursor.settled(message(12))     # it came back and was handled
    assert cursor.unsaved
    cursor.save()
    assert store.cursor(cursor.name) == 13


def test_a_message_without_a_position_leaves_the_cursor_where_it_was(tmp_path):
    cursor, store = cursor_on(tmp_path)
    read_feed_to(cursor, store, 3)
    cursor.settled({"ce-id": "from-outside"})
    cursor.save()
    assert store.cursor(cursor.name) == 3


def test_a_stopping_stream_saves_its_last_position_under_the_name_it_read_from(tmp_path):
    """A stream loses its handlers one by one as it stops; its last save still moves the
    cursor its next start reads (not one named after the handlers left)."""
    cursor, store = cursor_on(tmp_path)
    cursor.stream.types = ["InstitutionClosed", "InstitutionRegistered"]
    read_feed_to(cursor, store, 4)
    name = cursor.name
    cursor.settled(message(9))
    cursor.stream.types = ["InstitutionRegistered"]  # the other handler unregistered
    cursor.save()
    assert cursor.name == name and store.cursor(name) == 9
