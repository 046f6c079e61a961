"""A bounded, deterministic schemathesis run over every service's OpenAPI document: no
generated request gets a 500, and every documented answer matches its schema. The services
run as processes (the commands the image runs) with an admin token, so requests reach the
handlers rather than stopping at 401."""
import subprocess
import sys
from pathlib import Path

from otg import installation

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
# the fuzzing phase, 10 cases per operation, the same cases on every run (~1 min in all)
OPTIONS = ["--checks", "not_a_server_error,response_schema_conformance", "--phases", "examples,fuzzing",
           "--max-examples", "10", "--generation-deterministic", "--no-shrink", "--workers", "1",
           "--request-timeout", "30", "--output-truncate", "true", "--no-color"]


def test_no_generated_request_breaks_any_service(cluster, token, tmp_path):
    cluster.env["OTG_PUBLIC_RATE_LIMIT"] = "off"  # a fuzzer is one address filing many reports
    names = installation.services()
    cluster.start(*names)
    admin = token("admin", "education", "371000")
    failed = {}
    for name in names:
        run = subprocess.run([SCHEMATHESIS, "run", f"{cluster.api(name).base}/openapi.json", *OPTIONS,
                              "--header", f"Authorization: Bearer {admin}"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=300)
        if run.returncode != 0:
            failed[name] = run.stdout[-3000:]
    assert failed == {}
