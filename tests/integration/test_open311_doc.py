"""The Open311 curl examples of docs/complaints.md and docs/integrating.md run as
printed (against a complaints service on a test port) and answer what they say."""
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from services.complaints.service import ComplaintsService

DOCS = Path(__file__).resolve().parents[2] / "docs"


def open311_examples(name):
    text = (DOCS / name).read_text()
    section = text[text.index("Open311 GeoReport v2"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [command.strip() for command in block.replace("\\\n", " ").splitlines() if command.strip()]


@pytest.mark.skipif(not shutil.which("curl"), reason="needs curl")
@pytest.mark.parametrize("doc", ["complaints.md", "integrating.md"])
def test_open311_curl_examples_run_as_printed(start_service, monkeypatch, tmp_path, doc):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    api = start_service(ComplaintsService)
    for command in open311_examples(doc):
        command = command.replace("localhost:8005", api.base)
        done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0 and done.stdout, (command, done.stderr)
        url = re.search(r"(\S*/open311/\S*)", command).group(1).strip("'")
        if ".json" in url:
            answer = json.loads(done.stdout)
            is_error = isinstance(answer, list) and bool(answer) and "code" in answer[0]
        else:
            is_error = ET.fromstring(done.stdout.encode()).tag == "errors"
        assert is_error == ("potholes" in command), (command, done.stdout[:300])
