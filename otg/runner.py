"""The development runner: one `nameko run` process per service (never one
process for all: they would share one web port, STACK-NOTES 9)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from shared import config

# The project root: the command below runs there, as it runs in the image's WORKDIR.
ROOT = Path(__file__).resolve().parents[1]


def command(service):
    """Exactly the command the image (docker-compose.yml) runs for a service."""
    return ["nameko", "run", "--config", "shared/nameko.yaml", f"services.{service}.service"]


def start(service, env=None, **popen):
    environment = {**os.environ, **(env or {})}
    bin_dir = os.path.dirname(sys.executable)
    environment["PATH"] = bin_dir + os.pathsep + environment.get("PATH", "")
    return subprocess.Popen(command(service), env=environment, cwd=ROOT, **popen)


def run_until_interrupted(services):
    """Until Ctrl-C or SIGTERM (`kill`, a supervisor): either stops the children and waits."""
    config.data_dir()
    signal.signal(signal.SIGTERM, _interrupt)
    processes = {name: start(name) for name in services}
    for name in services:
        print(f"otg: {name} on http://127.0.0.1:{config.port(name)} "
              f"(pid {processes[name].pid})", file=sys.stderr)
    try:
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"otg: {name} exited with {process.returncode}; stopping",
                          file=sys.stderr)
                    return _stop(processes) or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return _stop(processes)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _stop(processes):
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    return 0
