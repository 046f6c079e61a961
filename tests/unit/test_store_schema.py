"""A database made by an earlier release gets the indexes added to its tables since: the
store makes them when it starts (a table that exists is otherwise left as it is)."""
from sqlalchemy import Column, Index, MetaData, String, Table, inspect

from shared.events import Catalogue
from shared.store import EventStore


def places(index_too):
    metadata = MetaData()
    table = Table("places", metadata, Column("id", String, primary_key=True),
                  Column("name", String))
    if index_too:
        Index("ix_places_name_id", table.c.name, table.c.id)
    return metadata


def test_an_index_added_to_a_table_that_exists_is_made_when_the_store_starts(database_url):
    store = EventStore(database_url, Catalogue("test"))
    try:
        store.create([places(index_too=False)])
        store.create([places(index_too=True)])  # the next release, on the same database
        store.create([places(index_too=True)])  # and its next start: nothing to make
        indexes = inspect(store.engine).get_indexes("places")
        assert [(i["name"], i["column_names"]) for i in indexes] == [
            ("ix_places_name_id", ["name", "id"])]
    finally:
        store.dispose()
