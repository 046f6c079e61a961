"""The ten-line subscriber of docs/integrating.md works as printed."""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from services.registry.service import RegistryService
from test_backbone_bus import institution

DOC = Path(__file__).resolve().parents[2] / "docs" / "integrating.md"


def test_documented_subscriber_receives_registry_events(start_service, amqp_uri, token, tmp_path):
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    assert len([line for line in code.splitlines() if line.strip()]) <= 12
    script = tmp_path / "subscriber.py"
    script.write_text(code)
    subscriber = subprocess.Popen([sys.executable, str(script)], env={**os.environ, "AMQP_URI": amqp_uri},
                                  stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(2)  # its queue is declared and bound
        api = start_service(RegistryService)
        created = api.post("/institutions", token(), json=institution(5)).json()
        first = subscriber.stdout.readline()
    finally:
        subscriber.kill()
    assert first.startswith("otg.registry.InstitutionRegistered.v1 " + created["id"])
