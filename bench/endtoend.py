"""End to end: concurrent `POST /institutions` to the registry running as its
own process (the exact image command), until each `InstitutionRegistered`
arrives at an outside plain-kombu consumer bound to `registry.events` with `#`."""
import itertools
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import requests

from bench import broker, sample
from bench.report import Result
from otg import runner
from shared import auth, config

QUEUE = "bench.e2e.sink"
WARMUP = 50  # requests before the clock starts (first-use costs: caches, pools)


class Registry:
    """The registry as a process; its output goes to a log in its data directory."""

    def __init__(self, amqp_uri, data_dir, port):
        self.base = f"http://127.0.0.1:{port}"
        self.secret = secrets.token_hex(32)
        os.makedirs(data_dir, exist_ok=True)
        self.log_path = os.path.join(data_dir, "registry.log")
        self.env = {**os.environ, "AMQP_URI": amqp_uri, "OTG_DATA_DIR": data_dir,
                    "OTG_REGISTRY_PORT": str(port), "OTG_REGISTRY_URL": self.base,
                    "OTG_JWT_SECRET": self.secret, "OTG_LOG_LEVEL": "ERROR",
                    "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
        for other in set(config.SERVICES) - {"registry"}:  # never catch up from a real one
            self.env[f"OTG_{other.upper()}_URL"] = "http://127.0.0.1:1"

    def __enter__(self):
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(runner.command("registry"), env=self.env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self._wait_healthy()
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        return False

    def _wait_healthy(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the registry exited; see {self.log_path}:\n{self.log_tail()}")
            try:
                if requests.get(self.base + "/health", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"the registry did not answer in {timeout}s")

    def log_tail(self, lines=20):
        with open(self.log_path, errors="replace") as log:
            return "".join(log.readlines()[-lines:])

    def token(self):
        return auth.issue("registrar", "education", sample.DISTRICT, secret=self.secret)

    def wait_published(self, timeout=30):
        """Until the relay has confirmed every event so far (the cursor lags by ≤ 1 s)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            health = requests.get(self.base + "/health", timeout=5).json()
            if health["published"] >= health["events"]:
                return
            time.sleep(0.1)
        raise TimeoutError("the relay did not catch up")


def _load(registry, numbers, latencies, errors):
    """One client: register institutions until `numbers` runs out."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {registry.token()}"
    url = registry.base + "/institutions"
    for n in numbers:
        started = time.monotonic()
        try:
            response = session.post(url, json=sample.registration(n), timeout=60)
        except requests.RequestException as error:
            errors.append(str(error))
            continue
        latencies.append(time.monotonic() - started)
        if response.status_code != 201:
            errors.append(f"{response.status_code} {response.text[:200]}")


def _run_clients(registry, first, count, clients):
    numbers = iter(range(first, first + count))  # next() on a range iterator is atomic
    latencies, errors = [], []
    threads = [threading.Thread(target=_load, args=(registry, numbers, latencies, errors))
               for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors


def measure(amqp_uri, data_dir, port, count, clients=16, rounds=1, profile=None):
    """The best of `rounds` runs of `count` registrations by `clients` concurrent
    clients; with `profile`, py-spy samples the registry into that file meanwhile."""
    results = []
    with Registry(amqp_uri, data_dir, port) as registry:
        _run_clients(registry, 10**6, WARMUP, clients)
        numbers = itertools.count(0, count)
        with sampling(registry.process.pid, profile):
            for _ in range(rounds):
                registry.wait_published()  # so warm-up and earlier rounds stay out of the queue
                broker.declare_sink(amqp_uri, "registry.events", QUEUE)
                results.append(_one_round(amqp_uri, registry, next(numbers), count, clients))
                broker.delete_queue(amqp_uri, QUEUE)
    return max(results, key=lambda result: result.rate)


@contextmanager
def sampling(pid, path):
    """py-spy (the `bench` extra) recording `pid` into `path` (speedscope JSON, or
    py-spy's raw format for a `.txt` path) while the block runs."""
    if not path:
        yield
        return
    spy = shutil.which("py-spy", path=os.path.dirname(sys.executable)) or shutil.which("py-spy")
    if spy is None:
        sys.exit("bench: --profile needs py-spy: pip install -e '.[bench]'")
    kind = "raw" if path.endswith(".txt") else "speedscope"
    recorder = subprocess.Popen([spy, "record", "--pid", str(pid), "--output", path,
                                 "--format", kind, "--rate", "200", "--nonblocking"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.5)  # attached before the load starts
    try:
        yield
    finally:
        recorder.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
        _, err = recorder.communicate(timeout=60)
        if recorder.returncode not in (0, -signal.SIGINT) and not os.path.exists(path):
            print(f"bench: py-spy failed: {err.decode(errors='replace')}", file=sys.stderr)


def _one_round(amqp_uri, registry, first, count, clients):
    with broker.OutsideConsumer(amqp_uri, QUEUE, count) as consumer:
        started = time.monotonic()
        latencies, errors = _run_clients(registry, first, count, clients)
        answered = time.monotonic()
        received, _, last = consumer.wait()
    if errors:
        print(f"bench: {len(errors)} registrations failed, e.g. {errors[0]}", file=sys.stderr)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0
    detail = (f"HTTP {len(latencies) / (answered - started):,.0f} req/s, "
              f"p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
              f"{clients} clients" + (f", {len(errors)} failed" if errors else ""))
    seconds = (last - started) if last else answered - started
    return Result("HTTP registration → outside consumer", received, seconds,
                  detail=detail, target=0.5)
