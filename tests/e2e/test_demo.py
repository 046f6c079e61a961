"""Issue 7: `otg demo` as a newcomer runs it — five service processes, the campaign
played over HTTP, the timeline printed from the bus — here with `--no-wait`, a small
data set, free ports and the test's own RabbitMQ vhost."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

from shared import config
from otg.demo import names
from support import free_port

OTG = Path(sys.executable).parent / "otg"


def environment(amqp_uri):
    """The demo's environment: free ports (never 8001-8005), the test's vhost."""
    env = {**os.environ, "AMQP_URI": amqp_uri}
    for name in config.SERVICES:
        port = free_port()
        env[f"OTG_{name.upper()}_PORT"] = str(port)
        env[f"OTG_{name.upper()}_URL"] = f"http://127.0.0.1:{port}"
    return env


@pytest.fixture
def demo_env(amqp_uri):
    return environment(amqp_uri)


@pytest.fixture(scope="module")
def played(request, vhost_pipeline, tmp_path_factory):
    """One demo played for the module (it takes half a minute) on a throwaway vhost,
    the kind the `amqp_uri` fixture hands out: (env, data dir, exit status, stdout, stderr)."""
    base = urlparse(request.config.getoption("RABBIT_AMQP_URI"))
    with vhost_pipeline.get() as vhost:
        env = environment(f"{base.scheme}://{base.netloc}/{vhost}")
        data_dir = tmp_path_factory.mktemp("demo") / "demo"
        yield (env, data_dir, *otg_demo(env, "--data-dir", str(data_dir), "--institutions", "40",
                                        "--no-wait", "--check-interval", "0.5"))


def otg_demo(env, *args, timeout=110):
    """Run `otg demo ARGS`; (exit status, stdout, stderr)."""
    process = subprocess.Popen([str(OTG), "demo", *args], env=env, text=True, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the services are in its process group
        out, err = process.communicate()
        pytest.fail(f"the demo did not finish in {timeout}s:\n{out[-4000:]}\n{err[-4000:]}")
    return process.returncode, out, err


def lines_with(out, *words):
    return [line for line in out.splitlines() if all(word in line for word in words)]


def test_demo_plays_the_campaign_and_tells_every_chain_on_the_timeline(played):
    env, data_dir, status, out, err = played
    assert status == 0, out[-3000:] + err[-3000:]

    [hazard] = lines_with(out, "HazardFound")
    place = hazard.split(" · ")[1]
    chain = [lines_with(out, name, place) for name in
             ("HazardFound", "InstitutionSuspended", "BlacklistReviewOpened", "CaseExposed")]
    assert all(len(found) == 1 for found in chain), out
    positions = [out.index(found[0]) for found in chain]
    assert positions[0] == min(positions)                      # the hazard comes first
    assert lines_with(out, "ComplaintAnswered") and lines_with(out, "ComplaintReceived", "学校摸底")
    assert lines_with(out, "UnlistedInstitutionReported", names.UNLISTED["name"])
    assert lines_with(out, "CaseExposed", names.UNLISTED["name"])  # the lead checked, exposed
    overdue = lines_with(out, "TaskOverdue")
    assert overdue and all("临港区" in line for line in overdue), overdue  # only the lagging district
    assert lines_with(out, "NoticePublished", "临港区")
    # not a terminal: the loading's progress as plain lines, then its summary line
    assert re.search(r"loading the data set: \d+/\d+ records \(\d+%\)", err)
    assert re.search(r"^loading the data set: \d+ records in [\d.]+ s", out, re.M)

    ports = {name: env[f"OTG_{name.upper()}_PORT"] for name in config.SERVICES}
    assert f"http://127.0.0.1:{ports['disclosure']}/" in out
    assert f"http://127.0.0.1:{ports['tasks']}/dashboard" in out
    assert all(f"http://127.0.0.1:{port}" in out for port in ports.values())
    assert json.loads((data_dir / "demo.json").read_text())["status"] == "played"


def test_the_services_are_stopped_after_no_wait(played):
    env, data_dir, status, out, err = played
    for name in config.SERVICES:
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", int(env[f"OTG_{name.upper()}_PORT"]))) != 0, name


def test_each_service_played_as_its_own_broker_user_removed_after_the_demo(played):
    import requests
    env, data_dir, status, out, err = played
    vhost = urlparse(env["AMQP_URI"]).path[1:]
    assert f"as its own user (otg-console.{vhost}, otg-registry.{vhost}, otg-inspection.{vhost}" in out
    users = requests.get("http://127.0.0.1:15672/api/users", auth=("guest", "guest"), timeout=10).json()
    assert not [user["name"] for user in users if user["name"].endswith(f".{vhost}")]


def test_nothing_the_demo_stored_holds_the_reporters_phone_or_a_pupils_name(played):
    env, data_dir, status, out, err = played
    assert status == 0
    pupils = re.compile("|".join(f"[{names.SURNAMES}]{given}" for given in names.GIVEN))
    stored = [path for path in data_dir.rglob("*") if path.is_file()]
    assert any(path.suffix == ".db" for path in stored)
    for path in stored:
        text = path.read_bytes().decode("utf-8", errors="ignore")
        assert "13800000000" not in text, path
        assert not pupils.search(text), (path, pupils.search(text))


def test_a_finished_demo_is_started_again_without_playing_it_twice(demo_env, tmp_path):
    played = tmp_path / "demo"
    played.mkdir()
    (played / "demo.json").write_text(json.dumps({"status": "played", "case_id": "case-1"}))
    status, out, err = otg_demo(demo_env, "--data-dir", str(played), "--no-wait")
    assert status == 0, out[-3000:] + err[-3000:]
    assert "holds the demo played before" in out and "CampaignStarted" not in out
    assert f"{demo_env['OTG_DISCLOSURE_URL']}/cases/case-1" in out  # today's ports


# Refusals come before the broker is asked (none answers at this address).
NO_BROKER = "amqp://guest:guest@broker.invalid:5672/"


def test_a_demo_that_did_not_finish_needs_fresh(tmp_path):
    unfinished = tmp_path / "demo"
    unfinished.mkdir()
    (unfinished / "demo.json").write_text(json.dumps({"status": "loading"}))
    status, out, err = otg_demo(environment(NO_BROKER), "--data-dir", str(unfinished), "--no-wait")
    assert status == 2 and "--fresh" in err


def test_fresh_never_empties_a_directory_that_holds_no_demo(tmp_path):
    (tmp_path / "thesis.tex").write_text("years of work")
    status, out, err = otg_demo(environment(NO_BROKER), "--data-dir", str(tmp_path), "--fresh",
                                "--no-wait")
    assert status == 2 and "holds no demo" in err
    assert (tmp_path / "thesis.tex").read_text() == "years of work"


def test_a_port_in_use_is_named_and_fresh_keeps_the_demo_that_may_be_using_it(tmp_path):
    env = environment(NO_BROKER)
    played = tmp_path / "demo"
    played.mkdir()
    (played / "demo.json").write_text(json.dumps({"status": "played"}))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", int(env["OTG_INSPECTION_PORT"])))
        busy.listen()
        status, out, err = otg_demo(env, "--data-dir", str(played), "--fresh", "--no-wait")
    assert status == 2 and f"{env['OTG_INSPECTION_PORT']} (inspection" in err
    assert (played / "demo.json").exists()
