"""The province-scale path (bench/scale.py) small: the data set is reproducible and
valid, and `otg projections rebuild` over its logs gives back exactly the read models
the services kept while the events were appended. Correctness only: speed is the
bench's (`make bench-scale`)."""
import os

import pytest
from sqlalchemy import select

from bench import scale, shandong
from shared import creditcode
from shared.vocabulary import CITY, DISTRICTS

WEIHAI = {code: name for code, name in DISTRICTS.items() if code != CITY}


def test_the_province_data_set_is_the_same_for_a_seed_with_valid_credit_codes():
    first = list(scale.institutions(7, 300))
    assert first == list(scale.institutions(7, 300))
    assert first != list(scale.institutions(8, 300))
    assert all(creditcode.problem(row["credit_code"]) is None for row in first)
    assert len({row["credit_code"] for row in first}) == 300
    assert {row["district"] for row in first} <= set(shandong.DISTRICTS)
    assert sum(row["district"] == scale.HEAVY for row in first) >= 30
    assert (len(shandong.CITIES), len(shandong.DISTRICTS)) == (16, 136)


def read_models(store):
    """Every row of the store's projection tables, in a stable order."""
    with store.read() as conn:
        return {table.name: sorted(map(tuple, conn.execute(select(table))), key=repr)
                for projection in store.projections for table in projection.metadata.sorted_tables}


@pytest.fixture
def scale_urls(database_url, tmp_path):
    """The registry on each database (SQLite, PostgreSQL); the inspection log on SQLite."""
    return {"registry": database_url, "inspection": f"sqlite:///{tmp_path / 'inspection.db'}"}


def test_rebuilding_ten_thousand_events_gives_the_read_models_kept_while_appending(
        scale_urls, tmp_path):
    known = scale.load(scale_urls, 11, 1500, 10_000, districts=WEIHAI)
    registry, inspection = scale.stores(scale_urls)
    try:
        assert registry.last_position() + inspection.last_position() >= 10_000
        live = {name: read_models(store) for name, store in
                (("registry", registry), ("inspection", inspection))}
        assert len(live["registry"]["institutions"]) == len(known) == 1500
        assert live["inspection"]["findings"] and live["inspection"]["rectification_orders"]
        env = {**os.environ, "OTG_DATA_DIR": str(tmp_path)}
        for service, store in (("registry", registry), ("inspection", inspection)):
            with store.writing() as conn:  # what the rebuild must put back
                for projection in store.projections:
                    projection.clear(conn)
            assert not any(read_models(store).values())
            scale.rebuild(service, scale_urls[service], env)
            assert read_models(store) == live[service], f"{service}'s rebuild differs"
    finally:
        registry.dispose()
        inspection.dispose()
