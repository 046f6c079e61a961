"""The chains once more with every service on PostgreSQL (one database per service,
as docker-compose.yml deploys them)."""
import uuid

import pytest
import sqlalchemy

from conftest import POSTGRES_ADMIN_URL
from shared import config
from shared.store import normalise_url
from support import Cluster
from test_complaints_chain import test_web_report_with_photo_is_verified_by_inspection_and_answered  # noqa: F401
from test_disclosure_hazard_chain import test_critical_hazard_reaches_the_public_page_and_feed_within_seconds  # noqa: F401
from test_inspection_chains import (  # noqa: F401
    test_critical_hazard_suspends_and_verified_rectification_reinstates,
    test_unlicensed_operation_found_black_lists_the_institution)


@pytest.fixture
def cluster(amqp_uri, tmp_path):
    """Overrides the SQLite cluster of conftest: each service gets its own PostgreSQL database."""
    admin = sqlalchemy.create_engine(normalise_url(POSTGRES_ADMIN_URL), isolation_level="AUTOCOMMIT")
    prefix = f"otg_e2e_{uuid.uuid4().hex[:8]}"
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    env = {}
    with admin.connect() as conn:
        for service in config.SERVICES:
            conn.exec_driver_sql(f'CREATE DATABASE "{prefix}_{service}"')
            env[f"{service.upper()}_DATABASE_URL"] = f"{base}/{prefix}_{service}"
    running = Cluster(amqp_uri, tmp_path, extra_env=env)
    yield running
    running.stop_all()
    used = [name for name in running.started if _event_count(env[f"{name.upper()}_DATABASE_URL"])]
    assert used and set(used) == set(running.started)  # the events really went to PostgreSQL
    with admin.connect() as conn:
        for service in config.SERVICES:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{prefix}_{service}" WITH (FORCE)')
    admin.dispose()


def _event_count(url):
    engine = sqlalchemy.create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT count(*) FROM events").scalar()
    finally:
        engine.dispose()
