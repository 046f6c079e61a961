"""The ten-line subscriber of docs/integrating.md works as printed."""
import os
import re
import select
import subprocess
import sys
from pathlib import Path

from kombu import Connection

from services.registry.service import RegistryService
from support import bound, eventually
from test_backbone_bus import institution

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrating.md"


def test_documented_subscriber_receives_registry_events(start_service, amqp_uri, token, tmp_path):
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    assert len([line for line in code.splitlines() if line.strip()]) <= 12
    script = tmp_path / "subscriber.py"
    script.write_text(code)
    with Connection(amqp_uri) as conn:  # the exchange exists before integrators come (otg broker users)
        conn.channel().exchange_declare("registry.events", "topic", durable=True, auto_delete=False)
    subscriber = subprocess.Popen([sys.executable, str(script)], env={**os.environ, "AMQP_URI": amqp_uri},
                                  stdout=subprocess.PIPE, text=True)
    try:
        eventually(lambda: bound(amqp_uri, "registry.events"), timeout=20)
        api = start_service(RegistryService)
        created = api.post("/institutions", token(), json=institution(5)).json()
        readable, _, _ = select.select([subscriber.stdout], [], [], 20)
        first = subscriber.stdout.readline() if readable else "(nothing in 20 s)"
    finally:
        subscriber.kill()
    assert first.startswith("otg.registry.InstitutionRegistered.v1 " + created["id"])
