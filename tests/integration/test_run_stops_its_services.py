"""`otg run SERVICE` stopped by `kill` (SIGTERM, as a process supervisor stops it) stops
its `nameko run` children and waits for them, as on Ctrl-C: nothing keeps serving."""
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests

from support import eventually, free_port

OTG = Path(sys.executable).parent / "otg"


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # a zombie has stopped


def answers(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def healthy(port):
    try:
        return requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok
    except requests.RequestException:
        return False


def test_sigterm_stops_the_service_processes_and_frees_the_port(amqp_uri, tmp_path):
    port = free_port()
    env = {**os.environ, "AMQP_URI": amqp_uri, "OTG_DATA_DIR": str(tmp_path),
           "OTG_REGISTRY_PORT": str(port)}
    log = tmp_path / "run.log"
    with open(log, "w") as output:
        runner = subprocess.Popen([str(OTG), "run", "registry"], env=env, stdout=output,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        eventually(lambda: healthy(port), timeout=60)
        [child] = [int(pid) for pid in re.findall(r"\(pid (\d+)\)", log.read_text())]
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=30) == 0
        assert not alive(child), log.read_text()[-2000:]  # waited for, not left behind
        assert not answers(port)
    finally:  # whatever is left of its session: the runner, or children it left behind
        try:
            os.killpg(runner.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
