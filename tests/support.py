"""Helpers for tests: HTTP client, services as processes, polling."""
import os
import socket
import subprocess
import time

import requests


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def feed_token():
    """A `service` token that reads every event of every service's feed."""
    from shared import auth, config
    return auth.issue("service", "", auth.CITY, types=[f"{s}.*" for s in config.SERVICES],
                      subject="tests")


class Api:
    """A small HTTP client for one running service."""

    def __init__(self, base, container=None):
        self.base, self.container = base, container
        self.session = requests.Session()

    def _call(self, method, path, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token is None and path.startswith("/events"):
            token = feed_token()  # tests read whole feeds as a service does
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.session.request(method, self.base + path, headers=headers, timeout=30, **kwargs)

    def get(self, path, token=None, **kwargs):
        return self._call("GET", path, token, **kwargs)

    def post(self, path, token=None, **kwargs):
        return self._call("POST", path, token, **kwargs)

    @property
    def store(self):
        from shared.service import Store
        return next(d for d in self.container.dependencies if isinstance(d, Store)).store


class Cluster:
    """otg services as separate processes, each started with exactly the
    command the image runs (`nameko run --config … services.<name>.service`)."""

    def __init__(self, amqp_uri, data_dir, extra_env=None):
        from shared import config
        self.ports = {name: free_port() for name in config.SERVICES}
        self.env = {"AMQP_URI": amqp_uri, "OTG_DATA_DIR": str(data_dir),
                    "OTG_JWT_SECRET": os.environ["OTG_JWT_SECRET"], **(extra_env or {})}
        for name, port in self.ports.items():
            self.env[f"OTG_{name.upper()}_PORT"] = str(port)
            self.env[f"OTG_{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
        self.processes = {}
        self.started = set()

    def start(self, *names, log_dir=None, **env):
        """Start services; with `log_dir`, each writes its output to `<log_dir>/<name>.log`."""
        from otg import runner
        for name in names:
            output = {}
            if log_dir is not None:
                handle = open(f"{log_dir}/{name}.log", "a")
                output = {"stdout": handle, "stderr": handle}
            self.processes[name] = runner.start(name, {**self.env, **env}, **output)
            self.started.add(name)
        for name in names:
            self.wait_healthy(name)
        return self

    def api(self, name):
        return Api(f"http://127.0.0.1:{self.ports[name]}")

    def wait_healthy(self, name, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited with {self.processes[name].returncode}")
            try:
                if requests.get(f"http://127.0.0.1:{self.ports[name]}/health", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{name} did not become healthy in {timeout}s")

    def stop(self, name, kill=False):
        process = self.processes.pop(name)
        process.kill() if kill else process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:  # never leave a service running behind a test
            process.kill()
            process.wait(timeout=10)

    def restart(self, name, kill=False):
        self.stop(name, kill)
        self.start(name)

    def stop_all(self):
        for name in list(self.processes):
            self.stop(name)


def eventually(check, timeout=15, interval=0.1):
    """Poll `check` until it returns a truthy value; return it, or fail after `timeout`."""
    import time
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
            error = None
        except AssertionError as failure:
            error = failure
        if time.monotonic() > deadline:
            raise error or AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def publish_event(amqp_uri, service, name, data, event_id=None, version=1):
    """Publish an event on `<service>.events` exactly as otg's relay does
    (CloudEvents binary mode); returns its id."""
    import json
    import uuid
    from datetime import datetime, timezone

    from kombu import Connection, Exchange

    event_id = event_id or str(uuid.uuid4())
    headers = {"ce-specversion": "1.0", "ce-id": event_id, "ce-source": f"otg/{service}",
               "ce-type": f"otg.{service}.{name}.v{version}",
               "ce-time": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")}
    exchange = Exchange(f"{service}.events", type="topic", durable=True)
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        conn.Producer().publish(json.dumps(data), exchange=exchange, routing_key=name,
                                headers=headers, content_type="application/json",
                                content_encoding="utf-8", delivery_mode=2, declare=[exchange])
    return event_id


def handled(api, *event_ids, timeout=10):
    """Wait until the service behind `api` (started in this process) has handled,
    and committed, every one of these events: the inbox is the proof."""
    from sqlalchemy import select

    from shared.store import inbox_table

    def done():
        with api.store.read() as conn:
            seen = set(conn.execute(select(inbox_table.c.event_id)
                                    .where(inbox_table.c.event_id.in_(event_ids))).scalars())
        return seen == set(event_ids)
    eventually(done, timeout=timeout)


def caught_up(api, source, timeout=10):
    """Wait until the service behind `api` has handled every event so far of the
    service behind `source` that it subscribes to (each type has its own queue)."""
    name = source.container.service_name
    types = {e.event_type for e in api.container.entrypoints
             if getattr(e, "source_service", None) == name}
    assert types, f"{api.container.service_name} follows no event of {name}"
    feed = source.get("/events", params={"limit": 1000, "types": ",".join(sorted(types))})
    handled(api, *[e["id"] for e in feed.json()], timeout=timeout)


def metric(api, name, consumer):
    """One consumer's value of a service's Prometheus counter (0 before it counts)."""
    from prometheus_client.parser import text_string_to_metric_families
    for family in text_string_to_metric_families(api.get("/metrics").text):
        for sample in family.samples:
            if sample.name == name and sample.labels.get("consumer") == consumer:
                return sample.value
    return 0


def skipped(api, consumer):
    """Deliveries `consumer` skipped as handled already (redeliveries)."""
    return metric(api, "otg_events_skipped_total", consumer)


def bound(amqp_uri, exchange):
    """True once a queue is bound to `exchange` (bindings are not sampled statistics:
    the management API shows them as soon as they exist)."""
    from urllib.parse import quote, urlparse
    vhost = urlparse(amqp_uri).path.lstrip("/") or "/"
    url = (f"http://127.0.0.1:15672/api/exchanges/{quote(vhost, safe='')}/"
           f"{quote(exchange, safe='')}/bindings/source")
    answer = requests.get(url, auth=("guest", "guest"), timeout=5)
    return answer.ok and any(b["destination_type"] == "queue" for b in answer.json())


def queue_drained(amqp_uri, queue):
    """True once the broker holds no ready or unacknowledged message in `queue`.

    The counts are statistics the broker samples every few seconds: a message just
    published may not show yet. To know an event was handled, use `handled`."""
    from urllib.parse import quote, urlparse
    vhost = urlparse(amqp_uri).path.lstrip("/") or "/"
    url = f"http://127.0.0.1:15672/api/queues/{quote(vhost, safe='')}/{quote(queue, safe='')}"
    info = requests.get(url, auth=("guest", "guest"), timeout=5)
    info.raise_for_status()
    data = info.json()
    return data.get("messages", 1) == 0 and data.get("messages_unacknowledged", 1) == 0


def tiny_png():
    """A valid 1×1 PNG image, e.g. for photo uploads."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


class PrivateBroker:
    """A RabbitMQ node of the test's own (own port, own data), so a test may stop
    and restart a real broker without touching the machine's shared one."""

    BIN = "/usr/lib/rabbitmq/bin"

    def __init__(self, workdir):
        import os
        self.port, dist = free_port(), free_port()
        self.node = f"otgtest{os.getpid()}{self.port}@localhost"
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "enabled_plugins").write_text("[].")
        (workdir / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\n"
            "distribution.listener.interface = 127.0.0.1\n")
        self.env = {**os.environ, "HOME": str(workdir), "RABBITMQ_CONF_ENV_FILE": "/dev/null",
                    "RABBITMQ_CONFIG_FILE": str(workdir / "rabbitmq.conf"),
                    "RABBITMQ_NODENAME": self.node, "RABBITMQ_NODE_PORT": str(self.port),
                    "RABBITMQ_DIST_PORT": str(dist), "RABBITMQ_MNESIA_BASE": str(workdir / "mnesia"),
                    "RABBITMQ_LOG_BASE": str(workdir / "log"),
                    "RABBITMQ_ENABLED_PLUGINS_FILE": str(workdir / "enabled_plugins"),
                    "RABBITMQ_PID_FILE": str(workdir / "pid"), "ERL_EPMD_ADDRESS": "127.0.0.1"}
        self.amqp_uri = f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def ctl(self, *args, timeout=120):
        import subprocess
        subprocess.run([f"{self.BIN}/rabbitmqctl", "-n", self.node, "-q", *args], env=self.env,
                       check=True, capture_output=True, timeout=timeout)

    def start(self):
        import subprocess
        subprocess.run([f"{self.BIN}/rabbitmq-server", "-detached"], env=self.env, check=True)
        eventually(lambda: self._answers_ctl(), timeout=90, interval=0.5)
        self.ctl("await_startup")
        return self

    def _answers_ctl(self):
        import subprocess
        try:
            self.ctl("status", timeout=10)
            return True
        except subprocess.SubprocessError:
            return False

    def stop_app(self):
        self.ctl("stop_app")

    def start_app(self):
        self.ctl("start_app")
        self.ctl("await_startup")

    def shutdown(self):
        import subprocess
        try:
            self.ctl("stop")
        except subprocess.SubprocessError:
            pass


# Test vhosts carry the run's tag (host, pid): a run deletes those it left, and those of
# runs on this host that died, never those of a run in progress (STACK-NOTES 6).
HOST = "".join(char for char in socket.gethostname().lower() if char.isalnum())[:12] or "host"
RUN_TAG = f"nameko_test_{HOST}_{os.getpid()}_"


def new_vhost_name():
    import secrets
    return RUN_TAG + secrets.token_hex(5)


def leftover_vhosts(names, tag=RUN_TAG):
    """Of the vhost `names`: this run's, and those of runs on this host that died."""
    here = f"nameko_test_{HOST}_"
    for name in names:
        pid = name[len(here):].split("_")[0] if name.startswith(here) else ""
        if name.startswith(tag) or (pid.isdigit() and not _alive(int(pid))):
            yield name


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True
