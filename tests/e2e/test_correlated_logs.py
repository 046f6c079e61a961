"""One request's correlation id follows it through the events into another service's logs."""
import json

from shared.creditcode import complete
from support import eventually


def test_correlation_id_travels_from_a_request_to_the_reacting_service(cluster, token, tmp_path):
    cluster.start("registry", "inspection", log_dir=tmp_path)
    registry = cluster.api("registry")
    body = {"name": "海星艺术培训学校", "credit_code": complete("91371002MA3C00001"),
            "district": "371002", "category": "arts", "address": "海滨路1号"}
    created = registry.post("/institutions", token(), json=body,
                            headers={"X-Correlation-Id": "trace-4711"})
    assert created.status_code == 201
    [registered] = [e for e in registry.get("/events").json() if e["subject"] == created.json()["id"]]
    assert registered["correlationid"] == "trace-4711"

    def inspection_logged_it():
        lines = [json.loads(line) for line in (tmp_path / "inspection.log").read_text().splitlines()
                 if line.startswith("{")]
        return [line for line in lines if line.get("correlation_id") == "trace-4711"]
    # inspection mirrors the institution; its handler's log line carries the id
    eventually(inspection_logged_it, timeout=20)
