"""Two replicas of the registry and two of disclosure, each pair on one PostgreSQL
database, while institutions are registered through both registries' HTTP: the
active registry (the relay lease holder) and the active disclosure (the single
active consumer of its queues) are killed with SIGKILL mid-stream. Counted at the
end: no event lost, none applied twice, each stream's order kept."""
import glob
import os
import threading
import uuid
from collections import defaultdict
from urllib.parse import quote, urlparse

import pytest
import requests
import sqlalchemy
from kombu import Connection, Exchange, Queue

from conftest import POSTGRES_ADMIN_URL
from shared.creditcode import complete
from shared.store import normalise_url
from support import Cluster, eventually

INSTITUTIONS = 60
KILL_AFTER = 20  # acknowledged registrations before the kill
QUEUE = "disclosure.from.registry"  # one ordered queue per source (issue 11)
FOLLOWED = {"InstitutionRegistered": "disclosure.handle_registry_institution_registered",
            "LicenceRecorded": "disclosure.handle_registry_licence_recorded"}


@pytest.fixture
def databases():
    """One PostgreSQL database per service, shared by its replicas."""
    admin = sqlalchemy.create_engine(normalise_url(POSTGRES_ADMIN_URL), isolation_level="AUTOCOMMIT")
    prefix, base = f"otg_replicas_{uuid.uuid4().hex[:8]}", POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    names = {service: f"{prefix}_{service}" for service in ("registry", "disclosure")}
    with admin.connect() as conn:
        for name in names.values():
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield {f"{service.upper()}_DATABASE_URL": f"{base}/{name}" for service, name in names.items()}
    with admin.connect() as conn:
        for name in names.values():
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def institution(n):
    return {"name": f"培训学校{n:04d}", "credit_code": complete(f"91371002MA3C{n:05d}"),
            "district": "371002", "category": "academic", "address": f"海滨路{n}号",
            "licences": [{"kind": "school_permit", "number": f"P{n}", "valid_until": "2030-12-31"}]}


def observe(amqp_uri):
    """What an integrator does: its own durable queue bound to the registry's events."""
    queue = Queue("integrator.replicas", Exchange("registry.events", type="topic", durable=True),
                  routing_key="#", durable=True)
    with Connection(amqp_uri) as conn:
        queue(conn.default_channel).declare()
    return queue


def deliveries(amqp_uri, queue, ids, timeout=30):
    """Every message on `queue` until each of `ids` came, in the order of arrival."""
    received = []
    with Connection(amqp_uri) as conn:
        with conn.Consumer(queue, callbacks=[lambda body, m: (received.append(m), m.ack())],
                           accept=["json"]):
            deadline = timeout
            while not ids <= {m.headers["ce-id"] for m in received} and deadline > 0:
                try:
                    conn.drain_events(timeout=1)
                except TimeoutError:
                    deadline -= 1
    return received


def rows(url, sql):
    engine = sqlalchemy.create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return conn.exec_driver_sql(sql).all()
    finally:
        engine.dispose()


def consumers(amqp_uri):
    """{queue: details with its consumers} of disclosure's queue following the registry."""
    vhost = quote(urlparse(amqp_uri).path.lstrip("/"), safe="")
    queues = requests.get(f"http://127.0.0.1:15672/api/queues/{vhost}", auth=("guest", "guest"),
                          params={"columns": "name"}, timeout=10).json()
    found = {}
    for queue in queues:
        if queue["name"] == QUEUE:
            details = requests.get(f"http://127.0.0.1:15672/api/queues/{vhost}/{quote(queue['name'])}",
                                   auth=("guest", "guest"), timeout=10).json()
            found[queue["name"]] = details
    return found


def consumer_count(amqp_uri):
    """How many consumers the followed queue has now (AMQP: no statistics delay)."""
    with Connection(amqp_uri) as conn:
        channel = conn.channel()  # a passive declare of a missing queue closes its channel
        try:
            return channel.queue_declare(QUEUE, passive=True).consumer_count
        except Exception:
            return 0


def pid_of_connection(peer_port, pids):
    """Which of `pids` owns the TCP connection from local port `peer_port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == peer_port:
                    inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        for fd in glob.glob(f"/proc/{pid}/fd/*"):
            try:
                if os.readlink(fd) in inodes:
                    return pid
            except OSError:
                continue
    return None


def single_active(amqp_uri):
    """The local port of the one active consumer's connection, if the followed queue has
    two consumers, exactly one active."""
    queues = consumers(amqp_uri)
    if len(queues) != 1:
        return None
    ports = set()
    for details in queues.values():
        statuses = [c.get("activity_status") for c in details.get("consumer_details", [])]
        if sorted(statuses) != ["single_active", "waiting"]:
            return None
        for consumer in details["consumer_details"]:
            if not consumer["channel_details"]:  # the management API has not seen it yet
                return None
            if consumer["activity_status"] == "single_active":
                ports.add(consumer["channel_details"]["peer_port"])
    return ports.pop() if len(ports) == 1 else None


class Writer(threading.Thread):
    """Registers institutions through both registries in turn, as a load balancer
    would; a replica that does not answer sends the request to the other."""

    def __init__(self, apis, token):
        super().__init__(daemon=True)
        self.apis, self.token = apis, token
        self.acknowledged, self.halfway = [], threading.Event()

    def run(self):
        for n in range(INSTITUTIONS):
            if len(self.acknowledged) == KILL_AFTER:
                self.halfway.set()  # and go on: the kill lands among requests in flight
            self.acknowledged.append(self._register(n))

    def _register(self, n):
        for attempt in range(20):
            api = self.apis[(n + attempt) % len(self.apis)]
            try:
                response = api.post("/institutions", self.token, json=institution(n))
            except requests.RequestException:
                continue
            if response.status_code in (200, 201):
                return response.json()["id"]
            if response.status_code == 409:  # the killed replica committed it before dying
                return n
        raise AssertionError(f"institution {n} was not registered")


def test_killing_the_active_replicas_mid_stream_loses_no_event_and_applies_none_twice(
        amqp_uri, tmp_path, databases, token):
    observer = observe(amqp_uri)
    logs = {side: tmp_path / side for side in ("a", "b")}
    for path in logs.values():
        path.mkdir()
    first = Cluster(amqp_uri, tmp_path, extra_env=databases)
    second = Cluster(amqp_uri, tmp_path, extra_env=databases)
    try:
        first.start("registry", log_dir=logs["a"])
        second.start("registry", log_dir=logs["b"])
        first.start("disclosure", log_dir=logs["a"])
        eventually(lambda: consumer_count(amqp_uri) == 1, timeout=30)
        second.start("disclosure", log_dir=logs["b"])
        active_port = eventually(lambda: single_active(amqp_uri), timeout=30)

        relays = {cluster: cluster.api("registry").get("/health").json()["relay"]
                  for cluster in (first, second)}
        assert sorted(relays.values()) == ["publishing", "standby"]
        registry_holder = next(c for c, state in relays.items() if state == "publishing")
        disclosures = {c.processes["disclosure"].pid: c for c in (first, second)}
        disclosure_holder = disclosures[pid_of_connection(active_port, disclosures)]

        writer = Writer([first.api("registry"), second.api("registry")], token())
        writer.start()
        assert writer.halfway.wait(120)
        registry_holder.stop("registry", kill=True)      # SIGKILL
        disclosure_holder.stop("disclosure", kill=True)
        writer.join(180)
        assert len(writer.acknowledged) == INSTITUTIONS

        survivor = second if registry_holder is first else first
        assert eventually(lambda: survivor.api("registry").get("/health").json()["relay"]
                          == "publishing", timeout=10)
        registry_url = databases["REGISTRY_DATABASE_URL"]
        stored = rows(registry_url, "SELECT id, stream_id, sequence, name FROM events ORDER BY position")
        registered = {row.id for row in stored if row.name in FOLLOWED}

        # no event lost on the bus, and each stream's events first seen in order
        seen = deliveries(amqp_uri, observer, {row.id for row in stored})
        first_seen, streams = set(), defaultdict(list)
        for message in seen:
            if message.headers["ce-id"] not in first_seen:
                first_seen.add(message.headers["ce-id"])
                streams[message.headers["ce-subject"]].append(int(message.headers["ce-sequence"]))
        assert first_seen == {row.id for row in stored}
        assert all(sequences == sorted(sequences) for sequences in streams.values())

        # the surviving disclosure applied every followed event exactly once
        def handled():
            return rows(databases["DISCLOSURE_DATABASE_URL"],
                        "SELECT consumer, event_id FROM inbox WHERE consumer IN ("
                        + ",".join(f"'{c}'" for c in FOLLOWED.values()) + ")")
        eventually(lambda: {row.event_id for row in handled()} == registered, timeout=60)
        applied = handled()
        assert len(applied) == len(registered)  # one inbox row each: none applied twice
        expected = {(FOLLOWED[row.name], row.id) for row in stored if row.name in FOLLOWED}
        assert {(row.consumer, row.event_id) for row in applied} == expected
        mirrored = rows(databases["DISCLOSURE_DATABASE_URL"], "SELECT count(*) FROM directory_institutions")
        assert mirrored[0][0] == sum(row.name == "InstitutionRegistered" for row in stored)
    finally:
        first.stop_all()
        second.stop_all()
