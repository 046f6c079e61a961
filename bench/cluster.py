"""otg services as separate processes for a bench part: each started by
`otg.runner.start` (the image's `nameko run` command) with its own free port,
one throwaway vhost, one temporary data directory and a log file of its own."""
import os
import secrets
import subprocess
import time
from urllib.parse import quote, unquote, urlparse

import requests
from kombu import Connection

from bench import broker
from otg import runner
from shared import auth, config


class Services:
    """`with Services(uri, data_dir, ["registry", …]) as s: s.api("registry")`."""

    def __init__(self, amqp_uri, data_dir, names, management=broker.MANAGEMENT):
        self.amqp_uri, self.names, self.management = amqp_uri, list(names), management
        self.data_dir = data_dir
        self.secret = secrets.token_hex(32)
        self.ports = {name: broker.free_port() for name in config.SERVICES}
        self.env = {"AMQP_URI": amqp_uri, "OTG_DATA_DIR": data_dir,
                    "OTG_JWT_SECRET": self.secret, "OTG_LOG_LEVEL": "ERROR"}
        for name, port in self.ports.items():  # the two not started answer nowhere
            self.env[f"OTG_{name.upper()}_PORT"] = str(port)
            self.env[f"OTG_{name.upper()}_URL"] = self.url(name)
        self.processes, self.logs = {}, {}

    def url(self, name):
        return f"http://127.0.0.1:{self.ports[name]}"

    def log_path(self, name):
        return os.path.join(self.data_dir, f"{name}.log")

    def __enter__(self):
        os.makedirs(self.data_dir, exist_ok=True)
        try:
            for name in self.names:  # in order: catching up from those before answers at once
                self.logs[name] = open(self.log_path(name), "wb")
                self.processes[name] = runner.start(name, self.env, stdout=self.logs[name],
                                                    stderr=self.logs[name])
                self._wait_healthy(name)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self.logs.values():
            log.close()
        return False

    def _wait_healthy(self, name, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.log_path(name)}:\n"
                                   f"{self.log_tail(name)}")
            try:
                if requests.get(self.url(name) + "/health", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{name} did not answer in {timeout}s")

    def log_tail(self, name, lines=20):
        with open(self.log_path(name), errors="replace") as log:
            return "".join(log.readlines()[-lines:])

    def session(self, role, department, district):
        """A requests session carrying a bearer token of this run's secret."""
        session = requests.Session()
        token = auth.issue(role, department, district, secret=self.secret)
        session.headers["Authorization"] = f"Bearer {token}"
        return session

    def json(self, name, path):
        answer = requests.get(self.url(name) + path, timeout=30)
        answer.raise_for_status()
        return answer.json()

    def wait_quiet(self, timeout=120, settle=0.5):
        """Until every relay has confirmed its log and no queue of the vhost holds a
        ready message, twice in a row `settle` seconds apart (earlier work stays out)."""
        deadline, calm = time.monotonic() + timeout, 0
        while calm < 2:
            if time.monotonic() > deadline:
                raise TimeoutError("the services did not settle")
            calm = calm + 1 if self._quiet() else 0
            time.sleep(settle)

    def _quiet(self):
        for name in self.names:
            health = self.json(name, "/health")
            if health["published"] < health["events"]:
                return False
        with Connection(self.amqp_uri) as conn:
            channel = conn.default_channel
            for queue in self._queues():  # passive declare: the ready count, not stale stats
                if channel.queue_declare(queue, passive=True).message_count:
                    return False
        return True

    def _queues(self):
        vhost = unquote(urlparse(self.amqp_uri).path.lstrip("/")) or "/"
        answer = requests.get(f"{self.management}/api/queues/{quote(vhost, safe='')}",
                              params={"columns": "name"}, timeout=10)
        answer.raise_for_status()
        return [queue["name"] for queue in answer.json()]
