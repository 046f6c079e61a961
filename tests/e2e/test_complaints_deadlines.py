"""Deadlines end to end: the complaints service as its own process, time moved with
OTG_CLOCK_FILE; a missed deadline raises ComplaintOverdue and escalates to the
municipal office exactly once, also across a restart."""
import time
from collections import Counter

import pytest

from support import eventually

T0 = "2024-01-20T08:00:00+00:00"
CHECKS = {"OTG_CHECK_INTERVAL": "0.2"}


@pytest.fixture
def clock_file(tmp_path):
    path = tmp_path / "clock.txt"
    path.write_text(T0)
    return path


def counts(api):
    return Counter(e["type"].split(".")[2] for e in api.get("/events?limit=1000").json())


def test_missed_deadline_raises_overdue_and_escalates_once_across_a_restart(cluster, clock_file, token):
    env = {**CHECKS, "OTG_CLOCK_FILE": str(clock_file)}
    cluster.start("complaints", **env)
    api = cluster.api("complaints")
    created = api.post("/complaints", json={
        "district": "371002", "category": "safety_hazard", "description": "安全出口被锁，教室没有灭火器",
        "institution_name": "星光舞蹈"})
    assert created.status_code == 201, created.text
    time.sleep(0.6)  # a few checks before the deadline: nothing happens
    assert counts(api)["ComplaintOverdue"] == 0

    clock_file.write_text("2024-01-20T10:30:00+00:00")  # acknowledgement was due at 10:00
    eventually(lambda: counts(api)["ComplaintEscalated"] == 1)
    time.sleep(0.6)
    cluster.stop("complaints")
    cluster.start("complaints", **env)
    time.sleep(1.0)  # several checks after the restart
    seen = counts(api)
    assert (seen["ComplaintOverdue"], seen["ComplaintEscalated"]) == (1, 1)

    office = token("coordinator", "education", "371000")
    [case] = api.get("/complaints?escalated=true", office).json()["items"]
    assert case["overdue_stages"] == [{"stage": "acknowledge", "due": "2024-01-20T10:00:00Z"}]
    overdue = [e for e in api.get("/events").json() if e["type"].endswith("ComplaintOverdue.v1")]
    assert overdue[0]["data"]["stage"] == "acknowledge"

    clock_file.write_text("2024-01-21T09:00:00+00:00")  # verification was due within 24 h
    eventually(lambda: counts(api)["ComplaintOverdue"] == 2)
    time.sleep(0.6)
    assert counts(api)["ComplaintEscalated"] == 1  # the case is with the office already
    stages = [e["data"]["stage"] for e in api.get("/events").json()
              if e["type"].endswith("ComplaintOverdue.v1")]
    assert stages == ["acknowledge", "verify"]  # each deadline once, not one of them twice
