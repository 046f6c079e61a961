"""The demo's services: one `nameko run` process each (otg.runner, the image's
command), their output in log files, healthy before the campaign starts, stopped
cleanly at the end."""
import signal
import socket
import subprocess
import sys
import time

import requests

from otg import installation, runner
from shared import busaccess, config

from .client import DemoError


def _ignore_interrupts():
    """In the child: Ctrl-C in the terminal stops the demo, which then stops the
    services itself (SIGTERM, as a container runtime would)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Stack:
    def __init__(self, services, log_dir):
        self.services, self.log_dir = services, log_dir
        self.processes, self.logs, self.users = {}, {}, {}

    def check_ports(self):
        busy = [name for name in self.services if not _free(config.port(name))]
        if busy:
            raise DemoError("port(s) in use: " + ", ".join(
                f"{config.port(name)} ({name}, OTG_{name.upper()}_PORT)" for name in busy)
                + ". Is `otg run` or another demo running? Stop it, or set the variables.")

    def start(self, timeout=90):
        """Start every service (before any thread of the demo's own), wait until healthy."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._broker_users()
        for name in self.services:
            self.logs[name] = open(self.log_dir / f"{name}.log", "ab")
            env = {"AMQP_URI": self.users[name]} if name in self.users else None
            self.processes[name] = runner.start(name, env=env, stdout=self.logs[name],
                                                stderr=subprocess.STDOUT,
                                                preexec_fn=_ignore_interrupts)
        deadline = time.monotonic() + timeout
        for name in self.services:
            self._wait_healthy(name, deadline)

    def _broker_users(self):
        """Each service on the bus as its own RabbitMQ user (docs/security.md, "The bus"); without
        the management API (or an administrator in AMQP_URI) all share AMQP_URI's user."""
        try:
            self.users = busaccess.provision(config.amqp_uri(),
                                             installation.followed(self.services))
        except (busaccess.AccessError, requests.RequestException) as error:
            print(f"otg demo: the services share AMQP_URI's RabbitMQ user; per-service users "
                  f"need the management plugin and an administrator ({error})", file=sys.stderr)
            return
        names = ", ".join(busaccess.service_user(name, busaccess.vhost_of(config.amqp_uri()))
                          for name in self.services)
        print(f"otg demo: each service connects to RabbitMQ as its own user ({names}), "
              "allowed to publish only its own events", flush=True)

    def _wait_healthy(self, name, deadline):
        url = f"{config.service_url(name)}/health"
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise DemoError(f"{name} exited with {self.processes[name].returncode}; "
                                f"see {self.log_dir / name}.log")
            try:
                if requests.get(url, timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise DemoError(f"{name} did not answer at {url}; see {self.log_dir / name}.log")

    def watch(self):
        """Until Ctrl-C (or SIGTERM): return the name of a service that died, if one does."""
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    return name
            time.sleep(0.5)

    def stop(self, timeout=20):
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for handle in self.logs.values():
            handle.close()
        if self.users:  # made for this run: none is left behind on a shared broker
            try:
                busaccess.unprovision(config.amqp_uri(), list(self.users))
            except (busaccess.AccessError, requests.RequestException) as error:
                print(f"otg demo: broker users not removed ({error})", file=sys.stderr)


def _free(port):
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True
