"""Root fixtures. eventlet must patch before anything else is imported (STACK-NOTES 4)."""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

import os  # noqa: E402

import pytest  # noqa: E402

from support import Api, Cluster, free_port  # noqa: E402

os.environ.setdefault("OTG_JWT_SECRET", "test-secret-not-for-production-0123456789")


@pytest.fixture(scope="session")
def vhost_pipeline(request, rabbit_manager):
    """nameko's fixture, with vhosts named after this run: what a killed run left is
    deleted by the next one, never the vhosts of another run in progress."""
    import socket
    from urllib.parse import urlparse

    from kombu.pools import connections
    from nameko.testing.utils import ResourcePipeline
    from nameko.utils.retry import retry
    from requests.exceptions import HTTPError

    from support import leftover_vhosts, new_vhost_name
    user = urlparse(request.config.getoption("RABBIT_AMQP_URI")).username

    def create():
        vhost = new_vhost_name()
        rabbit_manager.create_vhost(vhost)
        rabbit_manager.set_vhost_permissions(vhost, user, ".*", ".*", ".*")
        return vhost

    @retry(for_exceptions=(HTTPError, socket.timeout), delay=1, max_attempts=9)
    def destroy(vhost):
        rabbit_manager.delete_vhost(vhost)
        for key, pool in list(connections.items()):  # close this vhost's pooled connections
            if isinstance(key, tuple) and key[4] == vhost:
                pool.force_close_all()

    def delete_leftovers():
        names = [vhost["name"] for vhost in rabbit_manager.get_all_vhosts()]
        for vhost in leftover_vhosts(names):
            destroy(vhost)

    delete_leftovers()
    with ResourcePipeline(create, destroy).run() as vhosts:
        yield vhosts
    delete_leftovers()


@pytest.fixture
def amqp_uri(rabbit_config):
    """A throwaway RabbitMQ vhost for this test (nameko's fixture)."""
    return rabbit_config["AMQP_URI"]


@pytest.fixture
def start_service(container_factory, rabbit_config, tmp_path, monkeypatch):
    """Start a service container on a free port with its own SQLite file;
    returns an `Api` client bound to it. Other services' feeds are found
    through OTG_<SERVICE>_URL, which this fixture sets."""
    def start(service_cls, database_url=None, follow_feeds=False, **config):
        port = free_port()
        name = service_cls.name
        monkeypatch.setenv(f"OTG_{name.upper()}_URL", f"http://127.0.0.1:{port}")
        container = container_factory(service_cls, {
            **rabbit_config,
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
            "DATABASE_URL": database_url or f"sqlite:///{tmp_path / name}.db",
            "OTG_FOLLOW_FEEDS": follow_feeds,
            **config,
        })
        container.start()
        return Api(f"http://127.0.0.1:{port}", container)
    return start


@pytest.fixture
def token():
    from shared import auth

    def issue(role="registrar", department="education", district="371002"):
        return auth.issue(role, department, district)
    return issue


@pytest.fixture
def cluster(amqp_uri, tmp_path):
    """Start services as processes: `cluster.start("registry", "inspection")`."""
    running = Cluster(amqp_uri, tmp_path)
    yield running
    running.stop_all()


POSTGRES_ADMIN_URL = os.environ.get("OTG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL database for this test, dropped afterwards."""
    import uuid

    import sqlalchemy
    name = f"otg_test_{uuid.uuid4().hex[:12]}"
    from shared.store import normalise_url
    admin = sqlalchemy.create_engine(normalise_url(POSTGRES_ADMIN_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Runs a test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def private_broker(tmp_path):
    """A RabbitMQ node of this test's own, which it may stop and restart."""
    import shutil

    from support import PrivateBroker
    if not shutil.os.path.exists(f"{PrivateBroker.BIN}/rabbitmq-server"):
        pytest.fail("RabbitMQ is not installed (Debian: apt-get install rabbitmq-server)")
    broker = PrivateBroker(tmp_path / "rabbitmq").start()
    yield broker
    broker.shutdown()


@pytest.fixture
def browser():
    """Headless Chromium sized like a phone (tests/browsing.py)."""
    from browsing import open_browser
    driver = open_browser()
    yield driver
    driver.quit()


@pytest.fixture
def desktop_browser():
    """Headless Chromium in a desktop-sized window."""
    from browsing import open_browser
    driver = open_browser(phone=False)
    yield driver
    driver.quit()
